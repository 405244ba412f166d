package expr

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/monotable/monotable/internal/memstore/attr"
)

// The legacy conditional parameters name top-level attributes and compare
// them with ComparisonOperators. They are converted to the trees the
// expressions parse to, attributes in name order so that messages and
// evaluation are deterministic.

const invalidParams = "One or more parameter values were invalid: "

// argCounts is how many values each operator takes; -1 is one or more.
var argCounts = map[types.ComparisonOperator]int{
	types.ComparisonOperatorEq: 1, types.ComparisonOperatorNe: 1,
	types.ComparisonOperatorLe: 1, types.ComparisonOperatorLt: 1,
	types.ComparisonOperatorGe: 1, types.ComparisonOperatorGt: 1,
	types.ComparisonOperatorContains: 1, types.ComparisonOperatorNotContains: 1,
	types.ComparisonOperatorBeginsWith: 1,
	types.ComparisonOperatorNotNull:    0, types.ComparisonOperatorNull: 0,
	types.ComparisonOperatorIn: -1, types.ComparisonOperatorBetween: 2,
}

// validTypes lists the value types each operator accepts; EQ and NE take
// any type, lists and maps included.
func validType(op types.ComparisonOperator, t string) bool {
	switch op {
	case types.ComparisonOperatorEq, types.ComparisonOperatorNe:
		return true
	case types.ComparisonOperatorBeginsWith:
		return t == attr.TypeS || t == attr.TypeB
	}
	return isScalarType(t)
}

// checkLegacyValues validates an AttributeValueList for op in DynamoDB's
// order: the values themselves, their number, each one's type, one type
// for all, and BETWEEN's bounds in order.
func checkLegacyValues(op types.ComparisonOperator, list []types.AttributeValue) ([]types.AttributeValue, error) {
	vals := make([]types.AttributeValue, len(list))
	for i, v := range list {
		nv, err := attr.Normalize(v)
		if err != nil {
			return nil, &Error{msg: err.Error(), cause: err}
		}
		vals[i] = nv
	}
	n, ok := argCounts[op]
	if !ok {
		return nil, newError(invalidParams + "Unsupported operator on ComparisonOperator: " + string(op))
	}
	if n >= 0 && len(vals) != n || n < 0 && len(vals) == 0 {
		return nil, newError(invalidParams + "Invalid number of argument(s) for the " + string(op) + " ComparisonOperator")
	}
	for _, v := range vals {
		if t := attr.TypeOf(v); !validType(op, t) {
			return nil, newError(invalidParams + "ComparisonOperator " + string(op) + " is not valid for " + t + " AttributeValue type")
		}
	}
	for _, v := range vals[min(1, len(vals)):] {
		if attr.TypeOf(v) != attr.TypeOf(vals[0]) {
			return nil, newError(invalidParams + "AttributeValues inside AttributeValueList must be of same type")
		}
	}
	if op == types.ComparisonOperatorBetween {
		if c, ok := attr.Compare(vals[0], vals[1]); ok && c > 0 {
			return nil, newError("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
		}
	}
	return vals, nil
}

// legacyCond builds the condition for "name op values".
func legacyCond(name string, op types.ComparisonOperator, vals []types.AttributeValue) cond {
	x := &pathOp{path: Path{Elems: []PathElem{{Name: name}}}}
	v := func(i int) operand { return &valueOp{val: vals[i]} }
	call := func(fn string, args ...operand) cond { return &funcNode{call: &callOp{name: fn, args: args}} }
	switch op {
	case types.ComparisonOperatorEq:
		return &cmpNode{op: "=", l: x, r: v(0)}
	case types.ComparisonOperatorNe:
		return &cmpNode{op: "<>", l: x, r: v(0)}
	case types.ComparisonOperatorLe:
		return &cmpNode{op: "<=", l: x, r: v(0)}
	case types.ComparisonOperatorLt:
		return &cmpNode{op: "<", l: x, r: v(0)}
	case types.ComparisonOperatorGe:
		return &cmpNode{op: ">=", l: x, r: v(0)}
	case types.ComparisonOperatorGt:
		return &cmpNode{op: ">", l: x, r: v(0)}
	case types.ComparisonOperatorNotNull:
		return call("attribute_exists", x)
	case types.ComparisonOperatorNull:
		return call("attribute_not_exists", x)
	case types.ComparisonOperatorContains:
		return call("contains", x, v(0))
	case types.ComparisonOperatorNotContains:
		return &notContainsNode{x: x, v: v(0)}
	case types.ComparisonOperatorBeginsWith:
		return call("begins_with", x, v(0))
	case types.ComparisonOperatorBetween:
		return &betweenNode{x: x, lo: v(0), hi: v(1)}
	}
	list := make([]operand, len(vals))
	for i := range vals {
		list[i] = v(i)
	}
	return &inNode{x: x, list: list}
}

// combine joins conditions with the ConditionalOperator (AND by default).
func combine(conds []cond, op types.ConditionalOperator) *Condition {
	if len(conds) == 0 {
		return nil
	}
	root := conds[0]
	for _, c := range conds[1:] {
		if op == types.ConditionalOperatorOr {
			root = &orNode{l: root, r: c}
		} else {
			root = &andNode{l: root, r: c}
		}
	}
	return &Condition{root: root}
}

// FromExpected converts the legacy Expected parameter of PutItem,
// UpdateItem and DeleteItem. It returns nil for no conditions.
func FromExpected(expected map[string]types.ExpectedAttributeValue, op types.ConditionalOperator) (*Condition, error) {
	var conds []cond
	for _, name := range sortedKeys(expected) {
		e := expected[name]
		c, err := expectedCond(name, e)
		if err != nil {
			return nil, err
		}
		conds = append(conds, c)
	}
	return combine(conds, op), nil
}

func expectedCond(name string, e types.ExpectedAttributeValue) (cond, error) {
	if e.AttributeValueList != nil && e.Value != nil {
		return nil, newError(invalidParams + "Value and AttributeValueList cannot be used together for Attribute: " + name)
	}
	if e.ComparisonOperator != "" {
		if e.Exists != nil {
			return nil, newError(invalidParams + "Exists and ComparisonOperator cannot be used together for Attribute: " + name)
		}
		list := e.AttributeValueList
		if e.Value != nil {
			list = []types.AttributeValue{e.Value}
		}
		if n, known := argCounts[e.ComparisonOperator]; known && n != 0 && list == nil {
			return nil, newError(invalidParams + "Value or AttributeValueList must be used with ComparisonOperator: " +
				string(e.ComparisonOperator) + " for Attribute: " + name)
		}
		vals, err := checkLegacyValues(e.ComparisonOperator, list)
		if err != nil {
			return nil, err
		}
		return legacyCond(name, e.ComparisonOperator, vals), nil
	}
	if e.AttributeValueList != nil {
		return nil, newError(invalidParams + "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + name)
	}
	exists := e.Exists == nil || *e.Exists
	switch {
	case exists && e.Value == nil:
		state := "null"
		if e.Exists != nil {
			state = "true"
		}
		return nil, newError(invalidParams + "Value must be provided when Exists is " + state + " for Attribute: " + name)
	case !exists && e.Value != nil:
		return nil, newError(invalidParams + "Value cannot be used when Exists is false for Attribute: " + name)
	case !exists:
		return legacyCond(name, types.ComparisonOperatorNull, nil), nil
	}
	v, err := attr.Normalize(e.Value)
	if err != nil {
		return nil, &Error{msg: err.Error(), cause: err}
	}
	return legacyCond(name, types.ComparisonOperatorEq, []types.AttributeValue{v}), nil
}

// FromFilter converts a legacy QueryFilter or ScanFilter. It returns nil
// for no conditions.
func FromFilter(conds map[string]types.Condition, op types.ConditionalOperator) (*Condition, error) {
	var out []cond
	for _, name := range sortedKeys(conds) {
		c := conds[name]
		vals, err := checkLegacyValues(c.ComparisonOperator, c.AttributeValueList)
		if err != nil {
			return nil, err
		}
		out = append(out, legacyCond(name, c.ComparisonOperator, vals))
	}
	return combine(out, op), nil
}

// keyOperators maps the comparisons a key condition may use.
var keyOperators = map[types.ComparisonOperator]SortOp{
	types.ComparisonOperatorEq: SortEQ, types.ComparisonOperatorLt: SortLT, types.ComparisonOperatorLe: SortLE,
	types.ComparisonOperatorGt: SortGT, types.ComparisonOperatorGe: SortGE,
	types.ComparisonOperatorBetween: SortBetween, types.ComparisonOperatorBeginsWith: SortBeginsWith,
}

// FromKeyConditions converts a Query's legacy KeyConditions. As with
// [ParseKeyCondition], two equalities are taken in name order; the caller
// calls [KeyCondition.Orient].
func FromKeyConditions(conds map[string]types.Condition) (*KeyCondition, error) {
	var terms []keyTerm
	for _, name := range sortedKeys(conds) {
		c := conds[name]
		vals, err := checkLegacyValues(c.ComparisonOperator, c.AttributeValueList)
		if err != nil {
			return nil, err
		}
		op, ok := keyOperators[c.ComparisonOperator]
		if !ok {
			return nil, newError("Attempted conditional constraint is not an indexable operation")
		}
		t := keyTerm{name: name, ref: name, op: op}
		for _, v := range vals {
			t.values = append(t.values, &valueOp{val: v})
		}
		terms = append(terms, t)
	}
	return keyConditionOf(terms)
}

type legacyUpdate struct {
	name   string
	action types.AttributeAction
	value  types.AttributeValue
}

// FromAttributeUpdates converts the legacy AttributeUpdates parameter of
// UpdateItem. PUT sets, ADD adds to a number (a missing one counts as 0),
// a set or a list, DELETE without a value removes the attribute and with a
// set removes those elements.
func FromAttributeUpdates(updates map[string]types.AttributeValueUpdate) (*Update, error) {
	u := &Update{legacy: make([]legacyUpdate, 0, len(updates))}
	for _, name := range sortedKeys(updates) {
		up := updates[name]
		if len(name) > attr.MaxNameBytes {
			return nil, newError(attr.ErrNameTooLarge.Error())
		}
		l := legacyUpdate{name: name, action: up.Action}
		if l.action == "" {
			l.action = types.AttributeActionPut
		}
		if up.Value != nil {
			v, err := attr.Normalize(up.Value)
			if err != nil {
				return nil, &Error{msg: err.Error(), cause: err}
			}
			l.value = v
		}
		t := attr.TypeOf(l.value)
		switch {
		case l.value == nil && l.action != types.AttributeActionDelete:
			return nil, newError(invalidParams + "Only DELETE action is allowed when no attribute value is specified")
		case l.value != nil && l.action == types.AttributeActionDelete && t != attr.TypeSS && t != attr.TypeNS && t != attr.TypeBS:
			return nil, newError(invalidParams + "DELETE action with value is not supported for the type " + t)
		case l.action == types.AttributeActionAdd && t != attr.TypeL && t != attr.TypeSS && t != attr.TypeNS && t != attr.TypeBS && t != attr.TypeN:
			return nil, newError(invalidParams + "ADD action is not supported for the type " + t)
		}
		u.legacy = append(u.legacy, l)
	}
	return u, nil
}

func applyLegacy(updates []legacyUpdate, item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	out := make(map[string]types.AttributeValue, len(item)+len(updates))
	for k, v := range item {
		out[k] = v
	}
	for _, l := range updates {
		cur := out[l.name]
		switch l.action {
		case types.AttributeActionAdd:
			if cur == nil {
				out[l.name] = l.value
				continue
			}
			if attr.TypeOf(cur) != attr.TypeOf(l.value) {
				return nil, ErrTypeMismatch
			}
			v, err := addValue(cur, l.value)
			if err != nil {
				return nil, err
			}
			out[l.name] = v
		case types.AttributeActionDelete:
			switch {
			case l.value == nil:
				delete(out, l.name)
			case cur == nil:
			case attr.TypeOf(cur) != attr.TypeOf(l.value):
				return nil, ErrTypeMismatch
			default:
				if v := setMinus(cur, l.value); v != nil {
					out[l.name] = v
				} else {
					delete(out, l.name)
				}
			}
		default:
			out[l.name] = l.value
		}
	}
	return out, nil
}
