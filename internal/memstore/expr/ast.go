package expr

import (
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Kind names the request parameter an expression came from. DynamoDB starts
// every message about an expression with it: "Invalid <Kind>: ...".
type Kind string

// The expression parameters of the DynamoDB API.
const (
	KindCondition    Kind = "ConditionExpression"
	KindFilter       Kind = "FilterExpression"
	KindKeyCondition Kind = "KeyConditionExpression"
	KindUpdate       Kind = "UpdateExpression"
	KindProjection   Kind = "ProjectionExpression"
)

// Path is a document path: a top-level attribute name followed by map keys
// and list indexes, with #placeholders already replaced by the names they
// stand for.
type Path struct {
	Elems []PathElem
}

// PathElem is one step of a [Path]: a name, or a list index when IsIndex.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
	ref     string // as written: "#n" for a placeholder, the digits of an index
}

// String renders the path the way DynamoDB's documentation writes one:
// a.b[2].c.
func (p Path) String() string {
	var b strings.Builder
	for i, e := range p.Elems {
		switch {
		case e.IsIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.Index))
			b.WriteByte(']')
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			if e.Name == "" {
				b.WriteString(e.ref)
			} else {
				b.WriteString(e.Name)
			}
		}
	}
	return b.String()
}

// Top is the top-level attribute the path starts at.
func (p Path) Top() string {
	if len(p.Elems) == 0 {
		return ""
	}
	return p.Elems[0].Name
}

// key renders the path as DynamoDB does in messages: [a, b, [2]].
func (p Path) key() string {
	parts := make([]string, len(p.Elems))
	for i, e := range p.Elems {
		if e.IsIndex {
			parts[i] = "[" + strconv.Itoa(e.Index) + "]"
		} else {
			parts[i] = e.Name
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (p Path) equal(q Path) bool {
	if len(p.Elems) != len(q.Elems) {
		return false
	}
	for i, e := range p.Elems {
		f := q.Elems[i]
		if e.IsIndex != f.IsIndex || e.Index != f.Index || e.Name != f.Name {
			return false
		}
	}
	return true
}

// operand is a value inside an expression: a path, a :placeholder, a
// function call, or (in SET only) a sum or difference.
type operand interface{ isOperand() }

type pathOp struct{ path Path }

type valueOp struct {
	ref string // ":v" as written; "" for a value from a legacy parameter
	val types.AttributeValue
}

type callOp struct {
	name string
	args []operand
}

type arithOp struct {
	op   byte // '+' or '-'
	l, r operand
}

func (*pathOp) isOperand()  {}
func (*valueOp) isOperand() {}
func (*callOp) isOperand()  {}
func (*arithOp) isOperand() {}

// cond is a node of a condition: comparisons, BETWEEN, IN, boolean
// functions, and NOT/AND/OR over them.
type cond interface{ isCond() }

type cmpNode struct {
	op   string // = <> < <= > >=
	l, r operand
}

type betweenNode struct{ x, lo, hi operand }

type inNode struct {
	x    operand
	list []operand
}

type funcNode struct{ call *callOp }

type notNode struct{ x cond }

type andNode struct{ l, r cond }

type orNode struct{ l, r cond }

// notContainsNode is the legacy NOT_CONTAINS operator, which unlike
// NOT contains() is false when the attribute is missing.
type notContainsNode struct{ x, v operand }

func (*cmpNode) isCond()         {}
func (*betweenNode) isCond()     {}
func (*inNode) isCond()          {}
func (*funcNode) isCond()        {}
func (*notNode) isCond()         {}
func (*andNode) isCond()         {}
func (*orNode) isCond()          {}
func (*notContainsNode) isCond() {}

// Condition is a parsed condition, filter or key condition expression (or
// the legacy Expected / QueryFilter / ScanFilter parameters), with its
// placeholders resolved for one request.
type Condition struct {
	root cond
}

type actionKind uint8

const (
	actSet actionKind = iota
	actRemove
	actAdd
	actDelete
)

var actionWords = [...]string{actSet: "SET", actRemove: "REMOVE", actAdd: "ADD", actDelete: "DELETE"}

type action struct {
	kind  actionKind
	path  Path
	value operand // SET: the new value; ADD, DELETE: a *valueOp; REMOVE: nil
}

// section is one clause of an update (SET, REMOVE, ADD or DELETE) with its
// actions, as written.
type section struct {
	kind    actionKind
	actions []action
}

// Update is a parsed update expression, or the legacy AttributeUpdates
// parameter, with its placeholders resolved for one request.
type Update struct {
	sections []section
	legacy   []legacyUpdate // set instead of sections for AttributeUpdates
}

// Projection is a parsed projection expression (or AttributesToGet).
type Projection struct {
	paths []Path
}

// SortOp is the comparison a key condition applies to the sort key.
type SortOp int

// Sort key comparisons a key condition can make.
const (
	SortEQ SortOp = iota
	SortLT
	SortLE
	SortGT
	SortGE
	SortBetween
	SortBeginsWith
)

var sortOpNames = [...]string{SortEQ: "=", SortLT: "<", SortLE: "<=", SortGT: ">", SortGE: ">=", SortBetween: "BETWEEN", SortBeginsWith: "begins_with"}

func (op SortOp) String() string {
	if op >= 0 && int(op) < len(sortOpNames) {
		return sortOpNames[op]
	}
	return "SortOp(" + strconv.Itoa(int(op)) + ")"
}

// KeyCondition is a Query's key condition: equality on the partition key
// and, optionally, one comparison on the sort key. When both terms are
// equalities the parser cannot tell which one names the partition key; see
// [KeyCondition.Orient].
type KeyCondition struct {
	PartitionName  string
	PartitionValue types.AttributeValue
	SortName       string // "" when absent
	SortOp         SortOp
	SortValues     []types.AttributeValue // 1 value, or 2 for BETWEEN

	// Terms are every comparison, as written. A condition of more than two
	// (for an index with a multi-attribute key) has only Terms.
	Terms []KeyTerm
	terms []keyTerm

	refs  [3]string // placeholders as written, for String: partition, sort 1, sort 2
	names [2]string // attribute names as written (#n or plain)
}
