package orm

// Fuzz tests of every parser and decoder of the package: cursors, key
// templates, struct tags, the order-preserving key encodings and the
// direct item decoder. Run one for a while with, for instance:
//
//	go test ./orm -run '^$' -fuzz FuzzCursor -fuzztime 30s

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/orm/ormtest"
)

// ---- cursors ----

type fuzzItem struct {
	_ Entity `entity:"item" pk:"P#{P}" sk:"S#{N}"`
	P string `dynamo:"p"`
	N int64  `dynamo:"n"`
}

var fuzzCursorEnv = sync.OnceValues(func() (*Model[fuzzItem], error) {
	table := NewTable(ormtest.NewDB(), "fuzz", WithCursorKey(bytes.Repeat([]byte{7}, 32)))
	items, err := Register[fuzzItem](table)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if err := table.Create(ctx); err != nil {
		return nil, err
	}
	for i := range 20 {
		if err := items.Put(ctx, &fuzzItem{P: "a", N: int64(i)}); err != nil {
			return nil, err
		}
	}
	return items, nil
})

// FuzzCursor: any string is either ErrInvalidCursor or a valid page, never
// a panic nor a request with a made-up start key, and only the exact text
// of a sealed cursor opens; any byte string the
// cursor decoder accepts re-encodes to itself; a sealed cursor opens to
// its key under its own query only.
func FuzzCursor(f *testing.F) {
	items, err := fuzzCursorEnv()
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	_, real, err := items.Query(fuzzItem{P: "a"}).Limit(3).Page(ctx)
	if err != nil || real == "" {
		f.Fatal(err, real)
	}
	plain, _ := encodeKey(map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "P#a"}, "sk": &types.AttributeValueMemberS{Value: "S#0000000000000000005"}})
	f.Add(string(real), plain)
	f.Add("", []byte{})
	f.Add("forged", []byte{2, 'p', 'k', 'N', 1, '5'})
	f.Add(string(real[:len(real)-1])+"A", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add(strings.Repeat("A", 40), []byte{1, 'x', 'Q', 0})
	f.Fuzz(func(t *testing.T, s string, plain []byte) {
		// 1. A client-supplied cursor.
		page, next, err := items.Query(fuzzItem{P: "a"}).Limit(3).After(Cursor(s)).Page(ctx)
		switch {
		case err != nil && !errors.Is(err, ErrInvalidCursor):
			t.Fatalf("cursor %q: %v, want ErrInvalidCursor or a page", s, err)
		case err == nil && s != "" && !canonical(s):
			t.Fatalf("cursor %q was accepted, but it is not the text the ORM writes: %v %q", s, page, next)
		case err == nil && len(page) != 3:
			t.Fatalf("cursor %q: page of %d", s, len(page))
		}

		// 2. The key decoder, on its own.
		key, err := decodeKey(plain)
		if err == nil {
			again, err := encodeKey(key)
			if err != nil {
				t.Fatalf("decoded %x, cannot re-encode %v: %v", plain, key, err)
			}
			back, err := decodeKey(again)
			if err != nil || !sameKey(key, back) {
				t.Fatalf("decode(encode(decode(%x))) = %v, %v; want %v", plain, back, err, key)
			}
		}

		// 3. Sealing: what is sealed opens under its own query only, and
		// a sealed payload the decoder refuses is ErrInvalidCursor.
		tbl := items.c.t
		ad := []byte("query\x00" + s)
		if err == nil {
			c, err := tbl.sealCursor(key, ad)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tbl.openCursor(c, ad)
			if err != nil || !sameKey(got, key) {
				t.Fatalf("sealed %v, opened %v, %v", key, got, err)
			}
			if _, err := tbl.openCursor(c, append(ad, 0)); !errors.Is(err, ErrInvalidCursor) {
				t.Fatalf("cursor opened under another query: %v", err)
			}
			raw := []byte(c)
			raw[len(raw)/2] ^= 1
			if _, err := tbl.openCursor(Cursor(raw), ad); !errors.Is(err, ErrInvalidCursor) && string(raw) != string(c) {
				t.Fatalf("altered cursor %q opened: %v", raw, err)
			}
		}
		ns := tbl.aead.NonceSize()
		buf := make([]byte, ns, ns+len(plain)+tbl.aead.Overhead())
		buf = tbl.aead.Seal(buf, buf[:ns], plain, ad)
		_, oerr := tbl.openCursor(Cursor(base64URL(buf)), ad)
		if (err == nil) != (oerr == nil) || (oerr != nil && !errors.Is(oerr, ErrInvalidCursor)) {
			t.Fatalf("sealed payload %x: decoder says %v, openCursor says %v", plain, err, oerr)
		}
	})
}

// canonical reports whether s is the one text of its bytes: a cursor
// that opens is one the ORM wrote, not an alias of one.
func canonical(s string) bool {
	raw, err := cursorEncoding.DecodeString(s)
	return err == nil && cursorEncoding.EncodeToString(raw) == s
}

func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func sameKey(a, b map[string]types.AttributeValue) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || fmt.Sprintf("%T%v", v, v) != fmt.Sprintf("%T%v", w, w) {
			return false
		}
	}
	return true
}

// ---- key templates ----

type fuzzModel struct {
	_   Entity `entity:"fz" pk:"X"`
	S   string
	I   int64
	I8  int8
	U   uint16
	F   float64
	T   time.Time
	P   *string
	PI  *int32
	TM  textKey
	Bad []string
}

type textKey struct{ v string }

func (k textKey) MarshalText() ([]byte, error) { return []byte("T:" + k.v), nil }

// printTemplate writes a template back as tag text.
func printTemplate(t *keyTemplate) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.f == nil {
			b.WriteString(strings.NewReplacer("{", "{{", "}", "}}").Replace(p.lit))
			continue
		}
		b.WriteString("{" + p.f.name)
		if p.format != "" {
			b.WriteString(":" + p.format)
		}
		b.WriteString("}")
	}
	return b.String()
}

// FuzzTemplate: the key-template parser never panics; what it accepts
// prints back to text that parses to the same template; rendering any
// model value starts with the template's literal prefix (which the
// collision check relies on), a partial render of the zero value is that
// prefix, and number templates render numbers.
func FuzzTemplate(f *testing.F) {
	info, err := typeInfoOf(reflect.TypeFor[fuzzModel]())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"X#{S}", "{I}", "{{lit}}#{S:lower}", "{S", "}", "{I:%05d}#{S}", "", "{T:2006-01-02}#{T}",
		"A#{F}#{I8}#{U}", "{T:unix}", "{P}", "B#{PI}", "{TM}", "{Bad}", "}}{{", "{S:}", "{F:raw}", "{I:%{d}"} {
		f.Add(s, "x", int64(-3), 1.5)
	}
	f.Fuzz(func(t *testing.T, text, s string, i int64, fl float64) {
		tpl, err := parseTemplate(text, info.byName)
		if err != nil {
			return
		}
		printed := printTemplate(tpl)
		again, err := parseTemplate(printed, info.byName)
		if err != nil {
			t.Fatalf("%q printed as %q, which fails: %v", text, printed, err)
		}
		if printTemplate(again) != printed || !reflect.DeepEqual(again.parts, tpl.parts) || again.number != tpl.number || again.prefix != tpl.prefix {
			t.Fatalf("%q printed as %q parses differently", text, printed)
		}
		if !tpl.overlaps(tpl) {
			t.Fatalf("%q does not overlap itself", text)
		}
		zero := reflect.New(info.typ).Elem()
		if p, full := tpl.renderPrefix(zero); p != tpl.prefix || full != tpl.literal() {
			t.Fatalf("%q: renderPrefix(zero) = %q, %v; prefix %q", text, p, full, tpl.prefix)
		}
		for _, v := range []reflect.Value{zero, fuzzValue(s, i, fl)} {
			av := tpl.render(v)
			switch av := av.(type) {
			case *types.AttributeValueMemberS:
				if tpl.number || !strings.HasPrefix(av.Value, tpl.prefix) {
					t.Fatalf("%q rendered S %q (number %v, prefix %q)", text, av.Value, tpl.number, tpl.prefix)
				}
			case *types.AttributeValueMemberN:
				if _, err := strconv.ParseFloat(av.Value, 64); !tpl.number || (err != nil && tpl.checkNumber(v) == nil) {
					t.Fatalf("%q rendered N %q: %v", text, av.Value, err)
				}
			}
		}
	})
}

func fuzzValue(s string, i int64, f float64) reflect.Value {
	v := fuzzModel{S: s, I: i, I8: int8(i), U: uint16(i), F: f, T: time.Unix(i%(1<<40), i%1e9), TM: textKey{s}}
	if i%3 != 0 {
		v.P = &s
		pi := int32(i)
		v.PI = &pi
	}
	return reflect.ValueOf(&v).Elem()
}

// ---- struct tags ----

// FuzzStructTag: parseStructTag reads every key reflect.StructTag.Lookup
// sees, with the same value, and never panics.
func FuzzStructTag(f *testing.F) {
	for _, s := range []string{`entity:"x" pk:"A#{B}"`, `a:"\"q\"" b:"c"`, `x:"unterminated`, `:"x"`, `a:"1"  a:"2"`, "a:\"\\\x00\"", `a:"\u00e9"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		pairs, err := parseStructTag(tag)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, kv := range pairs {
			if seen[kv[0]] {
				continue
			}
			seen[kv[0]] = true
			if v, ok := reflect.StructTag(tag).Lookup(kv[0]); !ok || v != kv[1] {
				t.Fatalf("tag %q: parsed %s=%q, Lookup says %q, %v", tag, kv[0], kv[1], v, ok)
			}
		}
	})
}

// ---- order-preserving key encodings ----

// The decoders of the encodings exist for this test: decoding shows that
// no two values share an encoding.

func decodeOrderedInt(s string, k reflect.Kind) (int64, error) {
	w := intWidth(k)
	if neg := strings.HasPrefix(s, "-"); neg {
		u, err := decodePadded(s[1:], w)
		off := uint64(1) << (bitSize(k) - 1)
		if err != nil || u >= off {
			return 0, fmt.Errorf("bad negative %q", s)
		}
		return int64(u - off), nil
	}
	u, err := decodePadded(s, w)
	if err != nil || u > math.MaxInt64 {
		return 0, fmt.Errorf("bad %q", s)
	}
	return int64(u), nil
}

func decodePadded(s string, w int) (uint64, error) {
	if len(s) != w {
		return 0, fmt.Errorf("width %d, want %d", len(s), w)
	}
	return strconv.ParseUint(s, 10, 64)
}

func decodeOrderedFloat(s string) (float64, error) {
	bits, err := strconv.ParseUint(s, 16, 64)
	if err != nil || len(s) != 16 {
		return 0, fmt.Errorf("bad float %q", s)
	}
	if bits&(1<<63) != 0 {
		bits &^= 1 << 63
	} else {
		bits = ^bits
	}
	return math.Float64frombits(bits), nil
}

func decodeOrderedTime(s string) (time.Time, error) {
	var year int64
	rest := s
	switch {
	case s != "" && (s[0] == yearsBefore0 || s[0] == yearsAfter9999):
		if len(s) < 1+wideYearDigits {
			return time.Time{}, fmt.Errorf("short %q", s)
		}
		y, err := decodePadded(s[1:1+wideYearDigits], wideYearDigits)
		if err != nil {
			return time.Time{}, err
		}
		year, rest = int64(y), s[1+wideYearDigits:]
		if s[0] == yearsBefore0 {
			year -= wideYearsOffset
		}
	case len(s) >= 4:
		y, err := strconv.ParseUint(s[:4], 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		year, rest = int64(y), s[4:]
	default:
		return time.Time{}, fmt.Errorf("short %q", s)
	}
	// The rest, in a leap year so that Feb 29 parses.
	t, err := time.Parse(timeKeyLayout, "2000"+rest)
	if err != nil {
		return time.Time{}, err
	}
	return time.Date(int(year), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), nil
}

var intKinds = []reflect.Kind{reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int}
var uintKinds = []reflect.Kind{reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint}

// asKind truncates v to the integer kind k, as a conversion would.
func asKind(v int64, k reflect.Kind) int64 {
	switch k {
	case reflect.Int8:
		return int64(int8(v))
	case reflect.Int16:
		return int64(int16(v))
	case reflect.Int32:
		return int64(int32(v))
	}
	return v
}

func asUintKind(v uint64, k reflect.Kind) uint64 {
	switch k {
	case reflect.Uint8:
		return uint64(uint8(v))
	case reflect.Uint16:
		return uint64(uint16(v))
	case reflect.Uint32:
		return uint64(uint32(v))
	}
	return v
}

// maxTimeSeconds bounds the fuzzed times to ±10^11 years around 1970,
// within what time.Time holds without wrapping.
const maxTimeSeconds = 100_000_000_000 * 365 * 86400

// FuzzKeyEncoding: every order-preserving encoding decodes back to its
// value, has its fixed width, and orders two values as the values order.
func FuzzKeyEncoding(f *testing.F) {
	f.Add(int64(-1), int64(1), 0.0, math.Copysign(0, -1))
	f.Add(int64(math.MinInt64), int64(math.MaxInt64), math.Inf(-1), math.NaN())
	f.Add(int64(-62135596800-86400), int64(253402300800), -1.5, 1e300)
	f.Add(int64(-127), int64(128), math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64)
	f.Fuzz(func(t *testing.T, a, b int64, fa, fb float64) {
		check := func(what string, ea, eb string, c int) {
			t.Helper()
			if got := strings.Compare(ea, eb); got != c {
				t.Fatalf("%s: compare(%q, %q) = %d, values compare %d", what, ea, eb, got, c)
			}
		}
		for _, k := range intKinds {
			x, y := asKind(a, k), asKind(b, k)
			ex, ey := string(appendOrderedInt(nil, x, k)), string(appendOrderedInt(nil, y, k))
			if d, err := decodeOrderedInt(ex, k); err != nil || d != x {
				t.Fatalf("%s %d: encoded %q, decoded %d, %v", k, x, ex, d, err)
			}
			check(k.String(), ex, ey, cmp.Compare(x, y))
		}
		for _, k := range uintKinds {
			x, y := asUintKind(uint64(a), k), asUintKind(uint64(b), k)
			ex, ey := string(appendOrderedUint(nil, x, k)), string(appendOrderedUint(nil, y, k))
			if d, err := decodePadded(ex, intWidth(k)); err != nil || d != x {
				t.Fatalf("%s %d: encoded %q, decoded %d, %v", k, x, ex, d, err)
			}
			check(k.String(), ex, ey, cmp.Compare(x, y))
		}
		for _, pair := range [][2]float64{{fa, fb}, {float64(float32(fa)), float64(float32(fb))}} {
			x, y := pair[0], pair[1]
			ex, ey := string(appendOrderedFloat(nil, x)), string(appendOrderedFloat(nil, y))
			d, err := decodeOrderedFloat(ex)
			if err != nil || cmp.Compare(d, x) != 0 {
				t.Fatalf("float %v: encoded %q, decoded %v, %v", x, ex, d, err)
			}
			check("float", ex, ey, cmp.Compare(x, y))
		}
		ta := time.Unix(a%maxTimeSeconds, b%1e9)
		tb := time.Unix(b%maxTimeSeconds, a%1e9).In(time.FixedZone("z", int(a%86400)))
		ea, eb := string(appendOrderedTime(nil, ta)), string(appendOrderedTime(nil, tb))
		for _, c := range []struct {
			tm time.Time
			e  string
		}{{ta, ea}, {tb, eb}} {
			if d, err := decodeOrderedTime(c.e); err != nil || !d.Equal(c.tm) {
				t.Fatalf("time %v: encoded %q, decoded %v, %v", c.tm, c.e, d, err)
			}
		}
		check("time", ea, eb, ta.Compare(tb))
	})
}

// ---- paths ----

type fuzzDoc struct {
	_     Entity `entity:"doc" pk:"D#{ID}"`
	ID    string
	Inner struct {
		A []struct{ B map[string][]int }
		T time.Time
	} `dynamo:"in"`
	M   map[string]*fuzzDoc
	Set []string `dynamo:",set"`
	Raw []byte
}

// FuzzPath: the path parser never panics, and what it accepts reaches a
// leaf whose values encode, and prints back to a path that resolves the
// same.
func FuzzPath(f *testing.F) {
	info, err := typeInfoOf(reflect.TypeFor[fuzzDoc]())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"ID", "Inner.A[0].B.k[3]", "M.x.Inner.T", "Set[0]", "Raw[1]", "Inner..A", "Inner.A[01]", "M.", "[0]", "Inner.A[9999999999999999999]", "M.a.M.b.ID"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, err := info.path(text)
		if err != nil {
			return
		}
		if p.steps[0].name != p.top.attr || p.steps[0].index >= 0 {
			t.Fatalf("%q: first step %+v, field %s", text, p.steps[0], p.top.attr)
		}
		if _, err := p.leaf.encodeValue(reflect.Zero(p.leaf.typ)); err != nil {
			t.Fatalf("%q: leaf %s does not encode: %v", text, p.leaf.typ, err)
		}
		segs, _ := splitPath(text)
		var b strings.Builder
		for i, s := range segs {
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.name)
			for _, n := range s.indexes {
				b.WriteString("[" + strconv.Itoa(n) + "]")
			}
		}
		q, err := info.path(b.String())
		if err != nil || !reflect.DeepEqual(q.steps, p.steps) || q.leaf.typ != p.leaf.typ {
			t.Fatalf("%q printed as %q: %v", text, b.String(), err)
		}
		var x exprs
		if s := x.path(p); s == "" || strings.Contains(s, "..") {
			t.Fatalf("%q renders %q", text, s)
		}
	})
}
