package memstore

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/btree"

	"github.com/monotable/monotable/internal/memstore/attr"
	"github.com/monotable/monotable/internal/memstore/expr"
)

// maxPageBytes is the 1 MB of data a single Query or Scan reads before it
// stops and returns LastEvaluatedKey.
const maxPageBytes = 1 << 20

// keyRange is a half-open range [lo, hi) of row keys; hi == "" means
// unbounded above.
type keyRange struct {
	lo, hi string
}

// walk visits rows in the range in key order (or reverse) until fn
// returns false.
func walk(tree *btree.BTreeG[*row], r keyRange, reverse bool, fn func(*row) bool) {
	if !reverse {
		if r.hi == "" {
			tree.AscendGreaterOrEqual(&row{key: r.lo}, fn)
			return
		}
		tree.AscendRange(&row{key: r.lo}, &row{key: r.hi}, fn)
		return
	}
	visit := func(x *row) bool {
		if x.key < r.lo {
			return false
		}
		if r.hi != "" && x.key >= r.hi {
			return true
		}
		return fn(x)
	}
	if r.hi == "" {
		tree.Descend(visit)
		return
	}
	tree.DescendLessOrEqual(&row{key: r.hi}, visit)
}

// reader runs the shared part of Query and Scan: the walk with Limit and
// the 1 MB page, the filter after the limit, projection, Select, and
// LastEvaluatedKey.
type reader struct {
	t          *table
	ix         *index // nil for the base table
	filter     *expr.Condition
	proj       *expr.Projection
	count      bool // Select COUNT
	fullItems  bool // return whole items even from an index (LSI with ALL_ATTRIBUTES)
	limit      int  // 0: none
	consistent bool
	view       *version // a past state for a stale read; nil for the present
	copier     attr.Copier

	items        []attr.Item
	matched      int
	scanned      int
	bytes        int
	last         *row
	stoppedEarly bool
}

// newReader sets up a Query or Scan read of a table or index. An LSI read
// that asks for attributes the index does not project fetches whole items,
// as DynamoDB does; a GSI cannot.
func newReader(t *table, ix *index, filter *expr.Condition, proj *expr.Projection, limit int, sel types.Select, consistent bool) *reader {
	return &reader{
		t: t, ix: ix, filter: filter, proj: proj, limit: limit,
		count:      sel == types.SelectCount,
		fullItems:  ix != nil && !ix.global && (sel == types.SelectAllAttributes || (proj != nil && !projectsAll(ix, t.keys, proj))),
		consistent: consistent,
		copier:     attr.Copier{Block: readBlock},
	}
}

// readBlock is how many strings (or numbers) a multi-item read's copier
// makes room for at a time: a Limit 25 page of typical items fits in a
// block or two.
const readBlock = 64

// result is the page's Items: none for Select COUNT, else a list that is
// never nil (an empty page is [] on the wire, as the service sends it).
func (rd *reader) result() []map[string]types.AttributeValue {
	if rd.count {
		return nil
	}
	if rd.items == nil {
		return []map[string]types.AttributeValue{}
	}
	return rd.items
}

func (rd *reader) tree() *btree.BTreeG[*row] {
	if v := rd.view; v != nil {
		if rd.ix != nil {
			if tree := v.indexes[rd.ix]; tree != nil {
				return tree
			}
		}
		return v.rows
	}
	if rd.ix != nil {
		return rd.ix.rows
	}
	return rd.t.rows
}

// visit is the walk callback; it returns false to stop.
func (rd *reader) visit(r *row) bool {
	if rd.limit > 0 && rd.scanned >= rd.limit {
		rd.stoppedEarly = true
		return false
	}
	rd.scanned++
	rd.bytes += r.size
	rd.last = r
	item := r.item
	if rd.ix != nil && !rd.fullItems {
		item = rd.ix.projectItem(rd.t.keys, item)
	}
	if eval(rd.filter, item) {
		rd.matched++
		if !rd.count {
			rd.items = append(rd.items, project(&rd.copier, rd.proj, item))
		}
	}
	if rd.bytes >= maxPageBytes || (rd.limit > 0 && rd.scanned >= rd.limit) {
		rd.stoppedEarly = true
		return false
	}
	return true
}

// lastKey renders LastEvaluatedKey: the table key, plus the index key for
// index reads.
func (rd *reader) lastKey() map[string]types.AttributeValue {
	if !rd.stoppedEarly || rd.last == nil {
		return nil
	}
	k := rd.t.keys.project(rd.last.item, nil)
	if rd.ix != nil {
		rd.ix.keys.project(rd.last.item, k)
	}
	return attr.CopyItem(k)
}

// readUsage bills the bytes read, rounded up once for the whole request.
func (rd *reader) usage() *usage {
	u := newUsage(rd.t.name, false)
	units := readUnits(rd.bytes, rd.consistent)
	if rd.ix != nil {
		u.addIndex(rd.ix, units)
	} else {
		u.units = units
	}
	return u
}

const msgStartKeySchema = "The provided starting key is invalid: The provided key element does not match the schema"

// startKey validates ExclusiveStartKey for a table or index read and
// returns its row key.
func startKey(t *table, ix *index, esk map[string]types.AttributeValue) (string, error) {
	if err := checkKeyValues(esk); err != nil {
		return "", err
	}
	want := len(t.keys.names())
	if ix != nil {
		for _, n := range ix.keys.names() {
			if !t.keys.has(n) {
				want++
			}
		}
	}
	if len(esk) != want {
		return "", validationMsg(msgStartKeySchema)
	}
	tk, err := checkKey(t.keys, pick(esk, t.keys.names()))
	if err != nil {
		return "", validation("The provided starting key is invalid: %s", errorMessage(err))
	}
	if ix == nil {
		return string(t.keys.rowKey(nil, tk)), nil
	}
	ik, err := checkKey(ix.keys, pick(esk, ix.keys.names()))
	if err != nil {
		return "", validation("The provided starting key is invalid: %s", errorMessage(err))
	}
	for k, v := range ik {
		tk[k] = v
	}
	return ix.rowKey(t.keys, tk), nil
}

func pick(item map[string]types.AttributeValue, names []string) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(names))
	for _, n := range names {
		if v, ok := item[n]; ok {
			out[n] = v
		}
	}
	return out
}

// afterKey is the smallest key greater than k.
func afterKey(k string) string { return k + "\x00" }

// selectMode resolves Select against the projection and index, with
// DynamoDB's checks. op is "Querying" or "Scanning": some messages differ.
func selectMode(sel types.Select, hasProjection bool, legacyProjection bool, ix *index, op string) (types.Select, error) {
	what := "ProjectionExpression"
	if legacyProjection {
		what = "AttributesToGet"
	}
	switch sel {
	case "":
		if hasProjection {
			return types.SelectSpecificAttributes, nil
		}
		if ix != nil {
			return types.SelectAllProjectedAttributes, nil
		}
		return types.SelectAllAttributes, nil
	case types.SelectAllAttributes:
		if hasProjection {
			return "", validation("Cannot specify the %s when choosing to get ALL_ATTRIBUTES", what)
		}
		if ix != nil && ix.global && ix.projection.ProjectionType != types.ProjectionTypeAll {
			return "", validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", ix.name)
		}
	case types.SelectAllProjectedAttributes:
		if hasProjection {
			return "", validation("Cannot specify the %s when choosing to get ALL_PROJECTED_ATTRIBUTES", what)
		}
		if ix == nil {
			// The service says "Querying" for a Scan too.
			return "", validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
		}
	case types.SelectCount:
		if hasProjection {
			return "", validation("Cannot specify the %s when choosing to get only the COUNT", what)
		}
	case types.SelectSpecificAttributes:
		if !hasProjection {
			// Query wraps this one in the constraint envelope; Scan does not.
			msg := "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
			if op == "Querying" {
				msg = "1 validation error detected: " + msg
			}
			return "", validationMsg(msg)
		}
	default:
		return "", validation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", sel)
	}
	return sel, nil
}

func checkLimit(limit *int32) (int, error) {
	if limit == nil {
		return 0, nil
	}
	if *limit < 1 {
		var c constraints
		c.add(*limit, "limit", "Member must have value greater than or equal to 1")
		return 0, c.err()
	}
	return int(*limit), nil
}
