package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/monotable/monotable/internal/memstore/attr"
)

const updateValues = `{
	":v": {"S": "v"}, ":w": {"S": "w"}, ":one": {"N": "1"}, ":two": {"N": "2"}, ":seven": {"N": "7"},
	":neg": {"N": "-3.5"}, ":zero": {"N": "0"}, ":big": {"N": "99999999999999999999999999999999999999"},
	":huge": {"N": "9E+125"}, ":tiny": {"N": "1E-130"},
	":l1": {"L": [{"N": "1"}, {"S": "x"}]}, ":l2": {"L": [{"S": "y"}]}, ":empty": {"L": []},
	":m": {"M": {"k": {"S": "v"}}},
	":ss": {"SS": ["b", "c"]}, ":ss1": {"SS": ["a"]}, ":ns": {"NS": ["2", "3"]}, ":bs": {"BS": ["AQ==", "Ag=="]},
	":a1": {"S": "a1"}, ":a2": {"S": "a2"}, ":a3": {"S": "a3"}, ":a4": {"S": "a4"}, ":17": {"N": "17"}
}`

var updateTests = []struct {
	name, expr, item string
	want             string // JSON item; ignored when err is set
	err              string
}{
	{name: "set new attribute", expr: "SET a = :v", item: `{"k":{"S":"1"}}`, want: `{"k":{"S":"1"},"a":{"S":"v"}}`},
	{name: "set on no item", expr: "SET a = :v", item: ``, want: `{"a":{"S":"v"}}`},
	{name: "set replaces", expr: "SET a = :v", item: `{"a":{"N":"1"}}`, want: `{"a":{"S":"v"}}`},
	{name: "set several", expr: "set a = :v, b = :w", item: `{}`, want: `{"a":{"S":"v"},"b":{"S":"w"}}`},
	{name: "set copies an attribute", expr: "SET b = a", item: `{"a":{"S":"x"}}`, want: `{"a":{"S":"x"},"b":{"S":"x"}}`},
	{name: "set reads the item before writing", expr: "SET x = :v, y = x", item: `{}`, err: ErrMissingAttribute.Error()},
	{name: "set from missing attribute", expr: "SET c = z", item: `{"a":{"S":"x"}}`, err: ErrMissingAttribute.Error()},
	{name: "set itself", expr: "SET a = a", item: `{"a":{"S":"x"}}`, want: `{"a":{"S":"x"}}`},
	{name: "remove then read", expr: "REMOVE a SET b = a", item: `{"a":{"S":"x"}}`, want: `{"b":{"S":"x"}}`},
	{name: "read then remove", expr: "SET c = b REMOVE b", item: `{"b":{"S":"x"}}`, want: `{"c":{"S":"x"}}`},
	{name: "plus", expr: "SET a = a + :two", item: `{"a":{"N":"5"}}`, want: `{"a":{"N":"7"}}`},
	{name: "minus", expr: "SET a = :seven - a", item: `{"a":{"N":"2"}}`, want: `{"a":{"N":"5"}}`},
	{name: "minus decimals", expr: "SET a = a - :neg", item: `{"a":{"N":"1.25"}}`, want: `{"a":{"N":"4.75"}}`},
	{name: "plus two values", expr: "SET a = :one + :two", item: `{}`, want: `{"a":{"N":"3"}}`},
	{name: "plus two attributes", expr: "SET c = a + b", item: `{"a":{"N":"1"},"b":{"N":"2"}}`, want: `{"a":{"N":"1"},"b":{"N":"2"},"c":{"N":"3"}}`},
	{name: "plus exact 38 digits", expr: "SET a = a + :one", item: `{"a":{"N":"99999999999999999999999999999999999998"}}`, want: `{"a":{"N":"99999999999999999999999999999999999999"}}`},
	{name: "plus beyond 38 digits", expr: "SET a = :big + :tiny", item: `{}`, err: attr.ErrOverflow.Error()},
	{name: "plus overflow", expr: "SET a = :huge + :huge", item: `{}`, err: attr.ErrOverflow.Error()},
	{name: "plus missing attribute", expr: "SET a = a + :one", item: `{}`, err: ErrMissingAttribute.Error()},
	{name: "plus non-number attribute", expr: "SET a = a + :one", item: `{"a":{"S":"x"}}`, err: ErrOperandType.Error()},
	{name: "wrong type beats missing", expr: "SET a = s + absent", item: `{"s":{"S":"x"}}`, err: ErrOperandType.Error()},
	{name: "if_not_exists missing", expr: "SET a = if_not_exists(a, :v)", item: `{}`, want: `{"a":{"S":"v"}}`},
	{name: "if_not_exists present", expr: "SET a = if_not_exists(a, :v)", item: `{"a":{"N":"2"}}`, want: `{"a":{"N":"2"}}`},
	{name: "if_not_exists other attribute", expr: "SET b = if_not_exists(a, :v)", item: `{"a":{"N":"2"}}`, want: `{"a":{"N":"2"},"b":{"N":"2"}}`},
	{name: "if_not_exists counter", expr: "SET c = if_not_exists(c, :zero) + :one", item: `{}`, want: `{"c":{"N":"1"}}`},
	{name: "if_not_exists nested", expr: "SET a = if_not_exists(b, if_not_exists(c, :v))", item: `{}`, want: `{"a":{"S":"v"}}`},
	{name: "list_append", expr: "SET a = list_append(a, :l2)", item: `{"a":{"L":[{"N":"1"}]}}`, want: `{"a":{"L":[{"N":"1"},{"S":"y"}]}}`},
	{name: "list_append prepend", expr: "SET a = list_append(:l2, a)", item: `{"a":{"L":[{"N":"1"}]}}`, want: `{"a":{"L":[{"S":"y"},{"N":"1"}]}}`},
	{name: "list_append values", expr: "SET a = list_append(:l1, :l2)", item: `{}`, want: `{"a":{"L":[{"N":"1"},{"S":"x"},{"S":"y"}]}}`},
	{name: "list_append with if_not_exists", expr: "SET a = list_append(if_not_exists(a, :empty), :l2)", item: `{}`, want: `{"a":{"L":[{"S":"y"}]}}`},
	{name: "list_append missing", expr: "SET a = list_append(b, :l2)", item: `{}`, err: ErrMissingAttribute.Error()},
	{name: "list_append non-list", expr: "SET a = list_append(b, :l2)", item: `{"b":{"SS":["x"]}}`, err: ErrOperandType.Error()},
	{name: "set nested map", expr: "SET a.c = :v", item: `{"a":{"M":{"b":{"N":"3"}}}}`, want: `{"a":{"M":{"b":{"N":"3"},"c":{"S":"v"}}}}`},
	{name: "set nested replaces", expr: "SET a.b = :v", item: `{"a":{"M":{"b":{"M":{"x":{"N":"1"}}}}}}`, want: `{"a":{"M":{"b":{"S":"v"}}}}`},
	{name: "set list element", expr: "SET a[1] = :v", item: `{"a":{"L":[{"S":"one"},{"S":"two"},{"S":"three"}]}}`, want: `{"a":{"L":[{"S":"one"},{"S":"v"},{"S":"three"}]}}`},
	{name: "set past the end appends", expr: "SET a[7] = :v", item: `{"a":{"L":[{"S":"one"}]}}`, want: `{"a":{"L":[{"S":"one"},{"S":"v"}]}}`},
	{name: "appends in index order", expr: "SET a[84] = :a1, a[37] = :a2, a[17] = :a3, a[50] = :a4", item: `{"a":{"L":[{"S":"x"}]}}`,
		want: `{"a":{"L":[{"S":"x"},{"S":"a3"},{"S":"a2"},{"S":"a4"},{"S":"a1"}]}}`},
	{name: "set deep", expr: "SET a.c[1].x.y[1] = :one", item: `{"a":{"M":{"c":{"L":[{"S":"hi"},{"M":{"x":{"M":{"y":{"L":[{"N":"3"},{"N":"5"},{"N":"7"}]}}}}}]}}}}`,
		want: `{"a":{"M":{"c":{"L":[{"S":"hi"},{"M":{"x":{"M":{"y":{"L":[{"N":"3"},{"N":"1"},{"N":"7"}]}}}}}]}}}}`},
	{name: "set and read deep", expr: "SET z = a.c[1].x.y[2]", item: `{"a":{"M":{"c":{"L":[{"S":"hi"},{"M":{"x":{"M":{"y":{"L":[{"N":"3"},{"N":"5"},{"N":"7"}]}}}}}]}}}}`,
		want: `{"z":{"N":"7"},"a":{"M":{"c":{"L":[{"S":"hi"},{"M":{"x":{"M":{"y":{"L":[{"N":"3"},{"N":"5"},{"N":"7"}]}}}}}]}}}}`},
	{name: "several nested writes", expr: "SET a.b = :one, a.c.d = :v, b.x = :seven REMOVE a.x, b.y",
		item: `{"a":{"M":{"x":{"N":"3"},"y":{"N":"4"},"c":{"M":{"y":{"N":"3"}}}}},"b":{"M":{"x":{"N":"1"},"y":{"N":"2"}}}}`,
		want: `{"a":{"M":{"y":{"N":"4"},"b":{"N":"1"},"c":{"M":{"y":{"N":"3"},"d":{"S":"v"}}}}},"b":{"M":{"x":{"N":"7"}}}}`},
	{name: "set through a missing map", expr: "SET c.c = :v", item: `{"a":{"S":"x"}}`, err: ErrInvalidPath.Error()},
	{name: "set through a string", expr: "SET a.c = :v", item: `{"a":{"S":"x"}}`, err: ErrInvalidPath.Error()},
	{name: "set name in a list", expr: "SET a.c = :v", item: `{"a":{"L":[]}}`, err: ErrInvalidPath.Error()},
	{name: "set index of a map", expr: "SET a[0] = :v", item: `{"a":{"M":{}}}`, err: ErrInvalidPath.Error()},
	{name: "set index of missing", expr: "SET b[0] = :v", item: `{}`, err: ErrInvalidPath.Error()},
	{name: "set through missing list element", expr: "SET a[5].b = :v", item: `{"a":{"L":[{"M":{}}]}}`, err: ErrInvalidPath.Error()},
	{name: "set through missing map on no item", expr: "SET c.c = :v", item: ``, err: ErrInvalidPath.Error()},
	{name: "remove", expr: "REMOVE a", item: `{"a":{"S":"x"},"b":{"S":"y"}}`, want: `{"b":{"S":"y"}}`},
	{name: "remove missing", expr: "REMOVE c", item: `{"a":{"S":"x"}}`, want: `{"a":{"S":"x"}}`},
	{name: "remove nested", expr: "REMOVE a.c[1].x.y[1], a.c[1].q", item: `{"a":{"M":{"b":{"N":"3"},"c":{"L":[{"S":"hi"},{"M":{"x":{"M":{"y":{"L":[{"N":"3"},{"N":"5"},{"N":"7"}]}}},"q":{"N":"2"}}}]}}}}`,
		want: `{"a":{"M":{"b":{"N":"3"},"c":{"L":[{"S":"hi"},{"M":{"x":{"M":{"y":{"L":[{"N":"3"},{"N":"7"}]}}}}}]}}}}`},
	{name: "remove the only map member leaves an empty map", expr: "REMOVE a.b", item: `{"a":{"M":{"b":{"N":"1"}}}}`, want: `{"a":{"M":{}}}`},
	{name: "remove the only list element leaves an empty list", expr: "REMOVE a[0]", item: `{"a":{"L":[{"N":"1"}]}}`, want: `{"a":{"L":[]}}`},
	{name: "remove several list elements", expr: "REMOVE a[1], a[3]", item: `{"a":{"L":[{"N":"0"},{"N":"1"},{"N":"2"},{"N":"3"},{"N":"4"}]}}`, want: `{"a":{"L":[{"N":"0"},{"N":"2"},{"N":"4"}]}}`},
	{name: "indexes refer to the list before removal", expr: "REMOVE a[1] SET a[3] = :17", item: `{"a":{"L":[{"N":"2"},{"N":"3"},{"N":"4"},{"N":"5"},{"N":"6"},{"N":"7"}]}}`,
		want: `{"a":{"L":[{"N":"2"},{"N":"4"},{"N":"17"},{"N":"6"},{"N":"7"}]}}`},
	{name: "indexes refer to the list before removal, either order", expr: "SET a[3] = :17 REMOVE a[1]", item: `{"a":{"L":[{"N":"2"},{"N":"3"},{"N":"4"},{"N":"5"},{"N":"6"},{"N":"7"}]}}`,
		want: `{"a":{"L":[{"N":"2"},{"N":"4"},{"N":"17"},{"N":"6"},{"N":"7"}]}}`},
	{name: "remove past the end", expr: "REMOVE a[17]", item: `{"a":{"L":[{"N":"4"}]}}`, want: `{"a":{"L":[{"N":"4"}]}}`},
	{name: "remove missing leaf", expr: "REMOVE a.y", item: `{"a":{"M":{"x":{"N":"3"}}}}`, want: `{"a":{"M":{"x":{"N":"3"}}}}`},
	{name: "remove through a missing map", expr: "REMOVE c.c", item: `{"a":{"S":"x"}}`, err: ErrInvalidPath.Error()},
	{name: "remove through a string", expr: "REMOVE a.c", item: `{"a":{"S":"x"}}`, err: ErrInvalidPath.Error()},
	{name: "remove index of a string", expr: "REMOVE a[0]", item: `{"a":{"S":"x"}}`, err: ErrInvalidPath.Error()},
	{name: "remove from no item", expr: "REMOVE x.y, z[0]", item: ``, want: `{}`},
	{name: "add number", expr: "ADD a :two", item: `{"a":{"N":"3"}}`, want: `{"a":{"N":"5"}}`},
	{name: "add negative number", expr: "ADD a :neg", item: `{"a":{"N":"3"}}`, want: `{"a":{"N":"-0.5"}}`},
	{name: "add number to missing starts at zero", expr: "ADD a :seven", item: `{"b":{"S":"x"}}`, want: `{"a":{"N":"7"},"b":{"S":"x"}}`},
	{name: "add number to no item", expr: "ADD a :seven", item: ``, want: `{"a":{"N":"7"}}`},
	{name: "add number nested", expr: "ADD m.tally :one", item: `{"m":{"M":{"tally":{"N":"41"}}}}`, want: `{"m":{"M":{"tally":{"N":"42"}}}}`},
	{name: "add number overflow", expr: "ADD a :huge", item: `{"a":{"N":"9E+125"}}`, err: attr.ErrOverflow.Error()},
	{name: "add to string", expr: "ADD a :one", item: `{"a":{"S":"hi"}}`, err: ErrOperandType.Error()},
	{name: "add set", expr: "ADD a :ss", item: `{"a":{"SS":["a","b"]}}`, want: `{"a":{"SS":["a","b","c"]}}`},
	{name: "add set to missing", expr: "ADD a :ss1", item: `{}`, want: `{"a":{"SS":["a"]}}`},
	{name: "add number set", expr: "ADD a :ns", item: `{"a":{"NS":["1","2"]}}`, want: `{"a":{"NS":["1","2","3"]}}`},
	{name: "add binary set", expr: "ADD a :bs", item: `{"a":{"BS":["Aw=="]}}`, want: `{"a":{"BS":["AQ==","Ag==","Aw=="]}}`},
	{name: "add set of another type", expr: "ADD a :ns", item: `{"a":{"SS":["a"]}}`, want: ``, err: ErrOperandType.Error()},
	{name: "add set to a list", expr: "ADD a :ss", item: `{"a":{"L":[]}}`, err: ErrOperandType.Error()},
	{name: "add through a missing map", expr: "ADD a.b :one", item: `{}`, err: ErrInvalidPath.Error()},
	{name: "delete from set", expr: "DELETE a :ss", item: `{"a":{"SS":["a","b","c"]}}`, want: `{"a":{"SS":["a"]}}`},
	{name: "delete absent elements", expr: "DELETE a :ss", item: `{"a":{"SS":["a"]}}`, want: `{"a":{"SS":["a"]}}`},
	{name: "delete last elements removes the attribute", expr: "DELETE a :ss", item: `{"a":{"SS":["b"]},"k":{"S":"1"}}`, want: `{"k":{"S":"1"}}`},
	{name: "delete from missing", expr: "DELETE a :ss", item: `{"k":{"S":"1"}}`, want: `{"k":{"S":"1"}}`},
	{name: "delete numbers", expr: "DELETE a :ns", item: `{"a":{"NS":["1","2","3"]}}`, want: `{"a":{"NS":["1"]}}`},
	{name: "delete nested", expr: "DELETE m.tags :ss", item: `{"m":{"M":{"tags":{"SS":["a","b"]}}}}`, want: `{"m":{"M":{"tags":{"SS":["a"]}}}}`},
	{name: "delete last nested removes it", expr: "DELETE m.tags :ss", item: `{"m":{"M":{"tags":{"SS":["c"]}}}}`, want: `{"m":{"M":{}}}`},
	{name: "delete set of another type", expr: "DELETE a :ns", item: `{"a":{"SS":["a"]}}`, err: ErrOperandType.Error()},
	{name: "delete from a string", expr: "DELETE a :ss", item: `{"a":{"S":"a"}}`, err: ErrOperandType.Error()},
	{name: "all clauses", expr: "REMOVE r ADD n :one DELETE s :ss SET a = :v", item: `{"r":{"N":"1"},"n":{"N":"1"},"s":{"SS":["a","b"]}}`,
		want: `{"n":{"N":"2"},"s":{"SS":["a"]},"a":{"S":"v"}}`},
	{name: "parenthesized arithmetic", expr: "SET a = (a + :one)", item: `{"a":{"N":"1"}}`, want: `{"a":{"N":"2"}}`},
	{name: "parenthesized operands", expr: "SET a = (a) - (:one)", item: `{"a":{"N":"1"}}`, want: `{"a":{"N":"0"}}`},
	{name: "set empty list and map", expr: "SET d = :empty, e = :m", item: `{}`, want: `{"d":{"L":[]},"e":{"M":{"k":{"S":"v"}}}}`},
}

func TestUpdateApply(t *testing.T) {
	tests := updateTests
	p := params(t, "", updateValues)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := ParseUpdate(tc.expr, p)
			if err != nil {
				t.Fatalf("%q: %v", tc.expr, err)
			}
			in := item(t, tc.item)
			before := attr.CopyItem(in)
			got, err := u.Apply(in)
			if !attr.EqualItems(in, before) {
				t.Fatalf("Apply modified its input: %s, was %s", show(in), show(before))
			}
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("%q: error %v, want %s", tc.expr, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%q: %v", tc.expr, err)
			}
			if want := item(t, tc.want); !attr.EqualItems(got, want) || listOrderDiffers(got, want) {
				t.Errorf("%q\n got: %s\nwant: %s", tc.expr, show(got), show(want))
			}
		})
	}
}

// listOrderDiffers catches order changes attr.EqualItems ignores in sets;
// the store keeps set elements in the order written.
func listOrderDiffers(a, b map[string]types.AttributeValue) bool { return show(a) != show(b) }

func TestUpdateErrorsAreSentinels(t *testing.T) {
	p := params(t, "", `{":v":{"N":"1"}}`)
	u, err := ParseUpdate("SET a = b", p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Apply(nil); !errors.Is(err, ErrMissingAttribute) {
		t.Errorf("got %v, want ErrMissingAttribute", err)
	}
	u, _ = ParseUpdate("SET a = :v + :v", p)
	if _, err := u.Apply(nil); err != nil {
		t.Errorf("got %v", err)
	}
}

func TestUpdateDoesNotAlias(t *testing.T) {
	p := params(t, "", updateValues)
	u, err := ParseUpdate("SET m.k = :v, l[0] = :w", p)
	if err != nil {
		t.Fatal(err)
	}
	in := item(t, `{"m":{"M":{"k":{"S":"old"},"o":{"S":"o"}}},"l":{"L":[{"S":"old"}]}}`)
	out, err := u.Apply(in)
	if err != nil {
		t.Fatal(err)
	}
	if show(in) != `{l: ["old"], m: {"k": "old", "o": "o"}}` {
		t.Fatalf("input changed: %s", show(in))
	}
	if show(out) != `{l: ["w"], m: {"k": "v", "o": "o"}}` {
		t.Fatalf("output: %s", show(out))
	}
}

func TestUpdateTargets(t *testing.T) {
	p := params(t, `{"#k":"key"}`, updateValues)
	u, err := ParseUpdate("SET a.b = :v, #k = :w REMOVE c[2] ADD d :one DELETE e :ss", p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, path := range u.Targets() {
		got = append(got, path.String())
	}
	want := "[a.b key c[2] d e]"
	if s := "[" + strings.Join(got, " ") + "]"; s != want {
		t.Errorf("Targets() = %s, want %s", s, want)
	}
}
