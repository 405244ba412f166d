package lambda

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBody bounds a request body read from net/http: Lambda's own limit
// for a synchronous invocation's payload.
const maxBody = 6 << 20

// Where a bound value comes from.
const (
	inPath = iota
	inQuery
	inHeader
	inCookie
	inBody
)

var inNames = [...]string{"path", "query", "header", "cookie", "body"}

var bindTags = [...]string{"path", "query", "header", "cookie"}

// binding is how to fill one input type from a request: compiled once per
// type and cached, so a bad tag fails when the handler is built.
type binding struct {
	ptr      bool // In is a pointer to the bound type
	isStruct bool
	body     bool // some field comes from the JSON body (or In is not a struct)
	validate bool // some field, at any depth, has a validate tag
	hasQuery bool
	params   []param
	byGoPath map[string]*param
}

// param is one struct field bound from the path, query, header or cookie.
type param struct {
	index  []int
	goPath string // "Limit", or "Page.Limit" in an embedded struct
	name   string // the name in the request; canonical for headers
	in     int
	multi  bool // a slice: every value
	set    setter
	want   string // what a value must look like, for errors: "an integer"
}

type setter func(v reflect.Value, s string) error

var bindings sync.Map // reflect.Type -> *binding or error

func bindingFor(t reflect.Type) (*binding, error) {
	if v, ok := bindings.Load(t); ok {
		if err, ok := v.(error); ok {
			return nil, err
		}
		return v.(*binding), nil
	}
	b, err := compileBinding(t)
	if err != nil {
		bindings.Store(t, err)
		return nil, err
	}
	v, _ := bindings.LoadOrStore(t, b)
	return v.(*binding), nil
}

func compileBinding(t reflect.Type) (*binding, error) {
	b := &binding{}
	if t.Kind() == reflect.Pointer {
		b.ptr, t = true, t.Elem()
	}
	if t.Kind() != reflect.Struct {
		b.body = true
		return b, nil
	}
	b.isStruct = true
	b.byGoPath = map[string]*param{}
	if err := b.fields(t, nil, ""); err != nil {
		return nil, fmt.Errorf("lambda: binding %s: %w", t, err)
	}
	for i := range b.params {
		b.byGoPath[b.params[i].goPath] = &b.params[i]
	}
	b.validate = hasValidateTag(t, map[reflect.Type]bool{})
	return b, nil
}

func (b *binding) fields(t reflect.Type, index []int, prefix string) error {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		idx := append(append([]int(nil), index...), i)
		name, in, tagged := bindTag(f)
		if !tagged {
			if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
				if err := b.fields(f.Type, idx, prefix+f.Name+"."); err != nil {
					return err
				}
				continue
			}
			if f.IsExported() && f.Tag.Get("json") != "-" {
				b.body = true
			}
			continue
		}
		if !f.IsExported() {
			return fmt.Errorf("field %s: tagged %s but not exported", f.Name, inNames[in])
		}
		p := param{index: idx, goPath: prefix + f.Name, name: name, in: in}
		ft := f.Type
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() != reflect.Uint8 && !isTextType(ft) {
			p.multi, ft = true, ft.Elem()
		}
		set, want, err := setterFor(ft)
		if err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
		p.set, p.want = set, want
		if in == inHeader {
			p.name = http.CanonicalHeaderKey(name)
		}
		if in == inQuery {
			b.hasQuery = true
		}
		b.params = append(b.params, p)
	}
	return nil
}

// bindTag reads the path/query/header/cookie tag of a field.
func bindTag(f reflect.StructField) (name string, in int, ok bool) {
	for i, k := range bindTags {
		if v, ok := f.Tag.Lookup(k); ok {
			name, _, _ = strings.Cut(v, ",")
			if name == "" {
				name = f.Name
			}
			return name, i, true
		}
	}
	return "", 0, false
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	durationType    = reflect.TypeFor[time.Duration]()
)

func isTextType(t reflect.Type) bool { return reflect.PointerTo(t).Implements(textUnmarshaler) }

// setterFor returns how to parse one string into a value of type t.
func setterFor(t reflect.Type) (setter, string, error) {
	switch {
	case isTextType(t):
		want := "a valid " + t.String()
		if t == reflect.TypeFor[time.Time]() {
			want = "an RFC 3339 time"
		}
		return func(v reflect.Value, s string) error {
			return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
		}, want, nil
	case t == durationType:
		return func(v reflect.Value, s string) error {
			d, err := time.ParseDuration(s)
			v.SetInt(int64(d))
			return err
		}, "a duration such as 1m30s", nil
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value, s string) error { v.SetString(s); return nil }, "a string", nil
	case reflect.Bool:
		return func(v reflect.Value, s string) error {
			x, err := strconv.ParseBool(s)
			v.SetBool(x)
			return err
		}, "true or false", nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return func(v reflect.Value, s string) error {
			x, err := strconv.ParseInt(s, 10, bits)
			v.SetInt(x)
			return err
		}, "an integer", nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		bits := t.Bits()
		return func(v reflect.Value, s string) error {
			x, err := strconv.ParseUint(s, 10, bits)
			v.SetUint(x)
			return err
		}, "a non-negative integer", nil
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(v reflect.Value, s string) error {
			x, err := strconv.ParseFloat(s, bits)
			v.SetFloat(x)
			return err
		}, "a number", nil
	case reflect.Pointer:
		elem, want, err := setterFor(t.Elem())
		if err != nil {
			return nil, "", err
		}
		return func(v reflect.Value, s string) error {
			p := reflect.New(t.Elem())
			if err := elem(p.Elem(), s); err != nil {
				return err
			}
			v.Set(p)
			return nil
		}, want, nil
	}
	return nil, "", fmt.Errorf("cannot bind a %s", t)
}

// bind fills *dst (a pointer to the handler's In) from r: the JSON body
// first, then path, query, header and cookie values, which a body can
// never set; then validates it.
func (b *binding) bind(r *http.Request, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	if b.ptr {
		v.Set(reflect.New(v.Type().Elem()))
		v = v.Elem()
	}
	if b.body {
		if err := b.decodeBody(r, v); err != nil {
			return err
		}
	}
	if b.isStruct && len(b.params) > 0 {
		if errs := b.bindParams(r, v); len(errs) > 0 {
			return &Problem{Status: http.StatusBadRequest, Detail: "invalid request", Errors: errs}
		}
	}
	if b.validate {
		return b.check(r.Context(), v.Addr().Interface())
	}
	return nil
}

func (b *binding) decodeBody(r *http.Request, v reflect.Value) error {
	body, err := readBody(r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return Error(http.StatusBadRequest, "cannot read the request body")
	}
	if len(body) == 0 {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return Error(http.StatusUnsupportedMediaType, "the body must be JSON")
	}
	if err := json.Unmarshal(body, v.Addr().Interface()); err != nil {
		return jsonProblem(err)
	}
	if b.isStruct {
		for i := range b.params {
			v.FieldByIndex(b.params[i].index).SetZero()
		}
	}
	return nil
}

func readBody(r *http.Request) ([]byte, error) {
	switch body := r.Body.(type) {
	case nil:
		return nil, nil
	case *eventBody:
		return body.rest(), nil
	}
	if r.Body == http.NoBody {
		return nil, nil
	}
	return io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
}

func isJSON(contentType string) bool {
	mt := mediaType(contentType)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// jsonProblem turns a decoding error into a 400 that says where the body
// went wrong, without echoing it.
func jsonProblem(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		return Error(http.StatusBadRequest, fmt.Sprintf("malformed JSON at offset %d", syn.Offset))
	case errors.As(err, &typ):
		return &Problem{Status: http.StatusBadRequest, Detail: "invalid request", Errors: []FieldError{{
			Name: typ.Field, In: "body", Reason: "must be " + jsonKind(typ.Type),
		}}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Error(http.StatusBadRequest, "malformed JSON: unexpected end of body")
	}
	return Error(http.StatusBadRequest, "invalid JSON body")
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a " + t.String()
}

func (b *binding) bindParams(r *http.Request, v reflect.Value) []FieldError {
	var (
		errs  []FieldError
		query url.Values
		one   [1]string
	)
	if b.hasQuery {
		query = r.URL.Query()
	}
	for i := range b.params {
		p := &b.params[i]
		var vals []string
		switch p.in {
		case inPath:
			if s := r.PathValue(p.name); s != "" {
				one[0] = s
				vals = one[:]
			}
		case inQuery:
			vals = query[p.name]
		case inHeader:
			vals = r.Header[p.name]
		case inCookie:
			if c, err := r.Cookie(p.name); err == nil {
				one[0] = c.Value
				vals = one[:]
			}
		}
		if len(vals) == 0 {
			continue
		}
		f := v.FieldByIndex(p.index)
		if !p.multi {
			if err := p.set(f, vals[0]); err != nil {
				errs = append(errs, FieldError{Name: p.name, In: inNames[p.in], Reason: "must be " + p.want})
			}
			continue
		}
		s := reflect.MakeSlice(f.Type(), len(vals), len(vals))
		for j, x := range vals {
			if err := p.set(s.Index(j), x); err != nil {
				errs = append(errs, FieldError{Name: p.name, In: inNames[p.in], Reason: "every value must be " + p.want})
				break
			}
		}
		f.Set(s)
	}
	return errs
}
