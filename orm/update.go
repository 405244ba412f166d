package orm

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Update changes fields of the existing item whose primary key fields are
// set in key, and returns the item as updated. Changes are Set, Add,
// Remove, Append, SetIfAbsent and DeleteFromSet; conditions are If.
//
// A change to a field that a key template uses rewrites that key in the
// same request, so indexes never drift; if the template also needs fields
// the update does not set, Update fails before any request with
// ErrIncompleteKey, naming them. A change that leaves such a field out of
// the item (Remove, or Set to nil, "" or an omitempty zero) removes the
// index keys that read it instead, and the item leaves those indexes
// (see "Sparse indexes" in the package documentation). Fields of the
// primary key cannot change. Changes and conditions may name paths into
// fields ("Address.City").
//
// A missing (or expired) item is ErrNotFound; for versioned models a
// non-zero version in key must match the stored one, and the version is
// bumped.
func (m *Model[T]) Update(ctx context.Context, key T, opts ...Option) (T, error) {
	var out T
	c := m.c
	s, err := collect("Update", optCond|optChange, opts)
	if err != nil {
		return out, err
	}
	now := c.t.now()
	p, err := c.planUpdate(reflect.ValueOf(&key).Elem(), s, now)
	if err != nil {
		return out, err
	}
	if p.guards {
		if err := c.updateUnique(ctx, p, now); err != nil {
			return out, err
		}
		return m.Get(ctx, key, Consistent())
	}
	if err := c.finishUpdate(p, now); err != nil {
		return out, err
	}
	res, err := c.t.client.UpdateItem(ctx, p.input(c.t.name, types.ReturnValueAllNew))
	if err != nil {
		return out, c.writeErr("update", p.key, p.e, now, err)
	}
	err = c.decodeInto(res.Attributes, &out)
	return out, err
}

// updatePlan is an UpdateItem request worked out from the changes.
type updatePlan struct {
	key     map[string]types.AttributeValue
	update  string
	cond    string
	x       exprs
	e       expect
	virtual reflect.Value // the key value with the changes applied
	changed map[*field]bool
	guards  bool // unique guards must move: run as a transaction
}

func (p *updatePlan) input(table string, rv types.ReturnValue) *dynamodb.UpdateItemInput {
	in := &dynamodb.UpdateItemInput{
		TableName:                           &table,
		Key:                                 p.key,
		UpdateExpression:                    &p.update,
		ExpressionAttributeNames:            p.x.namesOrNil(),
		ExpressionAttributeValues:           p.x.valuesOrNil(),
		ReturnValues:                        rv,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	if p.cond != "" {
		in.ConditionExpression = &p.cond
	}
	return in
}

func (c *codec) planUpdate(key reflect.Value, s settings, now time.Time) (*updatePlan, error) {
	fail := func(format string, args ...any) (*updatePlan, error) {
		return nil, fmt.Errorf("orm: update %s: "+format, append([]any{c.entity}, args...)...)
	}
	if len(s.changes) == 0 {
		return fail("no changes")
	}
	virtual := reflect.New(c.info.typ).Elem()
	virtual.Set(key)
	p := &updatePlan{key: c.key(key), virtual: virtual, changed: map[*field]bool{}}
	x := &p.x
	var set, remove, add, del []string
	given := map[*field]bool{}     // fields whose new value is known here
	absent := map[*field]bool{}    // given fields the item will not hold
	numeric := map[*field]string{} // Add on a field of an N key template: its new-value expression
	var paths []*docPath
	for _, ch := range s.changes {
		dp, err := c.path(ch.field)
		if err != nil {
			return nil, err
		}
		f, lf := dp.top, dp.leaf // the model's field, and what the path reaches
		name := changeNames[ch.op]
		switch {
		case c.primaryField(f):
			return fail("%s(%s): %s is part of the primary key, which cannot change; Delete and Put instead", name, dp.text, f.name)
		case f == c.info.version:
			return fail("%s(%s): the version field is managed by the ORM", name, dp.text)
		case dp.nested() && (c.inTemplate(f) || slices.Contains(c.info.uniques, f)):
			return fail("%s(%s): %s feeds a key or a unique value; change it whole", name, dp.text, f.name)
		}
		for _, q := range paths {
			if q.overlaps(dp) {
				if len(q.steps) == len(dp.steps) {
					return fail("two changes of %s", dp.text)
				}
				return fail("changes of %s and %s overlap, which DynamoDB refuses in one update", q.text, dp.text)
			}
		}
		paths = append(paths, dp)
		if !dp.nested() {
			p.changed[f] = true
		}
		n := x.path(dp)
		switch ch.op {
		case chSet, chSetIfAbsent:
			v, err := lf.convert(ch.value)
			if err != nil {
				return fail("%s: %v", name, err)
			}
			if err := c.checkField(lf, v); err != nil {
				return nil, err
			}
			av, err := lf.encodeValue(v)
			if err != nil {
				return fail("%s(%s): %v", name, dp.text, err)
			}
			if ch.op == chSetIfAbsent {
				if c.inTemplate(f) {
					return fail("SetIfAbsent(%s): %s is used in a key template and its new value would be unknown; use Set", dp.text, f.name)
				}
				if av == nil {
					return fail("SetIfAbsent(%s) of an empty value", dp.text)
				}
				set = append(set, n+" = if_not_exists("+n+", "+x.value(av)+")")
				continue
			}
			if !dp.nested() {
				virtual.FieldByIndex(f.index).Set(v)
				given[f] = true
				absent[f] = av == nil
			}
			if av == nil {
				remove = append(remove, n)
			} else {
				set = append(set, n+" = "+x.value(av))
			}
		case chAdd:
			v, err := lf.convert(ch.value)
			if err != nil {
				return fail("Add: %v", err)
			}
			av, err := lf.encodeValue(v)
			if err != nil || av == nil {
				return fail("Add(%s): cannot add %v", dp.text, ch.value)
			}
			if c.inTemplate(f) {
				if !f.keyKind.numeric() {
					return fail("Add(%s): %s is used in a key template; use Set", dp.text, f.name)
				}
				zero := x.value(&types.AttributeValueMemberN{Value: "0"})
				e := "if_not_exists(" + n + ", " + zero + ") + " + x.value(av)
				numeric[f] = e
				set = append(set, n+" = "+e)
				continue
			}
			add = append(add, n+" "+x.value(av))
		case chRemove:
			remove = append(remove, n)
			if !dp.nested() {
				virtual.FieldByIndex(f.index).Set(reflect.Zero(f.typ))
				given[f], absent[f] = true, true
			}
		case chAppend:
			if c.inTemplate(f) {
				return fail("Append(%s): %s is used in a key template", dp.text, f.name)
			}
			v, err := lf.convert(ch.value)
			if err != nil {
				return fail("Append: %v", err)
			}
			av, err := lf.encodeValue(v)
			if err != nil || av == nil {
				return fail("Append(%s): nothing to append", dp.text)
			}
			empty := x.value(&types.AttributeValueMemberL{Value: []types.AttributeValue{}})
			set = append(set, n+" = list_append(if_not_exists("+n+", "+empty+"), "+x.value(av)+")")
		case chDelete:
			if c.inTemplate(f) {
				return fail("DeleteFromSet(%s): %s is used in a key template", dp.text, f.name)
			}
			v, err := lf.convert(ch.value)
			if err != nil {
				return fail("DeleteFromSet: %v", err)
			}
			av, err := lf.encodeValue(v)
			if err != nil || av == nil {
				return fail("DeleteFromSet(%s): nothing to delete", dp.text)
			}
			del = append(del, n+" "+x.value(av))
		}
	}
	if f := c.info.updated; f != nil && !p.changed[f] {
		v := reflect.ValueOf(stampTime(f, now))
		virtual.FieldByIndex(f.index).Set(v)
		given[f], p.changed[f] = true, true
		av, err := f.encodeValue(v)
		if err != nil {
			return nil, err
		}
		set = append(set, x.name(f.attr)+" = "+x.value(av))
	}
	if f := c.info.version; f != nil {
		add = append(add, x.name(f.attr)+" "+x.value(&types.AttributeValueMemberN{Value: "1"}))
	}

	// Rewrite every key attribute whose template reads a changed field, or
	// remove it if one of its fields will be missing: the item leaves
	// that index (sparse indexes).
	gone := func(f *field) bool {
		if given[f] || !c.primaryField(f) {
			return absent[f]
		}
		av, err := f.encodeValue(virtual.FieldByIndex(f.index))
		return err == nil && av == nil
	}
	for _, bk := range c.keys {
		if bk.index == "" {
			continue
		}
		var touched, missing []string
		var numExpr string
		leaves := false
		for _, f := range bk.tpl.fields {
			leaves = leaves || gone(f)
			if !p.changed[f] {
				continue
			}
			touched = append(touched, f.name)
			if e, ok := numeric[f]; ok {
				numExpr = e
			}
		}
		if len(touched) == 0 {
			continue
		}
		// A literal key of the same index follows this one.
		var lit *boundKey
		for _, o := range c.byIndex[bk.index] {
			if o != nil && o != bk && o.index == bk.index && o.tpl.literal() {
				lit = o
			}
		}
		if leaves {
			remove = append(remove, x.name(bk.attr))
			if lit != nil {
				remove = append(remove, x.name(lit.attr))
			}
			continue
		}
		if lit != nil {
			set = append(set, x.name(lit.attr)+" = "+x.value(lit.tpl.render(virtual)))
		}
		if numExpr != "" {
			if !bk.tpl.number {
				return fail("Add(%s) changes key %s (template %q), which is a string; use Set", touched[0], bk.slot, bk.tpl.text)
			}
			set = append(set, x.name(bk.attr)+" = "+numExpr)
			continue
		}
		for _, f := range bk.tpl.fields {
			if !given[f] && !c.primaryField(f) {
				missing = append(missing, f.name)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("orm: update %s: changing %s rewrites key %s (template %q), which also needs %s; Set them too: %w",
				c.entity, strings.Join(touched, ", "), bk.slot, bk.tpl.text, strings.Join(missing, ", "), ErrIncompleteKey)
		}
		if err := bk.tpl.checkNumber(virtual); err != nil {
			return fail("%v", err)
		}
		set = append(set, x.name(bk.attr)+" = "+x.value(bk.tpl.render(virtual)))
	}
	if f := c.info.ttl; f != nil && given[f] && f.attr != c.t.layout.TTL {
		if secs := f.epochSeconds(virtual.FieldByIndex(f.index)); secs > 0 {
			set = append(set, x.name(c.t.layout.TTL)+" = "+x.value(&types.AttributeValueMemberN{Value: strconv.FormatInt(secs, 10)}))
		} else {
			remove = append(remove, x.name(c.t.layout.TTL))
		}
	}

	var b strings.Builder
	for _, clause := range []struct {
		kw    string
		parts []string
	}{{"SET", set}, {"REMOVE", remove}, {"ADD", add}, {"DELETE", del}} {
		if len(clause.parts) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(clause.kw + " " + strings.Join(clause.parts, ", "))
	}
	p.update = b.String()

	p.e = expect{exist: true, user: s.conds}
	if f := c.info.version; f != nil {
		if v := versionOf(key.FieldByIndex(f.index)); v != 0 {
			p.e.version, p.e.want = true, v
		}
	}
	for _, f := range c.info.uniques {
		if p.changed[f] {
			p.guards = true
		}
	}
	if c.info.ttl != nil && p.changed[c.info.ttl] && len(c.info.uniques) > 0 {
		p.guards = true
	}
	return p, nil
}

// finish renders the plan's condition, once all its clauses are known.
func (c *codec) finishUpdate(p *updatePlan, now time.Time) error {
	cond, err := c.condition(&p.x, p.e, now)
	p.cond = cond
	return err
}

// inTemplate reports whether any key template reads f.
func (c *codec) inTemplate(f *field) bool {
	for _, bk := range c.keys {
		if containsField(bk.tpl.fields, f) {
			return true
		}
	}
	return false
}
