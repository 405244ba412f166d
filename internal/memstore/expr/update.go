package expr

import (
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/monotable/monotable/internal/memstore/attr"
)

// Targets returns every path the update writes (SET, REMOVE, ADD, DELETE),
// in order, so the engine can refuse updates of key attributes.
func (u *Update) Targets() []Path {
	if u == nil {
		return nil
	}
	var out []Path
	for _, l := range u.legacy {
		out = append(out, Path{Elems: []PathElem{{Name: l.name}}})
	}
	for _, s := range u.sections {
		for _, a := range s.actions {
			out = append(out, a.path)
		}
	}
	return out
}

// evalErr classifies what went wrong computing a SET value. DynamoDB reports
// a wrong type anywhere before a missing attribute, and both before a number
// out of range.
type evalErr uint8

const (
	evalOK evalErr = iota
	evalMissing
	evalType
	evalNumber
)

// Apply runs the update against item (nil when there is no item) and
// returns the new item. Every value is computed from the item as it was
// before the update, and list indexes refer to the list before any removal,
// as in DynamoDB. item is never modified; the result shares the values the
// update did not change.
func (u *Update) Apply(item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	if u == nil {
		return attr.CopyItem(item), nil
	}
	if u.legacy != nil {
		return applyLegacy(u.legacy, item)
	}
	var acts []action
	var sectionOf []int
	for i, s := range u.sections {
		for _, a := range s.actions {
			acts = append(acts, a)
			sectionOf = append(sectionOf, i)
		}
	}
	// REMOVE on an item that does not exist does nothing, whatever the path.
	skip := func(a action) bool { return item == nil && a.kind == actRemove }

	// A parent that exists but is not the map or list the path needs.
	for _, a := range acts {
		if n := len(a.path.Elems); n > 1 && !skip(a) {
			if parent := lookup(item, a.path.Elems[:n-1]); parent != nil && !fits(parent, a.path.Elems[n-1]) {
				return nil, ErrInvalidPath
			}
		}
	}

	// Values and types, from the item as it was.
	vals := make([]types.AttributeValue, len(acts))
	fails := make([]evalErr, len(acts))
	numErrs := make([]error, len(acts))
	for i, a := range acts {
		switch a.kind {
		case actSet:
			vals[i], fails[i], numErrs[i] = evalSet(a.value, item)
			if fails[i] == evalType {
				return nil, ErrOperandType
			}
		case actAdd, actDelete:
			if !writable(item, a.path) {
				continue
			}
			v := a.value.(*valueOp).val
			cur := lookup(item, a.path.Elems)
			var err error
			if a.kind == actAdd {
				vals[i], err = addValue(cur, v)
			} else {
				vals[i], err = deleteValue(cur, v)
			}
			if err != nil {
				return nil, err
			}
		}
	}

	// Paths that cannot be written, then attributes a SET reads that are
	// missing, a section at a time from the last.
	for s := len(u.sections) - 1; s >= 0; s-- {
		for i, a := range acts {
			if sectionOf[i] == s && !skip(a) && !writable(item, a.path) {
				return nil, ErrInvalidPath
			}
		}
		for i := range acts {
			if sectionOf[i] == s && fails[i] == evalMissing {
				return nil, ErrMissingAttribute
			}
		}
	}
	for i := range acts {
		if fails[i] == evalNumber {
			return nil, numberError(numErrs[i])
		}
	}

	root := &wnode{}
	for i, a := range acts {
		if skip(a) {
			continue
		}
		w := root.at(a.path.Elems)
		switch {
		case a.kind == actRemove:
			w.op = opRemove
		case a.kind == actDelete && vals[i] == nil:
			if lookup(item, a.path.Elems) != nil {
				w.op = opRemove // the last elements went
			} else {
				w.op = opNone // nothing to delete from
			}
		default:
			w.op, w.val = opSet, vals[i]
		}
	}
	return root.rebuildMap(item), nil
}

func numberError(err error) error {
	return &Error{msg: err.Error(), cause: err}
}

// fits reports whether container can hold the next path step.
func fits(container types.AttributeValue, step PathElem) bool {
	switch container.(type) {
	case *types.AttributeValueMemberM:
		return !step.IsIndex
	case *types.AttributeValueMemberL:
		return step.IsIndex
	}
	return false
}

// writable reports whether the place a path names can exist: its parent is
// there and is a map before a name or a list before an index.
func writable(item map[string]types.AttributeValue, p Path) bool {
	n := len(p.Elems)
	if n <= 1 {
		return true
	}
	parent := lookup(item, p.Elems[:n-1])
	return parent != nil && fits(parent, p.Elems[n-1])
}

func evalSet(o operand, item map[string]types.AttributeValue) (types.AttributeValue, evalErr, error) {
	switch n := o.(type) {
	case *valueOp:
		return n.val, evalOK, nil
	case *pathOp:
		if v := lookup(item, n.path.Elems); v != nil {
			return v, evalOK, nil
		}
		return nil, evalMissing, nil
	case *arithOp:
		l, lf, lerr := evalSet(n.l, item)
		r, rf, rerr := evalSet(n.r, item)
		ln, lok := l.(*types.AttributeValueMemberN)
		rn, rok := r.(*types.AttributeValueMemberN)
		switch {
		case lf == evalType || rf == evalType || l != nil && !lok || r != nil && !rok:
			return nil, evalType, nil
		case lf == evalMissing || rf == evalMissing:
			return nil, evalMissing, nil
		case lf == evalNumber:
			return nil, evalNumber, lerr
		case rf == evalNumber:
			return nil, evalNumber, rerr
		}
		var s string
		var err error
		if n.op == '+' {
			s, err = attr.AddNumbers(ln.Value, rn.Value)
		} else {
			s, err = attr.SubNumbers(ln.Value, rn.Value)
		}
		if err != nil {
			return nil, evalNumber, err
		}
		return &types.AttributeValueMemberN{Value: s}, evalOK, nil
	case *callOp:
		switch n.name {
		case "if_not_exists":
			if v := lookup(item, n.args[0].(*pathOp).path.Elems); v != nil {
				return v, evalOK, nil
			}
			return evalSet(n.args[1], item)
		case "list_append":
			l, lf, lerr := evalSet(n.args[0], item)
			r, rf, rerr := evalSet(n.args[1], item)
			ll, lok := l.(*types.AttributeValueMemberL)
			rl, rok := r.(*types.AttributeValueMemberL)
			switch {
			case lf == evalType || rf == evalType || l != nil && !lok || r != nil && !rok:
				return nil, evalType, nil
			case lf == evalMissing || rf == evalMissing:
				return nil, evalMissing, nil
			case lf == evalNumber:
				return nil, evalNumber, lerr
			case rf == evalNumber:
				return nil, evalNumber, rerr
			}
			out := make([]types.AttributeValue, 0, len(ll.Value)+len(rl.Value))
			out = append(append(out, ll.Value...), rl.Value...)
			return &types.AttributeValueMemberL{Value: out}, evalOK, nil
		}
	}
	return nil, evalType, nil
}

// addValue is ADD: numbers add (a missing attribute counts as 0), sets
// take the union.
func addValue(cur, v types.AttributeValue) (types.AttributeValue, error) {
	if cur == nil {
		return v, nil
	}
	if attr.TypeOf(cur) != attr.TypeOf(v) {
		return nil, ErrOperandType
	}
	if x, ok := cur.(*types.AttributeValueMemberN); ok {
		s, err := attr.AddNumbers(x.Value, v.(*types.AttributeValueMemberN).Value)
		if err != nil {
			return nil, numberError(err)
		}
		return &types.AttributeValueMemberN{Value: s}, nil
	}
	return setUnion(cur, v), nil
}

// deleteValue is DELETE: the set minus the given elements; nil when none
// remain (or there was no set), and the attribute goes.
func deleteValue(cur, v types.AttributeValue) (types.AttributeValue, error) {
	if cur == nil {
		return nil, nil
	}
	if attr.TypeOf(cur) != attr.TypeOf(v) {
		return nil, ErrOperandType
	}
	return setMinus(cur, v), nil
}

type writeOp uint8

const (
	opNone writeOp = iota
	opSet
	opRemove
)

// wnode is a tree of the writes an update makes, keyed by the path steps
// as they were in the item before the update.
type wnode struct {
	names map[string]*wnode
	idx   map[int]*wnode
	op    writeOp
	val   types.AttributeValue
}

func (w *wnode) at(elems []PathElem) *wnode {
	for _, e := range elems {
		var next *wnode
		if e.IsIndex {
			if w.idx == nil {
				w.idx = map[int]*wnode{}
			}
			if next = w.idx[e.Index]; next == nil {
				next = &wnode{}
				w.idx[e.Index] = next
			}
		} else {
			if w.names == nil {
				w.names = map[string]*wnode{}
			}
			if next = w.names[e.Name]; next == nil {
				next = &wnode{}
				w.names[e.Name] = next
			}
		}
		w = next
	}
	return w
}

func (w *wnode) rebuildMap(orig map[string]types.AttributeValue) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(orig)+len(w.names))
	for k, v := range orig {
		out[k] = v
	}
	for name, k := range w.names {
		switch k.op {
		case opSet:
			out[name] = k.val
		case opRemove:
			delete(out, name)
		default:
			if v, ok := orig[name]; ok {
				out[name] = k.rebuild(v)
			}
		}
	}
	return out
}

func (w *wnode) rebuild(v types.AttributeValue) types.AttributeValue {
	switch x := v.(type) {
	case *types.AttributeValueMemberM:
		if len(w.names) > 0 {
			return &types.AttributeValueMemberM{Value: w.rebuildMap(x.Value)}
		}
	case *types.AttributeValueMemberL:
		if len(w.idx) > 0 {
			return &types.AttributeValueMemberL{Value: w.rebuildList(x.Value)}
		}
	}
	return v
}

// rebuildList applies writes by original position: replacements in place,
// removals after, and new elements past the end appended in index order.
func (w *wnode) rebuildList(orig []types.AttributeValue) []types.AttributeValue {
	out := make([]types.AttributeValue, len(orig))
	copy(out, orig)
	removed := map[int]bool{}
	var appended []int
	for i, k := range w.idx {
		switch {
		case i >= len(orig):
			if k.op == opSet {
				appended = append(appended, i)
			}
		case k.op == opSet:
			out[i] = k.val
		case k.op == opRemove:
			removed[i] = true
		default:
			out[i] = k.rebuild(orig[i])
		}
	}
	if len(removed) > 0 {
		kept := out[:0:0]
		for i, v := range out {
			if !removed[i] {
				kept = append(kept, v)
			}
		}
		out = kept
	}
	sort.Ints(appended)
	for _, i := range appended {
		out = append(out, w.idx[i].val)
	}
	return out
}
