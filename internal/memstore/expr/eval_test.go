package expr

import "testing"

const evalValues = `{
	":n1": {"N": "1"}, ":n5": {"N": "5"}, ":n7": {"N": "7"}, ":n500": {"N": "5.00"},
	":hello": {"S": "hello"}, ":hell": {"S": "hell"}, ":ell": {"S": "ell"}, ":x": {"S": "x"}, ":a": {"S": "a"},
	":helloworld": {"S": "hello world"},
	":b123": {"B": "AQID"}, ":b12": {"B": "AQI="}, ":b23": {"B": "AgM="}, ":b9": {"B": "CQ=="},
	":ss": {"SS": ["b", "a"]}, ":ns": {"NS": ["2", "1"]}, ":l": {"L": [{"N": "1"}, {"S": "x"}]},
	":m": {"M": {"k": {"S": "v"}}}, ":t": {"BOOL": true}, ":f": {"BOOL": false}, ":null": {"NULL": true},
	":tS": {"S": "S"}, ":tN": {"S": "N"}, ":tB": {"S": "B"}, ":tBOOL": {"S": "BOOL"}, ":tNULL": {"S": "NULL"},
	":tL": {"S": "L"}, ":tM": {"S": "M"}, ":tSS": {"S": "SS"}, ":tNS": {"S": "NS"}, ":tBS": {"S": "BS"},
	":nsl": {"NS": ["1", "2"]}, ":v": {"S": "v"}
}`

const evalItem = `{
	"s": {"S": "hello"}, "u": {"S": "héllo"}, "g": {"S": "é𝄞𝄞"}, "n": {"N": "5"}, "n5": {"N": "5"}, "b": {"B": "AQID"},
	"t": {"BOOL": true}, "z": {"NULL": true},
	"ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": ["AQID", "CQ=="]},
	"l": {"L": [{"N": "1"}, {"S": "x"}, {"NS": ["2", "1"]}]},
	"m": {"M": {"k": {"S": "v"}, "deep": {"M": {"lst": {"L": [{"S": "a"}, {"M": {"x": {"N": "7"}}}]}}}}},
	"lo": {"N": "1"}, "hi": {"N": "7"}, "pre": {"S": "hell"}
}`

var evalTests = []struct {
	name, expr string
	want       bool
}{
	{"equal numbers", "n = :n5", true},
	{"equal numbers compare by value", "n = :n500", true},
	{"equal strings", "s = :hello", true},
	{"equal binary", "b = :b123", true},
	{"equal sets ignore order", "ss = :ss", true},
	{"equal number sets ignore order", "ns = :ns", true},
	{"equal lists", "l[2] = :nsl", true},
	{"equal maps", "m.deep.lst[1].x = :n7", true},
	{"equal booleans", "t = :t", true},
	{"unequal booleans", "t = :f", false},
	{"equal nulls", "z = :null", true},
	{"equal different types is false", "n = :hello", false},
	{"equal missing is false", "nothing = :n5", false},
	{"equal two missing is false", "nothing = absent", false},
	{"equal two attributes", "n = n5", true},
	{"not equal", "n <> :n1", true},
	{"not equal when equal", "n <> :n5", false},
	{"not equal different types is true", "n <> :hello", true},
	{"not equal missing is true", "nothing <> :n5", true},
	{"not equal two missing is true", "nothing <> absent", true},
	{"less numbers", "n < :n7", true},
	{"less numbers false", "n < :n1", false},
	{"less equal numbers", "n <= :n5", true},
	{"greater numbers", "n > :n1", true},
	{"greater equal numbers", "n >= :n5", true},
	{"greater equal numbers false", "n >= :n7", false},
	{"less strings bytewise", "s > :hell", true},
	{"less strings bytewise false", "s < :hell", false},
	{"less binary", "b < :b23", true},
	{"greater binary", "b > :b12", true},
	{"less different types is false", "n < :hello", false},
	{"less missing is false", "nothing < :n5", false},
	{"value on the left", ":n1 < n", true},
	{"less two missing is false", "nothing < absent", false},
	{"less non-scalar attribute is false", "l < :n5", false},
	{"between", "n BETWEEN :n1 AND :n7", true},
	{"between inclusive low", "n BETWEEN :n5 AND :n7", true},
	{"between inclusive high", "n BETWEEN :n1 AND :n5", true},
	{"between outside", "n BETWEEN :n7 AND :n7", false},
	{"between attributes", "n BETWEEN lo AND hi", true},
	{"between different types is false", "s BETWEEN :n1 AND :n7", false},
	{"between missing is false", "nothing BETWEEN :n1 AND :n7", false},
	{"between missing bound is false", "n BETWEEN nothing AND hi", false},
	{"between keywords any case", "n between :n1 and :n7", true},
	{"in", "n IN (:n1, :n5)", true},
	{"in mixed types", "n IN (:hello, :n5)", true},
	{"in no match", "n IN (:hello, :n7)", false},
	{"in lists", "l[2] IN (:n1, :nsl)", true},
	{"in missing is false", "nothing IN (:n1, :n5)", false},
	{"attribute_exists", "attribute_exists(s)", true},
	{"attribute_exists missing", "attribute_exists(nothing)", false},
	{"attribute_exists nested", "attribute_exists(m.deep.lst[1].x)", true},
	{"attribute_exists index past end", "attribute_exists(l[3])", false},
	{"attribute_exists through a scalar", "attribute_exists(s.x)", false},
	{"attribute_exists index of a map", "attribute_exists(m[0])", false},
	{"attribute_not_exists", "attribute_not_exists(nothing)", true},
	{"attribute_not_exists present", "attribute_not_exists(n)", false},
	{"attribute_type S", "attribute_type(s, :tS)", true},
	{"attribute_type N", "attribute_type(n, :tN)", true},
	{"attribute_type B", "attribute_type(b, :tB)", true},
	{"attribute_type BOOL", "attribute_type(t, :tBOOL)", true},
	{"attribute_type NULL", "attribute_type(z, :tNULL)", true},
	{"attribute_type L", "attribute_type(l, :tL)", true},
	{"attribute_type M", "attribute_type(m, :tM)", true},
	{"attribute_type SS", "attribute_type(ss, :tSS)", true},
	{"attribute_type NS", "attribute_type(ns, :tNS)", true},
	{"attribute_type BS", "attribute_type(bs, :tBS)", true},
	{"attribute_type wrong", "attribute_type(s, :tN)", false},
	{"attribute_type missing", "attribute_type(nothing, :tS)", false},
	{"attribute_type of a value", "attribute_type(:n5, :tN)", true},
	{"begins_with string", "begins_with(s, :hell)", true},
	{"begins_with string false", "begins_with(s, :ell)", false},
	{"begins_with longer prefix", "begins_with(s, :helloworld)", false},
	{"begins_with binary", "begins_with(b, :b12)", true},
	{"begins_with binary false", "begins_with(b, :b23)", false},
	{"begins_with other type is false", "begins_with(n, :hell)", false},
	{"begins_with binary against string is false", "begins_with(b, :hell)", false},
	{"begins_with reversed", "begins_with(:hello, pre)", true},
	{"begins_with missing", "begins_with(nothing, :hell)", false},
	{"contains substring", "contains(s, :ell)", true},
	{"contains substring false", "contains(s, :x)", false},
	{"contains binary", "contains(b, :b23)", true},
	{"contains binary false", "contains(b, :b9)", false},
	{"contains string set", "contains(ss, :a)", true},
	{"contains string set false", "contains(ss, :x)", false},
	{"contains number set", "contains(ns, :n1)", true},
	{"contains number set false", "contains(ns, :n5)", false},
	{"contains binary set", "contains(bs, :b123)", true},
	{"contains list element", "contains(l, :x)", true},
	{"contains list number", "contains(l, :n1)", true},
	{"contains list set element", "contains(l, :nsl)", true},
	{"contains list false", "contains(l, :hello)", false},
	{"contains set against set is false", "contains(b, :ss)", false},
	{"contains on a number is false", "contains(n, :n5)", false},
	{"contains on a map is false", "contains(m, :v)", false},
	{"contains missing", "contains(nothing, :a)", false},
	{"size of string", "size(s) = :n5", true},
	{"size of string counts UTF-16 code units, not UTF-8 bytes", "size(u) = :n5", true},
	{"size of string counts a surrogate pair twice", "size(g) = :n5", true},
	{"size of binary", "size(b) < :n5", true},
	{"size of string set", "size(ss) > :n1", true},
	{"size of list", "size(l) BETWEEN :n1 AND :n5", true},
	{"size of map", "size(m) > :n1", true},
	{"size of number is no value", "size(n) = :n1", false},
	{"size of number not equal", "size(n) <> :n1", true},
	{"size of boolean", "size(t) >= :n1", false},
	{"size of missing", "size(nothing) >= :n1", false},
	{"size compared to an attribute", "size(s) = n", true},
	{"size against a string is false", "size(s) = :hello", false},
	{"size in IN", "size(ss) IN (:n1, :n7)", false},
	{"nested map", "m.k = :v", true},
	{"nested list", "l[1] = :x", true},
	{"nested deep", "m.deep.lst[0] = :a", true},
	{"nested missing", "m.nothing.x = :v", false},
	{"nested through scalar", "s.x = :v", false},
	{"nested index of scalar", "s[0] = :v", false},
	{"and", "n = :n5 AND s = :hello", true},
	{"and false", "n = :n5 AND s = :hell", false},
	{"or", "n = :n1 OR s = :hello", true},
	{"or false", "n = :n1 OR s = :hell", false},
	{"not", "NOT n = :n1", true},
	{"not not", "NOT NOT n = :n5", true},
	{"not any case", "nOt n = :n1", true},
	{"and binds tighter than or", "n = :n5 OR n = :n1 AND s = :hell", true},
	{"and binds tighter than or, left", "n = :n1 AND s = :hell OR n = :n5", true},
	{"not binds tighter than and", "NOT n = :n1 AND s = :hell", false},
	{"not binds tighter than or", "NOT n = :n5 OR s = :hello", true},
	{"parentheses group", "(n = :n5 OR n = :n1) AND s = :hell", false},
	{"parentheses group or", "n = :n1 AND (s = :hell OR n = :n5)", false},
	{"between before and", "n BETWEEN :n1 AND :n7 AND s = :hello", true},
	{"parenthesized operands", "(n) = (:n5)", true},
	{"parenthesized function operand", "(size(s)) = :n5", true},
	{"parenthesized function condition", "(attribute_exists(s)) AND (n = :n5)", true},
	{"nested groups", "(n = :n5 AND (s = :hello OR s = :x))", true},
}

func TestEval(t *testing.T) {
	tests := evalTests
	p := params(t, "", evalValues)
	it := item(t, evalItem)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCondition(KindCondition, tc.expr, p)
			if err != nil {
				t.Fatalf("%q: %v", tc.expr, err)
			}
			if got := c.Eval(it); got != tc.want {
				t.Errorf("%q = %v, want %v", tc.expr, got, tc.want)
			}
		})
	}
}

func TestEvalPlaceholders(t *testing.T) {
	p := params(t, `{"#n":"name","#d":"a.b","#k":"k"}`, `{":v":{"S":"x"}}`)
	it := item(t, `{"name":{"S":"x"},"a.b":{"S":"x"},"a":{"M":{"b":{"S":"y"}}},"m":{"M":{"k":{"S":"x"}}}}`)
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{"#n = :v", true},
		{"#d = :v", true}, // a placeholder name is one attribute, dots and all
		{"a.b = :v", false},
		{"m.#k = :v", true},
	} {
		c, err := ParseCondition(KindCondition, tc.expr, p)
		if err != nil {
			t.Fatalf("%q: %v", tc.expr, err)
		}
		if got := c.Eval(it); got != tc.want {
			t.Errorf("%q = %v, want %v", tc.expr, got, tc.want)
		}
	}
	if err := p.CheckUnused(); err != nil {
		t.Errorf("CheckUnused: %v", err)
	}
}

func TestEvalNilItem(t *testing.T) {
	p := params(t, "", `{":v":{"N":"1"}}`)
	for expr, want := range map[string]bool{
		"attribute_not_exists(a)": true,
		"attribute_exists(a)":     false,
		"a <> :v":                 true,
		"a = :v":                  false,
	} {
		c, err := ParseCondition(KindCondition, expr, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Eval(nil); got != want {
			t.Errorf("%q on no item = %v, want %v", expr, got, want)
		}
	}
	var none *Condition
	if !none.Eval(nil) {
		t.Error("a nil condition should hold")
	}
}

func TestConditionPaths(t *testing.T) {
	p := params(t, `{"#n":"name"}`, `{":v":{"N":"1"}}`)
	c, err := ParseCondition(KindFilter, "#n.x = :v AND size(b[2]) > :v OR contains(c, d)", p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, path := range c.Paths() {
		got = append(got, path.String()+"/"+path.Top())
	}
	want := []string{"name.x/name", "b[2]/b", "c/c", "d/d"}
	if len(got) != len(want) {
		t.Fatalf("Paths() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Paths()[%d] = %s, want %s", i, got[i], want[i])
		}
	}
}
