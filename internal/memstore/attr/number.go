// Package attr holds DynamoDB's attribute-value rules: number parsing and
// arithmetic, ordering, equality, sizes, validation and deep copies. The
// engine, the expression evaluator and the wire codec all share it so the rules
// live in one place.
package attr

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// DynamoDB numbers: up to 38 significant digits, magnitude in
// [1E-130, 1E+126). Arithmetic is exact within that precision.
const (
	maxDigits   = 38
	maxExponent = 125  // largest adjusted exponent: 9.99…E+125
	minExponent = -130 // smallest adjusted exponent: 1E-130
)

// Number errors, worded as DynamoDB words them.
var (
	ErrOverflow    = errors.New("Number overflow. Attempting to store a number with magnitude larger than supported range")
	ErrUnderflow   = errors.New("Number underflow. Attempting to store a number with magnitude smaller than supported range")
	ErrTooPrecise  = errors.New("Attempting to store more than 38 significant digits in a Number")
	ErrEmptyNumber = errors.New("The parameter cannot be converted to a numeric value")
)

var arith = apd.Context{
	Precision:   maxDigits,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Traps:       apd.DefaultTraps | apd.Inexact | apd.Rounded,
	Rounding:    apd.RoundHalfEven,
}

// ParseNumber parses a DynamoDB number literal and checks its range and
// precision. The exponent is read in full before the range is checked, so
// 1e99999999999 overflows; only an exponent past a 64-bit integer makes a
// literal unconvertible. Zero is range-checked by the exponent it is
// written with. Where the older validation layer words a failure
// differently, the error is a [ValueError].
func ParseNumber(s string) (*apd.Decimal, error) {
	if s == "" {
		return nil, errEmptyNumber
	}
	if !numberSyntax(s) {
		return nil, notANumber(s)
	}
	if err := checkExponent(s); err != nil {
		return nil, err
	}
	d, _, err := apd.NewFromString(s)
	if err != nil || d.Form != apd.Finite {
		return nil, notANumber(s)
	}
	return checkRange(d)
}

// errEmptyNumber: the current layer ends the sentence with a colon.
var errEmptyNumber = valueError(ErrEmptyNumber.Error(), ErrEmptyNumber.Error()+": ")

// checkExponent range-checks a literal by its written exponent, before
// the literal is handed to a decimal library with a 32-bit exponent.
func checkExponent(s string) error {
	mant, expText, _ := strings.Cut(strings.ToLower(s), "e")
	if expText == "" {
		return nil
	}
	exp, err := strconv.ParseInt(expText, 10, 64)
	if err != nil {
		return notANumber(s) // past a 64-bit integer, in either layer
	}
	intPart, frac, _ := strings.Cut(strings.TrimLeft(mant, "+-"), ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	p := int64(len(digits))
	if p == 0 {
		p = 1 // zero counts one digit
	}
	// BigDecimal's precision minus scale; the adjusted exponent is one less.
	ps := p + exp - int64(len(frac))
	var current error
	switch adj := ps - 1; {
	case adj > maxExponent:
		current = ErrOverflow
	case adj < minExponent:
		current = ErrUnderflow
	}
	older := current
	switch {
	case exp > math.MaxInt32 || exp < math.MinInt32:
		older = notANumber(s) // BigDecimal's exponent is an int
	case ps > math.MaxInt32:
		older = ErrUnderflow // BigDecimal's int arithmetic wraps
	case ps < math.MinInt32:
		older = ErrOverflow
	}
	switch {
	case current == nil && older == nil:
		return nil
	case current != nil && older != nil && current.Error() == older.Error():
		return current
	case current == nil:
		return nil // the older layer's wrap only matters past the range
	}
	return valueError(older.Error(), current.Error())
}

func notANumber(s string) error {
	return fmt.Errorf("The parameter cannot be converted to a numeric value: %s", s)
}

// numberSyntax accepts [+-]digits[.digits][e[+-]digits] with at least one
// digit in the mantissa; apd alone would also take "NaN" and "Infinity".
func numberSyntax(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

func checkRange(d *apd.Decimal) (*apd.Decimal, error) {
	d.Reduce(d)
	if d.IsZero() {
		d.SetFinite(0, 0)
		return d, nil
	}
	n := d.NumDigits()
	if n > maxDigits {
		return nil, ErrTooPrecise
	}
	adj := int64(d.Exponent) + n - 1
	if adj > maxExponent {
		return nil, ErrOverflow
	}
	if adj < minExponent {
		return nil, ErrUnderflow
	}
	return d, nil
}

// CanonicalNumber validates s and returns the form DynamoDB stores and
// returns: no exponent, no leading or trailing zeros, no "+", "0" for zero.
func CanonicalNumber(s string) (string, error) {
	if isCanonical(s) {
		return s, nil
	}
	d, err := ParseNumber(s)
	if err != nil {
		return "", err
	}
	return FormatNumber(d), nil
}

// FormatNumber renders a reduced decimal in canonical form.
func FormatNumber(d *apd.Decimal) string {
	if d.IsZero() {
		return "0"
	}
	return d.Text('f')
}

// CompareNumbers orders two number literals numerically. Unparseable
// input sorts as zero; callers validate first.
func CompareNumbers(a, b string) int {
	if a == b {
		return 0
	}
	da, err := ParseNumber(a)
	if err != nil {
		da = apd.New(0, 0)
	}
	db, err := ParseNumber(b)
	if err != nil {
		db = apd.New(0, 0)
	}
	return da.Cmp(db)
}

// AddNumbers returns a+b exactly, or DynamoDB's range/precision error.
func AddNumbers(a, b string) (string, error) { return arithmetic(a, b, false) }

// SubNumbers returns a-b exactly, or DynamoDB's range/precision error.
func SubNumbers(a, b string) (string, error) { return arithmetic(a, b, true) }

func arithmetic(a, b string, sub bool) (string, error) {
	da, err := ParseNumber(a)
	if err != nil {
		return "", err
	}
	db, err := ParseNumber(b)
	if err != nil {
		return "", err
	}
	var r apd.Decimal
	var cond apd.Condition
	if sub {
		cond, err = arith.Sub(&r, da, db)
	} else {
		cond, err = arith.Add(&r, da, db)
	}
	if err != nil || cond.Inexact() || cond.Rounded() {
		// A sum that needs more than 38 digits is reported as an overflow,
		// whatever its magnitude (as the service words it).
		return "", ErrOverflow
	}
	res, err := checkRange(&r)
	if err != nil {
		return "", err
	}
	return FormatNumber(res), nil
}

// isCanonical reports whether s is already in canonical form and in range:
// an optional "-", digits without a leading zero (or a single "0" before a
// fraction), an optional fraction without trailing zeros, at most 38
// significant digits, magnitude within DynamoDB's range. It is the common
// case, so it skips the decimal library.
func isCanonical(s string) bool {
	if s == "0" {
		return true
	}
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intLen := i - start
	if intLen == 0 || (s[start] == '0' && intLen > 1) {
		return false
	}
	frac := 0
	if i < len(s) && s[i] == '.' {
		i++
		fstart := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		frac = i - fstart
		if frac == 0 || s[i-1] == '0' {
			return false
		}
	}
	if i != len(s) {
		return false
	}
	if s[start] == '0' {
		// 0.xxx: "-0.x" is canonical too; count digits after leading zeros.
		if frac == 0 {
			return false // "-0"
		}
		fs := s[start+2:]
		lead := 0
		for lead < len(fs) && fs[lead] == '0' {
			lead++
		}
		return len(fs)-lead <= maxDigits && lead < -minExponent
	}
	// Integer part without leading zeros: trailing zeros of an integer are
	// not significant.
	sig := intLen + frac
	if frac == 0 {
		t := len(s)
		for t > start+1 && s[t-1] == '0' {
			t--
		}
		sig = t - start
	}
	return sig <= maxDigits && intLen-1 <= maxExponent
}

// decimalParts splits a canonical number into sign, significant digits
// (no leading or trailing zeros) and adjusted exponent (value = 0.digits x
// 10^adj). ok is false for zero.
func decimalParts(s string) (neg bool, digits string, adj int, ok bool) {
	if s == "0" {
		return false, "", 0, false
	}
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart != "0" {
		all := strings.TrimRight(intPart+frac, "0")
		return neg, all, len(intPart), true
	}
	lead := 0
	for lead < len(frac) && frac[lead] == '0' {
		lead++
	}
	return neg, frac[lead:], -lead, true
}

// numberKey encodes a number so that bytewise order is numeric order.
// Layout: a class byte (negative, zero, positive), a 2-byte adjusted
// exponent (inverted for negatives), the significant digits (inverted for
// negatives), and a terminator that makes shorter digit strings sort right.
func numberKey(s string) []byte {
	return appendNumberKey(nil, s)
}

// appendNumberKey appends numberKey(s) to dst.
func appendNumberKey(dst []byte, s string) []byte {
	if !isCanonical(s) {
		c, err := CanonicalNumber(s)
		if err != nil {
			return append(dst, 0x80)
		}
		s = c
	}
	neg, digits, adj, nonZero := decimalParts(s)
	if !nonZero {
		return append(dst, 0x80)
	}
	adj += 1000
	out := dst
	if neg {
		e := ^uint16(adj)
		out = append(out, 0x40, byte(e>>8), byte(e))
		for i := 0; i < len(digits); i++ {
			out = append(out, 0xFF-digits[i])
		}
		return append(out, 0xFF)
	}
	out = append(out, 0xC0, byte(adj>>8), byte(adj))
	out = append(out, digits...)
	return append(out, 0x00)
}
