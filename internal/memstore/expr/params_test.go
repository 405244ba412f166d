package expr

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/monotable/monotable/internal/memstore/attr"
)

func TestParamsNormalizeValues(t *testing.T) {
	in := map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: "05.50"}}
	p, err := NewParams(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	u, err := ParseUpdate("SET a = :v", p)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := u.Apply(nil)
	if got := out["a"].(*types.AttributeValueMemberN).Value; got != "5.5" {
		t.Errorf("stored %q, want canonical 5.5", got)
	}
	if in[":v"].(*types.AttributeValueMemberN).Value != "05.50" {
		t.Error("NewParams changed the request's value")
	}
}

func TestParamsInvalidValueUnwraps(t *testing.T) {
	_, err := NewParams(nil, map[string]types.AttributeValue{":v": &types.AttributeValueMemberN{Value: "1e999"}})
	if !errors.Is(err, attr.ErrOverflow) {
		t.Errorf("error %v does not wrap attr.ErrOverflow", err)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("error %T is not an *Error", err)
	}
}

func TestParamsKeyTooLong(t *testing.T) {
	key := "#" + strings.Repeat("a", 255)
	_, err := NewParams(map[string]string{key: "x"}, nil)
	want := "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 256"
	if err == nil || err.Error() != want {
		t.Errorf("got %v", err)
	}
	if _, err := NewParams(map[string]string{key[:255]: "x"}, nil); err != nil {
		t.Errorf("255 bytes: %v", err)
	}
}

func TestParamsUsedAcrossExpressions(t *testing.T) {
	p := params(t, `{"#a":"a","#b":"b","#c":"c"}`, `{":v":{"N":"1"},":w":{"N":"2"}}`)
	if _, err := ParseUpdate("SET #a = :v", p); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCondition(KindCondition, "#b = :w", p); err != nil {
		t.Fatal(err)
	}
	if err := p.CheckUnused(); err == nil || err.Error() != "Value provided in ExpressionAttributeNames unused in expressions: keys: {#c}" {
		t.Errorf("CheckUnused: %v", err)
	}
	if _, err := ParseProjection("#c", p); err != nil {
		t.Fatal(err)
	}
	if err := p.CheckUnused(); err != nil {
		t.Errorf("CheckUnused after projection: %v", err)
	}
	var none *Params
	if err := none.CheckUnused(); err != nil {
		t.Error(err)
	}
}

func TestParseWithoutParams(t *testing.T) {
	if _, err := ParseCondition(KindCondition, "attribute_exists(a)", nil); err != nil {
		t.Error(err)
	}
	_, err := ParseCondition(KindCondition, "a = :v", nil)
	if err == nil || err.Error() != "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v" {
		t.Errorf("got %v", err)
	}
}

func TestReservedWords(t *testing.T) {
	if len(reservedWords) != 573 {
		t.Errorf("%d reserved words, the Developer Guide lists 573", len(reservedWords))
	}
	for _, w := range []string{"status", "STATUS", "Name", "date", "size", "ttl", "zone", "abort", "flattern"} {
		if !IsReserved(w) {
			t.Errorf("%q should be reserved", w)
		}
	}
	for _, w := range []string{"pk", "sk", "title", "gsi1pk", "absent", ""} {
		if IsReserved(w) {
			t.Errorf("%q should not be reserved", w)
		}
	}
}

func TestCacheBounded(t *testing.T) {
	var c treeCache[int]
	parses := 0
	parse := func(string) (int, string) { parses++; return parses, "" }
	for i := 0; i < cacheSize+100; i++ {
		c.get(strings.Repeat("x", i+1), parse)
	}
	if len(c.m) > cacheSize {
		t.Errorf("cache holds %d entries, bound is %d", len(c.m), cacheSize)
	}
	before := parses
	c.get(strings.Repeat("x", cacheSize+100), parse) // recent: cached
	if parses != before {
		t.Error("recent entry was evicted")
	}
	c.get("x", parse) // oldest: evicted
	if parses != before+1 {
		t.Error("oldest entry was not evicted")
	}
}

// Parsed trees are shared between requests; run many at once under -race.
func TestConcurrentParse(t *testing.T) {
	exprs := []string{"#a = :v AND size(b) > :w", "SET #a = :v, c = c + :w", "#a, b.c[1]"}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				p, err := NewParams(map[string]string{"#a": "a"}, map[string]types.AttributeValue{
					":v": &types.AttributeValueMemberN{Value: "1"}, ":w": &types.AttributeValueMemberN{Value: "2"}})
				if err != nil {
					t.Error(err)
					return
				}
				c, err := ParseCondition(KindCondition, exprs[0], p)
				if err != nil || !c.Eval(map[string]types.AttributeValue{"a": &types.AttributeValueMemberN{Value: "1"}, "b": &types.AttributeValueMemberS{Value: "abc"}}) {
					t.Errorf("condition: %v", err)
				}
				if _, err := ParseUpdate(exprs[1], p); err != nil {
					t.Error(err)
				}
				if _, err := ParseProjection(exprs[2], p); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
}
