package expr

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// keyTerm is one comparison of a key condition, attribute on the left.
type keyTerm struct {
	name   string // attribute name, resolved
	ref    string // the name as written (#n or plain)
	op     SortOp
	values []*valueOp
}

// ParseKeyCondition parses a Query's KeyConditionExpression: "pk = :v",
// optionally AND one of "sk op :v" (=, <, <=, >, >=), "sk BETWEEN :a AND :b"
// or "begins_with(sk, :v)", in either order, parenthesized or not, with the
// value on either side of a comparison. Checking the names against the key
// schema is the caller's job (see [KeyCondition.Orient]).
func ParseKeyCondition(text string, p *Params) (*KeyCondition, error) {
	c, err := ParseCondition(KindKeyCondition, text, p)
	if err != nil {
		return nil, err
	}
	var terms []keyTerm
	if msg := keyTerms(c.root, &terms); msg != "" {
		return nil, newError(msg)
	}
	if len(terms) > 2 {
		// Only an index with a multi-attribute key takes more than two;
		// the caller, which knows the schema, judges (see Terms).
		return &KeyCondition{Terms: exportTerms(terms), terms: terms}, nil
	}
	return keyConditionOf(terms)
}

// KeyTerm is one comparison of a key condition, the attribute on the left:
// Name Op Values (two values for BETWEEN).
type KeyTerm struct {
	Name   string
	Op     SortOp
	Values []types.AttributeValue
}

func exportTerms(terms []keyTerm) []KeyTerm {
	out := make([]KeyTerm, len(terms))
	for i, t := range terms {
		out[i] = KeyTerm{Name: t.name, Op: t.op}
		for _, v := range t.values {
			out[i].Values = append(out[i].Values, v.val)
		}
	}
	return out
}

// TooManyConditions is the service's wording for a key condition on more
// attributes than a key of keyAttrs attributes has.
func TooManyConditions(terms, keyAttrs int) string {
	return fmt.Sprintf("The number of query conditions (%d) exceeds the number of key attributes defined in the schema (%d)", terms, keyAttrs)
}

var keyOperatorNames = map[string]SortOp{"=": SortEQ, "<": SortLT, "<=": SortLE, ">": SortGT, ">=": SortGE}

// flipped gives the comparison with its operands swapped.
var flipped = map[SortOp]SortOp{SortEQ: SortEQ, SortLT: SortGT, SortLE: SortGE, SortGT: SortLT, SortGE: SortLE}

// keyTerms walks a key condition in DynamoDB's order, allowing only AND
// over the comparisons a key condition may make.
func keyTerms(c cond, terms *[]keyTerm) string {
	var op SortOp
	var operands []operand
	switch n := c.(type) {
	case *andNode:
		if msg := keyTerms(n.l, terms); msg != "" {
			return msg
		}
		return keyTerms(n.r, terms)
	case *orNode:
		return "Invalid operator used in KeyConditionExpression: OR"
	case *notNode:
		return "Invalid operator used in KeyConditionExpression: NOT"
	case *inNode:
		return "Invalid operator used in KeyConditionExpression: IN"
	case *cmpNode:
		if n.op == "<>" {
			return "Invalid operator used in KeyConditionExpression: <>"
		}
		op, operands = keyOperatorNames[n.op], []operand{n.l, n.r}
	case *betweenNode:
		if _, ok := n.x.(*pathOp); !ok {
			return "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"
		}
		op, operands = SortBetween, []operand{n.x, n.lo, n.hi}
	case *funcNode:
		if n.call.name != "begins_with" {
			return "Invalid operator used in KeyConditionExpression: " + n.call.name
		}
		if _, ok := n.call.args[0].(*pathOp); !ok {
			return "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"
		}
		op, operands = SortBeginsWith, n.call.args
	default:
		return "" // every condition node is handled above
	}
	t := keyTerm{op: op}
	var path *pathOp
	for i, o := range operands {
		switch x := o.(type) {
		case *pathOp:
			if path != nil {
				return "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
			}
			if len(x.path.Elems) > 1 {
				return "KeyConditionExpressions cannot have conditions on nested attributes"
			}
			path = x
			if i > 0 {
				t.op = flipped[t.op] // ":v < sk" is "sk > :v"
			}
		case *callOp:
			return "KeyConditionExpressions cannot contain nested operations"
		case *valueOp:
			t.values = append(t.values, x)
		}
	}
	if path == nil {
		return "Invalid condition in KeyConditionExpression: No key attribute specified"
	}
	t.name = path.path.Elems[0].Name
	t.ref = path.path.Elems[0].ref
	if t.ref == "" {
		t.ref = t.name
	}
	for _, other := range *terms {
		if other.name == t.name {
			return "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"
		}
	}
	*terms = append(*terms, t)
	return ""
}

// keyConditionOf takes the equality as the partition key condition. When
// both terms are equalities the first one written is taken, and the caller
// reorients with the key schema.
func keyConditionOf(terms []keyTerm) (*KeyCondition, error) {
	if len(terms) == 0 || len(terms) > 2 {
		return nil, newError("Conditions can be of length 1 or 2 only")
	}
	pi := -1
	for i, t := range terms {
		if t.op == SortEQ {
			pi = i
			break
		}
	}
	kc := &KeyCondition{Terms: exportTerms(terms), terms: terms}
	if pi < 0 && len(terms) == 2 {
		return nil, newError("Query key condition not supported")
	}
	for i, t := range terms {
		if i == pi {
			kc.PartitionName, kc.PartitionValue = t.name, t.values[0].val
			kc.names[0], kc.refs[0] = t.ref, t.values[0].ref
			continue
		}
		kc.SortName, kc.SortOp = t.name, t.op
		kc.names[1] = t.ref
		for j, v := range t.values {
			kc.SortValues = append(kc.SortValues, v.val)
			kc.refs[1+j] = v.ref
		}
	}
	return kc, nil
}

// Orient makes the partition key term the one on partitionKey. The parser
// cannot tell the partition key from the sort key when both are compared
// with "=", so it takes the first one written; the caller, which knows the
// key schema, calls Orient to swap them when needed.
func (kc *KeyCondition) Orient(partitionKey string) {
	if kc == nil || kc.PartitionName == partitionKey || kc.SortName != partitionKey || kc.SortOp != SortEQ {
		return
	}
	kc.PartitionName, kc.SortName = kc.SortName, kc.PartitionName
	kc.PartitionValue, kc.SortValues[0] = kc.SortValues[0], kc.PartitionValue
	kc.names[0], kc.names[1] = kc.names[1], kc.names[0]
	kc.refs[0], kc.refs[1] = kc.refs[1], kc.refs[0]
}
