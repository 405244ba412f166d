package memstore

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// Item and key limits from the Developer Guide.
const (
	maxItemSize     = 400 * 1024
	maxPartitionKey = 2048
	maxSortKey      = 1024
)

const (
	msgItemTooLarge   = "Item size has exceeded the maximum allowed size"
	msgUpdateTooLarge = "Item size to update has exceeded the maximum allowed size"
)

// checkKey validates a request's Key against a key schema and returns a
// normalized copy (numbers canonical), for writes that store it.
func checkKey(ks keySchema, key map[string]types.AttributeValue) (attr.Item, error) {
	if err := validKey(ks, key); err != nil {
		return nil, err
	}
	out := make(attr.Item, len(key))
	for name, v := range key {
		nv, err := attr.Normalize(v)
		if err != nil {
			return nil, asValidation(err)
		}
		out[name] = nv
	}
	return out, nil
}

// keyRow validates a request's Key like checkKey and appends its row key
// to dst, without copying the key: reads only need to find the row.
func keyRow(ks keySchema, key map[string]types.AttributeValue, dst []byte) ([]byte, error) {
	if err := validKey(ks, key); err != nil {
		return nil, err
	}
	return ks.rowKey(dst, key), nil
}

// validKey checks that key holds exactly the schema's attributes, with
// their types, valid numbers, and non-empty values within the size limits.
func validKey(ks keySchema, key map[string]types.AttributeValue) error {
	if key == nil {
		return validation("1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null")
	}
	if ks.multi() {
		return validMultiKey(ks, key)
	}
	want := 1
	if ks.Range != nil {
		want = 2
	}
	if len(key) != want {
		return validation("The provided key element does not match the schema")
	}
	for i, kd := range []*keyDef{&ks.Hash, ks.Range} {
		if kd == nil {
			continue
		}
		v, ok := key[kd.Name]
		if !ok || attr.TypeOf(v) != string(kd.Type) {
			return validation("The provided key element does not match the schema")
		}
		if n, isN := v.(*types.AttributeValueMemberN); isN {
			if _, err := attr.CanonicalNumber(n.Value); err != nil {
				return asValidation(err)
			}
		}
		if err := checkKeyValue(kd.Name, v, i == 0); err != nil {
			return err
		}
	}
	return nil
}

// validMultiKey is validKey for a multi-attribute key (an index's, as an
// ExclusiveStartKey gives it).
func validMultiKey(ks keySchema, key map[string]types.AttributeValue) error {
	defs := ks.all()
	if len(key) != len(defs) {
		return validation("The provided key element does not match the schema")
	}
	for i, kd := range defs {
		v, ok := key[kd.Name]
		if !ok || attr.TypeOf(v) != string(kd.Type) {
			return validation("The provided key element does not match the schema")
		}
		if err := attr.CheckValue(v); err != nil {
			return asValidation(err)
		}
		if err := checkKeyValue(kd.Name, v, i < 1+len(ks.MoreHash)); err != nil {
			return err
		}
	}
	return nil
}

// checkKeyValue enforces non-empty S/B keys and the key size limits.
func checkKeyValue(name string, v types.AttributeValue, isHash bool) error {
	var n int
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		if x.Value == "" {
			return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", name)
		}
		n = len(x.Value)
	case *types.AttributeValueMemberB:
		if len(x.Value) == 0 {
			return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: %s", name)
		}
		n = len(x.Value)
	default:
		return nil
	}
	if isHash && n > maxPartitionKey {
		return validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
	}
	if !isHash && n > maxSortKey {
		return validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
	}
	return nil
}

// checkItem validates a complete item about to be stored: the table key is
// present and typed, index keys (when present) are typed and non-empty, and
// the size is within 400 KB.
func (t *table) checkItem(item attr.Item) error {
	_, err := t.checkItemSize(item)
	return err
}

// checkItemSize is checkItem, also returning the item's size.
func (t *table) checkItemSize(item attr.Item) (int, error) {
	size := attr.ItemSize(item)
	return size, t.checkItemSized(item, size)
}

// checkUpdatedItem is checkItemSize for an item an update expression
// produced: an emptied index key gets the update's own message.
func (t *table) checkUpdatedItem(item attr.Item) (int, error) {
	if err := attr.CheckDepth(item); err != nil {
		return 0, asValidation(err) // written into a nested path, or a transaction's deeper value
	}
	size := attr.ItemSize(item)
	return size, t.checkItemFor(item, size, true)
}

// checkItemSized is checkItem for an item whose size is known.
func (t *table) checkItemSized(item attr.Item, size int) error {
	return t.checkItemFor(item, size, false)
}

func (t *table) checkItemFor(item attr.Item, size int, updated bool) error {
	for i, kd := range []*keyDef{&t.keys.Hash, t.keys.Range} {
		if kd == nil {
			continue
		}
		v, ok := item[kd.Name]
		if !ok {
			return validation("One or more parameter values were invalid: Missing the key %s in the item", kd.Name)
		}
		if got := attr.TypeOf(v); got != string(kd.Type) {
			return validation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", kd.Name, kd.Type, got)
		}
		if err := checkKeyValue(kd.Name, v, i == 0); err != nil {
			return err
		}
	}
	// An attribute that keys several indexes is reported for the index
	// whose name sorts first, as the service does.
	var bad *index
	var badErr error
	for _, ix := range t.indexes {
		if bad != nil && ix.name > bad.name {
			continue
		}
		if err := ix.checkKeys(t.keys, item, updated); err != nil {
			bad, badErr = ix, err
		}
	}
	if badErr != nil {
		return badErr
	}
	if size > maxItemSize {
		if updated {
			return validationMsg(msgUpdateTooLarge)
		}
		return validationMsg(msgItemTooLarge)
	}
	return nil
}

// checkKeys checks the index key attributes an item carries (those that are
// not also table keys): typed as declared, not empty, within the key size.
func (ix *index) checkKeys(tk keySchema, item attr.Item, updated bool) error {
	defs := [2]*keyDef{&ix.keys.Hash, ix.keys.Range}
	for i, kd := range defs {
		if kd == nil || tk.has(kd.Name) {
			continue
		}
		if err := ix.checkKey(kd, i == 0, item, updated); err != nil {
			return err
		}
	}
	for _, d := range ix.keys.MoreHash {
		if err := ix.checkKey(&d, true, item, updated); err != nil && !tk.has(d.Name) {
			return err
		}
	}
	for _, d := range ix.keys.MoreRange {
		if err := ix.checkKey(&d, false, item, updated); err != nil && !tk.has(d.Name) {
			return err
		}
	}
	return nil
}

// checkKey checks one index key attribute of item, when present.
func (ix *index) checkKey(kd *keyDef, partition bool, item attr.Item, updated bool) error {
	v, ok := item[kd.Name]
	if !ok {
		return nil
	}
	if got := attr.TypeOf(v); got != string(kd.Type) {
		return validation("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", kd.Name, kd.Type, got, ix.name)
	}
	if isEmptyKey(v) {
		if updated {
			return validation("One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty %s value.", emptyKind(v))
		}
		return validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", emptyKind(v), ix.name, kd.Name)
	}
	return checkKeyValue(kd.Name, v, partition)
}

func isEmptyKey(v types.AttributeValue) bool {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return x.Value == ""
	case *types.AttributeValueMemberB:
		return len(x.Value) == 0
	}
	return false
}

func emptyKind(v types.AttributeValue) string {
	if _, ok := v.(*types.AttributeValueMemberB); ok {
		return "binary"
	}
	return "string"
}

func checkReturnValues(rv types.ReturnValue, allowed ...types.ReturnValue) error {
	if rv == "" {
		return nil
	}
	for _, a := range allowed {
		if rv == a {
			return nil
		}
	}
	switch rv {
	case types.ReturnValueNone, types.ReturnValueAllOld, types.ReturnValueUpdatedOld, types.ReturnValueAllNew, types.ReturnValueUpdatedNew:
		if len(allowed) == 2 {
			return validation("ReturnValues can only be ALL_OLD or NONE")
		}
	}
	return validation("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", rv)
}
