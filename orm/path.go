package orm

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/guregu/dynamo/v2"
)

// Paths name what changes and conditions act on: a field by its Go name
// ("Points"), or a place inside one, with dots into structs and maps and
// [n] into lists ("Address.City", "Labels.color", "Lines[0].Qty"). They
// are resolved through the model's types and dynamo tags, once per path
// and type, to the attribute names of the document path ("#0.#1[0].#2"),
// so a misspelt path fails at the call that names it, before any request.

// docPath is a resolved path.
type docPath struct {
	text  string
	top   *field     // the model's field the path starts in
	steps []pathStep // steps[0] is top's attribute
	leaf  *field     // what the path reaches, for values; top for a plain field
}

// pathStep is an attribute name or a list index.
type pathStep struct {
	name  string
	index int // -1 for a name
}

func (p *docPath) nested() bool { return len(p.steps) > 1 }

// overlaps reports whether one path is the other or inside it, which
// DynamoDB refuses within one update.
func (p *docPath) overlaps(q *docPath) bool {
	n := min(len(p.steps), len(q.steps))
	for i := range n {
		if p.steps[i] != q.steps[i] {
			return false
		}
	}
	return true
}

// path renders p with a placeholder per attribute name.
func (x *exprs) path(p *docPath) string {
	if !p.nested() {
		return x.name(p.steps[0].name)
	}
	var b strings.Builder
	for i, s := range p.steps {
		if s.index >= 0 {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(x.name(s.name))
	}
	return b.String()
}

type cachedPath struct {
	p   *docPath
	err error
}

// path resolves a path of the model, once.
func (info *typeInfo) path(text string) (*docPath, error) {
	if f, ok := info.byName[text]; ok {
		return f.asPath(), nil
	}
	if v, ok := info.paths.Load(text); ok {
		c := v.(cachedPath)
		return c.p, c.err
	}
	p, err := info.resolve(text)
	if err != nil {
		return nil, fmt.Errorf("orm: %s: path %q: %w", info.entity, text, err)
	}
	// Bounded: map keys make paths as many as the data has keys.
	if info.npaths.Add(1) <= maxCachedPaths {
		info.paths.Store(text, cachedPath{p, nil})
	}
	return p, nil
}

const maxCachedPaths = 1024

// asPath is the path of a top-level field.
func (f *field) asPath() *docPath {
	f.pathOnce.Do(func() {
		f.path = &docPath{text: f.name, top: f, steps: []pathStep{{name: f.attr, index: -1}}, leaf: f}
	})
	return f.path
}

func (info *typeInfo) resolve(text string) (*docPath, error) {
	segs, err := splitPath(text)
	if err != nil {
		return nil, err
	}
	top, ok := info.byName[segs[0].name]
	if !ok {
		return nil, fmt.Errorf("%s has no field %s (fields: %s)", info.typ, segs[0].name, strings.Join(info.fieldNames(), ", "))
	}
	p := &docPath{text: text, top: top, steps: []pathStep{{name: top.attr, index: -1}}}
	typ, tag, where, rules := top.typ, top.dynamoTag, top.name, ""
	for i, s := range segs {
		if i > 0 {
			t := deref(typ)
			switch {
			case opaque(typ):
				return nil, fmt.Errorf("%s is a %s, stored as one value; it has no fields", where, typ)
			case t.Kind() == reflect.Struct:
				var found *field
				visitFields(t, nil, false, map[string]bool{}, func(f *field) {
					if f.name == s.name && found == nil {
						found = f
					}
				})
				if found == nil {
					var names []string
					visitFields(t, nil, false, map[string]bool{}, func(f *field) { names = append(names, f.name) })
					return nil, fmt.Errorf("%s (%s) has no field %s (fields: %s)", where, t, s.name, strings.Join(names, ", "))
				}
				p.steps = append(p.steps, pathStep{name: found.attr, index: -1})
				typ, tag, rules = found.typ, found.dynamoTag, found.validate
			case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && !hasFlag(tag, "set"):
				if s.name == "" {
					return nil, fmt.Errorf("empty map key after %s", where)
				}
				p.steps = append(p.steps, pathStep{name: s.name, index: -1})
				typ, tag, rules = t.Elem(), "", ""
			default:
				return nil, fmt.Errorf("%s is a %s; only structs and maps with string keys have named parts", where, typ)
			}
			where += "." + s.name
		}
		for _, n := range s.indexes {
			t := deref(typ)
			if opaque(typ) || (t.Kind() != reflect.Slice && t.Kind() != reflect.Array) || t.Elem().Kind() == reflect.Uint8 || hasFlag(tag, "set") {
				return nil, fmt.Errorf("%s is a %s, not a list; [%d] does not apply", where, typ, n)
			}
			p.steps = append(p.steps, pathStep{index: n})
			// List elements keep their place: empty ones are stored, as NULL or "".
			typ, tag, rules = t.Elem(), ",allowempty,null", ""
			where += "[" + strconv.Itoa(n) + "]"
		}
	}
	if !p.nested() {
		p.leaf = top
		return p, nil
	}
	_, opts, _ := strings.Cut(tag, ",")
	leaf := &field{name: text, attr: "v", typ: typ, dynamoTag: "v," + opts, validate: rules, inner: true}
	leaf.keyKind, leaf.ptr = fieldKeyKind(typ)
	for _, o := range strings.Split(opts, ",") {
		leaf.omitEmpty = leaf.omitEmpty || o == "omitempty"
		leaf.unixtime = leaf.unixtime || o == "unixtime"
	}
	p.leaf = leaf
	return p, nil
}

type pathSeg struct {
	name    string
	indexes []int
}

// splitPath cuts "A.B[1][2].C" into its segments.
func splitPath(text string) ([]pathSeg, error) {
	if text == "" {
		return nil, fmt.Errorf("empty path")
	}
	var segs []pathSeg
	for _, part := range strings.Split(text, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name == "" && len(segs) == 0 {
			return nil, fmt.Errorf("no field name before %q", part)
		}
		seg := pathSeg{name: name}
		if rest != "" || strings.Contains(part, "[") {
			rest = "[" + rest
			for rest != "" {
				end := strings.IndexByte(rest, ']')
				if rest[0] != '[' || end < 0 {
					return nil, fmt.Errorf("malformed list index in %q", part)
				}
				digits := rest[1:end]
				n, err := strconv.Atoi(digits)
				if err != nil || strings.Trim(digits, "0123456789") != "" {
					return nil, fmt.Errorf("list index %q is not a non-negative integer", digits)
				}
				seg.indexes = append(seg.indexes, n)
				rest = rest[end+1:]
			}
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

var (
	dynamoMarshalerType = reflect.TypeFor[dynamo.Marshaler]()
	avMarshalerType     = reflect.TypeFor[attributevalue.Marshaler]()
)

// opaque reports whether guregu/dynamo encodes t as one value of its own
// making (a marshaler, a time) rather than as a map or list the path could
// enter; it checks as guregu does, through pointers.
func opaque(t reflect.Type) bool {
	for {
		if t.Implements(dynamoMarshalerType) || t.Implements(avMarshalerType) || t.Implements(textMarshalerType) {
			return true
		}
		if t.Kind() != reflect.Pointer {
			return false
		}
		t = t.Elem()
	}
}

func hasFlag(tag, flag string) bool {
	_, opts, _ := strings.Cut(tag, ",")
	for _, o := range strings.Split(opts, ",") {
		if o == flag {
			return true
		}
	}
	return false
}

func (info *typeInfo) fieldNames() []string {
	out := make([]string, len(info.fields))
	for i, f := range info.fields {
		out[i] = f.name
	}
	return out
}
