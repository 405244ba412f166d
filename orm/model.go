package orm

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// Model is the typed door to one entity of a table: Get, Put, Update,
// Delete, Query, batches and transaction operations, all on T.
type Model[T any] struct {
	c *codec
}

// Register compiles T's tags against the table's layout. Every mistake a
// model can make is reported here, naming the model and the tag: an
// unknown field in a template, a key field that cannot be a key, an index
// the table lacks, two entities whose keys could collide. Registering a
// type again returns the same model.
func Register[T any](t *Table) (*Model[T], error) {
	c, err := t.register(reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	return &Model[T]{c: c}, nil
}

// MustRegister is Register for package-level variables: it panics on a
// bad model.
func MustRegister[T any](t *Table) *Model[T] {
	m, err := Register[T](t)
	if err != nil {
		panic(err)
	}
	return m
}

// Entity is the model's entity name, the value of the type attribute.
func (m *Model[T]) Entity() string { return m.c.entity }

// Table is the table the model lives in.
func (m *Model[T]) Table() *Table { return m.c.t }

// Encode returns the item Put would write for v: its attributes (through
// guregu/dynamo), its keys, the entity type and the TTL.
func (m *Model[T]) Encode(v *T) (map[string]types.AttributeValue, error) {
	if v == nil {
		return nil, nilItem("Encode", m.c.entity)
	}
	return m.c.encode(reflect.ValueOf(v).Elem())
}

// nilItem reports a nil *T where an item was needed, as a validation error
// rather than a panic.
func nilItem(op, entity string) error {
	return fmt.Errorf("orm: %s of a nil %s: %w", op, entity, ErrValidation)
}

// Decode turns a raw item, from a stream record for instance, into a T.
// An item of another entity is ErrNotFound.
func (m *Model[T]) Decode(item map[string]types.AttributeValue) (T, error) {
	var v T
	if e := entityOf(item, m.c.t.layout.Type); e != m.c.entity {
		return v, fmt.Errorf("orm: item is a %q, not a %s: %w", e, m.c.entity, ErrNotFound)
	}
	err := m.c.decodeInto(item, &v)
	return v, err
}

// Key returns the primary key of v as DynamoDB attributes.
func (m *Model[T]) Key(v T) map[string]types.AttributeValue {
	return m.c.key(reflect.ValueOf(&v).Elem())
}

// boundKey is one key attribute a model writes: a template bound to the
// table's attribute name.
type boundKey struct {
	slot  string // the tag key: "pk", "gsi1sk"
	index string // "" for the table's own key
	attr  string
	tpl   *keyTemplate
}

// codec is a model bound to a table: its type description plus the key
// attributes it writes there.
type codec struct {
	t       *Table
	info    *typeInfo
	entity  string
	keys    []*boundKey
	pk, sk  *boundKey
	byIndex map[string][2]*boundKey // index name ("" = table) → pk, sk
	typeAV  types.AttributeValue
}

// guardTemplate stands for the keys of unique-value guard items in the
// collision check.
var guardTemplate = &keyTemplate{text: "UNIQUE#{...}", prefix: guardPrefix, fields: []*field{{}}}

const guardPrefix = "UNIQUE#"

func (t *Table) register(rt reflect.Type) (*codec, error) {
	if t.err != nil {
		return nil, t.err
	}
	info, err := typeInfoOf(rt)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if c := t.byType[rt]; c != nil {
		return c, nil
	}
	c, err := t.bind(info)
	if err != nil {
		return nil, err
	}
	t.byType[rt] = c
	t.byEntity[c.entity] = c
	t.order = append(t.order, c)
	return c, nil
}

// bind checks a model against the layout and the models already
// registered, under t.mu.
func (t *Table) bind(info *typeInfo) (*codec, error) {
	errf := func(format string, args ...any) error {
		return fmt.Errorf("orm: model %s (entity %q): "+format, append([]any{info.typ, info.entity}, args...)...)
	}
	if other := t.byEntity[info.entity]; other != nil {
		return nil, errf("entity name already used by %s", other.info.typ)
	}
	c := &codec{t: t, info: info, entity: info.entity, byIndex: map[string][2]*boundKey{}, typeAV: &types.AttributeValueMemberS{Value: info.entity}}
	for _, slot := range info.tagOrder {
		tpl := info.templates[slot]
		name, part := slot[:len(slot)-2], slot[len(slot)-2:]
		if slot == "pk" || slot == "sk" {
			name = ""
		}
		ix, ok := t.index(name)
		if !ok {
			return nil, errf("tag %s: table %s has no index %q (its indexes: %s)", slot, t.name, name, t.indexNames())
		}
		bk := &boundKey{slot: slot, index: name, tpl: tpl}
		pair := c.byIndex[name]
		if part == "pk" {
			if name != "" && !t.isGSI(name) {
				return nil, errf("tag %s: %s is a local index; it shares the table's partition key, give %ssk only", slot, name, name)
			}
			bk.attr, pair[0] = ix.PK, bk
		} else {
			if ix.SK == "" {
				return nil, errf("tag %s: index %q has no sort key", slot, name)
			}
			bk.attr, pair[1] = ix.SK, bk
		}
		c.byIndex[name] = pair
		c.keys = append(c.keys, bk)
	}
	c.pk, c.sk = c.byIndex[""][0], c.byIndex[""][1]
	for _, bk := range []*boundKey{c.pk, c.sk} {
		for _, f := range bkFields(bk) {
			if f.ptr {
				return nil, errf("tag %s: field %s is a pointer; only index keys may be left out (a nil pointer), the primary key never", bk.slot, f.name)
			}
		}
	}
	if t.layout.SK != "" && c.sk == nil {
		return nil, errf("table %s has a sort key; add an sk template to orm.Entity", t.name)
	}
	for name, pair := range c.byIndex {
		if name == "" {
			continue
		}
		ix, _ := t.index(name)
		if t.isGSI(name) {
			if pair[0] == nil {
				return nil, errf("tag %ssk without %spk: items would never appear in %s", name, name, name)
			}
			if ix.SK != "" && pair[1] == nil {
				return nil, errf("tag %spk without %ssk: items would never appear in %s", name, name, name)
			}
		}
		// LSIs share the table's partition key.
		if !t.isGSI(name) {
			pair[0] = c.pk
			c.byIndex[name] = pair
		}
	}
	reserved := t.reservedAttrs()
	for _, f := range info.fields {
		what, ok := reserved[f.attr]
		if ok && !(f == info.ttl && f.attr == t.layout.TTL) {
			return nil, errf("field %s is stored as %q, which is %s of table %s; rename it with a dynamo tag", f.name, f.attr, what, t.name)
		}
	}
	if f := info.ttl; f != nil && f.attr == t.layout.TTL && f.keyKind == keyTime && !f.unixtime {
		return nil, errf("field %s is stored as the TTL attribute %q, so it needs `dynamo:\"%s,unixtime\"`", f.name, f.attr, f.attr)
	}

	// Key attribute types must agree across models: an attribute is N or S
	// in the table's attribute definitions, not both.
	for _, bk := range c.keys {
		for _, o := range t.order {
			for _, ok := range o.keys {
				if ok.attr == bk.attr && ok.tpl.number != bk.tpl.number {
					return nil, errf("tag %s makes %s a %s, but %s (tag %s) makes it a %s", bk.slot, bk.attr, typeName(bk.tpl.number), o.entity, ok.slot, typeName(ok.tpl.number))
				}
			}
		}
	}

	// Two entities must never write the same primary key.
	collides := func(pk, sk *keyTemplate) bool {
		return c.pk.tpl.overlaps(pk) && (c.sk == nil || sk == nil || c.sk.tpl.overlaps(sk))
	}
	for _, o := range t.order {
		var osk *keyTemplate
		if o.sk != nil {
			osk = o.sk.tpl
		}
		if collides(o.pk.tpl, osk) {
			return nil, errf("keys pk:%q sk:%q could collide with entity %q (pk:%q sk:%q); give each entity its own literal prefix", c.pk.tpl.text, skText(c.sk), o.entity, o.pk.tpl.text, skText(o.sk))
		}
	}
	guards := len(info.uniques) > 0
	for _, o := range t.order {
		guards = guards || len(o.info.uniques) > 0
	}
	if guards {
		for _, o := range append([]*codec{c}, t.order...) {
			if o.pk.tpl.overlaps(guardTemplate) && (o.sk == nil || o.sk.tpl.overlaps(guardTemplate)) {
				return nil, errf("keys of entity %q (pk:%q) could collide with the unique-value guards (%s...); give the entity a literal prefix", o.entity, o.pk.tpl.text, guardPrefix)
			}
		}
	}
	return c, nil
}

// keyPresent reports whether key bk belongs in item: the primary key
// always; an index key when every field its template reads is in the
// item, and a literal one when the other key of its index is.
func (c *codec) keyPresent(bk *boundKey, item map[string]types.AttributeValue) bool {
	if bk.index == "" {
		return true
	}
	if p := c.partner(bk); bk.tpl.literal() && p != nil {
		return p.tpl.present(item)
	}
	return bk.tpl.present(item)
}

// partner is the other key of bk's index, if it reads fields and bk
// does not: a literal key follows it in and out of the item.
func (c *codec) partner(bk *boundKey) *boundKey {
	pair := c.byIndex[bk.index]
	for _, o := range pair {
		if o != nil && o != bk && o.index == bk.index && !o.tpl.literal() {
			return o
		}
	}
	return nil
}

func bkFields(bk *boundKey) []*field {
	if bk == nil {
		return nil
	}
	return bk.tpl.fields
}

func skText(bk *boundKey) string {
	if bk == nil {
		return ""
	}
	return bk.tpl.text
}

func typeName(number bool) string {
	if number {
		return "number (N)"
	}
	return "string (S)"
}

// encode builds the whole item for v (an addressable T).
func (c *codec) encode(rv reflect.Value) (map[string]types.AttributeValue, error) {
	for _, bk := range c.keys {
		if err := bk.tpl.checkNumber(rv); err != nil {
			return nil, fmt.Errorf("orm: encode %s: %w", c.entity, err)
		}
	}
	item, err := dynamo.MarshalItem(rv.Addr().Interface())
	if err != nil {
		return nil, fmt.Errorf("orm: encode %s: %w", c.entity, err)
	}
	c.addDerived(item, rv)
	return item, nil
}

// addDerived writes what the table derives from the fields: keys, the
// entity type and the TTL. An index key is written only if every field
// its template reads is in the item (see "Sparse indexes" in the package
// documentation).
func (c *codec) addDerived(item map[string]types.AttributeValue, rv reflect.Value) {
	for _, bk := range c.keys {
		if c.keyPresent(bk, item) {
			item[bk.attr] = bk.tpl.render(rv)
		}
	}
	item[c.t.layout.Type] = c.typeAV
	if f := c.info.ttl; f != nil {
		if secs := f.epochSeconds(rv.FieldByIndex(f.index)); secs > 0 {
			item[c.t.layout.TTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(secs, 10)}
		} else {
			delete(item, c.t.layout.TTL)
		}
	}
}

// decodeInto decodes item into out, a *T.
func (c *codec) decodeInto(item map[string]types.AttributeValue, out any) error {
	if !c.info.fastDecode {
		if err := dynamo.UnmarshalItem(item, out); err != nil {
			return fmt.Errorf("orm: decode %s: %w", c.entity, err)
		}
		return nil
	}
	rv := reflect.ValueOf(out).Elem()
	for _, f := range c.info.fields {
		av, ok := item[f.attr]
		if !ok {
			continue
		}
		fv := rv.FieldByIndex(f.index)
		if f.decode != nil && f.decode(av, fv) {
			continue
		}
		if err := f.decodeSlow(av, fv); err != nil {
			return fmt.Errorf("orm: decode %s field %s: %w", c.entity, f.name, err)
		}
	}
	return nil
}

// key is the primary key of rv.
func (c *codec) key(rv reflect.Value) map[string]types.AttributeValue {
	k := make(map[string]types.AttributeValue, 2)
	k[c.pk.attr] = c.pk.tpl.render(rv)
	if c.sk != nil {
		k[c.sk.attr] = c.sk.tpl.render(rv)
	}
	return k
}

// keyString renders a key for error messages.
func (c *codec) keyString(k map[string]types.AttributeValue) string {
	s := c.pk.attr + "=" + avString(k[c.pk.attr])
	if c.sk != nil {
		s += " " + c.sk.attr + "=" + avString(k[c.sk.attr])
	}
	return s
}

func avString(av types.AttributeValue) string {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	case *types.AttributeValueMemberB:
		return fmt.Sprintf("%x", v.Value)
	}
	return "?"
}

// live reports whether item is one of this entity's and not expired.
func (c *codec) live(item map[string]types.AttributeValue, now time.Time) bool {
	return entityOf(item, c.t.layout.Type) == c.entity && !expired(item, c.t.layout.TTL, now)
}

// expired reports whether the item's TTL has passed. DynamoDB deletes
// such items only eventually; until then the ORM treats them as gone.
func expired(item map[string]types.AttributeValue, attr string, now time.Time) bool {
	n, ok := item[attr].(*types.AttributeValueMemberN)
	if !ok {
		return false
	}
	secs, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(n.Value, 64)
		if ferr != nil {
			return false
		}
		secs = int64(f)
	}
	return secs <= now.Unix()
}

// primaryFields are the fields of the primary key templates, which an
// update may not change.
func (c *codec) primaryField(f *field) bool {
	if containsField(c.pk.tpl.fields, f) {
		return true
	}
	return c.sk != nil && containsField(c.sk.tpl.fields, f)
}

func (c *codec) field(name string) (*field, error) {
	f, ok := c.info.byName[name]
	if !ok {
		return nil, fmt.Errorf("orm: %s has no field %q (fields: %s)", c.entity, name, strings.Join(c.info.fieldNames(), ", "))
	}
	return f, nil
}

// path resolves a field name or a path into one ("Address.City").
func (c *codec) path(name string) (*docPath, error) {
	if f, ok := c.info.byName[name]; ok {
		return f.asPath(), nil
	}
	if !strings.ContainsAny(name, ".[") {
		_, err := c.field(name)
		return nil, err
	}
	return c.info.path(name)
}
