package memstore

import (
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/btree"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// row is one entry of a table or index tree. An item is immutable once
// stored: a write gives the row a new item, never edits the old one, so a
// reader that took the item under the lock can use it after unlocking (the
// row itself it may only read under the lock).
//
// Rows are edited in place on overwrite, which spares a tree search per
// write; when eventual consistency keeps past versions, those share rows,
// and a write replaces rows instead (see table.editable).
type row struct {
	key  string
	item attr.Item
	size int
	// ixRows holds a base-table row's entry in each index, by position in
	// table.indexes, nil where the index leaves the item out. An overwrite
	// that keeps an index key updates that entry without a search.
	ixRows []*row
}

func rowLess(a, b *row) bool { return a.key < b.key }

const btreeDegree = 32

func newTree() *btree.BTreeG[*row] { return btree.NewG(btreeDegree, rowLess) }

// index is a GSI or LSI: its own tree of rows keyed by the index key, then
// the table key.
type index struct {
	name       string
	global     bool
	keys       keySchema
	projection types.Projection
	include    map[string]bool // INCLUDE's non-key attributes
	throughput *types.ProvisionedThroughput
	onDemand   *types.OnDemandThroughput // the caller's limits on an on-demand GSI, as given
	rows       *btree.BTreeG[*row]
	sizeBytes  int64
	status     types.IndexStatus
}

// table is one DynamoDB table. mu guards everything below it.
type table struct {
	mu sync.RWMutex

	name               string
	id                 string
	arn                string
	created            time.Time
	keys               keySchema
	attrDefs           []types.AttributeDefinition
	billing            types.BillingMode
	throughput         types.ProvisionedThroughput
	onDemand           *types.OnDemandThroughput // the caller's on-demand limits, as given
	deletionProtection bool
	tableClass         types.TableClass
	sse                *types.SSESpecification
	stream             *types.StreamSpecification
	streamLog          *streamLog // nil while the stream is off
	latestStream       *streamLog // the most recent stream, on or off
	now                func() time.Time
	history            *history // past versions for stale reads; nil unless eventual consistency is on
	tags               map[string]string
	insights           map[string]insight // Contributor Insights by index name, "" for the table
	policy             *resourcePolicy
	pitr               bool
	readBucket         bucket // provisioned capacity, when throttling is on
	writeBucket        bucket
	ttl                *types.TimeToLiveSpecification

	rows      *btree.BTreeG[*row]
	byKey     map[string]*row // the same rows by key, for point reads and writes in O(1)
	sizeBytes int64
	indexes   []*index // GSIs then LSIs, in creation order
}

func (t *table) index(name string) *index {
	for _, ix := range t.indexes {
		if ix.name == name {
			return ix
		}
	}
	return nil
}

// get returns the stored item for a key item, or nil.
func (t *table) get(key attr.Item) attr.Item {
	if r := t.getAt(key, nil); r != nil {
		return r.item
	}
	return nil
}

// getAt reads a key from a past version, or from the present when v is nil.
func (t *table) getAt(key attr.Item, v *version) *row {
	var buf [256]byte
	return t.getRowAt(t.keys.rowKey(buf[:0], key), v)
}

// getRowAt finds a row by its row key, in a past version or the present.
func (t *table) getRowAt(rk []byte, v *version) *row {
	if v == nil {
		return t.byKey[string(rk)]
	}
	// The pivot is not kept, so it may alias the caller's buffer.
	r, _ := v.rows.Get(&row{key: unsafe.String(unsafe.SliceData(rk), len(rk))})
	return r
}

// beforeWrite saves the present for stale reads, when they are on.
func (t *table) beforeWrite() {
	if t.history != nil {
		t.history.beforeWrite(t, t.now())
	}
}

// editable reports whether writes may edit rows in place: not while past
// versions (which share rows) are kept for stale reads.
func (t *table) editable() bool { return t.history == nil }

// put stores item (already validated, owned by the table from now on).
func (t *table) put(item attr.Item) { t.putSized(item, attr.ItemSize(item)) }

// putSized is put with the item's size already known.
func (t *table) putSized(item attr.Item, size int) {
	t.beforeWrite()
	var buf [256]byte
	rk := t.keys.rowKey(buf[:0], item)
	r := t.byKey[string(rk)]
	var prev attr.Item
	if r == nil {
		r = &row{key: string(rk)}
		if len(t.indexes) > 0 {
			r.ixRows = make([]*row, len(t.indexes))
		}
		t.rows.ReplaceOrInsert(r)
		t.byKey[r.key] = r
	} else {
		prev = r.item
		t.sizeBytes -= int64(r.size)
		if !t.editable() {
			r = &row{key: r.key, ixRows: slices.Clone(r.ixRows)}
			t.rows.ReplaceOrInsert(r)
			t.byKey[r.key] = r
		}
	}
	r.item, r.size = item, size
	t.sizeBytes += int64(size)
	for i, ix := range t.indexes {
		r.ixRows[i] = ix.update(t, r.ixRows[i], prev, item, size)
	}
	if t.streamLog != nil {
		t.streamLog.append(prev, item, false, t.now())
	}
}

// delete removes the item with a key and reports whether there was one.
func (t *table) delete(key attr.Item) bool { return t.deleteBy(key, false) }

// deleteBy removes a row; service marks a TTL deletion in the stream.
func (t *table) deleteBy(key attr.Item, service bool) bool {
	var buf [256]byte
	old := t.byKey[string(t.keys.rowKey(buf[:0], key))]
	if old == nil {
		return false
	}
	t.beforeWrite()
	t.rows.Delete(old)
	delete(t.byKey, old.key)
	t.sizeBytes -= int64(old.size)
	for i, ix := range t.indexes {
		ix.drop(old.ixRows[i])
	}
	if t.streamLog != nil {
		t.streamLog.append(old.item, nil, service, t.now())
	}
	return true
}

// covers reports whether item belongs in the index: it must carry every
// index key attribute (sparse indexes leave the rest out).
func (ix *index) covers(item attr.Item) bool {
	if _, ok := item[ix.keys.Hash.Name]; !ok {
		return false
	}
	if ix.keys.Range != nil {
		if _, ok := item[ix.keys.Range.Name]; !ok {
			return false
		}
	}
	for _, more := range [2][]keyDef{ix.keys.MoreHash, ix.keys.MoreRange} {
		for _, d := range more {
			if _, ok := item[d.Name]; !ok {
				return false
			}
		}
	}
	return true
}

func (ix *index) rowKey(tk keySchema, item attr.Item) string {
	b := ix.keys.rowKey(make([]byte, 0, 64), item)
	return string(tk.appendTableKey(b, item))
}

// sameKey reports whether two versions of an item sit on the same index row
// (both in the index with equal index keys), so a write can replace the row
// instead of deleting and reinserting it.
func (ix *index) sameKey(a, b attr.Item) bool {
	same := func(kd *keyDef) bool {
		va, okA := a[kd.Name]
		vb, okB := b[kd.Name]
		return okA && okB && attr.Equal(va, vb)
	}
	if !same(&ix.keys.Hash) || ix.keys.Range != nil && !same(ix.keys.Range) {
		return false
	}
	for _, more := range [2][]keyDef{ix.keys.MoreHash, ix.keys.MoreRange} {
		for i := range more {
			if !same(&more[i]) {
				return false
			}
		}
	}
	return true
}

// update brings an item's index entry cur (nil if none) in line with its
// new version and returns the entry now in the index, nil if none. An entry
// whose key is unchanged is edited (or, with past versions kept, replaced)
// without a search for its position.
func (ix *index) update(t *table, cur *row, prev, item attr.Item, size int) *row {
	if cur == nil || !ix.sameKey(prev, item) {
		ix.drop(cur)
		return ix.insert(t.keys, item, size)
	}
	size = ix.storedSize(t.keys, item, size)
	ix.sizeBytes += int64(size - cur.size)
	if !t.editable() {
		cur = &row{key: cur.key}
		ix.rows.ReplaceOrInsert(cur)
	}
	cur.item, cur.size = item, size
	return cur
}

// insert adds an item's entry if the index covers it and returns it.
func (ix *index) insert(tk keySchema, item attr.Item, size int) *row {
	if !ix.covers(item) {
		return nil
	}
	r := &row{key: ix.rowKey(tk, item), item: item, size: ix.storedSize(tk, item, size)}
	if old, replaced := ix.rows.ReplaceOrInsert(r); replaced {
		ix.sizeBytes -= int64(old.size)
	}
	ix.sizeBytes += int64(r.size)
	return r
}

// drop removes an entry (nil: nothing to do).
func (ix *index) drop(r *row) {
	if r == nil {
		return
	}
	ix.rows.Delete(r)
	ix.sizeBytes -= int64(r.size)
}

// storedSize is the size of what the index keeps of an item of itemSize.
func (ix *index) storedSize(tk keySchema, item attr.Item, itemSize int) int {
	if ix.projection.ProjectionType == types.ProjectionTypeAll {
		return itemSize
	}
	// ItemSize(ix.projectItem(tk, item)), without building the projection.
	n := 0
	add := func(name string) {
		if v, ok := item[name]; ok {
			n += len(name) + attr.Size(v)
		}
	}
	var keys [4]string // the table's and the index's key names, once each
	nk := 0
	for _, kd := range []*keyDef{&tk.Hash, tk.Range, &ix.keys.Hash, ix.keys.Range} {
		if kd != nil && !slices.Contains(keys[:nk], kd.Name) {
			keys[nk] = kd.Name
			nk++
			add(kd.Name)
		}
	}
	for name := range ix.include {
		if !slices.Contains(keys[:nk], name) {
			add(name)
		}
	}
	return n
}

// projectItem returns what the index stores of an item: everything for
// ALL, else the table and index keys plus INCLUDE's attributes. The result
// shares values with item; callers copy before handing it out.
func (ix *index) projectItem(tk keySchema, item attr.Item) attr.Item {
	if ix.projection.ProjectionType == types.ProjectionTypeAll {
		return item
	}
	out := make(attr.Item, 4+len(ix.include))
	tk.project(item, out)
	ix.keys.project(item, out)
	for name := range ix.include {
		if v, ok := item[name]; ok {
			out[name] = v
		}
	}
	return out
}

// projects reports whether the index holds attribute name.
func (ix *index) projects(tk keySchema, name string) bool {
	if ix.projection.ProjectionType == types.ProjectionTypeAll {
		return true
	}
	return tk.has(name) || ix.keys.has(name) || ix.include[name]
}

func (ix *index) keyOf(tk keySchema, item attr.Item) string { return ix.rowKey(tk, item) }

// projectionChanged reports whether a write changes what the index stores.
func (ix *index) projectionChanged(tk keySchema, old, new attr.Item) bool {
	return !attr.EqualItems(ix.projectItem(tk, old), ix.projectItem(tk, new))
}

func itemSize(item attr.Item) int { return attr.ItemSize(item) }
