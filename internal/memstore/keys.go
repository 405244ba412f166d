package memstore

import (
	"encoding/binary"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// Rows in every B-tree are ordered by one byte string:
//
//	hash(pk) | esc(pk) | esc(sk) [| esc(table pk) | esc(table sk)]
//
// The 8-byte hash prefix spreads partitions the way DynamoDB's hashing does
// (Scan order, parallel-scan segments); esc makes each component
// self-delimiting while keeping byte order, so a partition, a sort-key range
// and a begins_with prefix are each one contiguous key range: a Query is a
// seek plus a walk, O(log n + k).

const (
	escByte  = 0x00
	escZero  = 0xFF // 0x00 inside a component is written 0x00 0xFF
	escClose = 0x01 // a component ends with 0x00 0x01
)

// partitionHash is 64-bit FNV-1a, written out so it never allocates.
func partitionHash(pk []byte) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for _, c := range pk {
		h ^= uint64(c)
		h *= prime
	}
	return h
}

// appendEscaped appends a component without its terminator.
func appendEscaped(dst, b []byte) []byte {
	for _, c := range b {
		if c == escByte {
			dst = append(dst, escByte, escZero)
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

func appendComponent(dst, b []byte) []byte {
	return append(appendEscaped(dst, b), escByte, escClose)
}

// partitionPrefix is the key prefix shared by every row of one partition.
func partitionPrefix(pk types.AttributeValue) []byte {
	kb := attr.KeyBytes(pk)
	out := make([]byte, 8, 8+len(kb)+4)
	binary.BigEndian.PutUint64(out, partitionHash(kb))
	return appendComponent(out, kb)
}

// successor returns the smallest string greater than every string that
// starts with prefix, or "" when there is none (all 0xFF).
func successor(prefix []byte) string {
	b := append([]byte(nil), prefix...)
	for len(b) > 0 {
		if b[len(b)-1] != 0xFF {
			b[len(b)-1]++
			return string(b)
		}
		b = b[:len(b)-1]
	}
	return ""
}

// keyDef is one key attribute of a table or index.
type keyDef struct {
	Name string
	Type types.ScalarAttributeType
}

// keySchema is a partition key and an optional sort key. A global
// secondary index may have a multi-attribute key: up to four partition
// and four sort attributes, the ones after the first of each in MoreHash
// and MoreRange, in key schema order. Items are distributed by all the
// partition attributes together and sorted by the sort attributes in
// turn; an item missing any of them is not in the index.
type keySchema struct {
	Hash      keyDef
	Range     *keyDef
	MoreHash  []keyDef
	MoreRange []keyDef
}

// multi reports a multi-attribute key.
func (k keySchema) multi() bool { return len(k.MoreHash)+len(k.MoreRange) > 0 }

// hashDefs and rangeDefs list the partition and sort attributes in key
// schema order.
func (k keySchema) hashDefs() []keyDef { return append([]keyDef{k.Hash}, k.MoreHash...) }

func (k keySchema) rangeDefs() []keyDef {
	if k.Range == nil {
		return nil
	}
	return append([]keyDef{*k.Range}, k.MoreRange...)
}

// all lists every key attribute, partition attributes first.
func (k keySchema) all() []keyDef { return append(k.hashDefs(), k.rangeDefs()...) }

func (k keySchema) names() []string {
	if k.multi() {
		var out []string
		for _, d := range k.all() {
			out = append(out, d.Name)
		}
		return out
	}
	if k.Range == nil {
		return []string{k.Hash.Name}
	}
	return []string{k.Hash.Name, k.Range.Name}
}

func (k keySchema) has(name string) bool {
	if k.Hash.Name == name || (k.Range != nil && k.Range.Name == name) {
		return true
	}
	for _, d := range k.MoreHash {
		if d.Name == name {
			return true
		}
	}
	for _, d := range k.MoreRange {
		if d.Name == name {
			return true
		}
	}
	return false
}

func (k keySchema) sdk() []types.KeySchemaElement {
	var out []types.KeySchemaElement
	for _, d := range k.hashDefs() {
		out = append(out, types.KeySchemaElement{AttributeName: strPtr(d.Name), KeyType: types.KeyTypeHash})
	}
	for _, d := range k.rangeDefs() {
		out = append(out, types.KeySchemaElement{AttributeName: strPtr(d.Name), KeyType: types.KeyTypeRange})
	}
	return out
}

// rowKey builds a row's ordering key from the item's key attributes. The
// item must hold them with the right types (checked on write).
func (k keySchema) rowKey(dst []byte, item attr.Item) []byte {
	if k.multi() {
		return k.multiRowKey(dst, item)
	}
	var scratch [128]byte
	pk := attr.AppendKeyBytes(scratch[:0], item[k.Hash.Name])
	dst = binary.BigEndian.AppendUint64(dst, partitionHash(pk))
	dst = appendComponent(dst, pk)
	if k.Range != nil {
		dst = appendComponent(dst, attr.AppendKeyBytes(scratch[:0], item[k.Range.Name]))
	}
	return dst
}

// multiRowKey is rowKey for a multi-attribute key: the hash of all the
// partition components, the components, then each sort component in
// order, so that rows sort by the sort attributes one after another.
func (k keySchema) multiRowKey(dst []byte, item attr.Item) []byte {
	var values []types.AttributeValue
	for _, d := range k.hashDefs() {
		values = append(values, item[d.Name])
	}
	dst = append(dst, multiPartitionPrefix(values)...)
	for _, d := range k.rangeDefs() {
		dst = appendComponent(dst, attr.KeyBytes(item[d.Name]))
	}
	return dst
}

// multiPartitionPrefix is partitionPrefix for the values of a
// multi-attribute partition key, in key schema order.
func multiPartitionPrefix(values []types.AttributeValue) []byte {
	var comps []byte
	for _, v := range values {
		comps = appendComponent(comps, attr.KeyBytes(v))
	}
	out := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(comps)), partitionHash(comps))
	return append(out, comps...)
}

// appendTableKey appends the table key components (after the index key) so
// index rows are unique.
func (k keySchema) appendTableKey(dst []byte, item attr.Item) []byte {
	var scratch [128]byte
	dst = appendComponent(dst, attr.AppendKeyBytes(scratch[:0], item[k.Hash.Name]))
	if k.Range != nil {
		dst = appendComponent(dst, attr.AppendKeyBytes(scratch[:0], item[k.Range.Name]))
	}
	return dst
}

// project returns the key attributes of item.
func (k keySchema) project(item attr.Item, into attr.Item) attr.Item {
	if into == nil {
		into = make(attr.Item, 4)
	}
	into[k.Hash.Name] = item[k.Hash.Name]
	if k.Range != nil {
		into[k.Range.Name] = item[k.Range.Name]
	}
	for _, d := range k.MoreHash {
		into[d.Name] = item[d.Name]
	}
	for _, d := range k.MoreRange {
		into[d.Name] = item[d.Name]
	}
	return into
}

func strPtr(s string) *string { return &s }
