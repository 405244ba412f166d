package expr

import "testing"

func BenchmarkParseConditionCached(b *testing.B) {
	p := params(b, `{"#n":"name"}`, `{":v":{"N":"5"},":s":{"S":"abc"}}`)
	it := item(b, `{"a":{"N":"5"},"name":{"S":"abcdef"}}`)
	b.ReportAllocs()
	for b.Loop() {
		c, err := ParseCondition(KindCondition, "a = :v AND begins_with(#n, :s) OR size(#n) > :v", p)
		if err != nil || !c.Eval(it) {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseUpdateApply(b *testing.B) {
	p := params(b, "", `{":v":{"N":"5"},":l":{"L":[{"S":"x"}]}}`)
	it := item(b, `{"a":{"N":"5"},"l":{"L":[{"S":"y"}]},"m":{"M":{"k":{"S":"v"}}}}`)
	b.ReportAllocs()
	for b.Loop() {
		u, err := ParseUpdate("SET a = a + :v, l = list_append(l, :l), m.k = :v REMOVE m.x", p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := u.Apply(it); err != nil {
			b.Fatal(err)
		}
	}
}
