package orm

import (
	"context"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Query reads one partition of the table or of an index, in sort-key
// order. Build it from [Model.Query], refine it with its methods, and run
// it with Page, All or Items:
//
//	top, next, err := scores.Query(Score{Game: "chess"}).Index("gsi1").Desc().Limit(10).Page(ctx)
//
// Only items of the model's entity are returned, and never expired ones.
// Sort-key conditions take a T: its fields fill the sort-key template. A
// field left at its zero value ends a partial key, and a partial key
// stands for the block of keys it starts: Gt(Order{At: d}) is "after every
// key starting ORDER#d".
type Query[T any] struct {
	m          *Model[T]
	index      string
	part       T
	sortOp     string
	sortVals   []T
	desc       bool
	limit      int
	filters    []Cond
	project    []string
	consistent bool
	cursor     Cursor
	err        error
}

// Query starts a query of the partition whose key fields are set in
// partition. It reads the table unless Index names an index.
func (m *Model[T]) Query(partition T) *Query[T] {
	return &Query[T]{m: m, part: partition}
}

// Index reads an index of the table's layout instead of the table.
func (q *Query[T]) Index(name string) *Query[T] { q.index = name; return q }

func (q *Query[T]) sort(op string, vs ...T) *Query[T] {
	if q.sortOp != "" && q.err == nil {
		q.err = fmt.Errorf("orm: query %s: two sort-key conditions (%s and %s)", q.m.c.entity, q.sortOp, op)
	}
	q.sortOp, q.sortVals = op, vs
	return q
}

// Eq selects the item whose sort key is v's (every template field used).
func (q *Query[T]) Eq(v T) *Query[T] { return q.sort("=", v) }

// BeginsWith selects sort keys starting with v's partial key.
func (q *Query[T]) BeginsWith(v T) *Query[T] { return q.sort("begins_with", v) }

// Between selects sort keys from lo's to hi's, both included.
func (q *Query[T]) Between(lo, hi T) *Query[T] { return q.sort("between", lo, hi) }

// Lt selects sort keys before v's.
func (q *Query[T]) Lt(v T) *Query[T] { return q.sort("<", v) }

// Le selects sort keys up to v's, included.
func (q *Query[T]) Le(v T) *Query[T] { return q.sort("<=", v) }

// Gt selects sort keys after v's.
func (q *Query[T]) Gt(v T) *Query[T] { return q.sort(">", v) }

// Ge selects sort keys from v's on.
func (q *Query[T]) Ge(v T) *Query[T] { return q.sort(">=", v) }

// Desc reads in descending sort-key order.
func (q *Query[T]) Desc() *Query[T] { q.desc = true; return q }

// Limit caps the items of a Page (and of All and Items). With filters, the ORM keeps reading until
// the page has n matching items or the partition ends, as a reader of
// "Limit" expects (DynamoDB's own Limit counts items before filtering).
func (q *Query[T]) Limit(n int) *Query[T] { q.limit = n; return q }

// Filter keeps only items matching c (evaluated by DynamoDB after the key
// condition). Several filters are ANDed.
func (q *Query[T]) Filter(c Cond) *Query[T] { q.filters = append(q.filters, c); return q }

// Project reads only the named fields (the keys always come along).
func (q *Query[T]) Project(fields ...string) *Query[T] {
	q.project = append(q.project, fields...)
	return q
}

// Consistent makes the read strongly consistent (not on global indexes).
func (q *Query[T]) Consistent() *Query[T] { q.consistent = true; return q }

// After resumes after the page that returned c.
func (q *Query[T]) After(c Cursor) *Query[T] { q.cursor = c; return q }

// Page reads one page: up to Limit items (without Limit, one DynamoDB
// page of up to 1 MB), and the cursor of the next page, "" at the end.
func (q *Query[T]) Page(ctx context.Context) ([]T, Cursor, error) {
	var out []T
	r, err := q.reader(nil)
	if err != nil {
		return nil, "", err
	}
	next, err := r.page(ctx, q.cursor, q.limit, func(item map[string]types.AttributeValue) error {
		var v T
		if err := q.m.c.decodeInto(item, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, next, err
}

// Items iterates over the matching items, page after page, up to Limit
// items in all if set.
func (q *Query[T]) Items(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		cur := q.cursor
		for {
			qc := *q
			page, next, err := qc.After(cur).Page(ctx)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, v := range page {
				if !yield(v, nil) {
					return
				}
			}
			if next == "" || q.limit > 0 {
				return
			}
			cur = next
		}
	}
}

// All reads the matching items, page after page, up to Limit items if
// set.
func (q *Query[T]) All(ctx context.Context) ([]T, error) {
	var out []T
	for v, err := range q.Items(ctx) {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Collect reads the query's partition with all its entities, decoding
// each item into its own model: dst are pointers to slices of registered
// models (*[]Order) or to single models (*User, which receives the last
// one read). Items of entities not in dst are skipped. The sort-key
// condition applies if set; the model's own key prefix does not. It
// returns the cursor of the next page, as Page does.
func (q *Query[T]) Collect(ctx context.Context, dst ...any) (Cursor, error) {
	t := q.m.c.t
	sinks := map[string]func(map[string]types.AttributeValue) error{}
	var entities []string
	for _, d := range dst {
		pv := reflect.ValueOf(d)
		if pv.Kind() != reflect.Pointer || pv.IsNil() {
			return "", fmt.Errorf("orm: Collect destination %T is not a non-nil pointer", d)
		}
		ev := pv.Elem()
		slice := ev.Kind() == reflect.Slice
		typ := ev.Type()
		if slice {
			typ = typ.Elem()
		}
		t.mu.RLock()
		c := t.byType[typ]
		t.mu.RUnlock()
		if c == nil {
			return "", fmt.Errorf("orm: Collect destination %T: %s is not a model of table %s", d, typ, t.name)
		}
		if sinks[c.entity] != nil {
			return "", fmt.Errorf("orm: Collect: two destinations for %s", c.entity)
		}
		entities = append(entities, c.entity)
		sinks[c.entity] = func(item map[string]types.AttributeValue) error {
			nv := reflect.New(typ)
			if err := c.decodeInto(item, nv.Interface()); err != nil {
				return err
			}
			if slice {
				ev.Set(reflect.Append(ev, nv.Elem()))
			} else {
				ev.Set(nv.Elem())
			}
			return nil
		}
	}
	if len(sinks) == 0 {
		return "", fmt.Errorf("orm: Collect without destinations")
	}
	r, err := q.reader(entities)
	if err != nil {
		return "", err
	}
	return r.page(ctx, q.cursor, q.limit, func(item map[string]types.AttributeValue) error {
		return sinks[entityOf(item, t.layout.Type)](item)
	})
}

// reader is a query compiled to a QueryInput, ready to page.
type reader struct {
	t        *Table
	entity   string
	in       dynamodb.QueryInput
	keyAttrs []string
	partAttr string               // the partition key attribute read
	partAV   types.AttributeValue // and its value
	entities map[string]bool
	ad       []byte
}

// reader compiles q; entities is the set a collection reads (nil: the
// model's own).
func (q *Query[T]) reader(entities []string) (*reader, error) {
	if q.err != nil {
		return nil, q.err
	}
	c := q.m.c
	t := c.t
	if t.err != nil {
		return nil, t.err
	}
	ix, ok := t.index(q.index)
	if !ok {
		return nil, fmt.Errorf("orm: query %s: table %s has no index %q (its indexes: %s)", c.entity, t.name, q.index, t.indexNames())
	}
	pair := c.byIndex[q.index]
	if pair[0] == nil || (ix.SK != "" && pair[1] == nil) {
		return nil, fmt.Errorf("orm: query %s: the model has no key on index %q", c.entity, q.index)
	}
	if q.consistent && t.isGSI(q.index) {
		return nil, fmt.Errorf("orm: query %s: global index %s does not support consistent reads", c.entity, q.index)
	}
	if q.limit < 0 {
		return nil, fmt.Errorf("orm: query %s: negative limit", c.entity)
	}
	wholeItems := false // ask a local index for what it does not hold
	if proj := ix.Projection; !proj.all() {
		if !t.isGSI(q.index) {
			wholeItems = len(q.project) == 0
		} else if err := q.checkProjection(ix, entities != nil); err != nil {
			return nil, err
		}
	}
	r := &reader{t: t, entities: map[string]bool{}, entity: c.entity}
	in := &r.in
	in.TableName = &t.name
	if q.index != "" {
		in.IndexName = aws.String(q.index)
	}
	if q.consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	if wholeItems {
		in.Select = types.SelectAllAttributes
	}
	if q.desc {
		in.ScanIndexForward = aws.Bool(false)
	}
	var x exprs
	pv := reflect.ValueOf(&q.part).Elem()
	partAV := pair[0].tpl.render(pv)
	r.partAttr, r.partAV = ix.PK, partAV
	keyCond := x.name(ix.PK) + " = " + x.value(partAV)
	ad := []string{"monotable/cursor/v1", t.name, q.index, avString(partAV), strconv.FormatBool(q.desc)}

	if sk := pair[1]; sk != nil {
		vals := make([]reflect.Value, len(q.sortVals))
		for i := range q.sortVals {
			vals[i] = reflect.ValueOf(&q.sortVals[i]).Elem()
		}
		cond, sortAD, err := sortCondition(&x, sk, q.sortOp, vals, entities == nil)
		if err != nil {
			return nil, fmt.Errorf("orm: query %s: %w", c.entity, err)
		}
		if cond != "" {
			keyCond += " AND " + cond
		}
		ad = append(ad, sortAD...)
	} else if q.sortOp != "" {
		return nil, fmt.Errorf("orm: query %s: index %q has no sort key", c.entity, q.index)
	}
	in.KeyConditionExpression = &keyCond

	// Filters: the entity type, liveness (TTL), then the caller's.
	if entities == nil {
		entities = []string{c.entity}
	}
	ad = append(ad, strings.Join(entities, ","))
	r.ad = []byte(strings.Join(ad, "\x00"))
	var filters []string
	typeName := x.name(t.layout.Type)
	if len(entities) == 1 {
		filters = append(filters, typeName+" = "+x.value(&types.AttributeValueMemberS{Value: entities[0]}))
	} else {
		ps := make([]string, len(entities))
		for i, e := range entities {
			ps[i] = x.value(&types.AttributeValueMemberS{Value: e})
		}
		filters = append(filters, typeName+" IN ("+strings.Join(ps, ", ")+")")
	}
	for _, e := range entities {
		r.entities[e] = true
	}
	ttl := x.name(t.layout.TTL)
	filters = append(filters, "attribute_not_exists("+ttl+") OR "+ttl+" > "+x.value(&types.AttributeValueMemberN{Value: strconv.FormatInt(t.now().Unix(), 10)}))
	for _, f := range q.filters {
		s, err := f.build(&x, c.info)
		if err != nil {
			return nil, err
		}
		filters = append(filters, s)
	}
	filter := "(" + strings.Join(filters, ") AND (") + ")"
	in.FilterExpression = &filter

	r.keyAttrs = []string{t.layout.PK}
	if t.layout.SK != "" {
		r.keyAttrs = append(r.keyAttrs, t.layout.SK)
	}
	for _, a := range []string{ix.PK, ix.SK} {
		if a != "" && !slices.Contains(r.keyAttrs, a) {
			r.keyAttrs = append(r.keyAttrs, a) // an index's own keys; an LSI shares the partition key
		}
	}
	if len(q.project) > 0 {
		var ps []string
		for _, a := range append(append([]string(nil), r.keyAttrs...), t.layout.Type, t.layout.TTL) {
			ps = append(ps, x.name(a))
		}
		for _, name := range q.project {
			dp, err := c.path(name)
			if err != nil {
				return nil, err
			}
			ps = append(ps, x.path(dp))
		}
		proj := strings.Join(ps, ", ")
		in.ProjectionExpression = &proj
	}
	in.ExpressionAttributeNames = x.namesOrNil()
	in.ExpressionAttributeValues = x.valuesOrNil()
	return r, nil
}

// checkProjection refuses, before any request, a read of a global index
// that would return models with fields missing: the fields read
// (Project) and filtered on must be in the index's projection.
func (q *Query[T]) checkProjection(ix Index, collect bool) error {
	c := q.m.c
	fail := func(format string, args ...any) error {
		return fmt.Errorf("orm: query %s: index %s projects %s: "+format+": %w",
			append(append([]any{c.entity, ix.Name, ix.Projection.sdk().ProjectionType}, args...), ErrIncompleteItem)...)
	}
	switch {
	case ix.Projection.typ == types.ProjectionTypeKeysOnly:
		return fail("its items carry no entity type to read them by; use orm.ProjectInclude")
	case collect:
		return fail("Collect reads whole items; use an index that projects ALL")
	case len(q.project) == 0:
		return fail("it does not hold whole %s items; name the fields to read with Project", c.entity)
	}
	var missing []string
	check := func(name string) error {
		dp, err := c.path(name)
		if err != nil {
			return err
		}
		if !ix.Projection.holds(dp.top.attr) && !slices.Contains(missing, dp.top.name) {
			missing = append(missing, dp.top.name)
		}
		return nil
	}
	for _, name := range q.project {
		if err := check(name); err != nil {
			return err
		}
	}
	for _, f := range q.filters {
		if err := f.eachField(check); err != nil {
			return err
		}
	}
	if len(missing) > 0 {
		return fail("it does not hold %s (projected: %s)", strings.Join(missing, ", "), strings.Join(ix.Projection.attrs, ", "))
	}
	return nil
}

// maxSortRune sorts after any character a key can hold; appended to a
// partial key it closes the block of keys the prefix starts.
const maxSortRune = "\U0010FFFF"

func sortCondition(x *exprs, sk *boundKey, op string, vals []reflect.Value, ownPrefix bool) (string, []string, error) {
	tpl := sk.tpl
	if op == "" && (!ownPrefix || tpl.number || tpl.prefix == "") {
		return "", nil, nil
	}
	n := x.name(sk.attr)
	str := func(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
	if op == "" {
		if tpl.literal() {
			return n + " = " + x.value(str(tpl.prefix)), []string{"=", tpl.prefix}, nil
		}
		return "begins_with(" + n + ", " + x.value(str(tpl.prefix)) + ")", []string{"begins_with", tpl.prefix}, nil
	}
	bound := func(v reflect.Value, high bool) types.AttributeValue {
		if tpl.number {
			return tpl.render(v)
		}
		s, full := tpl.renderPrefix(v)
		if !full && high {
			s += maxSortRune
		}
		return str(s)
	}
	var av []types.AttributeValue
	var cond string
	switch op {
	case "=":
		av = []types.AttributeValue{tpl.render(vals[0])}
		cond = n + " = " + x.value(av[0])
	case "begins_with":
		if tpl.number {
			return "", nil, fmt.Errorf("BeginsWith on the number key %s", sk.slot)
		}
		p, _ := tpl.renderPrefix(vals[0])
		av = []types.AttributeValue{str(p)}
		cond = "begins_with(" + n + ", " + x.value(av[0]) + ")"
	case "between":
		av = []types.AttributeValue{bound(vals[0], false), bound(vals[1], true)}
		cond = n + " BETWEEN " + x.value(av[0]) + " AND " + x.value(av[1])
	case "<", ">=":
		av = []types.AttributeValue{bound(vals[0], false)}
		cond = n + " " + op + " " + x.value(av[0])
	case "<=", ">":
		av = []types.AttributeValue{bound(vals[0], true)}
		cond = n + " " + op + " " + x.value(av[0])
	}
	ad := []string{op}
	for _, v := range av {
		ad = append(ad, avString(v))
	}
	return cond, ad, nil
}

// page reads from the cursor until limit items have passed the filters
// (limit 0: one DynamoDB page) and returns the next cursor. When it stops
// inside a DynamoDB page, the cursor is the key of the last item it
// returned, so no item is skipped or read twice.
func (r *reader) page(ctx context.Context, cur Cursor, limit int, emit func(map[string]types.AttributeValue) error) (Cursor, error) {
	in := r.in
	if cur != "" {
		start, err := r.t.openCursor(cur, r.ad)
		if err != nil {
			return "", err
		}
		if !r.validStart(start) {
			return "", ErrInvalidCursor
		}
		in.ExclusiveStartKey = start
	}
	now := r.t.now()
	n, ask := 0, 0
	for {
		if limit > 0 {
			// Ask for what is missing; if filters thin the pages out, ask
			// for more each round, so sparse matches cost O(log n) calls.
			rest := int32(limit - n)
			ask = max(int(rest), min(2*ask, 1000))
			in.Limit = aws.Int32(int32(ask))
		}
		out, err := r.t.client.Query(ctx, &in)
		if err != nil {
			return "", wrapErr("query", r.entity, err)
		}
		for i, item := range out.Items {
			if !r.entities[entityOf(item, r.t.layout.Type)] || expired(item, r.t.layout.TTL, now) {
				continue // the filter should have; never trust a typed result to it
			}
			if err := emit(item); err != nil {
				return "", err
			}
			n++
			if limit > 0 && n == limit {
				if i == len(out.Items)-1 && out.LastEvaluatedKey == nil {
					return "", nil
				}
				return r.t.sealCursor(r.keyOf(item), r.ad)
			}
		}
		if out.LastEvaluatedKey == nil {
			return "", nil
		}
		if limit == 0 {
			return r.t.sealCursor(out.LastEvaluatedKey, r.ad)
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// validStart checks a start key out of a cursor: only the sealing key
// makes one, so this is defence in depth, but a cursor holding anything
// but the query's key attributes, in its partition, is refused by the
// ORM rather than by DynamoDB.
func (r *reader) validStart(k map[string]types.AttributeValue) bool {
	if len(k) != len(r.keyAttrs) || !sameAV(k[r.partAttr], r.partAV) {
		return false
	}
	for _, a := range r.keyAttrs {
		if k[a] == nil {
			return false
		}
	}
	return true
}

func sameAV(a, b types.AttributeValue) bool {
	switch a := a.(type) {
	case *types.AttributeValueMemberS:
		b, ok := b.(*types.AttributeValueMemberS)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberN:
		b, ok := b.(*types.AttributeValueMemberN)
		return ok && a.Value == b.Value
	}
	return false
}

// keyOf is the ExclusiveStartKey that resumes after item.
func (r *reader) keyOf(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	k := make(map[string]types.AttributeValue, len(r.keyAttrs))
	for _, a := range r.keyAttrs {
		k[a] = item[a]
	}
	return k
}
