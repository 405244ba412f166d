package wire

import (
	"encoding/base64"
	"math"
	"reflect"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// encoder appends the JSON of SDK values, driven by plans. It never goes
// through encoding/json: reflection happens once per type, in planFor.
type encoder struct {
	b []byte
}

var encoders = sync.Pool{New: func() any { return &encoder{b: make([]byte, 0, 1024)} }}

func getEncoder() *encoder { return encoders.Get().(*encoder) }

// putEncoder recycles e unless a large response grew its buffer: keeping
// megabyte buffers alive for small responses would waste memory.
func putEncoder(e *encoder) {
	if cap(e.b) > 1<<20 {
		return
	}
	e.b = e.b[:0]
	encoders.Put(e)
}

// value appends the value at ptr, of p's type. Inside structures absent
// members are skipped before value is called; elsewhere nil is null.
func (e *encoder) value(p *plan, ptr unsafe.Pointer) {
	switch p.kind {
	case kString:
		e.str(*(*string)(ptr))
	case kBool:
		e.bool(*(*bool)(ptr))
	case kInt32:
		e.b = strconv.AppendInt(e.b, int64(*(*int32)(ptr)), 10)
	case kInt64:
		e.b = strconv.AppendInt(e.b, *(*int64)(ptr), 10)
	case kFloat64:
		e.b = appendDouble(e.b, *(*float64)(ptr))
	case kTime:
		e.time(*(*time.Time)(ptr))
	case kStringPtr, kBoolPtr, kInt32Ptr, kInt64Ptr, kFloat64Ptr, kTimePtr, kStructPtr:
		v := *(*unsafe.Pointer)(ptr)
		if v == nil {
			e.null()
		} else {
			e.value(p.elem, v)
		}
	case kBytes:
		e.bytes(*(*[]byte)(ptr))
	case kStrings:
		e.strings(*(*[]string)(ptr))
	case kStruct:
		e.structure(p, ptr)
	case kSlice:
		e.slice(p, ptr)
	case kMap:
		e.mapValue(p, ptr)
	case kAV:
		e.attributeValue(*(*types.AttributeValue)(ptr))
	case kAVMap:
		e.attributeMap(*(*map[string]types.AttributeValue)(ptr))
	case kAVMaps:
		e.attributeMaps(*(*[]map[string]types.AttributeValue)(ptr))
	case kUnion:
		e.union(p, ptr)
	default:
		panic("wire: encode of unknown kind")
	}
}

func (e *encoder) null() { e.b = append(e.b, "null"...) }

func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, "true"...)
	} else {
		e.b = append(e.b, "false"...)
	}
}

// time appends epoch seconds with millisecond precision, as the service
// and the SDKs exchange timestamps.
func (e *encoder) time(t time.Time) {
	e.b = appendDouble(e.b, float64(t.UnixMilli())/1000)
}

func (e *encoder) bytes(b []byte) {
	if b == nil {
		e.null()
		return
	}
	e.b = append(e.b, '"')
	e.b = base64.StdEncoding.AppendEncode(e.b, b)
	e.b = append(e.b, '"')
}

func (e *encoder) strings(s []string) {
	if s == nil {
		e.null()
		return
	}
	e.b = append(e.b, '[')
	for i, v := range s {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(v)
	}
	e.b = append(e.b, ']')
}

func (e *encoder) structure(p *plan, ptr unsafe.Pointer) {
	e.b = append(e.b, '{')
	first := true
	for i := range p.fields {
		f := &p.fields[i]
		fp := unsafe.Add(ptr, f.offset)
		if f.plan.isEmpty(fp) {
			continue
		}
		if !first {
			e.b = append(e.b, ',')
		}
		first = false
		e.key(f.name)
		e.value(f.plan, fp)
	}
	e.b = append(e.b, '}')
}

// key appends a member name and its colon; SDK member names never need
// escaping.
func (e *encoder) key(name string) {
	e.b = append(e.b, '"')
	e.b = append(e.b, name...)
	e.b = append(e.b, '"', ':')
}

func (e *encoder) slice(p *plan, ptr unsafe.Pointer) {
	sv := reflect.NewAt(p.typ, ptr).Elem()
	if sv.IsNil() {
		e.null()
		return
	}
	base, size := sv.UnsafePointer(), p.elem.typ.Size()
	e.b = append(e.b, '[')
	for i := range sv.Len() {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.value(p.elem, unsafe.Add(base, uintptr(i)*size))
	}
	e.b = append(e.b, ']')
}

func (e *encoder) mapValue(p *plan, ptr unsafe.Pointer) {
	mv := reflect.NewAt(p.typ, ptr).Elem()
	if mv.IsNil() {
		e.null()
		return
	}
	if p.typ == stringMapType {
		e.stringMap(*(*map[string]string)(ptr))
		return
	}
	tmp := reflect.New(p.elem.typ).Elem()
	e.b = append(e.b, '{')
	for i, it := 0, mv.MapRange(); it.Next(); i++ {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(it.Key().String())
		e.b = append(e.b, ':')
		tmp.SetIterValue(it)
		e.value(p.elem, tmp.Addr().UnsafePointer())
	}
	e.b = append(e.b, '}')
}

func (e *encoder) stringMap(m map[string]string) {
	e.b = append(e.b, '{')
	i := 0
	for k, v := range m {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		i++
		e.str(k)
		e.b = append(e.b, ':')
		e.str(v)
	}
	e.b = append(e.b, '}')
}

// union appends a union other than the DynamoDB AttributeValue (which has
// its own fast path) as {"<tag>": value}.
func (e *encoder) union(p *plan, ptr unsafe.Pointer) {
	v := reflect.NewAt(p.typ, ptr).Elem()
	if v.IsNil() {
		e.null()
		return
	}
	m := p.union.byType[v.Elem().Type()]
	if m == nil { // types.UnknownUnionMember: nothing the service would send
		e.null()
		return
	}
	e.b = append(e.b, '{')
	e.key(m.tag)
	e.value(m.value, unsafe.Add(v.Elem().UnsafePointer(), m.offset))
	e.b = append(e.b, '}')
}

// safeASCII marks the ASCII bytes a JSON string can carry unescaped.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return t
}()

// str appends s as a JSON string, escaping only what JSON requires (as the
// service does) and replacing invalid UTF-8 with U+FFFD.
func (e *encoder) str(s string) {
	const hex = "0123456789abcdef"
	e.b = append(e.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			e.b = append(e.b, s[start:i]...)
			switch c {
			case '"', '\\':
				e.b = append(e.b, '\\', c)
			case '\n':
				e.b = append(e.b, '\\', 'n')
			case '\r':
				e.b = append(e.b, '\\', 'r')
			case '\t':
				e.b = append(e.b, '\\', 't')
			default:
				e.b = append(e.b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			e.b = append(e.b, s[start:i]...)
			e.b = append(e.b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	e.b = append(e.b, s[start:]...)
	e.b = append(e.b, '"')
}

// appendDouble formats f as Java's Double.toString does, which is how the
// service writes doubles and timestamps: 1.0, 0.5, 1.309988345372E9.
// Non-finite values, which JSON cannot carry, become the strings the SDKs
// read back as NaN and infinities.
func appendDouble(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	if abs := math.Abs(f); abs >= 1e-3 && abs < 1e7 {
		start := len(b)
		b = strconv.AppendFloat(b, f, 'f', -1, 64)
		for _, c := range b[start:] {
			if c == '.' {
				return b
			}
		}
		return append(b, ".0"...)
	}
	// Scientific: strconv gives 1.309988345372e+09, Java 1.309988345372E9.
	var tmp [32]byte
	s := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	mant, exp := s, []byte(nil)
	for i, c := range s {
		if c == 'e' {
			mant, exp = s[:i], s[i+1:]
			break
		}
	}
	b = append(b, mant...)
	hasDot := false
	for _, c := range mant {
		hasDot = hasDot || c == '.'
	}
	if !hasDot {
		b = append(b, ".0"...)
	}
	b = append(b, 'E')
	if exp[0] == '-' {
		b = append(b, '-')
	}
	exp = exp[1:] // sign
	for len(exp) > 1 && exp[0] == '0' {
		exp = exp[1:]
	}
	return append(b, exp...)
}
