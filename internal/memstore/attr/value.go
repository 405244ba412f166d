package attr

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Item is one DynamoDB item: attribute name to value.
type Item = map[string]types.AttributeValue

// Type names as DynamoDB spells them in attribute_type and in messages.
const (
	TypeS    = "S"
	TypeN    = "N"
	TypeB    = "B"
	TypeBOOL = "BOOL"
	TypeNULL = "NULL"
	TypeL    = "L"
	TypeM    = "M"
	TypeSS   = "SS"
	TypeNS   = "NS"
	TypeBS   = "BS"
)

// TypeOf returns the DynamoDB type name of v, or "" for nil or unknown.
func TypeOf(v types.AttributeValue) string {
	switch v.(type) {
	case *types.AttributeValueMemberS:
		return TypeS
	case *types.AttributeValueMemberN:
		return TypeN
	case *types.AttributeValueMemberB:
		return TypeB
	case *types.AttributeValueMemberBOOL:
		return TypeBOOL
	case *types.AttributeValueMemberNULL:
		return TypeNULL
	case *types.AttributeValueMemberL:
		return TypeL
	case *types.AttributeValueMemberM:
		return TypeM
	case *types.AttributeValueMemberSS:
		return TypeSS
	case *types.AttributeValueMemberNS:
		return TypeNS
	case *types.AttributeValueMemberBS:
		return TypeBS
	}
	return ""
}

// Compare orders two scalar values of the same type (S, N or B) the way
// DynamoDB does: strings and binary bytewise, numbers numerically. ok is
// false when the values are of different or non-scalar types.
func Compare(a, b types.AttributeValue) (c int, ok bool) {
	switch x := a.(type) {
	case *types.AttributeValueMemberS:
		if y, isS := b.(*types.AttributeValueMemberS); isS {
			return compareStrings(x.Value, y.Value), true
		}
	case *types.AttributeValueMemberN:
		if y, isN := b.(*types.AttributeValueMemberN); isN {
			return CompareNumbers(x.Value, y.Value), true
		}
	case *types.AttributeValueMemberB:
		if y, isB := b.(*types.AttributeValueMemberB); isB {
			return bytes.Compare(x.Value, y.Value), true
		}
	}
	return 0, false
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Equal reports whether a and b are the same DynamoDB value. Numbers compare
// numerically and sets ignore element order, as in condition expressions.
func Equal(a, b types.AttributeValue) bool {
	switch x := a.(type) {
	case *types.AttributeValueMemberS:
		y, ok := b.(*types.AttributeValueMemberS)
		return ok && x.Value == y.Value
	case *types.AttributeValueMemberN:
		y, ok := b.(*types.AttributeValueMemberN)
		return ok && (x.Value == y.Value || CompareNumbers(x.Value, y.Value) == 0)
	case *types.AttributeValueMemberB:
		y, ok := b.(*types.AttributeValueMemberB)
		return ok && bytes.Equal(x.Value, y.Value)
	case *types.AttributeValueMemberBOOL:
		y, ok := b.(*types.AttributeValueMemberBOOL)
		return ok && x.Value == y.Value
	case *types.AttributeValueMemberNULL:
		_, ok := b.(*types.AttributeValueMemberNULL)
		return ok
	case *types.AttributeValueMemberL:
		y, ok := b.(*types.AttributeValueMemberL)
		if !ok || len(x.Value) != len(y.Value) {
			return false
		}
		for i := range x.Value {
			if !Equal(x.Value[i], y.Value[i]) {
				return false
			}
		}
		return true
	case *types.AttributeValueMemberM:
		y, ok := b.(*types.AttributeValueMemberM)
		return ok && EqualItems(x.Value, y.Value)
	case *types.AttributeValueMemberSS:
		y, ok := b.(*types.AttributeValueMemberSS)
		return ok && sameStringSet(x.Value, y.Value)
	case *types.AttributeValueMemberNS:
		y, ok := b.(*types.AttributeValueMemberNS)
		return ok && sameSet(x.Value, y.Value, func(s string) string { return string(numberKey(s)) })
	case *types.AttributeValueMemberBS:
		y, ok := b.(*types.AttributeValueMemberBS)
		if !ok || len(x.Value) != len(y.Value) {
			return false
		}
		xs := make([]string, len(x.Value))
		ys := make([]string, len(y.Value))
		for i := range x.Value {
			xs[i], ys[i] = string(x.Value[i]), string(y.Value[i])
		}
		return sameStringSet(xs, ys)
	}
	return false
}

// EqualItems reports whether two maps hold equal values under equal names.
func EqualItems(a, b map[string]types.AttributeValue) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !Equal(v, w) {
			return false
		}
	}
	return true
}

func sameStringSet(a, b []string) bool {
	return sameSet(a, b, func(s string) string { return s })
}

func sameSet(a, b []string, key func(string) string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := make(map[string]struct{}, len(a))
	for _, s := range a {
		seen[key(s)] = struct{}{}
	}
	for _, s := range b {
		if _, ok := seen[key(s)]; !ok {
			return false
		}
	}
	return true
}

// Copy returns a deep copy of v, so a caller can never alias stored data.
func Copy(v types.AttributeValue) types.AttributeValue {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return &types.AttributeValueMemberS{Value: x.Value}
	case *types.AttributeValueMemberN:
		return &types.AttributeValueMemberN{Value: x.Value}
	case *types.AttributeValueMemberB:
		return &types.AttributeValueMemberB{Value: bytes.Clone(x.Value)}
	case *types.AttributeValueMemberBOOL:
		return &types.AttributeValueMemberBOOL{Value: x.Value}
	case *types.AttributeValueMemberNULL:
		return &types.AttributeValueMemberNULL{Value: x.Value}
	case *types.AttributeValueMemberL:
		out := make([]types.AttributeValue, len(x.Value))
		for i, e := range x.Value {
			out[i] = Copy(e)
		}
		return &types.AttributeValueMemberL{Value: out}
	case *types.AttributeValueMemberM:
		return &types.AttributeValueMemberM{Value: CopyItem(x.Value)}
	case *types.AttributeValueMemberSS:
		return &types.AttributeValueMemberSS{Value: append([]string(nil), x.Value...)}
	case *types.AttributeValueMemberNS:
		return &types.AttributeValueMemberNS{Value: append([]string(nil), x.Value...)}
	case *types.AttributeValueMemberBS:
		out := make([][]byte, len(x.Value))
		for i, e := range x.Value {
			out[i] = bytes.Clone(e)
		}
		return &types.AttributeValueMemberBS{Value: out}
	}
	return v
}

// CopyItem deep-copies an item; nil stays nil.
func CopyItem(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	var c Copier
	return c.Item(item)
}

// Copier deep-copies items, carving strings and numbers (the common case)
// out of shared blocks instead of allocating one value per attribute. One
// Copier used for a whole page of results makes a few blocks for the page
// rather than a few per item. Copies it returns may share a block, so a
// retained copy keeps its block alive; no copy sees another's changes.
type Copier struct {
	// Block is the smallest block to make; zero sizes each block for the
	// item being copied.
	Block int
	strs  []types.AttributeValueMemberS
	nums  []types.AttributeValueMemberN
}

// Item deep-copies one item; nil stays nil.
func (c *Copier) Item(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	if item == nil {
		return nil
	}
	out := make(map[string]types.AttributeValue, len(item))
	for k, v := range item {
		switch x := v.(type) {
		case *types.AttributeValueMemberS:
			if len(c.strs) == cap(c.strs) {
				c.strs = make([]types.AttributeValueMemberS, 0, max(c.Block, len(item)))
			}
			c.strs = append(c.strs, types.AttributeValueMemberS{Value: x.Value})
			out[k] = &c.strs[len(c.strs)-1]
		case *types.AttributeValueMemberN:
			if len(c.nums) == cap(c.nums) {
				c.nums = make([]types.AttributeValueMemberN, 0, max(c.Block, len(item)))
			}
			c.nums = append(c.nums, types.AttributeValueMemberN{Value: x.Value})
			out[k] = &c.nums[len(c.nums)-1]
		default:
			out[k] = Copy(v)
		}
	}
	return out
}

// Size is the number of bytes DynamoDB counts for a value (without the name).
// Numbers count one byte per two significant digits plus one; lists and maps
// carry 3 bytes of overhead plus 1 byte per element.
func Size(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return numberSize(x.Value)
	case *types.AttributeValueMemberB:
		return len(x.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += Size(e) + 1
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range x.Value {
			n += len(k) + Size(e) + 1
		}
		return n
	case *types.AttributeValueMemberSS:
		n := 0
		for _, e := range x.Value {
			n += len(e)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, e := range x.Value {
			n += numberSize(e)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, e := range x.Value {
			n += len(e)
		}
		return n
	}
	return 0
}

// numberSize is the bytes DynamoDB counts for a number, as measured against
// the service (the developer guide's "1 byte per two significant digits,
// plus 1" is close but not it): 1, plus half the significant digits on each
// side of the decimal point, each side rounded up on its own, plus 1 when
// negative. The exponent costs nothing; zero costs 1.
func numberSize(s string) int {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, _ = strconv.Atoi(s[i+1:])
		s = s[:i]
	}
	// The digits without the point, and where the point falls among them.
	point := len(s)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		point = i
	}
	point += exp
	first, last := -1, -1 // the first and last non-zero digits
	for i, j := 0, 0; i < len(s); i++ {
		if s[i] == '.' {
			continue
		}
		if s[i] != '0' {
			if first < 0 {
				first = j
			}
			last = j
		}
		j++
	}
	if first < 0 {
		return 1
	}
	var intDigits, fracDigits int
	switch {
	case last < point: // all in the integer part
		intDigits = last - first + 1
	case first >= point: // all in the fraction
		fracDigits = last - first + 1
	default: // straddling the point: zeros between count on both sides
		intDigits, fracDigits = point-first, last-point+1
	}
	n := 1 + (intDigits+1)/2 + (fracDigits+1)/2
	if neg {
		n++
	}
	return n
}

// ItemSize is DynamoDB's item size: the sum of attribute name lengths and
// value sizes. The 400 KB item limit and capacity units are computed on it.
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + Size(v)
	}
	return n
}

// KeyBytes encodes a key value (S, N or B) so that bytes.Compare on the
// encodings orders values as DynamoDB orders sort keys.
func KeyBytes(v types.AttributeValue) []byte { return AppendKeyBytes(nil, v) }

// AppendKeyBytes appends KeyBytes(v) to dst without other allocations.
func AppendKeyBytes(dst []byte, v types.AttributeValue) []byte {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return append(dst, x.Value...)
	case *types.AttributeValueMemberN:
		return appendNumberKey(dst, x.Value)
	case *types.AttributeValueMemberB:
		return append(dst, x.Value...)
	}
	return dst
}
