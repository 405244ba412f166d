package expr

import (
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/monotable/monotable/internal/memstore/attr"
)

// NewProjection builds a projection of paths the caller already resolved,
// such as [Update.Targets] for ReturnValues UPDATED_OLD / UPDATED_NEW. The
// paths are not validated.
func NewProjection(paths []Path) *Projection {
	return &Projection{paths: append([]Path(nil), paths...)}
}

// Paths returns the projected paths, placeholders resolved.
func (pr *Projection) Paths() []Path {
	if pr == nil {
		return nil
	}
	return append([]Path(nil), pr.paths...)
}

// ptree is the projected paths merged into one tree.
type ptree struct {
	all   bool // the whole value at this point is projected
	names map[string]*ptree
	idx   map[int]*ptree
}

// Apply returns a deep copy of the parts of item the projection names.
// Nested paths keep their structure: a.b yields {a: {b: ...}}, and list
// elements keep their order of index with the missing ones left out, so
// a[1], a[3] of a five-element list yields a two-element list. Paths that
// lead nowhere are omitted, as are maps and lists left empty by that.
func (pr *Projection) Apply(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	if pr == nil {
		return attr.CopyItem(item)
	}
	root := &ptree{}
	for _, p := range pr.paths {
		t := root
		for _, e := range p.Elems {
			if t.all {
				break
			}
			t = t.child(e)
		}
		t.all, t.names, t.idx = true, nil, nil
	}
	out := make(map[string]types.AttributeValue)
	for name, t := range root.names {
		if v, ok := item[name]; ok {
			if pv := t.project(v); pv != nil {
				out[name] = pv
			}
		}
	}
	return out
}

func (t *ptree) child(e PathElem) *ptree {
	if e.IsIndex {
		if t.idx == nil {
			t.idx = map[int]*ptree{}
		}
		if t.idx[e.Index] == nil {
			t.idx[e.Index] = &ptree{}
		}
		return t.idx[e.Index]
	}
	if t.names == nil {
		t.names = map[string]*ptree{}
	}
	if t.names[e.Name] == nil {
		t.names[e.Name] = &ptree{}
	}
	return t.names[e.Name]
}

func (t *ptree) project(v types.AttributeValue) types.AttributeValue {
	if t.all {
		return attr.Copy(v)
	}
	switch x := v.(type) {
	case *types.AttributeValueMemberM:
		m := map[string]types.AttributeValue{}
		for name, sub := range t.names {
			if e, ok := x.Value[name]; ok {
				if pv := sub.project(e); pv != nil {
					m[name] = pv
				}
			}
		}
		if len(m) > 0 {
			return &types.AttributeValueMemberM{Value: m}
		}
	case *types.AttributeValueMemberL:
		idx := make([]int, 0, len(t.idx))
		for i := range t.idx {
			if i < len(x.Value) {
				idx = append(idx, i)
			}
		}
		sort.Ints(idx)
		var l []types.AttributeValue
		for _, i := range idx {
			if pv := t.idx[i].project(x.Value[i]); pv != nil {
				l = append(l, pv)
			}
		}
		if len(l) > 0 {
			return &types.AttributeValueMemberL{Value: l}
		}
	}
	return nil
}

// FromAttributesToGet converts the legacy AttributesToGet parameter: a list
// of top-level attribute names, none twice.
func FromAttributesToGet(names []string) (*Projection, error) {
	if names == nil {
		return nil, nil
	}
	if len(names) == 0 {
		return nil, newError("1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	seen := make(map[string]bool, len(names))
	paths := make([]Path, len(names))
	for i, n := range names {
		if seen[n] {
			return nil, newError("One or more parameter values were invalid: Duplicate value in attribute name: " + n)
		}
		if len(n) > attr.MaxNameBytes {
			return nil, newError(attr.ErrNameTooLarge.Error())
		}
		seen[n] = true
		paths[i] = Path{Elems: []PathElem{{Name: n}}}
	}
	return &Projection{paths: paths}, nil
}
