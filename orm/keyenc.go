package orm

import (
	"encoding"
	"math"
	"reflect"
	"strconv"
	"time"
)

// Order-preserving encodings for values inside composite string keys.
// DynamoDB compares S keys byte by byte, so "10" sorts before "9" and "-5"
// after "-1". These encodings make byte order equal value order:
//
//   - signed integers: non-negatives as zero-padded decimals of the type's
//     width; negatives as "-" followed by the padded value offset by 2^(bits-1),
//     so "-" (0x2D) sorts before every digit and more negative sorts first;
//   - unsigned integers: zero-padded decimals;
//   - floats: the IEEE-754 bits, flipped so that byte order is numeric
//     order, in 16 hex digits; -0 is written as 0 (they are equal), and
//     every NaN as one value below -Inf, the order of cmp.Compare;
//   - times: UTC, fixed-width RFC 3339 with nanoseconds. Years outside
//     0000-9999 (which RFC 3339 cannot hold at a fixed width) take a
//     marker that sorts below "0" ('!', for years before 0) or above "9"
//     ('~', after 9999) and a 12-digit year, offset by 10^12 when negative.
//
// A template that is a single number field needs none of this: it becomes a
// typed N key and DynamoDB orders it numerically.

// timeKeyLayout is RFC 3339 at a fixed width: RFC3339Nano trims trailing
// zeros, which would sort "05.5Z" before "05Z".
const timeKeyLayout = "2006-01-02T15:04:05.000000000Z"

var (
	timeType          = reflect.TypeFor[time.Time]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// intWidth is the number of decimal digits of the largest value of an
// integer kind, so that padded encodings have a fixed width.
func intWidth(k reflect.Kind) int {
	switch k {
	case reflect.Int8, reflect.Uint8:
		return 3
	case reflect.Int16, reflect.Uint16:
		return 5
	case reflect.Int32, reflect.Uint32:
		return 10
	case reflect.Int64, reflect.Int:
		return 19
	default: // Uint64, Uint, Uintptr
		return 20
	}
}

func bitSize(k reflect.Kind) int {
	switch k {
	case reflect.Int8:
		return 8
	case reflect.Int16:
		return 16
	case reflect.Int32:
		return 32
	default:
		return 64
	}
}

func appendPadded(b []byte, u uint64, width int) []byte {
	var buf [20]byte
	s := strconv.AppendUint(buf[:0], u, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// appendOrderedInt encodes v of kind k in order-preserving form.
func appendOrderedInt(b []byte, v int64, k reflect.Kind) []byte {
	w := intWidth(k)
	if v >= 0 {
		return appendPadded(b, uint64(v), w)
	}
	off := uint64(1) << (bitSize(k) - 1)
	return appendPadded(append(b, '-'), uint64(v)+off, w)
}

func appendOrderedUint(b []byte, v uint64, k reflect.Kind) []byte {
	return appendPadded(b, v, intWidth(k))
}

func appendOrderedFloat(b []byte, f float64) []byte {
	bits := math.Float64bits(f)
	switch {
	case f == 0:
		bits = 0 // -0 is 0
	case f != f:
		bits = math.MaxUint64 // every NaN is one value, flipped to all zeros
	}
	if bits&(1<<63) != 0 {
		bits = ^bits
	} else {
		bits |= 1 << 63
	}
	const hex = "0123456789abcdef"
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, hex[(bits>>uint(shift))&0xf])
	}
	return b
}

// Markers and width of years that RFC 3339 cannot hold in four digits.
const (
	yearsBefore0    = '!' // sorts below '0'
	yearsAfter9999  = '~' // sorts above '9'
	wideYearDigits  = 12  // Go's time.Time spans under 3*10^11 years
	wideYearsOffset = 1_000_000_000_000
)

func appendOrderedTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	switch y := int64(t.Year()); {
	case y < 0:
		b = appendPadded(append(b, yearsBefore0), uint64(y+wideYearsOffset), wideYearDigits)
	case y > 9999:
		b = appendPadded(append(b, yearsAfter9999), uint64(y), wideYearDigits)
	default:
		return t.AppendFormat(b, timeKeyLayout)
	}
	return t.AppendFormat(b, timeKeyLayout[len("2006"):])
}

// keyKind says how a field can take part in a key.
type keyKind uint8

const (
	keyNone   keyKind = iota // cannot be part of a key
	keyString                // string kinds and TextMarshalers
	keyInt
	keyUint
	keyFloat
	keyTime
)

func keyKindOf(t reflect.Type) keyKind {
	if t == timeType {
		return keyTime
	}
	switch t.Kind() {
	case reflect.String:
		return keyString
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return keyInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return keyUint
	case reflect.Float32, reflect.Float64:
		return keyFloat
	}
	if t.Implements(textMarshalerType) {
		return keyString
	}
	return keyNone
}

func (k keyKind) numeric() bool { return k == keyInt || k == keyUint || k == keyFloat }
