package expr

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The fuzz targets check that no input panics, that every error is worded
// for its expression, and that whatever parses prints to text that parses
// back to the same text (at the syntax level too, where placeholders need
// not be defined).

const (
	fuzzNames  = `{"#a":"a","#b":"b","#n":"name","#d":"a.b","#0":"l","#pk":"pk","#sk":"sk"}`
	fuzzValues = `{":a":{"S":"hello"},":b":{"N":"5"},":c":{"L":[{"N":"1"},{"S":"x"}]},":d":{"SS":["a","b"]},
		":e":{"B":"AQID"},":f":{"BOOL":true},":g":{"NULL":true},":h":{"M":{"k":{"S":"v"}}},":i":{"NS":["1","2"]},
		":j":{"BS":["AQ=="]},":s":{"S":"S"},":n":{"N":"-1.5"},":v":{"N":"1"},":w":{"N":"2"},":x":{"S":"x"},":p":{"S":"P"}}`
	fuzzItem = `{"a":{"M":{"b":{"L":[{"N":"1"},{"M":{"c":{"S":"x"}}}]},"c":{"N":"3"}}},"b":{"N":"7"},"name":{"S":"hello"},
		"a.b":{"SS":["a"]},"l":{"L":[{"N":"1"},{"N":"2"},{"N":"3"}]},"n":{"N":"1"},"s":{"NS":["1","2"]},"pk":{"S":"P"}}`
)

var (
	fuzzNameMap  map[string]string
	fuzzValueMap map[string]types.AttributeValue
)

// fuzzParams gives every run fresh placeholders, decoded once.
func fuzzParams(t testing.TB) *Params {
	if fuzzNameMap == nil {
		fuzzNameMap, fuzzValueMap = names(t, fuzzNames), item(t, fuzzValues)
	}
	p, err := NewParams(fuzzNameMap, fuzzValueMap)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func fuzzSeeds(f *testing.F, kinds ...Kind) {
	for _, c := range readErrorCases(f) {
		for _, k := range kinds {
			if Kind(c.kind) == k {
				f.Add(c.expr)
			}
		}
	}
}

// roundTrip parses the printed form again and requires the same print.
func roundTrip(t *testing.T, printed string, parse func(string) (string, error)) {
	if len(printed) > maxExpressionBytes {
		return // printing adds spaces; the size limit is for what clients send
	}
	again, err := parse(printed)
	if err != nil {
		t.Fatalf("printed form %q does not parse: %v", printed, err)
	}
	if again != printed {
		t.Fatalf("print is not stable:\n first: %q\nsecond: %q", printed, again)
	}
}

func checkError(t *testing.T, kind Kind, err error) {
	if !strings.HasPrefix(err.Error(), "Invalid "+string(kind)+": ") {
		t.Fatalf("error without its expression: %v", err)
	}
}

func FuzzParseCondition(f *testing.F) {
	for _, tc := range evalTests {
		f.Add(tc.expr)
	}
	fuzzSeeds(f, KindCondition, KindFilter)
	it := item(f, fuzzItem)
	fuzzParams(f)
	f.Fuzz(func(t *testing.T, src string) {
		p := fuzzParams(t)
		c, err := ParseCondition(KindFilter, src, p)
		if err != nil {
			checkError(t, KindFilter, err)
		} else {
			c.Eval(it)
			c.Eval(nil)
			c.Paths()
			roundTrip(t, c.String(), func(s string) (string, error) {
				c, err := ParseCondition(KindFilter, s, fuzzParams(t))
				if err != nil {
					return "", err
				}
				return c.String(), nil
			})
		}
		if raw, msg := parseConditionSyntax(src); msg == "" {
			printed := (&Condition{root: raw}).String()
			again, msg := parseConditionSyntax(printed)
			if msg != "" {
				t.Fatalf("printed syntax %q does not parse: %s", printed, msg)
			}
			if s := (&Condition{root: again}).String(); s != printed {
				t.Fatalf("syntax print is not stable:\n first: %q\nsecond: %q", printed, s)
			}
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	for _, tc := range updateTests {
		f.Add(tc.expr)
	}
	fuzzSeeds(f, KindUpdate)
	it := item(f, fuzzItem)
	fuzzParams(f)
	f.Fuzz(func(t *testing.T, src string) {
		p := fuzzParams(t)
		u, err := ParseUpdate(src, p)
		if err != nil {
			checkError(t, KindUpdate, err)
		} else {
			for _, in := range []map[string]types.AttributeValue{it, nil} {
				if _, err := u.Apply(in); err != nil {
					if _, ok := err.(*Error); !ok {
						t.Fatalf("Apply error %T: %v", err, err)
					}
				}
			}
			u.Targets()
			roundTrip(t, u.String(), func(s string) (string, error) {
				u, err := ParseUpdate(s, fuzzParams(t))
				if err != nil {
					return "", err
				}
				return u.String(), nil
			})
		}
		if raw, msg := parseUpdateSyntax(src); msg == "" {
			printed := (&Update{sections: raw}).String()
			again, msg := parseUpdateSyntax(printed)
			if msg != "" {
				t.Fatalf("printed syntax %q does not parse: %s", printed, msg)
			}
			if s := (&Update{sections: again}).String(); s != printed {
				t.Fatalf("syntax print is not stable:\n first: %q\nsecond: %q", printed, s)
			}
		}
	})
}

func FuzzParseProjection(f *testing.F) {
	for _, s := range []string{"a", "a, b.c", "#n[0].x, l[2]", "a.b[1].c, #d", "l[3], l[1]"} {
		f.Add(s)
	}
	fuzzSeeds(f, KindProjection)
	it := item(f, fuzzItem)
	fuzzParams(f)
	f.Fuzz(func(t *testing.T, src string) {
		pr, err := ParseProjection(src, fuzzParams(t))
		if err != nil {
			checkError(t, KindProjection, err)
			return
		}
		pr.Apply(it)
		pr.Apply(nil)
		roundTrip(t, pr.String(), func(s string) (string, error) {
			pr, err := ParseProjection(s, fuzzParams(t))
			if err != nil {
				return "", err
			}
			return pr.String(), nil
		})
	})
}

func FuzzParseKeyCondition(f *testing.F) {
	for _, s := range []string{"pk = :p", "#pk = :p AND #sk BETWEEN :v AND :w", "begins_with(sk, :x) AND pk = :p", "(pk = :p) AND (:v < sk)", "sk = :x AND pk = :p"} {
		f.Add(s)
	}
	fuzzSeeds(f, KindKeyCondition)
	fuzzParams(f)
	f.Fuzz(func(t *testing.T, src string) {
		kc, err := ParseKeyCondition(src, fuzzParams(t))
		if err != nil {
			return // shape errors carry their own wording
		}
		if kc.PartitionName == "" && kc.SortName == "" && len(kc.Terms) <= 2 {
			t.Fatalf("%q: key condition names no attribute", src)
		}
		kc.Orient("pk")
		roundTrip(t, kc.String(), func(s string) (string, error) {
			kc, err := ParseKeyCondition(s, fuzzParams(t))
			if err != nil {
				return "", err
			}
			kc.Orient("pk")
			return kc.String(), nil
		})
	})
}
