package orm

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A key template is the text of a key tag: literal parts and {Field} or
// {Field:format} references, such as "GAME#{Game}#{At:2006-01-02}".
// Formats: "raw" (plain decimal numbers, no padding), a fmt verb such as
// "%05d", "lower"/"upper" for strings, and for times "unix" or a Go time
// layout. A template that is a single number field (or a time with
// format "unix") is a typed N key. "{{" and "}}" are literal braces.
type keyTemplate struct {
	text   string
	parts  []tplPart
	fields []*field // distinct, in order of first use
	number bool     // renders an N attribute
	prefix string   // literal text before the first field
}

type tplPart struct {
	lit    string
	f      *field // nil for a literal
	format string
}

// parseTemplate compiles text against the fields of a model.
func parseTemplate(text string, fields map[string]*field) (*keyTemplate, error) {
	if text == "" {
		return nil, fmt.Errorf("empty template")
	}
	t := &keyTemplate{text: text}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, tplPart{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '{' && i+1 < len(text) && text[i+1] == '{':
			lit.WriteByte('{')
			i++
		case c == '}' && i+1 < len(text) && text[i+1] == '}':
			lit.WriteByte('}')
			i++
		case c == '}':
			return nil, fmt.Errorf("unmatched } at offset %d", i)
		case c == '{':
			end := strings.IndexByte(text[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unterminated { at offset %d", i)
			}
			ref := text[i+1 : i+end]
			name, format, _ := strings.Cut(ref, ":")
			f, ok := fields[name]
			if !ok {
				return nil, fmt.Errorf("unknown field %q", name)
			}
			if f.keyKind == keyNone {
				return nil, fmt.Errorf("field %s of type %s cannot be part of a key (use a string, number, time or encoding.TextMarshaler)", name, f.typ)
			}
			if f.viaPtr {
				return nil, fmt.Errorf("field %s is reached through an embedded pointer and cannot be part of a key", name)
			}
			if err := checkFormat(f, format); err != nil {
				return nil, fmt.Errorf("field %s: %w", name, err)
			}
			flush()
			if len(t.fields) == 0 && len(t.parts) == 1 {
				t.prefix = t.parts[0].lit
			}
			t.parts = append(t.parts, tplPart{f: f, format: format})
			if !containsField(t.fields, f) {
				t.fields = append(t.fields, f)
			}
			i += end
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	if len(t.fields) == 0 {
		t.prefix = t.parts[0].lit // the literal, unescaped: "A{{B}}" is "A{B}"
	}
	if len(t.parts) == 1 && t.parts[0].f != nil {
		p := t.parts[0]
		switch {
		case p.f.keyKind.numeric() && p.format == "":
			t.number = true
		case p.f.keyKind == keyTime && p.format == "unix":
			t.number = true
		}
	}
	return t, nil
}

func containsField(fs []*field, f *field) bool {
	for _, g := range fs {
		if g == f {
			return true
		}
	}
	return false
}

func checkFormat(f *field, format string) error {
	switch {
	case format == "":
		return nil
	case strings.HasPrefix(format, "%"):
		return nil
	case format == "raw" && f.keyKind.numeric():
		return nil
	case (format == "lower" || format == "upper") && f.keyKind == keyString:
		return nil
	case f.keyKind == keyTime:
		return nil // "unix" or a Go layout
	}
	return fmt.Errorf("format %q does not apply to %s", format, f.typ)
}

// literal reports whether the template has no fields.
func (t *keyTemplate) literal() bool { return len(t.fields) == 0 }

// render builds the attribute value of the template from a model value.
func (t *keyTemplate) render(rv reflect.Value) types.AttributeValue {
	s, _ := t.appendTo(make([]byte, 0, len(t.text)+24), rv, false)
	if t.number {
		return &types.AttributeValueMemberN{Value: string(s)}
	}
	return &types.AttributeValueMemberS{Value: string(s)}
}

// checkNumber reports a number key whose value DynamoDB cannot store: a
// NaN or an infinity.
func (t *keyTemplate) checkNumber(rv reflect.Value) error {
	if !t.number || t.parts[0].f.keyKind != keyFloat {
		return nil
	}
	p := t.parts[0]
	fv, ok := keyField(rv, p.f)
	if x := fv.Float(); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
		return fmt.Errorf("field %s is %v, which the number key %q cannot hold", p.f.name, x, t.text)
	}
	return nil
}

// renderPrefix renders up to the first field left at its zero value and
// reports whether the whole template was rendered.
func (t *keyTemplate) renderPrefix(rv reflect.Value) (string, bool) {
	b, full := t.appendTo(nil, rv, true)
	return string(b), full
}

func (t *keyTemplate) appendTo(b []byte, rv reflect.Value, stopAtZero bool) ([]byte, bool) {
	for _, p := range t.parts {
		if p.f == nil {
			b = append(b, p.lit...)
			continue
		}
		fv, ok := keyField(rv, p.f)
		if stopAtZero && (!ok || !p.f.ptr && fv.IsZero()) {
			return b, false
		}
		if t.number {
			return appendNumber(b, fv, p), true
		}
		b = appendKeyValue(b, fv, p)
	}
	return b, true
}

// keyField reads field f of rv for a key, through its pointer if it has
// one; ok is false for a nil pointer, which reads as the zero value.
func keyField(rv reflect.Value, f *field) (fv reflect.Value, ok bool) {
	fv = rv.FieldByIndex(f.index)
	if !f.ptr {
		return fv, true
	}
	if fv.IsNil() {
		return reflect.Zero(fv.Type().Elem()), false
	}
	return fv.Elem(), true
}

// present reports whether every field the template reads was written to
// item: a field the codec leaves out (a nil pointer, an empty string, a
// zero value tagged omitempty) leaves out the keys that read it.
func (t *keyTemplate) present(item map[string]types.AttributeValue) bool {
	for _, f := range t.fields {
		if _, ok := item[f.attr]; !ok {
			return false
		}
	}
	return true
}

func appendNumber(b []byte, fv reflect.Value, p tplPart) []byte {
	switch p.f.keyKind {
	case keyInt:
		return strconv.AppendInt(b, fv.Int(), 10)
	case keyUint:
		return strconv.AppendUint(b, fv.Uint(), 10)
	case keyFloat:
		return strconv.AppendFloat(b, fv.Float(), 'f', -1, 64)
	default: // time, "unix"
		return strconv.AppendInt(b, fv.Interface().(time.Time).Unix(), 10)
	}
}

func appendKeyValue(b []byte, fv reflect.Value, p tplPart) []byte {
	if strings.HasPrefix(p.format, "%") {
		return fmt.Appendf(b, p.format, fv.Interface())
	}
	switch p.f.keyKind {
	case keyString:
		var s string
		if fv.Kind() == reflect.String {
			s = fv.String()
		} else if m := textMarshaler(fv); m != nil {
			text, _ := m.MarshalText()
			s = string(text)
		}
		switch p.format {
		case "lower":
			s = strings.ToLower(s)
		case "upper":
			s = strings.ToUpper(s)
		}
		return append(b, s...)
	case keyInt:
		if p.format == "raw" {
			return strconv.AppendInt(b, fv.Int(), 10)
		}
		return appendOrderedInt(b, fv.Int(), fv.Kind())
	case keyUint:
		if p.format == "raw" {
			return strconv.AppendUint(b, fv.Uint(), 10)
		}
		return appendOrderedUint(b, fv.Uint(), fv.Kind())
	case keyFloat:
		if p.format == "raw" {
			return strconv.AppendFloat(b, fv.Float(), 'f', -1, 64)
		}
		return appendOrderedFloat(b, fv.Float())
	case keyTime:
		tm := fv.Interface().(time.Time)
		switch p.format {
		case "":
			return appendOrderedTime(b, tm)
		case "unix":
			return appendOrderedInt(b, tm.Unix(), reflect.Int64)
		default:
			return tm.UTC().AppendFormat(b, p.format)
		}
	}
	return b
}

// textMarshaler finds the MarshalText of fv, on the value or, for
// pointer receivers, on its address; nil when there is none to call.
func textMarshaler(fv reflect.Value) encoding.TextMarshaler {
	if m, ok := fv.Interface().(encoding.TextMarshaler); ok {
		if fv.Kind() == reflect.Pointer && fv.IsNil() {
			return nil
		}
		return m
	}
	if fv.CanAddr() {
		m, _ := fv.Addr().Interface().(encoding.TextMarshaler)
		return m
	}
	return nil
}

// overlaps reports whether two templates could render the same value,
// judged by their literal prefixes: conservative, but exact for the usual
// "ENTITY#{ID}" shapes.
func (t *keyTemplate) overlaps(u *keyTemplate) bool {
	if t.number != u.number {
		return false // N and S never compare equal
	}
	switch {
	case t.literal() && u.literal():
		return t.prefix == u.prefix
	case t.literal():
		return strings.HasPrefix(t.prefix, u.prefix)
	case u.literal():
		return strings.HasPrefix(u.prefix, t.prefix)
	}
	return strings.HasPrefix(t.prefix, u.prefix) || strings.HasPrefix(u.prefix, t.prefix)
}
