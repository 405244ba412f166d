package orm

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

// Cond is a condition on a stored item, for If, Query.Filter and
// CheckTx. Fields are Go field names or paths into them ("Address.City",
// as for [Set]), resolved through the model; values
// are encoded as the field encodes them and always sent as :placeholders,
// so no string of yours ever becomes expression text.
type Cond struct {
	op    string
	field string
	vals  []any
	subs  []Cond
	av    types.AttributeValue // "raw": the stored attribute as read
}

// rawEq is field = av, or field absent when av is nil: the ORM's own
// guard that an item still holds what it read.
func rawEq(field string, av types.AttributeValue) Cond {
	return Cond{op: "raw", field: field, av: av}
}

// Eq is field = v.
func Eq(field string, v any) Cond { return Cond{op: "=", field: field, vals: []any{v}} }

// Ne is field <> v.
func Ne(field string, v any) Cond { return Cond{op: "<>", field: field, vals: []any{v}} }

// Lt is field < v.
func Lt(field string, v any) Cond { return Cond{op: "<", field: field, vals: []any{v}} }

// Le is field <= v.
func Le(field string, v any) Cond { return Cond{op: "<=", field: field, vals: []any{v}} }

// Gt is field > v.
func Gt(field string, v any) Cond { return Cond{op: ">", field: field, vals: []any{v}} }

// Ge is field >= v.
func Ge(field string, v any) Cond { return Cond{op: ">=", field: field, vals: []any{v}} }

// Between is lo <= field <= hi.
func Between(field string, lo, hi any) Cond {
	return Cond{op: "between", field: field, vals: []any{lo, hi}}
}

// In is field equal to one of vs.
func In(field string, vs ...any) Cond { return Cond{op: "in", field: field, vals: vs} }

// BeginsWith is a string field starting with prefix.
func BeginsWith(field, prefix string) Cond {
	return Cond{op: "begins_with", field: field, vals: []any{prefix}}
}

// Contains is a string field containing a substring, or a set or list
// field containing an element.
func Contains(field string, v any) Cond {
	return Cond{op: "contains", field: field, vals: []any{v}}
}

// Exists is a field present in the stored item.
func Exists(field string) Cond { return Cond{op: "exists", field: field} }

// NotExists is a field absent from the stored item.
func NotExists(field string) Cond { return Cond{op: "not_exists", field: field} }

// And is all of cs.
func And(cs ...Cond) Cond { return Cond{op: "and", subs: cs} }

// Or is any of cs.
func Or(cs ...Cond) Cond { return Cond{op: "or", subs: cs} }

// Not is c negated.
func Not(c Cond) Cond { return Cond{op: "not", subs: []Cond{c}} }

// exprs assembles an expression's text from placeholders only. Attribute
// names come from the codec and still go through #names, because they may
// be reserved words.
type exprs struct {
	names  map[string]string
	values map[string]types.AttributeValue
	byAttr map[string]string
	buf    []byte
}

func (x *exprs) name(attr string) string {
	if p, ok := x.byAttr[attr]; ok {
		return p
	}
	if x.names == nil {
		x.names = map[string]string{}
		x.byAttr = map[string]string{}
	}
	p := "#" + strconv.Itoa(len(x.names))
	x.names[p] = attr
	x.byAttr[attr] = p
	return p
}

func (x *exprs) value(av types.AttributeValue) string {
	if x.values == nil {
		x.values = map[string]types.AttributeValue{}
	}
	p := ":" + strconv.Itoa(len(x.values))
	x.values[p] = av
	return p
}

func (x *exprs) valuesOrNil() map[string]types.AttributeValue {
	if len(x.values) == 0 {
		return nil
	}
	return x.values
}

func (x *exprs) namesOrNil() map[string]string {
	if len(x.names) == 0 {
		return nil
	}
	return x.names
}

// build renders c against the fields of info.
func (c Cond) build(x *exprs, info *typeInfo) (string, error) {
	switch c.op {
	case "":
		return "", fmt.Errorf("orm: zero Cond")
	case "and", "or":
		if len(c.subs) == 0 {
			return "", fmt.Errorf("orm: %s of no conditions", strings.ToUpper(c.op))
		}
		parts := make([]string, len(c.subs))
		for i, s := range c.subs {
			p, err := s.build(x, info)
			if err != nil {
				return "", err
			}
			parts[i] = "(" + p + ")"
		}
		return strings.Join(parts, " "+strings.ToUpper(c.op)+" "), nil
	case "not":
		p, err := c.subs[0].build(x, info)
		if err != nil {
			return "", err
		}
		return "NOT (" + p + ")", nil
	}
	dp, err := info.condPath(c.field)
	if err != nil {
		return "", err
	}
	f := dp.leaf
	n := x.path(dp)
	switch c.op {
	case "exists":
		return "attribute_exists(" + n + ")", nil
	case "not_exists":
		return "attribute_not_exists(" + n + ")", nil
	case "raw":
		if c.av == nil {
			return "attribute_not_exists(" + n + ")", nil
		}
		return n + " = " + x.value(c.av), nil
	case "begins_with", "contains":
		av, err := marshalLoose(f, c.vals[0], c.op == "contains")
		if err != nil {
			return "", fmt.Errorf("orm: %s on %s: %w", c.op, f.name, err)
		}
		return c.op + "(" + n + ", " + x.value(av) + ")", nil
	}
	ps := make([]string, len(c.vals))
	for i, v := range c.vals {
		av, err := f.condValue(v)
		if err != nil {
			return "", fmt.Errorf("orm: condition on %s: %w", f.name, err)
		}
		ps[i] = x.value(av)
	}
	switch c.op {
	case "between":
		return n + " BETWEEN " + ps[0] + " AND " + ps[1], nil
	case "in":
		if len(ps) == 0 {
			return "", fmt.Errorf("orm: In(%s) of no values", f.name)
		}
		return n + " IN (" + strings.Join(ps, ", ") + ")", nil
	}
	return n + " " + c.op + " " + ps[0], nil
}

// eachField calls fn with every field or path c names.
func (c Cond) eachField(fn func(string) error) error {
	for _, s := range c.subs {
		if err := s.eachField(fn); err != nil {
			return err
		}
	}
	if c.field == "" {
		return nil
	}
	return fn(c.field)
}

// condPath resolves the field or path a condition names.
func (info *typeInfo) condPath(name string) (*docPath, error) {
	if f, ok := info.byName[name]; ok {
		return f.asPath(), nil
	}
	if !strings.ContainsAny(name, ".[") {
		return nil, fmt.Errorf("orm: condition on unknown field %q of %s", name, info.entity)
	}
	return info.path(name)
}

// condValue encodes v as field f would store it, but never omits it: a
// condition needs a concrete value even where the field is omitempty.
func (f *field) condValue(v any) (types.AttributeValue, error) {
	rv, err := f.convert(v)
	if err != nil {
		return nil, err
	}
	av, err := f.encodeValue(rv)
	if err != nil {
		return nil, err
	}
	if av == nil {
		if av, err = dynamo.Marshal(rv.Interface()); err != nil {
			return nil, err
		}
		if av == nil {
			return &types.AttributeValueMemberS{Value: ""}, nil
		}
	}
	return av, nil
}

// marshalLoose encodes an operand that is not a whole field value: a
// prefix, a substring or a set element.
func marshalLoose(f *field, v any, element bool) (types.AttributeValue, error) {
	if !element {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %T", v)
		}
		return &types.AttributeValueMemberS{Value: s}, nil
	}
	if rv := reflect.ValueOf(v); rv.IsValid() && rv.Type() == f.typ {
		return f.condValue(v)
	}
	av, err := dynamo.Marshal(v)
	if err != nil {
		return nil, err
	}
	if av == nil {
		return nil, fmt.Errorf("empty operand")
	}
	return av, nil
}
