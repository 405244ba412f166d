package expr

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Values in tests are written in DynamoDB's JSON wire format, which reads
// like the requests the engine serves.

func decodeAV(t testing.TB, v any) types.AttributeValue {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		t.Fatalf("not a typed value: %v", v)
	}
	for k, x := range m {
		switch k {
		case "S":
			return &types.AttributeValueMemberS{Value: x.(string)}
		case "N":
			return &types.AttributeValueMemberN{Value: x.(string)}
		case "B":
			b, err := base64.StdEncoding.DecodeString(x.(string))
			if err != nil {
				t.Fatal(err)
			}
			return &types.AttributeValueMemberB{Value: b}
		case "BOOL":
			return &types.AttributeValueMemberBOOL{Value: x.(bool)}
		case "NULL":
			return &types.AttributeValueMemberNULL{Value: x.(bool)}
		case "L":
			l := []types.AttributeValue{}
			for _, e := range x.([]any) {
				l = append(l, decodeAV(t, e))
			}
			return &types.AttributeValueMemberL{Value: l}
		case "M":
			return &types.AttributeValueMemberM{Value: decodeItemAny(t, x)}
		case "SS", "NS", "BS":
			var ss []string
			var bs [][]byte
			for _, e := range x.([]any) {
				ss = append(ss, e.(string))
				if k == "BS" {
					b, err := base64.StdEncoding.DecodeString(e.(string))
					if err != nil {
						t.Fatal(err)
					}
					bs = append(bs, b)
				}
			}
			switch k {
			case "SS":
				return &types.AttributeValueMemberSS{Value: ss}
			case "NS":
				return &types.AttributeValueMemberNS{Value: ss}
			}
			return &types.AttributeValueMemberBS{Value: bs}
		}
	}
	t.Fatalf("unknown type in %v", v)
	return nil
}

func decodeItemAny(t testing.TB, v any) map[string]types.AttributeValue {
	t.Helper()
	out := map[string]types.AttributeValue{}
	for k, x := range v.(map[string]any) {
		out[k] = decodeAV(t, x)
	}
	return out
}

// item decodes a JSON item such as {"a": {"S": "x"}}; "" is nil.
func item(t testing.TB, js string) map[string]types.AttributeValue {
	t.Helper()
	if js == "" {
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		t.Fatalf("bad JSON %s: %v", js, err)
	}
	return decodeItemAny(t, v)
}

func names(t testing.TB, js string) map[string]string {
	t.Helper()
	if js == "" {
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatalf("bad JSON %s: %v", js, err)
	}
	return m
}

func params(t testing.TB, namesJS, valuesJS string) *Params {
	t.Helper()
	p, err := NewParams(names(t, namesJS), item(t, valuesJS))
	if err != nil {
		t.Fatalf("NewParams: %v", err)
	}
	return p
}

// show renders an item deterministically for failure messages.
func show(m map[string]types.AttributeValue) string {
	if m == nil {
		return "<nil>"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %s", k, literal(m[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
