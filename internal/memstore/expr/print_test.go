package expr

import "testing"

const printNames = `{"#n":"name","#a":"a"}`
const printValues = `{":v":{"N":"1"},":w":{"S":"x"},":t":{"S":"SS"},":l":{"L":[]},":ss":{"SS":["a"]}}`

func TestConditionString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a=:v", "a = :v"},
		{"(a = :v)", "a = :v"},
		{"a <> :v", "a <> :v"},
		{"a<=:v AND b>=:v", "a <= :v AND b >= :v"},
		{"a = :v AND (b = :v OR c = :v)", "a = :v AND (b = :v OR c = :v)"},
		{"a = :v OR b = :v AND c = :v", "a = :v OR b = :v AND c = :v"},
		{"(a = :v OR b = :v) AND c = :v", "(a = :v OR b = :v) AND c = :v"},
		{"(a = :v AND b = :v) AND c = :v", "a = :v AND b = :v AND c = :v"},
		{"a = :v AND (b = :v AND c = :v)", "a = :v AND (b = :v AND c = :v)"},
		{"a = :v OR (b = :v OR c = :v)", "a = :v OR (b = :v OR c = :v)"},
		{"NOT (a = :v AND b = :v)", "NOT (a = :v AND b = :v)"},
		{"NOT (a = :v)", "NOT a = :v"},
		{"not not a = :v", "NOT NOT a = :v"},
		{"NOT ((a = :v OR b = :v) AND c = :v)", "NOT ((a = :v OR b = :v) AND c = :v)"},
		{"size(a)>:v", "size(a) > :v"},
		{"(size(a)) > :v", "size(a) > :v"},
		{"a IN (:v,:w)", "a IN (:v, :w)"},
		{"a between :v and :v", "a BETWEEN :v AND :v"},
		{"#n.b[1].#a = :w", "#n.b[1].#a = :w"},
		{"attribute_exists(a) and begins_with(#n, :w) or contains(c, :w)", "attribute_exists(a) AND begins_with(#n, :w) OR contains(c, :w)"},
		{"attribute_type(a, :t)", "attribute_type(a, :t)"},
		{"\ta\n=\r:v ", "a = :v"},
	}
	p := params(t, printNames, printValues)
	for _, tc := range tests {
		c, err := ParseCondition(KindCondition, tc.in, p)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if got := c.String(); got != tc.want {
			t.Errorf("%q: String() = %q, want %q", tc.in, got, tc.want)
		}
		again, err := ParseCondition(KindCondition, c.String(), p)
		if err != nil || again.String() != tc.want {
			t.Errorf("%q: reparse gave %v, %v", tc.want, again, err)
		}
	}
}

func TestUpdateString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"set a=:v,b=a+:v remove c", "SET a = :v, b = a + :v REMOVE c"},
		{"REMOVE a[1], #n.b ADD c :v DELETE d :ss", "REMOVE a[1], #n.b ADD c :v DELETE d :ss"},
		{"SET a = (b - :v)", "SET a = b - :v"},
		{"SET a = list_append(if_not_exists(a, :l), :l)", "SET a = list_append(if_not_exists(a, :l), :l)"},
		{"delete d :ss set a = :v", "DELETE d :ss SET a = :v"},
	}
	p := params(t, printNames, printValues)
	for _, tc := range tests {
		u, err := ParseUpdate(tc.in, p)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if got := u.String(); got != tc.want {
			t.Errorf("%q: String() = %q, want %q", tc.in, got, tc.want)
		}
		if again, err := ParseUpdate(u.String(), p); err != nil || again.String() != tc.want {
			t.Errorf("%q: reparse gave %v, %v", tc.want, again, err)
		}
	}
}

func TestProjectionString(t *testing.T) {
	pr, err := ParseProjection("a,b.c , #n[0]", params(t, printNames, ""))
	if err != nil {
		t.Fatal(err)
	}
	if got := pr.String(); got != "a, b.c, #n[0]" {
		t.Errorf("String() = %q", got)
	}
	var got []string
	for _, p := range pr.Paths() {
		got = append(got, p.String())
	}
	if len(got) != 3 || got[2] != "name[0]" {
		t.Errorf("Paths() = %v", got)
	}
}

func TestPathString(t *testing.T) {
	p := Path{Elems: []PathElem{{Name: "a"}, {Name: "b"}, {Index: 2, IsIndex: true}, {Name: "c"}}}
	if p.String() != "a.b[2].c" || p.Top() != "a" {
		t.Errorf("String %q Top %q", p.String(), p.Top())
	}
	if (Path{}).Top() != "" {
		t.Error("empty path has no top")
	}
}

func TestNilReceivers(t *testing.T) {
	var c *Condition
	var u *Update
	var pr *Projection
	var kc *KeyCondition
	if c.String() != "" || u.String() != "" || pr.String() != "" || kc.String() != "" || c.Paths() != nil || u.Targets() != nil || pr.Paths() != nil {
		t.Error("nil receivers should render empty")
	}
	if got, err := u.Apply(item(t, `{"a":{"S":"x"}}`)); err != nil || show(got) != `{a: "x"}` {
		t.Errorf("nil update: %v %v", show(got), err)
	}
	if got := pr.Apply(item(t, `{"a":{"S":"x"}}`)); show(got) != `{a: "x"}` {
		t.Errorf("nil projection: %v", show(got))
	}
}
