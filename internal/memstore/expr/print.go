package expr

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The printers render a canonical form that parses back to the same tree:
// placeholders as written, single spaces, and parentheses only where
// precedence needs them (so never redundant ones).

// String renders the condition as an expression that parses back to the
// same condition. Conditions from legacy parameters print names and values
// literally, for reading only.
func (c *Condition) String() string {
	if c == nil || c.root == nil {
		return ""
	}
	var b strings.Builder
	printCond(&b, c.root, 0)
	return b.String()
}

// Precedence: OR < AND < NOT < everything else.
func condPrec(c cond) int {
	switch c.(type) {
	case *orNode:
		return 1
	case *andNode, *notContainsNode:
		return 2
	case *notNode:
		return 3
	}
	return 4
}

func printCond(b *strings.Builder, c cond, min int) {
	if condPrec(c) < min {
		b.WriteByte('(')
		printCond(b, c, 0)
		b.WriteByte(')')
		return
	}
	switch n := c.(type) {
	case *orNode:
		printCond(b, n.l, 1)
		b.WriteString(" OR ")
		printCond(b, n.r, 2)
	case *andNode:
		printCond(b, n.l, 2)
		b.WriteString(" AND ")
		printCond(b, n.r, 3)
	case *notNode:
		b.WriteString("NOT ")
		printCond(b, n.x, 3)
	case *cmpNode:
		printOperand(b, n.l)
		b.WriteString(" " + n.op + " ")
		printOperand(b, n.r)
	case *betweenNode:
		printOperand(b, n.x)
		b.WriteString(" BETWEEN ")
		printOperand(b, n.lo)
		b.WriteString(" AND ")
		printOperand(b, n.hi)
	case *inNode:
		printOperand(b, n.x)
		b.WriteString(" IN (")
		for i, o := range n.list {
			if i > 0 {
				b.WriteString(", ")
			}
			printOperand(b, o)
		}
		b.WriteByte(')')
	case *funcNode:
		printOperand(b, n.call)
	case *notContainsNode:
		b.WriteString("attribute_exists(")
		printOperand(b, n.x)
		b.WriteString(") AND NOT contains(")
		printOperand(b, n.x)
		b.WriteString(", ")
		printOperand(b, n.v)
		b.WriteByte(')')
	}
}

func printOperand(b *strings.Builder, o operand) {
	switch n := o.(type) {
	case *pathOp:
		printPath(b, n.path)
	case *valueOp:
		if n.ref != "" {
			b.WriteString(n.ref)
		} else {
			b.WriteString(literal(n.val))
		}
	case *callOp:
		b.WriteString(n.name)
		b.WriteByte('(')
		for i, a := range n.args {
			if i > 0 {
				b.WriteString(", ")
			}
			printOperand(b, a)
		}
		b.WriteByte(')')
	case *arithOp:
		printOperand(b, n.l)
		b.WriteString(" " + string(n.op) + " ")
		printOperand(b, n.r)
	}
}

// printPath writes a path with its placeholders as written.
func printPath(b *strings.Builder, p Path) {
	for i, e := range p.Elems {
		switch {
		case e.IsIndex:
			b.WriteByte('[')
			if e.ref != "" {
				b.WriteString(e.ref)
			} else {
				b.WriteString(strconv.Itoa(e.Index))
			}
			b.WriteByte(']')
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			if e.ref != "" {
				b.WriteString(e.ref)
			} else {
				b.WriteString(e.Name)
			}
		}
	}
}

// String renders the update as an expression, clauses in written order,
// that parses back to the same update. AttributeUpdates print as their
// actions, for reading only.
func (u *Update) String() string {
	if u == nil {
		return ""
	}
	var b strings.Builder
	for _, l := range u.legacy {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(l.action) + " " + l.name)
		if l.value != nil {
			b.WriteString(" " + literal(l.value))
		}
	}
	for _, s := range u.sections {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(actionWords[s.kind])
		for i, a := range s.actions {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte(' ')
			printPath(&b, a.path)
			switch a.kind {
			case actSet:
				b.WriteString(" = ")
				printOperand(&b, a.value)
			case actAdd, actDelete:
				b.WriteByte(' ')
				printOperand(&b, a.value)
			}
		}
	}
	return b.String()
}

// String renders the projection as an expression.
func (pr *Projection) String() string {
	if pr == nil {
		return ""
	}
	var b strings.Builder
	for i, p := range pr.paths {
		if i > 0 {
			b.WriteString(", ")
		}
		printPath(&b, p)
	}
	return b.String()
}

// String renders the key condition as an expression, partition key first.
func (kc *KeyCondition) String() string {
	if kc == nil {
		return ""
	}
	if kc.PartitionName == "" && kc.SortName == "" && len(kc.terms) > 0 {
		return multiTermString(kc.terms)
	}
	name := func(i int, resolved string) string {
		if kc.names[i] != "" {
			return kc.names[i]
		}
		return resolved
	}
	val := func(i int, v types.AttributeValue) string {
		if kc.refs[i] != "" {
			return kc.refs[i]
		}
		return literal(v)
	}
	var parts []string
	if kc.PartitionName != "" {
		parts = append(parts, name(0, kc.PartitionName)+" = "+val(0, kc.PartitionValue))
	}
	if kc.SortName != "" && len(kc.SortValues) > 0 {
		sk := name(1, kc.SortName)
		v1 := val(1, kc.SortValues[0])
		switch kc.SortOp {
		case SortBetween:
			v2 := ""
			if len(kc.SortValues) > 1 {
				v2 = val(2, kc.SortValues[1])
			}
			parts = append(parts, sk+" BETWEEN "+v1+" AND "+v2)
		case SortBeginsWith:
			parts = append(parts, "begins_with("+sk+", "+v1+")")
		default:
			parts = append(parts, sk+" "+kc.SortOp.String()+" "+v1)
		}
	}
	return strings.Join(parts, " AND ")
}

// literal renders a value compactly, for values from legacy parameters,
// which have no placeholder to print.
func literal(v types.AttributeValue) string {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return strconv.Quote(x.Value)
	case *types.AttributeValueMemberN:
		return x.Value
	case *types.AttributeValueMemberB:
		return "b64:" + base64.StdEncoding.EncodeToString(x.Value)
	case *types.AttributeValueMemberBOOL:
		return strconv.FormatBool(x.Value)
	case *types.AttributeValueMemberNULL:
		return "null"
	case *types.AttributeValueMemberL:
		parts := make([]string, len(x.Value))
		for i, e := range x.Value {
			parts[i] = literal(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *types.AttributeValueMemberM:
		keys := make([]string, 0, len(x.Value))
		for k := range x.Value {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strconv.Quote(k) + ": " + literal(x.Value[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *types.AttributeValueMemberSS:
		parts := make([]string, len(x.Value))
		for i, e := range x.Value {
			parts[i] = strconv.Quote(e)
		}
		return "<<" + strings.Join(parts, ", ") + ">>"
	case *types.AttributeValueMemberNS:
		return "<<" + strings.Join(x.Value, ", ") + ">>"
	case *types.AttributeValueMemberBS:
		parts := make([]string, len(x.Value))
		for i, e := range x.Value {
			parts[i] = "b64:" + base64.StdEncoding.EncodeToString(e)
		}
		return "<<" + strings.Join(parts, ", ") + ">>"
	}
	return "?"
}

// multiTermString prints a key condition of more than two comparisons, in
// the order written.
func multiTermString(terms []keyTerm) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		v := func(j int) string {
			if t.values[j].ref != "" {
				return t.values[j].ref
			}
			return literal(t.values[j].val)
		}
		switch t.op {
		case SortBetween:
			parts[i] = t.ref + " BETWEEN " + v(0) + " AND " + v(1)
		case SortBeginsWith:
			parts[i] = "begins_with(" + t.ref + ", " + v(0) + ")"
		default:
			parts[i] = t.ref + " " + t.op.String() + " " + v(0)
		}
	}
	return strings.Join(parts, " AND ")
}
