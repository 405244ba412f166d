package attr

import (
	"bytes"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
)

func TestCanonicalNumber(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"integer", "42", "42", ""},
		{"leading zeros", "007", "7", ""},
		{"trailing fraction zeros", "1.500", "1.5", ""},
		{"plus sign", "+3", "3", ""},
		{"negative zero", "-0", "0", ""},
		{"zero fraction", "0.000", "0", ""},
		{"exponent", "1e3", "1000", ""},
		{"negative exponent", "12E-3", "0.012", ""},
		{"leading dot", ".5", "0.5", ""},
		{"trailing dot", "5.", "5", ""},
		{"38 digits", "12345678901234567890123456789012345678", "12345678901234567890123456789012345678", ""},
		{"38 digits with zeros", "1234567890123456789012345678901234567800000", "1234567890123456789012345678901234567800000", ""},
		{"max magnitude", "9.9999999999999999999999999999999999999E+125", "999999999999999999999999999999999999990000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", ""},
		{"min magnitude", "1E-130", "0." + string(bytes.Repeat([]byte("0"), 129)) + "1", ""},
		{"39 digits", "123456789012345678901234567890123456789", "", "Attempting to store more than 38 significant digits in a Number"},
		{"overflow", "1E+126", "", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"underflow", "1E-131", "", "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		{"empty", "", "", "The parameter cannot be converted to a numeric value"},
		{"letters", "abc", "", "The parameter cannot be converted to a numeric value: abc"},
		{"NaN", "NaN", "", "The parameter cannot be converted to a numeric value: NaN"},
		{"Infinity", "Infinity", "", "The parameter cannot be converted to a numeric value: Infinity"},
		{"space", " 1", "", "The parameter cannot be converted to a numeric value:  1"},
		{"bare exponent", "1e", "", "The parameter cannot be converted to a numeric value: 1e"},
		{"hex", "0x10", "", "The parameter cannot be converted to a numeric value: 0x10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalNumber(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("CanonicalNumber(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CanonicalNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestArithmetic(t *testing.T) {
	tests := []struct {
		name, a, b string
		sub        bool
		want, err  string
	}{
		{"add", "1.5", "2.25", false, "3.75", ""},
		{"sub to negative", "1", "3", true, "-2", ""},
		{"exact decimal", "0.1", "0.2", false, "0.3", ""},
		{"cancel", "5", "5", true, "0", ""},
		{"38 digits kept", "9999999999999999999999999999999999999", "1", false, "10000000000000000000000000000000000000", ""},
		// A result needing more than 38 digits is an "overflow", whatever
		// its magnitude, as the service words it.
		{"too precise", "99999999999999999999999999999999999999", "0.1", false, "", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"overflow", "9.9999999999999999999999999999999999999E+125", "9.9999999999999999999999999999999999999E+125", false, "", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := AddNumbers
			if tt.sub {
				f = SubNumbers
			}
			got, err := f(tt.a, tt.b)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("= %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestNumberKeyOrder checks that the byte encoding orders numbers exactly as
// their numeric values, negatives and fractions included.
func TestNumberKeyOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var nums []string
	for i := 0; i < 2000; i++ {
		f := (r.Float64() - 0.5) * float64(r.IntN(1_000_000))
		nums = append(nums, strconv.FormatFloat(f, 'g', 1+r.IntN(12), 64))
	}
	nums = append(nums, "0", "-0.0001", "0.0001", "1", "-1", "10", "-10", "1E+125", "-1E+125", "1E-130", "-1E-130", "0.1", "0.12", "0.123", "-0.12", "-0.123")
	for i := range nums {
		c, err := CanonicalNumber(nums[i])
		if err != nil {
			t.Fatalf("%q: %v", nums[i], err)
		}
		nums[i] = c
	}
	byKey := append([]string(nil), nums...)
	sort.SliceStable(byKey, func(i, j int) bool { return bytes.Compare(numberKey(byKey[i]), numberKey(byKey[j])) < 0 })
	for i := 1; i < len(byKey); i++ {
		if CompareNumbers(byKey[i-1], byKey[i]) > 0 {
			t.Fatalf("key order puts %s before %s", byKey[i-1], byKey[i])
		}
		if CompareNumbers(byKey[i-1], byKey[i]) == 0 && !bytes.Equal(numberKey(byKey[i-1]), numberKey(byKey[i])) {
			t.Fatalf("equal numbers %s and %s have different keys", byKey[i-1], byKey[i])
		}
	}
}

func FuzzCanonicalNumber(f *testing.F) {
	for _, s := range []string{"1", "-1.5e3", "0.000", "1E-130", "abc", "9.9E125", "+.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The fast path agrees with the decimal library.
		if isCanonical(s) {
			d, err := ParseNumber(s)
			if err != nil || FormatNumber(d) != s {
				t.Fatalf("isCanonical(%q) but the library gives %v, %v", s, d, err)
			}
		}
		c, err := CanonicalNumber(s)
		if err != nil {
			return
		}
		// Canonical form is a fixed point and keeps the value.
		again, err := CanonicalNumber(c)
		if err != nil || again != c {
			t.Fatalf("CanonicalNumber(%q) = %q, not a fixed point (%q, %v)", s, c, again, err)
		}
		if CompareNumbers(s, c) != 0 {
			t.Fatalf("%q and its canonical form %q differ", s, c)
		}
	})
}
