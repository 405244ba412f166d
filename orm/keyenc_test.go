package orm

import (
	"cmp"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Byte order of the encodings must be value order, for every pair.
func TestOrderedEncodings(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ints := []int64{math.MinInt64, math.MinInt64 + 1, -1e18, -100, -10, -9, -1, 0, 1, 9, 10, 100, 1e18, math.MaxInt64}
	for range 500 {
		ints = append(ints, int64(r.Uint64()), r.Int64N(2000)-1000)
	}
	check := func(name string, n int, less func(i, j int) int, enc func(i int) string) {
		t.Helper()
		for i := range n {
			for j := range n {
				if got, want := strings.Compare(enc(i), enc(j)), less(i, j); got != want {
					t.Fatalf("%s: compare(%q, %q) = %d, values compare %d", name, enc(i), enc(j), got, want)
				}
			}
		}
	}
	check("int64", len(ints), func(i, j int) int { return cmp.Compare(ints[i], ints[j]) },
		func(i int) string { return string(appendOrderedInt(nil, ints[i], reflect.Int64)) })
	var i8 []int8
	for v := -128; v < 128; v += 7 {
		i8 = append(i8, int8(v))
	}
	i8 = append(i8, 127, -128)
	check("int8", len(i8), func(i, j int) int { return cmp.Compare(i8[i], i8[j]) },
		func(i int) string { return string(appendOrderedInt(nil, int64(i8[i]), reflect.Int8)) })
	floats := []float64{math.Inf(-1), -math.MaxFloat64, -1e300, -1.5, -1, -math.SmallestNonzeroFloat64, 0, math.SmallestNonzeroFloat64, 0.5, 1, 1e300, math.Inf(1)}
	for range 300 {
		floats = append(floats, r.NormFloat64()*1e6, -r.ExpFloat64())
	}
	check("float64", len(floats), func(i, j int) int { return cmp.Compare(floats[i], floats[j]) },
		func(i int) string { return string(appendOrderedFloat(nil, floats[i])) })
	var times []time.Time
	for range 200 {
		times = append(times, time.Unix(r.Int64N(4e9), r.Int64N(1e9)).In(time.FixedZone("x", int(r.Int64N(20)-10)*3600)))
	}
	check("time", len(times), func(i, j int) int { return times[i].Compare(times[j]) },
		func(i int) string { return string(appendOrderedTime(nil, times[i])) })
}
