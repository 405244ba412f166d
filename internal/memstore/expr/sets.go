package expr

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/monotable/monotable/internal/memstore/attr"
)

// Set arithmetic for ADD and DELETE. Both sets have the same type; the
// result is a new value with its members in stored order (attr.SortedSet).

func numberKey(s string) string {
	if c, err := attr.CanonicalNumber(s); err == nil {
		return c
	}
	return s
}

func setUnion(a, b types.AttributeValue) types.AttributeValue {
	switch x := a.(type) {
	case *types.AttributeValueMemberSS:
		return attr.SortedSet(&types.AttributeValueMemberSS{Value: union(x.Value, b.(*types.AttributeValueMemberSS).Value, func(s string) string { return s })})
	case *types.AttributeValueMemberNS:
		return attr.SortedSet(&types.AttributeValueMemberNS{Value: union(x.Value, b.(*types.AttributeValueMemberNS).Value, numberKey)})
	case *types.AttributeValueMemberBS:
		return attr.SortedSet(&types.AttributeValueMemberBS{Value: union(x.Value, b.(*types.AttributeValueMemberBS).Value, func(b []byte) string { return string(b) })})
	case *types.AttributeValueMemberL:
		out := make([]types.AttributeValue, 0, len(x.Value)+len(b.(*types.AttributeValueMemberL).Value))
		return &types.AttributeValueMemberL{Value: append(append(out, x.Value...), b.(*types.AttributeValueMemberL).Value...)}
	}
	return a
}

// setMinus returns nil when no element is left: DynamoDB has no empty sets,
// so the attribute is removed.
func setMinus(a, b types.AttributeValue) types.AttributeValue {
	switch x := a.(type) {
	case *types.AttributeValueMemberSS:
		if out := minus(x.Value, b.(*types.AttributeValueMemberSS).Value, func(s string) string { return s }); len(out) > 0 {
			return &types.AttributeValueMemberSS{Value: out}
		}
	case *types.AttributeValueMemberNS:
		if out := minus(x.Value, b.(*types.AttributeValueMemberNS).Value, numberKey); len(out) > 0 {
			return &types.AttributeValueMemberNS{Value: out}
		}
	case *types.AttributeValueMemberBS:
		if out := minus(x.Value, b.(*types.AttributeValueMemberBS).Value, func(b []byte) string { return string(b) }); len(out) > 0 {
			return &types.AttributeValueMemberBS{Value: out}
		}
	default:
		return a
	}
	return nil
}

func union[T any](a, b []T, key func(T) string) []T {
	seen := make(map[string]bool, len(a)+len(b))
	out := make([]T, 0, len(a)+len(b))
	for _, s := range [][]T{a, b} {
		for _, e := range s {
			if k := key(e); !seen[k] {
				seen[k] = true
				out = append(out, e)
			}
		}
	}
	return out
}

func minus[T any](a, b []T, key func(T) string) []T {
	drop := make(map[string]bool, len(b))
	for _, e := range b {
		drop[key(e)] = true
	}
	var out []T
	for _, e := range a {
		if !drop[key(e)] {
			out = append(out, e)
		}
	}
	return out
}
