package expr

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const projectionItem = `{
	"a": {"S": "x"}, "b": {"N": "1"},
	"m": {"M": {"x": {"M": {"y": {"S": "deep"}, "z": {"N": "2"}}}, "k": {"S": "v"}}},
	"l": {"L": [{"S": "zero"}, {"S": "one"}, {"S": "two"}, {"S": "three"}, {"S": "four"}]},
	"lm": {"L": [{"M": {"a": {"N": "1"}, "b": {"N": "2"}}}, {"S": "flat"}, {"M": {"a": {"N": "3"}}}]},
	"name": {"S": "reserved"}
}`

func TestProjectionApply(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"top level", "a, b", `{"a":{"S":"x"},"b":{"N":"1"}}`},
		{"missing top level", "a, nothing", `{"a":{"S":"x"}}`},
		{"whole map", "m", `{"m":{"M":{"x":{"M":{"y":{"S":"deep"},"z":{"N":"2"}}},"k":{"S":"v"}}}}`},
		{"nested keeps structure", "m.x.y", `{"m":{"M":{"x":{"M":{"y":{"S":"deep"}}}}}}`},
		{"two nested merge", "m.x.y, m.k", `{"m":{"M":{"x":{"M":{"y":{"S":"deep"}}},"k":{"S":"v"}}}}`},
		{"missing nested is omitted", "m.nothing, a", `{"a":{"S":"x"}}`},
		{"nested through a scalar is omitted", "a.b", `{}`},
		{"list indexes compact in index order", "l[3], l[1]", `{"l":{"L":[{"S":"one"},{"S":"three"}]}}`},
		{"list index past the end", "l[9]", `{}`},
		{"list index past the end with others", "l[9], l[0]", `{"l":{"L":[{"S":"zero"}]}}`},
		{"maps inside a list", "lm[0].a, lm[2].a", `{"lm":{"L":[{"M":{"a":{"N":"1"}}},{"M":{"a":{"N":"3"}}}]}}`},
		{"missing inside a list element", "lm[1].a, lm[2].a", `{"lm":{"L":[{"M":{"a":{"N":"3"}}}]}}`},
		{"placeholder", "#n", `{"name":{"S":"reserved"}}`},
		{"nothing found", "nothing", `{}`},
	}
	p := params(t, `{"#n":"name"}`, "")
	in := item(t, projectionItem)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pr, err := ParseProjection(tc.expr, p)
			if err != nil {
				t.Fatalf("%q: %v", tc.expr, err)
			}
			got := pr.Apply(in)
			if want := item(t, tc.want); show(got) != show(want) {
				t.Errorf("%q\n got: %s\nwant: %s", tc.expr, show(got), show(want))
			}
		})
	}
}

func TestProjectionCopies(t *testing.T) {
	in := item(t, projectionItem)
	pr, err := ParseProjection("m.x, l", nil)
	if err != nil {
		t.Fatal(err)
	}
	out := pr.Apply(in)
	out["m"].(*types.AttributeValueMemberM).Value["x"].(*types.AttributeValueMemberM).Value["y"] = &types.AttributeValueMemberS{Value: "changed"}
	out["l"].(*types.AttributeValueMemberL).Value[0] = &types.AttributeValueMemberS{Value: "changed"}
	if show(in) != show(item(t, projectionItem)) {
		t.Errorf("changing the projection changed the item: %s", show(in))
	}
}

func TestNewProjection(t *testing.T) {
	p := params(t, "", `{":v":{"N":"1"}}`)
	u, err := ParseUpdate("SET m.k = :v, b = :v REMOVE l[1]", p)
	if err != nil {
		t.Fatal(err)
	}
	pr := NewProjection(u.Targets())
	got := pr.Apply(item(t, projectionItem))
	want := `{b: 1, l: ["one"], m: {"k": "v"}}`
	if show(got) != want {
		t.Errorf("got %s, want %s", show(got), want)
	}
	if len(pr.Paths()) != 3 || pr.String() != "m.k, b, l[1]" {
		t.Errorf("Paths %v String %q", pr.Paths(), pr.String())
	}
}

func TestFromAttributesToGet(t *testing.T) {
	pr, err := FromAttributesToGet([]string{"a", "name", "weird.name"})
	if err != nil {
		t.Fatal(err)
	}
	got := pr.Apply(item(t, `{"a":{"S":"x"},"name":{"S":"n"},"weird.name":{"N":"1"},"weird":{"M":{"name":{"N":"2"}}},"c":{"S":"c"}}`))
	if want := `{a: "x", name: "n", weird.name: 1}`; show(got) != want {
		t.Errorf("got %s, want %s", show(got), want)
	}
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"a", "b", "a"}, "One or more parameter values were invalid: Duplicate value in attribute name: a"},
		{[]string{}, "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	} {
		if _, err := FromAttributesToGet(tc.names); err == nil || err.Error() != tc.want {
			t.Errorf("%v: error %v, want %s", tc.names, err, tc.want)
		}
	}
	if pr, err := FromAttributesToGet(nil); pr != nil || err != nil {
		t.Errorf("nil names: %v, %v", pr, err)
	}
}
