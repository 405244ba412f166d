package memstore

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Capacity units by DynamoDB's rules: a read unit is 4 KB (half for an
// eventually consistent read), a write unit 1 KB, rounded up per item;
// transactional reads and writes cost double.
const (
	readUnitBytes  = 4096
	writeUnitBytes = 1024
)

func readUnits(size int, consistent bool) float64 {
	units := float64((size + readUnitBytes - 1) / readUnitBytes)
	if units < 1 {
		units = 1
	}
	if !consistent {
		units /= 2
	}
	return units
}

func writeUnits(size int) float64 {
	units := float64((size + writeUnitBytes - 1) / writeUnitBytes)
	if units < 1 {
		units = 1
	}
	return units
}

// usage accumulates one request's units on a table and its indexes.
type usage struct {
	table   string
	write   bool
	units   float64            // on the base table
	indexes map[string]float64 // per index read from or written to
	global  map[string]bool
	// transactional usage also reports the read or write split, beside
	// CapacityUnits; every other operation reports the aggregate alone.
	transactional bool
}

func newUsage(table string, write bool) *usage {
	return &usage{table: table, write: write}
}

func (u *usage) addIndex(ix *index, units float64) {
	if u.indexes == nil {
		u.indexes = map[string]float64{}
		u.global = map[string]bool{}
	}
	u.indexes[ix.name] += units
	u.global[ix.name] = ix.global
}

// render returns ConsumedCapacity for the requested mode, or nil for NONE.
func (u *usage) render(mode types.ReturnConsumedCapacity) *types.ConsumedCapacity {
	if u == nil || (mode != types.ReturnConsumedCapacityTotal && mode != types.ReturnConsumedCapacityIndexes) {
		return nil
	}
	total := u.units
	for _, v := range u.indexes {
		total += v
	}
	cc := &types.ConsumedCapacity{TableName: aws.String(u.table), CapacityUnits: aws.Float64(total)}
	if u.transactional {
		u.split(cc, total)
	}
	if mode == types.ReturnConsumedCapacityIndexes {
		cc.Table = u.capacity(u.units)
		for name, v := range u.indexes {
			if u.global[name] {
				if cc.GlobalSecondaryIndexes == nil {
					cc.GlobalSecondaryIndexes = map[string]types.Capacity{}
				}
				cc.GlobalSecondaryIndexes[name] = *u.capacity(v)
			} else {
				if cc.LocalSecondaryIndexes == nil {
					cc.LocalSecondaryIndexes = map[string]types.Capacity{}
				}
				cc.LocalSecondaryIndexes[name] = *u.capacity(v)
			}
		}
	}
	return cc
}

func (u *usage) split(cc *types.ConsumedCapacity, units float64) {
	if u.write {
		cc.WriteCapacityUnits = aws.Float64(units)
	} else {
		cc.ReadCapacityUnits = aws.Float64(units)
	}
}

func (u *usage) capacity(units float64) *types.Capacity {
	c := &types.Capacity{CapacityUnits: aws.Float64(units)}
	if !u.transactional {
		return c
	}
	if u.write {
		c.WriteCapacityUnits = aws.Float64(units)
	} else {
		c.ReadCapacityUnits = aws.Float64(units)
	}
	return c
}

// wantsUsage reports whether anyone will look at a request's bill: the
// caller asked for ConsumedCapacity, or throttling is on.
func (s *Store) wantsUsage(mode types.ReturnConsumedCapacity) bool {
	return s.throttling != nil || mode == types.ReturnConsumedCapacityTotal || mode == types.ReturnConsumedCapacityIndexes
}

// readUsage bills a single-item read when anyone will look at the bill.
func (s *Store) readUsage(t *table, mode types.ReturnConsumedCapacity, units float64) *usage {
	if !s.wantsUsage(mode) {
		return nil
	}
	u := newUsage(t.name, false)
	u.units = units
	return u
}

// writeUsage bills a single write when anyone will look at the bill (the
// caller asked for ConsumedCapacity, or throttling is on); nil otherwise,
// which keeps sizing and index projections off the common write path.
func (s *Store) writeUsage(t *table, mode types.ReturnConsumedCapacity, old, new map[string]types.AttributeValue) *usage {
	if !s.wantsUsage(mode) {
		return nil
	}
	u := newUsage(t.name, true)
	u.chargeWrite(t, old, new)
	return u
}

// chargeWrite bills an item write: the larger of the old and new item on the
// table, and on each index the rows the write removes and adds.
func (u *usage) chargeWrite(t *table, old, new map[string]types.AttributeValue) {
	size := 0
	if old != nil {
		size = itemSize(old)
	}
	if new != nil {
		if n := itemSize(new); n > size {
			size = n
		}
	}
	u.units += writeUnits(size)
	for _, ix := range t.indexes {
		var units float64
		oldIn := old != nil && ix.covers(old)
		newIn := new != nil && ix.covers(new)
		switch {
		case oldIn && newIn && ix.keyOf(t.keys, old) == ix.keyOf(t.keys, new):
			if !ix.projectionChanged(t.keys, old, new) {
				continue
			}
			units = writeUnits(itemSize(ix.projectItem(t.keys, new)))
		default:
			if oldIn {
				units += writeUnits(itemSize(ix.projectItem(t.keys, old)))
			}
			if newIn {
				units += writeUnits(itemSize(ix.projectItem(t.keys, new)))
			}
		}
		if units > 0 {
			u.addIndex(ix, units)
		}
	}
}

// merge adds another usage of the same table.
func (u *usage) merge(o *usage) {
	u.units += o.units
	for name, v := range o.indexes {
		if u.indexes == nil {
			u.indexes = map[string]float64{}
			u.global = map[string]bool{}
		}
		u.indexes[name] += v
		u.global[name] = o.global[name]
	}
}
