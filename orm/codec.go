package orm

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// Entity marks a struct as a model. Its struct tags carry the entity name
// and the key templates:
//
//	_ orm.Entity `entity:"score" pk:"GAME#{Game}" sk:"PLAYER#{Player}" gsi1pk:"BOARD#{Game}" gsi1sk:"{Points}"`
//
// Tag keys are "pk" and "sk" for the table's primary key and "<index>pk",
// "<index>sk" for an index of the [Layout]; the attribute names come from
// the layout, so models survive a rename of the physical attributes.
type Entity struct{}

var entityType = reflect.TypeFor[Entity]()

// field is one attribute of a model, as guregu/dynamo sees it.
type field struct {
	name      string // Go name
	attr      string // attribute name
	index     []int
	typ       reflect.Type
	dynamoTag string // the raw dynamo tag, to encode the field alone
	omitEmpty bool
	unixtime  bool
	validate  string
	keyKind   keyKind
	ptr       bool // a pointer to a key kind: nil leaves index keys out
	viaPtr    bool // reached through an embedded pointer
	inner     bool // a place inside a field, reached by a path

	once     sync.Once
	single   reflect.Type // struct{ F T `dynamo:"..."` }
	pathOnce sync.Once
	path     *docPath   // the field as a path
	decode   decodeFunc // direct decoder, nil: guregu
}

// typeInfo is everything about a model type that does not depend on a
// table: fields, tags and key templates. Built once per type.
type typeInfo struct {
	typ       reflect.Type
	entity    string
	fields    []*field
	byName    map[string]*field
	byAttr    map[string]*field
	templates map[string]*keyTemplate // tag key ("pk", "gsi1sk") → template
	tagOrder  []string
	ttl       *field
	version   *field
	created   *field
	updated   *field
	uniques   []*field
	validate  bool
	paths     sync.Map     // nested path text → cachedPath
	npaths    atomic.Int32 // paths cached
	// fastDecode: fields decode one by one (see decode.go); false when the
	// type decodes itself or has fields behind embedded pointers.
	fastDecode bool
}

type cachedInfo struct {
	info *typeInfo
	err  error
}

var typeInfos sync.Map // reflect.Type → cachedInfo

// typeInfoOf returns the compiled description of t, building it once.
func typeInfoOf(t reflect.Type) (*typeInfo, error) {
	if v, ok := typeInfos.Load(t); ok {
		c := v.(cachedInfo)
		return c.info, c.err
	}
	info, err := buildTypeInfo(t)
	v, _ := typeInfos.LoadOrStore(t, cachedInfo{info, err})
	c := v.(cachedInfo)
	return c.info, c.err
}

func buildTypeInfo(t reflect.Type) (*typeInfo, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("orm: model %s is not a struct", t)
	}
	info := &typeInfo{
		typ:       t,
		byName:    map[string]*field{},
		byAttr:    map[string]*field{},
		templates: map[string]*keyTemplate{},
	}
	errf := func(format string, args ...any) error {
		return fmt.Errorf("orm: model %s: "+format, append([]any{t}, args...)...)
	}
	visitFields(t, nil, false, map[string]bool{}, func(f *field) {
		info.fields = append(info.fields, f)
		info.byName[f.name] = f
		info.byAttr[f.attr] = f
	})

	var entityTag reflect.StructTag
	found := false
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Type == entityType {
			entityTag, found = sf.Tag, true
			break
		}
	}
	if !found {
		return nil, errf("no orm.Entity field; add `_ orm.Entity `entity:\"name\" pk:\"...\"``")
	}
	tags, err := parseStructTag(string(entityTag))
	if err != nil {
		return nil, errf("orm.Entity tag: %v", err)
	}
	for _, kv := range tags {
		switch {
		case kv[0] == "entity":
			info.entity = kv[1]
		case strings.HasSuffix(kv[0], "pk") || strings.HasSuffix(kv[0], "sk"):
			tpl, err := parseTemplate(kv[1], info.byName)
			if err != nil {
				return nil, errf("tag %s:%q: %v", kv[0], kv[1], err)
			}
			info.templates[kv[0]] = tpl
			info.tagOrder = append(info.tagOrder, kv[0])
		default:
			return nil, errf("unknown orm.Entity tag %q (want entity, pk, sk, <index>pk, <index>sk)", kv[0])
		}
	}
	if info.entity == "" {
		info.entity = t.Name()
	}
	info.validate = hasValidateTags(t, map[reflect.Type]bool{})
	info.fastDecode = true
	for _, f := range info.fields {
		f.decode = fastDecoder(f)
		if f.viaPtr {
			info.fastDecode = false
		}
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(reflect.TypeFor[dynamo.ItemUnmarshaler]()) || pt.Implements(unmarshalerType) || pt.Implements(avUnmarshalerType) {
		info.fastDecode = false
	}
	if info.templates["pk"] == nil {
		return nil, errf("orm.Entity has no pk template")
	}
	for _, f := range info.fields {
		if err := info.roles(f); err != nil {
			return nil, errf("field %s: %v", f.name, err)
		}
	}
	return info, nil
}

// roles reads a field's orm tag: ttl, version, created, updated, unique.
func (info *typeInfo) roles(f *field) error {
	sf := info.typ.FieldByIndex(f.index)
	tag := sf.Tag.Get("orm")
	if tag == "" {
		return nil
	}
	for _, role := range strings.Split(tag, ",") {
		var slot **field
		switch role {
		case "ttl", "version", "created", "updated":
			if f.ptr {
				return fmt.Errorf(`orm:%q needs a value, not the pointer %s`, role, f.typ)
			}
		}
		switch role {
		case "ttl":
			if f.typ != timeType && f.keyKind != keyInt && f.keyKind != keyUint {
				return fmt.Errorf(`orm:"ttl" needs a time.Time or an integer of epoch seconds, not %s`, f.typ)
			}
			slot = &info.ttl
		case "version":
			if f.keyKind != keyInt && f.keyKind != keyUint {
				return fmt.Errorf(`orm:"version" needs an integer, not %s`, f.typ)
			}
			slot = &info.version
		case "created", "updated":
			if f.typ != timeType {
				return fmt.Errorf(`orm:%q needs a time.Time, not %s`, role, f.typ)
			}
			slot = &info.created
			if role == "updated" {
				slot = &info.updated
			}
		case "unique":
			if f.keyKind == keyNone {
				return fmt.Errorf(`orm:"unique" needs a string, number or time, not %s`, f.typ)
			}
			info.uniques = append(info.uniques, f)
			continue
		default:
			return fmt.Errorf("unknown orm tag %q (want ttl, version, created, updated, unique)", role)
		}
		if *slot != nil {
			return fmt.Errorf(`two fields tagged orm:%q: %s and %s`, role, (*slot).name, f.name)
		}
		*slot = f
	}
	return nil
}

// visitFields walks the fields guregu/dynamo encodes, with its rules:
// exported fields, `dynamo:"-"` skipped, anonymous structs flattened, the
// first field of a name wins.
func visitFields(t reflect.Type, trail []int, viaPtr bool, seen map[string]bool, fn func(*field)) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		ft := sf.Type
		tag := sf.Tag.Get("dynamo")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if seen[name] {
			continue
		}
		index := append(append([]int(nil), trail...), sf.Index...)
		if sf.Anonymous {
			isPtr := ft.Kind() == reflect.Pointer
			if isPtr {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				visitFields(ft, index, viaPtr || isPtr, seen, fn)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		seen[name] = true
		f := &field{
			name:      sf.Name,
			attr:      name,
			index:     index,
			typ:       sf.Type,
			dynamoTag: tag,
			validate:  sf.Tag.Get("validate"),
			viaPtr:    viaPtr,
		}
		f.keyKind, f.ptr = fieldKeyKind(sf.Type)
		for _, o := range strings.Split(opts, ",") {
			switch o {
			case "omitempty":
				f.omitEmpty = true
			case "unixtime":
				f.unixtime = true
			}
		}
		fn(f)
	}
}

// parseStructTag splits a raw struct tag into key/value pairs, the way
// reflect.StructTag.Lookup reads them, so that every key can be seen.
func parseStructTag(tag string) ([][2]string, error) {
	var out [][2]string
	for tag != "" {
		i := 0
		for i < len(tag) && tag[i] == ' ' {
			i++
		}
		tag = tag[i:]
		if tag == "" {
			break
		}
		i = 0
		for i < len(tag) && tag[i] > ' ' && tag[i] != ':' && tag[i] != '"' && tag[i] != 0x7f {
			i++
		}
		if i == 0 || i+1 >= len(tag) || tag[i] != ':' || tag[i+1] != '"' {
			return nil, fmt.Errorf("malformed tag near %q", tag)
		}
		key := tag[:i]
		tag = tag[i+1:]
		i = 1
		for i < len(tag) && tag[i] != '"' {
			if tag[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(tag) {
			return nil, fmt.Errorf("unterminated value for %s", key)
		}
		value, err := strconv.Unquote(tag[:i+1])
		if err != nil {
			return nil, fmt.Errorf("bad value for %s: %v", key, err)
		}
		tag = tag[i+1:]
		out = append(out, [2]string{key, value})
	}
	return out, nil
}

// encodeValue encodes v as field f would be encoded inside its model,
// honouring the field's dynamo flags (unixtime, set, omitempty...). It
// reports nil for a value guregu/dynamo would omit.
func (f *field) encodeValue(v reflect.Value) (types.AttributeValue, error) {
	f.once.Do(f.buildSingle)
	s := reflect.New(f.single).Elem()
	s.Field(0).Set(v)
	item, err := dynamo.MarshalItem(s.Interface())
	if err != nil {
		return nil, err
	}
	return item[f.attr], nil
}

func (f *field) buildSingle() {
	tag := f.dynamoTag
	if name, _, _ := strings.Cut(tag, ","); name == "" {
		tag = f.attr + tag // keep the attribute name when the tag has none
	}
	f.single = reflect.StructOf([]reflect.StructField{{
		Name: "F",
		Type: f.typ,
		Tag:  reflect.StructTag(`dynamo:"` + strings.ReplaceAll(tag, `"`, `\"`) + `"`),
	}})
}

// fieldKeyKind says how a field of type t can take part in a key, and
// whether through a pointer.
func fieldKeyKind(t reflect.Type) (keyKind, bool) {
	if t.Kind() != reflect.Pointer {
		return keyKindOf(t), false
	}
	if k := keyKindOf(t.Elem()); k != keyNone {
		return k, true
	}
	if t.Implements(textMarshalerType) {
		return keyString, true // MarshalText on the pointer
	}
	return keyNone, true
}

// convert turns a user-supplied value into the field's type: assignable
// values, numbers to numbers, strings to strings, and for a pointer field
// the same to its element. Nothing else, so that Set("Name", 65) is an
// error and not "A".
func (f *field) convert(v any) (reflect.Value, error) {
	if v == nil {
		return reflect.Zero(f.typ), nil
	}
	out, ok := convertTo(reflect.ValueOf(v), f.typ)
	if !ok && f.typ.Kind() == reflect.Pointer {
		if elem, ok2 := convertTo(reflect.ValueOf(v), f.typ.Elem()); ok2 {
			out, ok = reflect.New(f.typ.Elem()), true
			out.Elem().Set(elem)
		}
	}
	if !ok {
		return reflect.Value{}, fmt.Errorf("field %s is %s, got %T", f.name, f.typ, v)
	}
	return out, nil
}

func convertTo(rv reflect.Value, t reflect.Type) (reflect.Value, bool) {
	if rv.Type().AssignableTo(t) {
		out := reflect.New(t).Elem()
		out.Set(rv)
		return out, true
	}
	from, to := keyKindOf(rv.Type()), keyKindOf(t)
	if (from.numeric() && to.numeric() || rv.Kind() == reflect.String && t.Kind() == reflect.String) && rv.Type().ConvertibleTo(t) {
		return rv.Convert(t), true
	}
	return reflect.Value{}, false
}

// epochSeconds reads a ttl field as seconds since the epoch (0 = none).
func (f *field) epochSeconds(v reflect.Value) int64 {
	switch f.keyKind {
	case keyTime:
		t := v.Interface().(time.Time)
		if t.IsZero() {
			return 0
		}
		return t.Unix()
	case keyInt:
		return v.Int()
	case keyUint:
		return int64(v.Uint())
	}
	return 0
}
