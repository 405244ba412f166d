package attr

import "testing"

// TestNumberSize pins the bytes a number counts for, as measured against
// the service byte by byte at the 400 KB gate.
func TestNumberSize(t *testing.T) {
	for _, c := range []struct {
		n    string
		want int
	}{
		{"0", 1}, {"1", 2}, {"12", 2}, {"123", 3}, {"1234", 3},
		{"12345678901234567890123456789012345678", 20},
		{"0042", 2}, {"100", 2}, {"1010", 3}, {"0.0000001", 2},
		{"1E125", 2}, {"1E-100", 2}, {"1e+125", 2},
		{"1.5", 3}, {"15", 2}, {"1.2", 3}, {"1.200", 3}, {"1.234", 4},
		{"3.14159", 5}, {"123456", 4}, {"100.5", 4}, {"0.15", 2},
		{"-42", 3}, {"-0", 1}, {"-0.000", 1}, {"+7", 2},
		{"12.5E1", 3},  // 125: the exponent moves the point off the straddle
		{"1.25E-1", 3}, // 0.125
	} {
		if got := numberSize(c.n); got != c.want {
			t.Errorf("numberSize(%q) = %d, want %d", c.n, got, c.want)
		}
		// Canonical forms measure the same as what was sent.
		if canon, err := CanonicalNumber(c.n); err == nil && numberSize(canon) != c.want {
			t.Errorf("numberSize(%q) (canonical %q) = %d, want %d", canon, c.n, numberSize(canon), c.want)
		}
	}
}
