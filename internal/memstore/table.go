package memstore

import (
	"sync"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/btree"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// row is one entry of a table or index tree. Items are immutable once
// stored: a write replaces the row's item, never edits it, so a reader that
// copied a pointer under the lock can finish its work after unlocking.
type row struct {
	key  string
	item attr.Item
	size int
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
	deletionProtection bool
	tableClass         types.TableClass
	sse                *types.SSESpecification
	stream             *types.StreamSpecification
	streamLog          *streamLog // nil while the stream is off
	latestStream       *streamLog // the most recent stream, on or off
	now                func() time.Time
	history            *history // past versions for stale reads; nil unless eventual consistency is on
	tags               map[string]string
	pitr               bool
	readBucket         bucket // provisioned capacity, when throttling is on
	writeBucket        bucket
	ttl                *types.TimeToLiveSpecification

	rows      *btree.BTreeG[*row]
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

// attrType returns the declared type of a key attribute.
func (t *table) attrType(name string) types.ScalarAttributeType {
	for _, d := range t.attrDefs {
		if *d.AttributeName == name {
			return d.AttributeType
		}
	}
	return ""
}

// get returns the stored row for a key item, or nil.
func (t *table) get(key attr.Item) *row { return t.getAt(key, nil) }

// getAt reads a key from a past version, or from the present when v is nil.
func (t *table) getAt(key attr.Item, v *version) *row {
	var buf [256]byte
	return t.getRowAt(t.keys.rowKey(buf[:0], key), v)
}

// getRowAt finds a row by its row key, in a past version or the present.
func (t *table) getRowAt(rk []byte, v *version) *row {
	tree := t.rows
	if v != nil {
		tree = v.rows
	}
	// The pivot is not kept, so it may alias the caller's buffer.
	r, ok := tree.Get(&row{key: unsafe.String(unsafe.SliceData(rk), len(rk))})
	if !ok {
		return nil
	}
	return r
}

// put stores item (already validated, owned by the table from now on) and
// returns the row it replaced, if any.
func (t *table) put(item attr.Item) (old *row) { return t.putSized(item, attr.ItemSize(item)) }

// putSized is put with the item's size already known.
func (t *table) putSized(item attr.Item, size int) (old *row) {
	t.history.beforeWrite(t, t.now())
	r := &row{key: string(t.keys.rowKey(make([]byte, 0, 64), item)), item: item, size: size}
	old, _ = t.rows.ReplaceOrInsert(r)
	t.sizeBytes += int64(r.size)
	if old != nil {
		t.sizeBytes -= int64(old.size)
	}
	for _, ix := range t.indexes {
		if old != nil && ix.sameKey(old.item, item) {
			ix.add(t.keys, item, size) // replaces the row in place
			continue
		}
		if old != nil {
			ix.remove(t.keys, old.item)
		}
		ix.add(t.keys, item, size)
	}
	if t.streamLog != nil {
		var prev attr.Item
		if old != nil {
			prev = old.item
		}
		t.streamLog.append(prev, item, false, t.now())
	}
	return old
}

// delete removes the row for a key item and returns it, or nil.
func (t *table) delete(key attr.Item) *row { return t.deleteBy(key, false) }

// deleteBy removes a row; service marks a TTL deletion in the stream.
func (t *table) deleteBy(key attr.Item, service bool) *row {
	k := string(t.keys.rowKey(nil, key))
	if _, ok := t.rows.Get(&row{key: k}); !ok {
		return nil
	}
	t.history.beforeWrite(t, t.now())
	old, _ := t.rows.Delete(&row{key: k})
	t.sizeBytes -= int64(old.size)
	for _, ix := range t.indexes {
		ix.remove(t.keys, old.item)
	}
	if t.streamLog != nil {
		t.streamLog.append(old.item, nil, service, t.now())
	}
	return old
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
	for _, kd := range []*keyDef{&ix.keys.Hash, ix.keys.Range} {
		if kd == nil {
			continue
		}
		va, okA := a[kd.Name]
		vb, okB := b[kd.Name]
		if !okA || !okB || !attr.Equal(va, vb) {
			return false
		}
	}
	return true
}

func (ix *index) add(tk keySchema, item attr.Item, size int) {
	if !ix.covers(item) {
		return
	}
	if ix.projection.ProjectionType != types.ProjectionTypeAll {
		size = attr.ItemSize(ix.projectItem(tk, item))
	}
	r := &row{key: ix.rowKey(tk, item), item: item, size: size}
	if old, replaced := ix.rows.ReplaceOrInsert(r); replaced {
		ix.sizeBytes -= int64(old.size)
	}
	ix.sizeBytes += int64(r.size)
}

func (ix *index) remove(tk keySchema, item attr.Item) {
	if !ix.covers(item) {
		return
	}
	if old, ok := ix.rows.Delete(&row{key: ix.rowKey(tk, item)}); ok {
		ix.sizeBytes -= int64(old.size)
	}
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
