package expr

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/monotable/monotable/internal/memstore/attr"
)

// Eval reports whether item satisfies the condition. A nil item is an item
// with no attributes. Comparisons involving a missing attribute, or values
// of different types, are false rather than errors, as in DynamoDB.
func (c *Condition) Eval(item map[string]types.AttributeValue) bool {
	if c == nil || c.root == nil {
		return true
	}
	return evalCond(c.root, item)
}

// Paths returns every document path the condition reads, in order.
func (c *Condition) Paths() []Path {
	if c == nil {
		return nil
	}
	var out []Path
	walkCond(c.root, func(o operand) {
		if p, ok := o.(*pathOp); ok {
			out = append(out, p.path)
		}
	})
	return out
}

func walkCond(c cond, f func(operand)) {
	switch n := c.(type) {
	case *andNode:
		walkCond(n.l, f)
		walkCond(n.r, f)
	case *orNode:
		walkCond(n.l, f)
		walkCond(n.r, f)
	case *notNode:
		walkCond(n.x, f)
	case *cmpNode:
		walkOperand(n.l, f)
		walkOperand(n.r, f)
	case *betweenNode:
		walkOperand(n.x, f)
		walkOperand(n.lo, f)
		walkOperand(n.hi, f)
	case *inNode:
		walkOperand(n.x, f)
		for _, o := range n.list {
			walkOperand(o, f)
		}
	case *funcNode:
		walkOperand(n.call, f)
	case *notContainsNode:
		walkOperand(n.x, f)
		walkOperand(n.v, f)
	}
}

func walkOperand(o operand, f func(operand)) {
	f(o)
	switch n := o.(type) {
	case *callOp:
		for _, a := range n.args {
			walkOperand(a, f)
		}
	case *arithOp:
		walkOperand(n.l, f)
		walkOperand(n.r, f)
	}
}

func evalCond(c cond, item map[string]types.AttributeValue) bool {
	switch n := c.(type) {
	case *andNode:
		return evalCond(n.l, item) && evalCond(n.r, item)
	case *orNode:
		return evalCond(n.l, item) || evalCond(n.r, item)
	case *notNode:
		return !evalCond(n.x, item)
	case *cmpNode:
		l, r := evalOperand(n.l, item), evalOperand(n.r, item)
		switch n.op {
		case "=":
			return l != nil && r != nil && attr.Equal(l, r)
		case "<>":
			return l == nil || r == nil || !attr.Equal(l, r)
		}
		if l == nil || r == nil {
			return false
		}
		c, ok := attr.Compare(l, r)
		if !ok {
			return false
		}
		switch n.op {
		case "<":
			return c < 0
		case "<=":
			return c <= 0
		case ">":
			return c > 0
		}
		return c >= 0
	case *betweenNode:
		x, lo, hi := evalOperand(n.x, item), evalOperand(n.lo, item), evalOperand(n.hi, item)
		if x == nil || lo == nil || hi == nil {
			return false
		}
		a, ok1 := attr.Compare(lo, x)
		b, ok2 := attr.Compare(x, hi)
		return ok1 && ok2 && a <= 0 && b <= 0
	case *inNode:
		x := evalOperand(n.x, item)
		if x == nil {
			return false
		}
		for _, o := range n.list {
			if v := evalOperand(o, item); v != nil && attr.Equal(x, v) {
				return true
			}
		}
		return false
	case *funcNode:
		return evalFunc(n.call, item)
	case *notContainsNode:
		x := evalOperand(n.x, item)
		return x != nil && !contains(x, evalOperand(n.v, item))
	}
	return false
}

func evalFunc(c *callOp, item map[string]types.AttributeValue) bool {
	a := evalOperand(c.args[0], item)
	switch c.name {
	case "attribute_exists":
		return a != nil
	case "attribute_not_exists":
		return a == nil
	case "attribute_type":
		t, ok := evalOperand(c.args[1], item).(*types.AttributeValueMemberS)
		return a != nil && ok && attr.TypeOf(a) == t.Value
	case "begins_with":
		return beginsWith(a, evalOperand(c.args[1], item))
	case "contains":
		return contains(a, evalOperand(c.args[1], item))
	}
	return false
}

func beginsWith(a, b types.AttributeValue) bool {
	switch x := a.(type) {
	case *types.AttributeValueMemberS:
		y, ok := b.(*types.AttributeValueMemberS)
		return ok && strings.HasPrefix(x.Value, y.Value)
	case *types.AttributeValueMemberB:
		y, ok := b.(*types.AttributeValueMemberB)
		return ok && bytes.HasPrefix(x.Value, y.Value)
	}
	return false
}

// contains is a substring test on S and B, and membership in sets and
// lists (list elements compare with full equality).
func contains(a, b types.AttributeValue) bool {
	if a == nil || b == nil {
		return false
	}
	switch x := a.(type) {
	case *types.AttributeValueMemberS:
		y, ok := b.(*types.AttributeValueMemberS)
		return ok && strings.Contains(x.Value, y.Value)
	case *types.AttributeValueMemberB:
		y, ok := b.(*types.AttributeValueMemberB)
		return ok && bytes.Contains(x.Value, y.Value)
	case *types.AttributeValueMemberSS:
		y, ok := b.(*types.AttributeValueMemberS)
		if ok {
			for _, e := range x.Value {
				if e == y.Value {
					return true
				}
			}
		}
	case *types.AttributeValueMemberNS:
		y, ok := b.(*types.AttributeValueMemberN)
		if ok {
			for _, e := range x.Value {
				if attr.CompareNumbers(e, y.Value) == 0 {
					return true
				}
			}
		}
	case *types.AttributeValueMemberBS:
		y, ok := b.(*types.AttributeValueMemberB)
		if ok {
			for _, e := range x.Value {
				if bytes.Equal(e, y.Value) {
					return true
				}
			}
		}
	case *types.AttributeValueMemberL:
		for _, e := range x.Value {
			if attr.Equal(e, b) {
				return true
			}
		}
	}
	return false
}

// evalOperand returns the operand's value for item, or nil when it has none
// (a missing attribute, or size() of a type without a size).
func evalOperand(o operand, item map[string]types.AttributeValue) types.AttributeValue {
	switch n := o.(type) {
	case *pathOp:
		return lookup(item, n.path.Elems)
	case *valueOp:
		return n.val
	case *callOp:
		if n.name == "size" {
			if s, ok := sizeOf(evalOperand(n.args[0], item)); ok {
				return &types.AttributeValueMemberN{Value: strconv.Itoa(s)}
			}
		}
	}
	return nil
}

// sizeOf is size(): bytes of a string or binary, elements of a set, list
// or map.
func sizeOf(v types.AttributeValue) (int, bool) {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return utf16Len(x.Value), true
	case *types.AttributeValueMemberB:
		return len(x.Value), true
	case *types.AttributeValueMemberSS:
		return len(x.Value), true
	case *types.AttributeValueMemberNS:
		return len(x.Value), true
	case *types.AttributeValueMemberBS:
		return len(x.Value), true
	case *types.AttributeValueMemberL:
		return len(x.Value), true
	case *types.AttributeValueMemberM:
		return len(x.Value), true
	}
	return 0, false
}

// utf16Len is a string's length as size() measures it: in UTF-16 code
// units, as Java counts them (a character outside the Basic Multilingual
// Plane counts 2), not in the UTF-8 bytes the item size counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n++
		}
		n++
	}
	return n
}

// lookup follows a document path through an item; nil if any step is
// missing or of the wrong type.
func lookup(item map[string]types.AttributeValue, elems []PathElem) types.AttributeValue {
	if len(elems) == 0 || item == nil {
		return nil
	}
	v := item[elems[0].Name]
	for _, e := range elems[1:] {
		switch x := v.(type) {
		case *types.AttributeValueMemberM:
			if e.IsIndex {
				return nil
			}
			v = x.Value[e.Name]
		case *types.AttributeValueMemberL:
			if !e.IsIndex || e.Index < 0 || e.Index >= len(x.Value) {
				return nil
			}
			v = x.Value[e.Index]
		default:
			return nil
		}
	}
	return v
}
