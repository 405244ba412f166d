package expr

import (
	"fmt"
	"strings"
	"testing"
)

func TestExpressionSizeLimit(t *testing.T) {
	p := params(t, "", `{":v":{"N":"1"}}`)
	at := func(n int) string { // a valid condition of exactly n bytes
		return "a" + strings.Repeat("b", n-len("a = :v")) + " = :v"
	}
	if _, err := ParseCondition(KindCondition, at(4096), p); err != nil {
		t.Errorf("4096 bytes: %v", err)
	}
	want := "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"
	if _, err := ParseCondition(KindFilter, at(4097), p); err == nil || err.Error() != want {
		t.Errorf("4097 bytes: %v", err)
	}
	long := "SET " + strings.Repeat("a", 5000) + " = :v"
	if _, err := ParseUpdate(long, p); err == nil || !strings.HasPrefix(err.Error(), "Invalid UpdateExpression: Expression size has exceeded") {
		t.Errorf("long update: %v", err)
	}
	if _, err := ParseProjection(strings.Repeat("a", 4097), p); err == nil || !strings.HasPrefix(err.Error(), "Invalid ProjectionExpression: Expression size has exceeded") {
		t.Errorf("long projection: %v", err)
	}
}

func TestOperatorLimit(t *testing.T) {
	p := params(t, "", `{":v":{"N":"1"}}`)
	// n comparisons joined by n-1 ORs: 2n-1 operators.
	or := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "a<:v"
		}
		return strings.Join(parts, " OR ")
	}
	if _, err := ParseCondition(KindCondition, or(150), p); err != nil {
		t.Errorf("299 operators: %v", err)
	}
	want := "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
	if _, err := ParseCondition(KindCondition, or(151), p); err == nil || err.Error() != want {
		t.Errorf("301 operators: %v", err)
	}
	if _, err := ParseCondition(KindCondition, strings.Repeat("NOT ", 299)+"a = :v", p); err != nil {
		t.Errorf("300 operators: %v", err)
	}
	if _, err := ParseCondition(KindCondition, strings.Repeat("NOT ", 300)+"a = :v", p); err == nil || err.Error() != want {
		t.Errorf("NOT counts as an operator: %v", err)
	}
	// IN counts once, however long its list.
	in := "a IN (" + strings.TrimSuffix(strings.Repeat(":v,", 100), ",") + ")"
	if _, err := ParseCondition(KindCondition, in, p); err != nil {
		t.Errorf("IN with 100 values: %v", err)
	}
	set := make([]string, 101)
	for i := range set {
		set[i] = fmt.Sprintf("a%d = :v + :v", i)
	}
	if _, err := ParseUpdate("SET "+strings.Join(set[:100], ", "), p); err != nil {
		t.Errorf("100 additions: %v", err)
	}
	if _, err := ParseUpdate("SET "+strings.Join(set, ", ")+", b = size(c)", p); err == nil || !strings.Contains(err.Error(), "The function is not allowed") {
		t.Errorf("function in an update: %v", err)
	}
}

func TestInOperandLimit(t *testing.T) {
	vals := make([]string, 101)
	list := make([]string, 101)
	for i := range vals {
		vals[i] = fmt.Sprintf(`":v%d":{"N":"%d"}`, i, i)
		list[i] = fmt.Sprintf(":v%d", i)
	}
	p := params(t, "", "{"+strings.Join(vals, ",")+"}")
	c, err := ParseCondition(KindCondition, "a IN ("+strings.Join(list[:100], ",")+")", p)
	if err != nil {
		t.Fatalf("100 operands: %v", err)
	}
	if !c.Eval(item(t, `{"a":{"N":"99"}}`)) {
		t.Error("a IN (...) with a = 99 should hold")
	}
	want := "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"
	if _, err := ParseCondition(KindCondition, "a IN ("+strings.Join(list, ",")+")", p); err == nil || err.Error() != want {
		t.Errorf("101 operands: %v", err)
	}
}

func TestPathDepthLimit(t *testing.T) {
	p := params(t, "", `{":v":{"N":"1"}}`)
	path := func(n int) string { return "a" + strings.Repeat(".b", n-1) }
	if _, err := ParseCondition(KindCondition, path(32)+" = :v", p); err != nil {
		t.Errorf("32 levels: %v", err)
	}
	want := "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"
	if _, err := ParseCondition(KindCondition, path(33)+" = :v", p); err == nil || err.Error() != want {
		t.Errorf("33 levels: %v", err)
	}
	if _, err := ParseProjection("a"+strings.Repeat("[0]", 40), p); err == nil || !strings.HasSuffix(err.Error(), "nesting levels: 41") {
		t.Errorf("41 levels: %v", err)
	}
}

// The nesting cap keeps the parser's recursion bounded whatever it is fed;
// a 4 KB expression cannot reach it, so call the parser directly.
func TestNestingCap(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("(", 10000) + "a = :v" + strings.Repeat(")", 10000),
		strings.Repeat("NOT ", 10000) + "a = :v",
		"a = " + strings.Repeat("(", 10000) + ":v" + strings.Repeat(")", 10000),
		strings.Repeat("size(", 10000) + "a" + strings.Repeat(")", 10000) + " = :v",
	} {
		if _, msg := parseConditionSyntax(src); !strings.HasPrefix(msg, "Syntax error; token: ") {
			t.Errorf("%.20s...: %q", src, msg)
		}
	}
	if _, msg := parseUpdateSyntax("SET a = " + strings.Repeat("(", 10000) + ":v" + strings.Repeat(")", 10000)); !strings.HasPrefix(msg, "Syntax error") {
		t.Errorf("update: %q", msg)
	}
}
