package attr

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MaxDepth is DynamoDB's limit on nested lists and maps.
const MaxDepth = 32

// Validation errors for attribute values, in DynamoDB's words.
var (
	ErrEmptyValue     = errors.New("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	ErrEmptyStringSet = errors.New("One or more parameter values were invalid: An string set  may not be empty")
	ErrEmptyNumberSet = errors.New("One or more parameter values were invalid: An number set  may not be empty")
	ErrEmptyBinarySet = errors.New("One or more parameter values were invalid: Binary sets should not be empty")
	ErrNumberSetDup   = errors.New("Input collection contains duplicates")
	ErrTooDeep        = errors.New("Nesting Levels have exceeded supported limits")
	// Every region refuses NULL false again since July 2026, after two
	// briefly stored it as NULL true; us-east-1 wraps it in the envelope.
	ErrNullNotTrue = errors.New("1 validation error detected: One or more parameter values were invalid: Null attribute value types must have the value of true")
)

// Normalize validates a value from a request and returns a deep copy in the
// form DynamoDB stores: numbers canonical. The input is never modified.
func Normalize(v types.AttributeValue) (types.AttributeValue, error) {
	return normalize(v, 0)
}

// NormalizeItem validates and copies every value of an item.
func NormalizeItem(item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	out, _, err := NormalizeItemSize(item)
	return out, err
}

// NormalizeItemSize is NormalizeItem that also returns ItemSize of the
// result, measured in the same pass.
func NormalizeItemSize(item map[string]types.AttributeValue) (map[string]types.AttributeValue, int, error) {
	out := make(map[string]types.AttributeValue, len(item))
	size := 0
	for k, v := range item {
		nv, err := normalize(v, 0)
		if err != nil {
			return nil, 0, err
		}
		out[k] = nv
		size += len(k) + Size(nv)
	}
	return out, size, nil
}

func normalize(v types.AttributeValue, depth int) (types.AttributeValue, error) {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return &types.AttributeValueMemberS{Value: x.Value}, nil
	case *types.AttributeValueMemberN:
		n, err := CanonicalNumber(x.Value)
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberN{Value: n}, nil
	case *types.AttributeValueMemberB:
		return &types.AttributeValueMemberB{Value: cloneBytes(x.Value)}, nil
	case *types.AttributeValueMemberBOOL:
		return &types.AttributeValueMemberBOOL{Value: x.Value}, nil
	case *types.AttributeValueMemberNULL:
		if !x.Value {
			return nil, ErrNullNotTrue
		}
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case *types.AttributeValueMemberL:
		if depth >= MaxDepth {
			return nil, ErrTooDeep
		}
		out := make([]types.AttributeValue, len(x.Value))
		for i, e := range x.Value {
			ne, err := normalize(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = ne
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case *types.AttributeValueMemberM:
		if depth >= MaxDepth {
			return nil, ErrTooDeep
		}
		out := make(map[string]types.AttributeValue, len(x.Value))
		for k, e := range x.Value {
			ne, err := normalize(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = ne
		}
		return &types.AttributeValueMemberM{Value: out}, nil
	case *types.AttributeValueMemberSS:
		if len(x.Value) == 0 {
			return nil, ErrEmptyStringSet
		}
		if hasDuplicate(x.Value) {
			return nil, fmt.Errorf("One or more parameter values were invalid: Input collection [%s] contains duplicates.", strings.Join(x.Value, ", "))
		}
		return &types.AttributeValueMemberSS{Value: append([]string(nil), x.Value...)}, nil
	case *types.AttributeValueMemberNS:
		if len(x.Value) == 0 {
			return nil, ErrEmptyNumberSet
		}
		out := make([]string, len(x.Value))
		for i, s := range x.Value {
			n, err := CanonicalNumber(s)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		if hasDuplicate(out) {
			return nil, ErrNumberSetDup
		}
		return &types.AttributeValueMemberNS{Value: out}, nil
	case *types.AttributeValueMemberBS:
		if len(x.Value) == 0 {
			return nil, ErrEmptyBinarySet
		}
		out := make([][]byte, len(x.Value))
		strs := make([]string, len(x.Value))
		for i, b := range x.Value {
			out[i] = cloneBytes(b)
			strs[i] = string(b)
		}
		if hasDuplicate(strs) {
			return nil, fmt.Errorf("One or more parameter values were invalid: Input collection %s of type BS contains duplicates.", describeBinarySet(out))
		}
		return &types.AttributeValueMemberBS{Value: out}, nil
	}
	return nil, ErrEmptyValue
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return bytes.Clone(b)
}

func hasDuplicate(values []string) bool {
	if len(values) < 2 {
		return false
	}
	seen := make(map[string]struct{}, len(values))
	for _, v := range values {
		if _, ok := seen[v]; ok {
			return true
		}
		seen[v] = struct{}{}
	}
	return false
}

func describeBinarySet(values [][]byte) string {
	parts := make([]string, len(values))
	for i, b := range values {
		parts[i] = fmt.Sprintf("%x", b)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
