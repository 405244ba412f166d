package wire

import (
	"math"
	"testing"
	"time"
)

// TestAppendDouble checks doubles are written as the service (Java's
// Double.toString) writes them.
func TestAppendDouble(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{0.5, "0.5"},
		{2.5, "2.5"},
		{-3, "-3.0"},
		{1234567.5, "1234567.5"},
		{1e7, "1.0E7"},
		{1.309988345372e9, "1.309988345372E9"},
		{0.001, "0.001"},
		{0.0001, "1.0E-4"},
		{1.5e-10, "1.5E-10"},
		{math.MaxFloat64, "1.7976931348623157E308"},
		{math.NaN(), `"NaN"`},
		{math.Inf(1), `"Infinity"`},
		{math.Inf(-1), `"-Infinity"`},
	}
	for _, tt := range tests {
		if got := string(appendDouble(nil, tt.in)); got != tt.want {
			t.Errorf("appendDouble(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestEpochTime(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want time.Time
	}{
		{"seconds", 1700000000, time.Unix(1700000000, 0).UTC()},
		{"milliseconds", 1700000000.123, time.UnixMilli(1700000000123).UTC()},
		{"below a millisecond rounds", 0.0005, time.UnixMilli(1).UTC()},
		{"negative", -1.5, time.UnixMilli(-1500).UTC()},
		{"after year 9999", 1e300, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"before year 1", -1e300, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := epochTime(tt.in); !got.Equal(tt.want) {
			t.Errorf("%s: epochTime(%v) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestEncodeString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"q\"b\\", `"q\"b\\"`},
		{"\n\r\t\x00\x1f", `"\n\r\t\u0000\u001f"`},
		{"é日🎉/<>&", `"é日🎉/<>&"`},
		{"bad \xff utf8", `"bad \ufffd utf8"`},
	}
	for _, tt := range tests {
		e := &encoder{}
		e.str(tt.in)
		if string(e.b) != tt.want {
			t.Errorf("str(%q) = %s, want %s", tt.in, e.b, tt.want)
		}
	}
}
