package attr

import (
	"bytes"
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MaxNameBytes is the longest attribute name, in bytes.
const MaxNameBytes = 65535

// MaxDepth is DynamoDB's limit on nested lists and maps: counting the
// attribute itself as level 1, no value may sit deeper than level 32.
const MaxDepth = 32

// Validation errors for attribute values, in DynamoDB's words.
var (
	ErrEmptyValue     = errors.New("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	ErrEmptyStringSet = errors.New("One or more parameter values were invalid: An string set  may not be empty")
	ErrEmptyNumberSet = errors.New("One or more parameter values were invalid: An number set  may not be empty")
	ErrEmptyBinarySet = errors.New("One or more parameter values were invalid: Binary sets should not be empty")
	ErrEmptyName      = errors.New("Empty attribute name")
	ErrNameTooLarge   = errors.New("Attribute name is too large, must be less than 65536 bytes")
	ErrTooDeep        = errors.New("Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit")
	// Every region refuses NULL false again since July 2026, after two
	// briefly stored it as NULL true.
	ErrNullNotTrue = errors.New("One or more parameter values were invalid: Null attribute value types must have the value of true")
)

// Normalize validates a value from a request and returns a deep copy in the
// form DynamoDB stores: numbers canonical. The input is never modified.
func Normalize(v types.AttributeValue) (types.AttributeValue, error) {
	return normalize(v, 0)
}

// NormalizeExpressionValue is Normalize for an ExpressionAttributeValues
// entry in the older validation layer (the transactions), which lets such
// a value nest one level deeper than an attribute: the value itself is not
// an attribute. A value that deep fails later, if it is written.
func NormalizeExpressionValue(v types.AttributeValue) (types.AttributeValue, error) {
	return normalize(v, -1)
}

// CheckDepth reports ErrTooDeep for an item with a value nested past
// MaxDepth, as an update that writes into a nested path can leave one.
func CheckDepth(item map[string]types.AttributeValue) error {
	for _, v := range item {
		if depthOf(v) >= MaxDepth {
			return ErrTooDeep
		}
	}
	return nil
}

// depthOf is the 0-based level of v's deepest value.
func depthOf(v types.AttributeValue) int {
	d := 0
	switch x := v.(type) {
	case *types.AttributeValueMemberM:
		for _, e := range x.Value {
			d = max(d, 1+depthOf(e))
		}
	case *types.AttributeValueMemberL:
		for _, e := range x.Value {
			d = max(d, 1+depthOf(e))
		}
	}
	return d
}

// NormalizeItem validates and copies every value of an item.
func NormalizeItem(item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	out, _, err := NormalizeItemSize(item)
	return out, err
}

// NormalizeItemSize is NormalizeItem that also returns ItemSize of the
// result, measured in the same pass.
func NormalizeItemSize(item map[string]types.AttributeValue) (map[string]types.AttributeValue, int, error) {
	if _, ok := item[""]; ok {
		return nil, 0, ErrEmptyName // before any value is looked at
	}
	for k := range item {
		if len(k) > MaxNameBytes {
			return nil, 0, ErrNameTooLarge
		}
	}
	out := make(map[string]types.AttributeValue, len(item))
	size := 0
	nested := false
	for k, v := range item {
		nv, err := normalize(v, 0)
		if err != nil {
			return nil, 0, err
		}
		out[k] = nv
		size += len(k) + Size(nv)
		switch nv.(type) {
		case *types.AttributeValueMemberM, *types.AttributeValueMemberL:
			nested = true
		}
	}
	// An empty map key inside a value is reported after every value's
	// depth has been checked, as the service orders them.
	if nested {
		for _, v := range out {
			if hasEmptyMapKey(v) {
				return nil, 0, ErrEmptyName
			}
		}
	}
	return out, size, nil
}

func hasEmptyMapKey(v types.AttributeValue) bool {
	switch x := v.(type) {
	case *types.AttributeValueMemberM:
		for k, e := range x.Value {
			if k == "" || hasEmptyMapKey(e) {
				return true
			}
		}
	case *types.AttributeValueMemberL:
		for _, e := range x.Value {
			if hasEmptyMapKey(e) {
				return true
			}
		}
	}
	return false
}

func normalize(v types.AttributeValue, depth int) (types.AttributeValue, error) {
	if depth >= MaxDepth {
		return nil, ErrTooDeep
	}
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return &types.AttributeValueMemberS{Value: x.Value}, nil
	case *types.AttributeValueMemberN:
		n, err := CanonicalNumber(x.Value)
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberN{Value: n}, nil
	case *types.AttributeValueMemberB:
		return &types.AttributeValueMemberB{Value: cloneBytes(x.Value)}, nil
	case *types.AttributeValueMemberBOOL:
		return &types.AttributeValueMemberBOOL{Value: x.Value}, nil
	case *types.AttributeValueMemberNULL:
		if !x.Value {
			return nil, ErrNullNotTrue
		}
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case *types.AttributeValueMemberL:
		out := make([]types.AttributeValue, len(x.Value))
		for i, e := range x.Value {
			ne, err := normalize(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = ne
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case *types.AttributeValueMemberM:
		out := make(map[string]types.AttributeValue, len(x.Value))
		for k, e := range x.Value {
			ne, err := normalize(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = ne
		}
		return &types.AttributeValueMemberM{Value: out}, nil
	case *types.AttributeValueMemberSS:
		if len(x.Value) == 0 {
			return nil, ErrEmptyStringSet
		}
		if hasDuplicate(x.Value) {
			return nil, stringSetDuplicates(x.Value)
		}
		return SortedSet(&types.AttributeValueMemberSS{Value: append([]string(nil), x.Value...)}), nil
	case *types.AttributeValueMemberNS:
		if len(x.Value) == 0 {
			return nil, ErrEmptyNumberSet
		}
		out := make([]string, len(x.Value))
		for i, s := range x.Value {
			n, err := CanonicalNumber(s)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		if hasDuplicate(out) {
			return nil, errNumberSetDuplicates
		}
		return SortedSet(&types.AttributeValueMemberNS{Value: out}), nil
	case *types.AttributeValueMemberBS:
		if len(x.Value) == 0 {
			return nil, ErrEmptyBinarySet
		}
		out := make([][]byte, len(x.Value))
		strs := make([]string, len(x.Value))
		for i, b := range x.Value {
			out[i] = cloneBytes(b)
			strs[i] = string(b)
		}
		if hasDuplicate(strs) {
			return nil, binarySetDuplicates(x.Value)
		}
		return SortedSet(&types.AttributeValueMemberBS{Value: out}), nil
	}
	return nil, ErrEmptyValue
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return bytes.Clone(b)
}

func hasDuplicate(values []string) bool {
	if len(values) < 2 {
		return false
	}
	seen := make(map[string]struct{}, len(values))
	for _, v := range values {
		if _, ok := seen[v]; ok {
			return true
		}
		seen[v] = struct{}{}
	}
	return false
}

// CheckValue validates v as Normalize does without copying it when it is
// a scalar, for the request values a lookup only reads (keys).
func CheckValue(v types.AttributeValue) error {
	switch x := v.(type) {
	case *types.AttributeValueMemberS, *types.AttributeValueMemberB, *types.AttributeValueMemberBOOL:
		return nil
	case *types.AttributeValueMemberN:
		_, err := CanonicalNumber(x.Value)
		return err
	}
	_, err := Normalize(v)
	return err
}

// sortSet puts a set's members in the order the service returns them:
// string and binary sets bytewise, number sets by value (the empty string
// first). Sets are stored in that order.
func sortSet(v types.AttributeValue) {
	switch x := v.(type) {
	case *types.AttributeValueMemberSS:
		slices.Sort(x.Value)
	case *types.AttributeValueMemberNS:
		slices.SortFunc(x.Value, CompareNumbers)
	case *types.AttributeValueMemberBS:
		slices.SortFunc(x.Value, bytes.Compare)
	}
}

// SortedSet returns v with its members in stored order; v is a set this
// package produced (it is sorted in place).
func SortedSet(v types.AttributeValue) types.AttributeValue {
	sortSet(v)
	return v
}
