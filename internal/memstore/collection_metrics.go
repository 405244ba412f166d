package memstore

import (
	"math"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// Item collections are what a table with local secondary indexes keeps per
// partition key value: the items and their entries in every LSI, together
// limited to 10 GB. A write asked for ReturnItemCollectionMetrics SIZE
// reports the collection it touched; on a table without LSIs there are no
// item collections, and nothing is reported.

const bytesPerGB = 1 << 30

// hasLocalIndexes reports whether t keeps item collections.
func (t *table) hasLocalIndexes() bool {
	for _, ix := range t.indexes {
		if !ix.global {
			return true
		}
	}
	return false
}

// collectionMetrics reports the item collection of key's partition, or nil
// when mode does not ask or t has none. The caller holds t.mu.
func (t *table) collectionMetrics(mode types.ReturnItemCollectionMetrics, key attr.Item) *types.ItemCollectionMetrics {
	if mode != types.ReturnItemCollectionMetricsSize || !t.hasLocalIndexes() {
		return nil
	}
	pk := key[t.keys.Hash.Name]
	if pk == nil {
		return nil
	}
	// The service gives a range 1 GB wide around its estimate of the
	// items' size plus their LSI entries.
	gb := math.Floor(float64(t.collectionBytes(pk)) / bytesPerGB)
	return &types.ItemCollectionMetrics{
		ItemCollectionKey:   map[string]types.AttributeValue{t.keys.Hash.Name: attr.Copy(pk)},
		SizeEstimateRangeGB: []float64{gb, gb + 1},
	}
}

// collectionBytes sums the stored size of pk's items and of their entries
// in the local secondary indexes.
func (t *table) collectionBytes(pk types.AttributeValue) int {
	p := partitionPrefix(pk)
	n := 0
	walk(t.rows, keyRange{lo: string(p), hi: successor(p)}, false, func(r *row) bool {
		n += r.size
		for k, ir := range r.ixRows {
			if ir != nil && !t.indexes[k].global {
				n += ir.size
			}
		}
		return true
	})
	return n
}
