package expr

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// Statement size. Besides capping the finished item, most regions
// (us-east-1 among them; 22 of 33 in the 2026-09 sweep) size an
// UpdateItem by what its statement writes: each attribute it SETs or ADDs,
// name and finished value, plus a fixed cost per action, leaving out the
// key and every attribute the statement leaves alone. At a short key that
// ceiling sits below the item limit. The costs do not depend on the value,
// the name or an alias; a SET through a list index costs one byte more.
const (
	stmtBaseCost     = 3  // the update itself
	stmtSetCost      = 19 // each SET or ADD action
	stmtSetIndexCost = 20 // a SET whose path goes through a list index
	stmtRemoveCost   = 2  // each REMOVE or DELETE action
)

// StatementSize is the size the statement-sized rule gives an update
// expression whose result is item. Legacy AttributeUpdates are not sized
// this way: it returns 0.
func (u *Update) StatementSize(item map[string]types.AttributeValue) int {
	if u == nil || u.legacy != nil {
		return 0
	}
	n := stmtBaseCost
	var written []string
	for _, sec := range u.sections {
		for _, a := range sec.actions {
			switch a.kind {
			case actSet, actAdd:
				cost := stmtSetCost
				if a.kind == actSet && throughIndex(a.path) {
					cost = stmtSetIndexCost
				}
				n += cost
				written = append(written, a.path.Elems[0].Name)
			case actRemove, actDelete:
				n += stmtRemoveCost
			}
		}
	}
	seen := make(map[string]bool, len(written))
	for _, name := range written {
		if seen[name] {
			continue
		}
		seen[name] = true
		if v, ok := item[name]; ok {
			n += len(name) + attr.Size(v)
		}
	}
	return n
}

// OnlyRemoves reports an update made of REMOVE and DELETE actions alone
// (legacy AttributeUpdates: DELETE alone): on a missing item it has nothing to create, and the
// service creates nothing.
func (u *Update) OnlyRemoves() bool {
	if u == nil {
		return false
	}
	if u.legacy != nil {
		for _, l := range u.legacy {
			if l.action != types.AttributeActionDelete {
				return false
			}
		}
		return len(u.legacy) > 0
	}
	if len(u.sections) == 0 {
		return false
	}
	for _, sec := range u.sections {
		if sec.kind != actRemove && sec.kind != actDelete {
			return false
		}
	}
	return true
}

func throughIndex(p Path) bool {
	for _, e := range p.Elems {
		if e.IsIndex {
			return true
		}
	}
	return false
}
