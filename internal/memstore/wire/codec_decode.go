package wire

import (
	"encoding/base64"
	"math"
	"math/bits"
	"reflect"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// maxDepth bounds nesting so a hostile body cannot exhaust the stack; the
// service's JSON parser has a similar limit, far above DynamoDB's own limit
// of 32 nested attribute levels.
const maxDepth = 1000

// Messages of the service's SerializationException, by the JSON token found
// where another was expected.
const (
	msgObjectNotExpected = "Start of structure or map found where not expected"
	msgUnexpectedField   = "Unexpected field type"
	msgUnexpectedValue   = "Unexpected value type in payload"
	msgNotBase64         = "only base-64-encoded strings are convertible to bytes"
	msgBadBoolean        = "Unexpected token received from parser"
	msgBadBase64Tail     = "Invalid last non-pad Base64 character dectected" // sic
	// msgParameterized is what the service says when a scalar is found where a
	// list or map is expected inside another list or map: its deserializer
	// fails on the generic element type.
	msgParameterized = "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')"
)

// decoder reads one JSON request body into an SDK input, driven by plans.
// It is strict where the service is: a member of the wrong JSON type is a
// SerializationException naming the token, unknown members are skipped.
type decoder struct {
	data  []byte
	i     int
	depth int
	buf   []byte // scratch for unescaping
	// invalid is the first malformed AttributeValue; the service reports it as
	// a ValidationException, but only once the whole body type-checks.
	invalid error
}

// decodeInto decodes data into the value at ptr, of the type of p. A null
// body is an empty input, as for the service.
func decodeInto(p *plan, ptr unsafe.Pointer, data []byte) error {
	d := decoder{data: data}
	if err := d.value(p, ptr, false); err != nil {
		return err
	}
	if d.ws(); d.i != len(d.data) {
		return errSyntax
	}
	return d.invalid
}

func (d *decoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.i < len(d.data) {
		return d.data[d.i]
	}
	return 0
}

func (d *decoder) literal(lit string) error {
	if len(d.data)-d.i < len(lit) || string(d.data[d.i:d.i+len(lit)]) != lit {
		return errSyntax
	}
	d.i += len(lit)
	return nil
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > maxDepth {
		return errSyntax
	}
	d.i++
	return nil
}

// next consumes a ',' and reports true, or a close byte and reports false.
func (d *decoder) next(close byte) (bool, error) {
	switch d.peek() {
	case ',':
		d.i++
		return true, nil
	case close:
		d.i++
		d.depth--
		return false, nil
	}
	return false, errSyntax
}

// open consumes an opening '{' or '[' and reports whether the container
// has elements.
func (d *decoder) open(close byte) (bool, error) {
	if err := d.enter(); err != nil {
		return false, err
	}
	if d.peek() == close {
		d.i++
		d.depth--
		return false, nil
	}
	return true, nil
}

// key reads an object key and its colon. The bytes are valid until the
// next key is read.
func (d *decoder) key() ([]byte, error) {
	if d.peek() != '"' {
		return nil, errSyntax
	}
	k, err := d.stringBytes()
	if err != nil {
		return nil, err
	}
	if d.peek() != ':' {
		return nil, errSyntax
	}
	d.i++
	return k, nil
}

// stringBytes reads a JSON string starting at its opening quote. Without
// escapes the result aliases the input.
func (d *decoder) stringBytes() ([]byte, error) {
	d.i++
	start := d.i
	ascii := true
	for d.i < len(d.data) {
		c := d.data[d.i]
		switch {
		case c == '"':
			s := d.data[start:d.i]
			d.i++
			if !ascii && !utf8.Valid(s) {
				return nil, errSyntax
			}
			return s, nil
		case c == '\\':
			return d.unescape(start)
		case c < 0x20:
			return nil, errSyntax
		case c >= 0x80:
			ascii = false
		}
		d.i++
	}
	return nil, errSyntax
}

// unescape finishes a string that has escapes, from d.i at the first
// backslash, into the scratch buffer.
func (d *decoder) unescape(start int) ([]byte, error) {
	b := append(d.buf[:0], d.data[start:d.i]...)
	for d.i < len(d.data) {
		c := d.data[d.i]
		switch {
		case c == '"':
			d.i++
			d.buf = b
			if !utf8.Valid(b) {
				return nil, errSyntax
			}
			return b, nil
		case c < 0x20:
			return nil, errSyntax
		case c != '\\':
			b = append(b, c)
			d.i++
			continue
		}
		d.i++
		if d.i >= len(d.data) {
			return nil, errSyntax
		}
		c = d.data[d.i]
		d.i++
		switch c {
		case '"', '\\', '/':
			b = append(b, c)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return nil, errSyntax
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if d.i+1 < len(d.data) && d.data[d.i] == '\\' && d.data[d.i+1] == 'u' {
					save := d.i
					d.i += 2
					if r2, ok = d.hex4(); !ok {
						return nil, errSyntax
					}
					if utf16.DecodeRune(r, r2) == utf8.RuneError {
						d.i = save // not a pair: the next escape stands alone
					}
				}
				r = utf16.DecodeRune(r, r2) // U+FFFD for a lone surrogate
			}
			b = utf8.AppendRune(b, r)
		default:
			return nil, errSyntax
		}
	}
	return nil, errSyntax
}

func (d *decoder) hex4() (rune, bool) {
	if len(d.data)-d.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.i : d.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.i += 4
	return r, true
}

// number reads a JSON number and reports whether it has a fraction or an
// exponent (the service's DECIMAL_VALUE, as opposed to NUMBER_VALUE).
func (d *decoder) number() (lit []byte, decimal bool, err error) {
	start := d.i
	i := d.i
	if i < len(d.data) && d.data[i] == '-' {
		i++
	}
	digits := func() bool {
		s := i
		for i < len(d.data) && '0' <= d.data[i] && d.data[i] <= '9' {
			i++
		}
		return i > s
	}
	switch {
	case i < len(d.data) && d.data[i] == '0':
		i++
	case !digits():
		return nil, false, errSyntax
	}
	if i < len(d.data) && d.data[i] == '.' {
		i++
		decimal = true
		if !digits() {
			return nil, false, errSyntax
		}
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		decimal = true
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false, errSyntax
		}
	}
	d.i = i
	return d.data[start:i], decimal, nil
}

// skip consumes one JSON value of any type, checking its syntax.
func (d *decoder) skip() error {
	switch c := d.peek(); c {
	case '{':
		more, err := d.open('}')
		for err == nil && more {
			if _, err = d.key(); err == nil {
				if err = d.skip(); err == nil {
					more, err = d.next('}')
				}
			}
		}
		return err
	case '[':
		more, err := d.open(']')
		for err == nil && more {
			if err = d.skip(); err == nil {
				more, err = d.next(']')
			}
		}
		return err
	case '"':
		_, err := d.stringBytes()
		return err
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	default:
		_, _, err := d.number()
		return err
	}
}

// tokenName names the next scalar token as the service does, or returns ""
// when it is not a valid token.
func (d *decoder) tokenName() string {
	switch d.peek() {
	case '"':
		return "STRING_VALUE"
	case 't':
		return "TRUE_VALUE"
	case 'f':
		return "FALSE_VALUE"
	}
	save := d.i
	defer func() { d.i = save }()
	if _, decimal, err := d.number(); err != nil {
		return ""
	} else if decimal {
		return "DECIMAL_VALUE"
	}
	return "NUMBER_VALUE"
}

// mismatch builds the SerializationException for a value of the wrong JSON
// type where p is expected. elem tells a list element or map value from a
// structure member: the service words those differently.
func (d *decoder) mismatch(p *plan, elem bool) error {
	c := d.peek()
	switch p.kind {
	case kStruct, kStructPtr, kAV, kUnion:
		switch c {
		case '[':
			return serializationError("Unrecognized collection type class " + p.java)
		case '{':
			return errSyntax // unreachable: objects are structures
		}
		if elem {
			return d.scalarOr(msgUnexpectedValue)
		}
		return d.scalarOr(msgUnexpectedField)
	case kSlice, kStrings, kAVMaps:
		if c == '{' {
			return serializationError(msgObjectNotExpected)
		}
		if elem {
			return d.scalarOr(msgParameterized)
		}
		return d.scalarOr(msgUnexpectedField)
	case kMap, kAVMap:
		if c == '[' {
			return serializationError("Unrecognized collection type " + p.java)
		}
		if elem {
			return d.scalarOr(msgParameterized)
		}
		return d.scalarOr(msgUnexpectedField)
	}
	switch c {
	case '{':
		return serializationError(msgObjectNotExpected)
	case '[':
		return serializationError("Unrecognized collection type class " + p.java)
	}
	if p.kind == kBytes {
		return d.scalarOr(msgNotBase64)
	}
	tok := d.tokenName()
	if tok == "" {
		return errSyntax
	}
	return serializationError(tok + " cannot be converted to " + p.short)
}

// scalarOr returns msg as a SerializationException if the next token is a
// valid scalar, and a syntax error otherwise.
func (d *decoder) scalarOr(msg string) error {
	if d.tokenName() == "" {
		return errSyntax
	}
	return serializationError(msg)
}

// value decodes the next JSON value into ptr, which points at a value of
// p's type. A JSON null leaves the zero value: for members that is absence.
func (d *decoder) value(p *plan, ptr unsafe.Pointer, elem bool) error {
	c := d.peek()
	if c == 'n' {
		return d.literal("null")
	}
	switch p.kind {
	case kString:
		s, err := d.str(p, c)
		*(*string)(ptr) = s
		return err
	case kStringPtr:
		s, err := d.str(p, c)
		if err == nil {
			*(**string)(ptr) = &s
		}
		return err
	case kBool, kBoolPtr:
		var v bool
		switch c {
		case 't':
			v = true
			if err := d.literal("true"); err != nil {
				return err
			}
		case 'f':
			if err := d.literal("false"); err != nil {
				return err
			}
		case '"':
			// The service takes "true" and "false" in any case for a boolean.
			s, err := d.stringBytes()
			if err != nil {
				return err
			}
			switch string(toLower(s)) {
			case "true":
				v = true
			case "false":
			default:
				return serializationError(msgBadBoolean)
			}
		default:
			return d.mismatch(p, elem)
		}
		if p.kind == kBool {
			*(*bool)(ptr) = v
		} else {
			*(**bool)(ptr) = &v
		}
		return nil
	case kInt32, kInt32Ptr:
		n, err := d.integer(p, c, math.MinInt32, math.MaxInt32)
		if err != nil {
			return err
		}
		v := int32(n)
		if p.kind == kInt32 {
			*(*int32)(ptr) = v
		} else {
			*(**int32)(ptr) = &v
		}
		return nil
	case kInt64, kInt64Ptr:
		v, err := d.integer(p, c, math.MinInt64, math.MaxInt64)
		if err != nil {
			return err
		}
		if p.kind == kInt64 {
			*(*int64)(ptr) = v
		} else {
			*(**int64)(ptr) = &v
		}
		return nil
	case kFloat64, kFloat64Ptr:
		v, err := d.float(p, c)
		if err != nil {
			return err
		}
		if p.kind == kFloat64 {
			*(*float64)(ptr) = v
		} else {
			*(**float64)(ptr) = &v
		}
		return nil
	case kTime, kTimePtr:
		f, err := d.float(p, c)
		if err != nil {
			return err
		}
		v := epochTime(f)
		if p.kind == kTime {
			*(*time.Time)(ptr) = v
		} else {
			*(**time.Time)(ptr) = &v
		}
		return nil
	case kBytes:
		b, err := d.blob(p, c)
		*(*[]byte)(ptr) = b
		return err
	case kStrings:
		// A slice of a string enum has the memory layout of []string.
		s, err := d.strings(p, elem)
		*(*[]string)(ptr) = s
		return err
	case kAV:
		v, err := d.attributeValue(elem)
		*(*types.AttributeValue)(ptr) = v
		return err
	case kAVMap:
		m, err := d.attributeMap(p, elem)
		*(*map[string]types.AttributeValue)(ptr) = m
		return err
	case kAVMaps:
		return d.attributeMaps(p, ptr, elem)
	case kStructPtr:
		if c != '{' {
			return d.mismatch(p, elem)
		}
		v := reflect.New(p.elem.typ).UnsafePointer()
		if err := d.structure(p.elem, v); err != nil {
			return err
		}
		*(*unsafe.Pointer)(ptr) = v
		return nil
	case kStruct:
		if c != '{' {
			return d.mismatch(p, elem)
		}
		return d.structure(p, ptr)
	case kSlice:
		return d.slice(p, ptr, elem)
	case kMap:
		return d.mapValue(p, ptr, elem)
	case kUnion:
		return d.unionValue(p, ptr, elem)
	}
	panic("wire: decode of unknown kind")
}

func toLower(b []byte) []byte {
	if len(b) > 5 {
		return b
	}
	var out [5]byte
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out[:len(b)]
}

func (d *decoder) str(p *plan, c byte) (string, error) {
	if c != '"' {
		return "", d.mismatch(p, false)
	}
	b, err := d.stringBytes()
	return string(b), err
}

// integer reads an Integer or Long member. Like the service it accepts any
// JSON number and drops the fraction; out-of-range values saturate so that
// range validation still sees them as too large or too small.
func (d *decoder) integer(p *plan, c byte, lo, hi int64) (int64, error) {
	if c != '-' && (c < '0' || c > '9') {
		return 0, d.mismatch(p, false)
	}
	lit, decimal, err := d.number()
	if err != nil {
		return 0, err
	}
	if !decimal {
		n, err := strconv.ParseInt(unsafeString(lit), 10, 64)
		if err != nil { // only ErrRange: the syntax is checked
			if lit[0] == '-' {
				return lo, nil
			}
			return hi, nil
		}
		return min(max(n, lo), hi), nil
	}
	f, _ := strconv.ParseFloat(unsafeString(lit), 64)
	switch f = math.Trunc(f); {
	case f <= float64(lo):
		return lo, nil
	case f >= float64(hi):
		return hi, nil
	}
	return int64(f), nil
}

// float reads a Double member, or a timestamp in epoch seconds.
func (d *decoder) float(p *plan, c byte) (float64, error) {
	if c != '-' && (c < '0' || c > '9') {
		return 0, d.mismatch(p, false)
	}
	lit, _, err := d.number()
	if err != nil {
		return 0, err
	}
	f, _ := strconv.ParseFloat(unsafeString(lit), 64)
	// A literal beyond the float64 range parses as an infinity, which JSON
	// cannot carry back: keep the largest finite value instead.
	return max(min(f, math.MaxFloat64), -math.MaxFloat64), nil
}

// epochTime converts epoch seconds to a time at the millisecond precision
// of the service and the SDKs, clamped to years 1 through 9999.
func epochTime(sec float64) time.Time {
	const lo, hi = -62135596800, 253402300799
	ms := math.Round(min(max(sec, lo), hi) * 1000)
	return time.UnixMilli(int64(ms)).UTC()
}

func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func (d *decoder) blob(p *plan, c byte) ([]byte, error) {
	if c != '"' {
		return nil, d.mismatch(p, false)
	}
	s, err := d.stringBytes()
	if err != nil {
		return nil, err
	}
	return decodeBase64(s)
}

// decodeBase64 decodes standard, padded base64 as strictly as the service.
func decodeBase64(s []byte) ([]byte, error) {
	if len(s)%4 != 0 {
		return nil, serializationError("Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(s)))
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Strict().Decode(out, s)
	if err != nil {
		if i := int(err.(base64.CorruptInputError)); i < len(s) && s[i] != '=' && !isBase64(s[i]) {
			return nil, serializationError("Invalid Base64 character: '" + string(rune(s[i])) + "'")
		}
		return nil, serializationError(msgBadBase64Tail)
	}
	return out[:n], nil
}

func isBase64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}

func (d *decoder) structure(p *plan, ptr unsafe.Pointer) error {
	more, err := d.open('}')
	for err == nil && more {
		var k []byte
		if k, err = d.key(); err != nil {
			break
		}
		if f := p.byName[string(k)]; f != nil {
			err = d.value(f.plan, unsafe.Add(ptr, f.offset), false)
		} else {
			err = d.skip()
		}
		if err == nil {
			more, err = d.next('}')
		}
	}
	return err
}

func (d *decoder) strings(p *plan, elem bool) ([]string, error) {
	if d.peek() != '[' {
		return nil, d.mismatch(p, elem)
	}
	out := []string{}
	more, err := d.open(']')
	for err == nil && more {
		var s string
		if c := d.peek(); c == 'n' {
			err = d.literal("null")
		} else if c != '"' {
			err = d.mismatch(p.elem, true)
		} else {
			var b []byte
			b, err = d.stringBytes()
			s = string(b)
		}
		out = append(out, s)
		if err == nil {
			more, err = d.next(']')
		}
	}
	return out, err
}

// slice decodes a list of any element type through reflection.
func (d *decoder) slice(p *plan, ptr unsafe.Pointer, elem bool) error {
	if d.peek() != '[' {
		return d.mismatch(p, elem)
	}
	sv := reflect.NewAt(p.typ, ptr).Elem()
	sv.Set(reflect.MakeSlice(p.typ, 0, 4))
	more, err := d.open(']')
	for n := 0; err == nil && more; n++ {
		sv.Grow(1)
		sv.SetLen(n + 1)
		if err = d.value(p.elem, sv.Index(n).Addr().UnsafePointer(), true); err == nil {
			more, err = d.next(']')
		}
	}
	return err
}

// mapValue decodes a map of any value type through reflection.
func (d *decoder) mapValue(p *plan, ptr unsafe.Pointer, elem bool) error {
	if d.peek() != '{' {
		return d.mismatch(p, elem)
	}
	if p.typ == stringMapType {
		m, err := d.stringMap()
		*(*map[string]string)(ptr) = m
		return err
	}
	mv := reflect.MakeMap(p.typ)
	reflect.NewAt(p.typ, ptr).Elem().Set(mv)
	kt := p.typ.Key()
	more, err := d.open('}')
	for err == nil && more {
		var k []byte
		if k, err = d.key(); err != nil {
			break
		}
		key := reflect.ValueOf(string(k)).Convert(kt)
		v := reflect.New(p.elem.typ)
		if err = d.value(p.elem, v.UnsafePointer(), true); err == nil {
			mv.SetMapIndex(key, v.Elem())
			more, err = d.next('}')
		}
	}
	return err
}

// unionValue decodes a union other than the DynamoDB AttributeValue (which
// has its own fast path) through reflection.
func (d *decoder) unionValue(p *plan, ptr unsafe.Pointer, elem bool) error {
	if d.peek() != '{' {
		return d.mismatch(p, elem)
	}
	var (
		set  reflect.Value
		seen uint32 // bit per member tag: a repeated key is still one type
	)
	more, err := d.open('}')
	for err == nil && more {
		var k []byte
		if k, err = d.key(); err != nil {
			break
		}
		m := p.union.byTag[string(k)]
		switch {
		case m == nil:
			err = d.skip()
		case d.peek() == 'n':
			err = d.literal("null")
		default:
			v := reflect.New(m.typ)
			if err = d.value(m.value, unsafe.Add(v.UnsafePointer(), m.offset), false); err == nil {
				seen |= 1 << m.bit
				set = v
			}
		}
		if err == nil {
			more, err = d.next('}')
		}
	}
	if err != nil {
		return err
	}
	if n := bits.OnesCount32(seen); n != 1 {
		d.invalidAttributeValue(n)
		return nil
	}
	reflect.NewAt(p.typ, ptr).Elem().Set(set)
	return nil
}

func (d *decoder) invalidAttributeValue(found int) {
	if d.invalid != nil {
		return
	}
	if found == 0 {
		d.invalid = validationError("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	} else {
		d.invalid = validationError("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
	}
}

var stringMapType = reflect.TypeFor[map[string]string]()

// stringMap decodes ExpressionAttributeNames and the other string maps
// without reflection.
func (d *decoder) stringMap() (map[string]string, error) {
	m := make(map[string]string, 4)
	more, err := d.open('}')
	for err == nil && more {
		var k []byte
		if k, err = d.key(); err != nil {
			break
		}
		name := string(k)
		var v string
		if c := d.peek(); c == 'n' {
			err = d.literal("null")
		} else {
			v, err = d.str(stringPlan, c)
		}
		m[name] = v
		if err == nil {
			more, err = d.next('}')
		}
	}
	return m, err
}
