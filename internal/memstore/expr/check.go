package expr

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/monotable/monotable/internal/memstore/attr"
)

// DynamoDB validates a parsed expression in two passes, each stopping at the
// first problem: first what the text alone shows (reserved words, list
// indexes, function names and where functions may appear), then what needs
// the request's placeholders (undefined names and values, operand types,
// BETWEEN bounds). The first pass is cached with the syntax tree; the
// second runs per request and resolves the placeholders.

const maxPathDepth = 32 // document paths nest at most 32 levels, like items

var functionArity = map[string]int{
	"attribute_exists":     1,
	"attribute_not_exists": 1,
	"attribute_type":       2,
	"begins_with":          2,
	"contains":             2,
	"size":                 1,
	"if_not_exists":        2,
	"list_append":          2,
}

// isConditionFunc reports the functions that are conditions by themselves;
// size is an operand, if_not_exists and list_append are update-only.
func isConditionFunc(name string) bool {
	switch name {
	case "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains":
		return true
	}
	return false
}

type staticCheck struct {
	update bool
	calls  int // function calls being visited, to spot nesting
	msg    string
}

func (s *staticCheck) fail(msg string) {
	if s.msg == "" {
		s.msg = msg
	}
}

func checkConditionStatic(c cond) string {
	s := &staticCheck{}
	s.cond(c)
	return s.msg
}

func checkProjectionStatic(paths []Path) string {
	s := &staticCheck{}
	for _, p := range paths {
		s.path(p)
	}
	return s.msg
}

// checkUpdateStatic reads an update a section at a time, in the order the
// sections first appear; each of SET, REMOVE, ADD and DELETE may appear once.
func checkUpdateStatic(secs []section) string {
	s := &staticCheck{update: true}
	var order []actionKind
	count := map[actionKind]int{}
	for _, sec := range secs {
		if count[sec.kind] == 0 {
			order = append(order, sec.kind)
		}
		count[sec.kind]++
	}
	for _, k := range order {
		for _, sec := range secs {
			if sec.kind != k {
				continue
			}
			for _, a := range sec.actions {
				s.path(a.path)
				if a.value != nil {
					s.operand(a.value)
				}
			}
		}
		if s.msg != "" {
			return s.msg
		}
		if count[k] > 1 {
			return `The "` + actionWords[k] + `" section can only be used once in an update expression;`
		}
	}
	return ""
}

func (s *staticCheck) cond(c cond) {
	if s.msg != "" {
		return
	}
	switch n := c.(type) {
	case *andNode:
		s.cond(n.l)
		s.cond(n.r)
	case *orNode:
		s.cond(n.l)
		s.cond(n.r)
	case *notNode:
		s.cond(n.x)
	case *funcNode:
		s.call(n.call, true)
	case *cmpNode:
		s.operand(n.l)
		s.operand(n.r)
	case *betweenNode:
		s.operand(n.x)
		s.operand(n.lo)
		s.operand(n.hi)
	case *inNode:
		s.operand(n.x)
		for _, o := range n.list {
			s.operand(o)
		}
	}
}

func (s *staticCheck) operand(o operand) {
	if s.msg != "" {
		return
	}
	switch n := o.(type) {
	case *pathOp:
		s.path(n.path)
	case *callOp:
		s.call(n, false)
	case *arithOp:
		s.operand(n.l)
		s.operand(n.r)
	}
}

func (s *staticCheck) path(p Path) {
	for _, e := range p.Elems {
		switch {
		case e.IsIndex && e.Index < 0:
			s.fail("List index is not within the allowable range; index: [" + e.ref + "]")
		case !e.IsIndex && e.ref == "" && IsReserved(e.Name):
			s.fail("Attribute name is a reserved keyword; reserved keyword: " + e.Name)
		}
		if s.msg != "" {
			return
		}
	}
}

func (s *staticCheck) call(c *callOp, asCondition bool) {
	arity, known := functionArity[c.name]
	switch {
	case !known:
		s.fail("Invalid function name; function: " + c.name)
	case s.update && (isConditionFunc(c.name) || c.name == "size"):
		s.fail("The function is not allowed in a update expression; function: " + c.name)
	case s.update && c.name == "list_append" && s.calls > 0:
		s.fail("The function is not allowed to be used this way in an expression; function: " + c.name)
	case !s.update && (c.name == "if_not_exists" || c.name == "list_append"):
		s.fail("The function is not allowed in a condition expression; function: " + c.name)
	case !s.update && asCondition != isConditionFunc(c.name):
		s.fail("The function is not allowed to be used this way in an expression; function: " + c.name)
	case !s.update && len(c.args) != arity:
		s.fail(arityMessage(c))
	}
	s.calls++
	for _, a := range c.args {
		s.operand(a)
	}
	s.calls--
}

func arityMessage(c *callOp) string {
	return "Incorrect number of operands for operator or function; operator or function: " +
		c.name + ", number of operands: " + strconv.Itoa(len(c.args))
}

// binder resolves placeholders for one request and runs the checks that
// need their values. Each method returns nil once a problem is found.
type binder struct {
	p   *Params
	msg string
}

func (b *binder) fail(msg string) {
	if b.msg == "" {
		b.msg = msg
	}
}

func (b *binder) name(ref string) string {
	n, ok := b.p.name(ref)
	if !ok {
		b.fail("An expression attribute name used in the document path is not defined; attribute name: " + ref)
	}
	return n
}

func (b *binder) path(raw Path) Path {
	elems := make([]PathElem, len(raw.Elems))
	for i, e := range raw.Elems {
		if !e.IsIndex && e.ref != "" {
			e.Name = b.name(e.ref)
			if b.msg != "" {
				return Path{}
			}
		}
		elems[i] = e
	}
	if len(elems) > maxPathDepth {
		b.fail("The document path has too many nesting levels; nesting levels: " + strconv.Itoa(len(elems)))
	}
	return Path{Elems: elems}
}

// checkNames reports the first undefined #placeholder in the paths of o
// without resolving anything.
func (b *binder) checkNames(o operand) {
	switch n := o.(type) {
	case *pathOp:
		for _, e := range n.path.Elems {
			if !e.IsIndex && e.ref != "" {
				if _, ok := b.p.name(e.ref); !ok {
					b.fail("An expression attribute name used in the document path is not defined; attribute name: " + e.ref)
					return
				}
			}
		}
	case *callOp:
		for _, a := range n.args {
			b.checkNames(a)
		}
	case *arithOp:
		b.checkNames(n.l)
		b.checkNames(n.r)
	}
}

func (b *binder) operand(o operand, update bool) operand {
	if b.msg != "" {
		return nil
	}
	switch n := o.(type) {
	case *pathOp:
		p := b.path(n.path)
		if b.msg != "" {
			return nil
		}
		return &pathOp{path: p}
	case *valueOp:
		if n.ref == "" { // a legacy value, already resolved
			return n
		}
		v, ok := b.p.value(n.ref)
		if !ok {
			b.fail("An expression attribute value used in expression is not defined; attribute value: " + n.ref)
			return nil
		}
		return &valueOp{ref: n.ref, val: v}
	case *arithOp:
		l := b.operand(n.l, update)
		r := b.operand(n.r, update)
		if b.msg != "" {
			return nil
		}
		for _, x := range []operand{l, r} {
			if t := staticType(x); t != "" && t != attr.TypeN {
				b.fail(typeMessage(string(n.op), t))
				return nil
			}
		}
		return &arithOp{op: n.op, l: l, r: r}
	case *callOp:
		return b.call(n, update)
	}
	return o
}

func (b *binder) call(c *callOp, update bool) operand {
	if update && len(c.args) != functionArity[c.name] {
		b.fail(arityMessage(c))
		return nil
	}
	out := &callOp{name: c.name, args: make([]operand, len(c.args))}
	for i, a := range c.args {
		out.args[i] = b.operand(a, update)
	}
	if b.msg != "" {
		return nil
	}
	switch c.name {
	case "attribute_exists", "attribute_not_exists", "if_not_exists":
		if _, ok := out.args[0].(*pathOp); !ok {
			b.fail("Operator or function requires a document path; operator or function: " + c.name)
			return nil
		}
	}
	if c.name != "size" && c.name != "list_append" && len(out.args) > 1 {
		b.distinct(c.name, out.args[0], out.args[1:]...)
	}
	switch c.name {
	case "size":
		switch t := staticType(out.args[0]); t {
		case "", attr.TypeS, attr.TypeB, attr.TypeSS, attr.TypeNS, attr.TypeBS, attr.TypeL, attr.TypeM:
		default:
			b.fail(typeMessage(c.name, t))
		}
	case "begins_with":
		for _, a := range out.args {
			if t := staticType(a); t != "" && t != attr.TypeS && t != attr.TypeB {
				b.fail(typeMessage(c.name, t))
				break
			}
		}
	case "attribute_type":
		b.attributeType(out.args[1])
	case "list_append":
		for _, a := range out.args {
			if t := staticType(a); t != "" && t != attr.TypeL {
				b.fail(typeMessage(c.name, t))
				break
			}
		}
	}
	if b.msg != "" {
		return nil
	}
	return out
}

// The type names attribute_type accepts, listed as DynamoDB lists them.
const (
	validTypeNames = "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
	anyTypeNames   = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"
)

func (b *binder) attributeType(o operand) {
	v, ok := o.(*valueOp)
	if !ok {
		t := anyTypeNames
		if c, isCall := o.(*callOp); isCall && c.name == "size" {
			t = attr.TypeN
		}
		b.fail(typeMessage("attribute_type", t))
		return
	}
	s, ok := v.val.(*types.AttributeValueMemberS)
	if !ok {
		b.fail(typeMessage("attribute_type", attr.TypeOf(v.val)))
		return
	}
	switch s.Value {
	case attr.TypeS, attr.TypeN, attr.TypeB, attr.TypeBOOL, attr.TypeNULL, attr.TypeL, attr.TypeM, attr.TypeSS, attr.TypeNS, attr.TypeBS:
	default:
		b.fail("Invalid attribute type name found; type: " + s.Value + ", valid types: " + validTypeNames)
	}
}

func typeMessage(op, typ string) string {
	return "Incorrect operand type for operator or function; operator or function: " + op + ", operand type: " + typ
}

// staticType is the type an operand is known to have before any item is
// read: a value's type, N for size(); "" when it depends on the item.
func staticType(o operand) string {
	switch n := o.(type) {
	case *valueOp:
		return attr.TypeOf(n.val)
	case *callOp:
		if n.name == "size" {
			return attr.TypeN
		}
	}
	return ""
}

// distinct refuses an operator whose first operand reappears among the
// rest, which DynamoDB treats as a mistake rather than a tautology.
func (b *binder) distinct(op string, first operand, rest ...operand) {
	fp, ok := first.(*pathOp)
	if !ok {
		return
	}
	for _, r := range rest {
		if rp, ok := r.(*pathOp); ok && fp.path.equal(rp.path) {
			b.fail("The first operand must be distinct from the remaining operands for this operator or function; operator: " +
				op + ", first operand: " + fp.path.key())
			return
		}
	}
}

func isScalarType(t string) bool { return t == attr.TypeS || t == attr.TypeN || t == attr.TypeB }

func (b *binder) cond(c cond) cond {
	if b.msg != "" {
		return nil
	}
	switch n := c.(type) {
	case *andNode:
		l, r := b.cond(n.l), b.cond(n.r)
		return &andNode{l: l, r: r}
	case *orNode:
		l, r := b.cond(n.l), b.cond(n.r)
		return &orNode{l: l, r: r}
	case *notNode:
		return &notNode{x: b.cond(n.x)}
	case *funcNode:
		call, _ := b.call(n.call, false).(*callOp)
		return &funcNode{call: call}
	case *cmpNode:
		l, r := b.operand(n.l, false), b.operand(n.r, false)
		if b.msg != "" {
			return nil
		}
		b.distinct(n.op, l, r)
		if n.op != "=" && n.op != "<>" {
			for _, x := range []operand{l, r} {
				if t := staticType(x); t != "" && !isScalarType(t) {
					b.fail(typeMessage(n.op, t))
					break
				}
			}
		}
		return &cmpNode{op: n.op, l: l, r: r}
	case *betweenNode:
		x, lo, hi := b.operand(n.x, false), b.operand(n.lo, false), b.operand(n.hi, false)
		if b.msg != "" {
			return nil
		}
		b.distinct("BETWEEN", x, lo, hi)
		for _, o := range []operand{x, lo, hi} {
			if t := staticType(o); t != "" && !isScalarType(t) {
				b.fail(typeMessage("BETWEEN", t))
				break
			}
		}
		b.bounds(lo, hi)
		return &betweenNode{x: x, lo: lo, hi: hi}
	case *inNode:
		x := b.operand(n.x, false)
		list := make([]operand, len(n.list))
		for i, o := range n.list {
			list[i] = b.operand(o, false)
		}
		if b.msg != "" {
			return nil
		}
		if len(list) > maxInOperands {
			b.fail("The IN operator is provided with too many operands; number of operands: " + strconv.Itoa(len(list)))
			return nil
		}
		b.distinct("IN", x, list...)
		return &inNode{x: x, list: list}
	}
	return c
}

// maxInOperands is the most values an IN list may hold.
const maxInOperands = 100

// bounds checks BETWEEN bounds given as values: same type, in order.
func (b *binder) bounds(lo, hi operand) {
	lv, ok1 := lo.(*valueOp)
	hv, ok2 := hi.(*valueOp)
	if b.msg != "" || !ok1 || !ok2 {
		return
	}
	if attr.TypeOf(lv.val) != attr.TypeOf(hv.val) {
		b.fail("The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: " +
			boundText(lv.val) + ", upper bound operand: " + boundText(hv.val))
		return
	}
	if c, ok := attr.Compare(lv.val, hv.val); ok && c > 0 {
		b.fail("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: " +
			boundText(lv.val) + ", upper bound operand: " + boundText(hv.val))
	}
}

// boundText renders a value the way DynamoDB's (Java) messages print one.
func boundText(v types.AttributeValue) string {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return "AttributeValue: {S:" + x.Value + "}"
	case *types.AttributeValueMemberN:
		return "AttributeValue: {N:" + x.Value + "}"
	case *types.AttributeValueMemberB:
		return fmt.Sprintf("AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]}", len(x.Value), len(x.Value))
	}
	return "AttributeValue: {" + attr.TypeOf(v) + ":" + literal(v) + "}"
}

// bindUpdate resolves an update's placeholders in DynamoDB's order: the
// #names of the paths written, then overlapping paths, then, from the last
// action back, every #name and then the values and their types.
func bindUpdate(secs []section, p *Params) ([]section, string) {
	b := &binder{p: p}
	var acts []*action
	for i := range secs {
		for j := range secs[i].actions {
			acts = append(acts, &secs[i].actions[j])
		}
	}
	for _, a := range acts {
		b.checkNames(&pathOp{path: a.path})
	}
	if b.msg != "" {
		return nil, b.msg
	}
	targets := make([]Path, len(acts))
	for i, a := range acts {
		targets[i] = b.p.resolve(a.path)
	}
	if msg := overlapMessage(targets); msg != "" {
		return nil, msg
	}
	for i := len(acts) - 1; i >= 0; i-- {
		if acts[i].value != nil {
			b.checkNames(acts[i].value)
		}
	}
	if b.msg != "" {
		return nil, b.msg
	}
	bound := make([]action, len(acts))
	for i := len(acts) - 1; i >= 0 && b.msg == ""; i-- {
		a := acts[i]
		bound[i] = action{kind: a.kind, path: b.path(a.path)}
		if a.value != nil {
			bound[i].value = b.operand(a.value, true)
		}
		if b.msg == "" && (a.kind == actAdd || a.kind == actDelete) {
			b.addDeleteOperand(a.kind, bound[i].value)
		}
	}
	if b.msg != "" {
		return nil, b.msg
	}
	out := make([]section, len(secs))
	k := 0
	for i, sec := range secs {
		out[i] = section{kind: sec.kind, actions: bound[k : k+len(sec.actions)]}
		k += len(sec.actions)
	}
	return out, ""
}

// Long type names, as ADD and DELETE messages spell them.
var longTypeNames = map[string]string{
	attr.TypeS: "STRING", attr.TypeN: "NUMBER", attr.TypeB: "BINARY", attr.TypeBOOL: "BOOLEAN",
	attr.TypeNULL: "NULL", attr.TypeL: "LIST", attr.TypeM: "MAP",
}

func (b *binder) addDeleteOperand(kind actionKind, o operand) {
	t := staticType(o)
	switch {
	case t == attr.TypeSS || t == attr.TypeNS || t == attr.TypeBS:
		return
	case kind == actAdd && t == attr.TypeN:
		return
	}
	word := actionWords[kind]
	b.fail("Incorrect operand type for operator or function; operator: " + word + ", operand type: " +
		longTypeNames[t] + ", typeSet: ALLOWED_FOR_" + word + "_OPERAND")
}

// overlapMessage finds two paths where one contains the other, or where one
// uses an attribute as a map and the other as a list.
func overlapMessage(paths []Path) string {
	for j := 1; j < len(paths); j++ {
		for i := 0; i < j; i++ {
			a, b := paths[i].Elems, paths[j].Elems
			k := 0
			for ; k < len(a) && k < len(b); k++ {
				if a[k].IsIndex != b[k].IsIndex {
					return "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: " +
						paths[i].key() + ", path two: " + paths[j].key()
				}
				if a[k].Name != b[k].Name || a[k].Index != b[k].Index {
					break
				}
			}
			if k == len(a) || k == len(b) {
				return "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: " +
					paths[i].key() + ", path two: " + paths[j].key()
			}
		}
	}
	return ""
}

func bindProjection(raw []Path, p *Params) ([]Path, string) {
	b := &binder{p: p}
	out := make([]Path, len(raw))
	for i, r := range raw {
		out[i] = b.path(r)
		if b.msg != "" {
			return nil, b.msg
		}
	}
	if msg := overlapMessage(out); msg != "" {
		return nil, msg
	}
	return out, ""
}
