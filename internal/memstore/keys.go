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

// keySchema is a partition key and an optional sort key.
type keySchema struct {
	Hash  keyDef
	Range *keyDef
}

func (k keySchema) names() []string {
	if k.Range == nil {
		return []string{k.Hash.Name}
	}
	return []string{k.Hash.Name, k.Range.Name}
}

func (k keySchema) has(name string) bool {
	return k.Hash.Name == name || (k.Range != nil && k.Range.Name == name)
}

func (k keySchema) sdk() []types.KeySchemaElement {
	out := []types.KeySchemaElement{{AttributeName: strPtr(k.Hash.Name), KeyType: types.KeyTypeHash}}
	if k.Range != nil {
		out = append(out, types.KeySchemaElement{AttributeName: strPtr(k.Range.Name), KeyType: types.KeyTypeRange})
	}
	return out
}

// rowKey builds a row's ordering key from the item's key attributes. The
// item must hold them with the right types (checked on write).
func (k keySchema) rowKey(dst []byte, item attr.Item) []byte {
	var scratch [128]byte
	pk := attr.AppendKeyBytes(scratch[:0], item[k.Hash.Name])
	dst = binary.BigEndian.AppendUint64(dst, partitionHash(pk))
	dst = appendComponent(dst, pk)
	if k.Range != nil {
		dst = appendComponent(dst, attr.AppendKeyBytes(scratch[:0], item[k.Range.Name]))
	}
	return dst
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
	return into
}

func strPtr(s string) *string { return &s }
