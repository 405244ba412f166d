package attr

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestLayerWording: each malformed value as the two validation layers word
// it (the 2026-10 captures): Error is the older layer's, CurrentWording the
// current layer's.
func TestLayerWording(t *testing.T) {
	const (
		overflow   = "Number overflow. Attempting to store a number with magnitude larger than supported range"
		underflow  = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
		notNumeric = "The parameter cannot be converted to a numeric value"
		invalid    = "One or more parameter values were invalid: "
	)
	n := func(s string) types.AttributeValue { return &types.AttributeValueMemberN{Value: s} }
	tests := []struct {
		name           string
		v              types.AttributeValue
		older, current string
	}{
		{"letters", n("abc"), notNumeric + ": abc", notNumeric + ": abc"},
		{"empty number", n(""), notNumeric, notNumeric + ": "},
		{"just past the range", n("1e126"), overflow, overflow},
		{"just under the range", n("1e-131"), underflow, underflow},
		{"exponent at the 32-bit limit", n("1e2147483647"), underflow, overflow},
		{"exponent one past 32 bits", n("1e2147483648"), notNumeric + ": 1e2147483648", overflow},
		{"negative exponent past 32 bits", n("1e-99999999999"), notNumeric + ": 1e-99999999999", underflow},
		{"exponent past 64 bits", n("1e9223372036854775808"), notNumeric + ": 1e9223372036854775808", notNumeric + ": 1e9223372036854775808"},
		{"zero written above the range", n("0e126"), overflow, overflow},
		{"zero written below the range", n("0e-131"), underflow, underflow},
		{"string set repeat", &types.AttributeValueMemberSS{Value: []string{"b", "a", "b"}},
			invalid + "Input collection [b, a, b] contains duplicates.", invalid + `Input collection ["a", "b", "b"] contains duplicates.`},
		{"binary set repeat", &types.AttributeValueMemberBS{Value: [][]byte{{0xff}, {0x00}, {0x00}}},
			invalid + "Input collection [/w==, AA==, AA==]of type BS contains duplicates.", invalid + `Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.`},
		{"number set repeat", &types.AttributeValueMemberNS{Value: []string{"2", "1", "2"}},
			"Input collection contains duplicates", invalid + "Input collection contains duplicates."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Normalize(tc.v)
			if err == nil {
				t.Fatal("accepted")
			}
			if err.Error() != tc.older {
				t.Errorf("older layer: %q, want %q", err.Error(), tc.older)
			}
			if got := CurrentWording(err).Error(); got != tc.current {
				t.Errorf("current layer: %q, want %q", got, tc.current)
			}
		})
	}
	for _, ok := range []string{"0e125", "1e-130", "9.99e125", "0e-130"} {
		if _, err := Normalize(n(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// TestDepthLimit: counting the attribute as level 1, a value may sit at
// level 32 and not at 33.
func TestDepthLimit(t *testing.T) {
	deep := func(wraps int) types.AttributeValue {
		var v types.AttributeValue = &types.AttributeValueMemberS{Value: "leaf"}
		for range wraps {
			v = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"n": v}}
		}
		return v
	}
	if _, err := Normalize(deep(31)); err != nil {
		t.Errorf("leaf at level 32: %v", err)
	}
	if _, err := Normalize(deep(32)); err != ErrTooDeep {
		t.Errorf("leaf at level 33: %v, want %v", err, ErrTooDeep)
	}
}
