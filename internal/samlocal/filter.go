package samlocal

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Filter is an event filtering pattern of an event source mapping
// (FilterCriteria), in Lambda's syntax: keys name fields of the record,
// nested objects descend, and arrays list what a field may be: strings,
// numbers, true, false, null, or the operators prefix, suffix,
// equals-ignore-case, anything-but, numeric and exists. "$or" takes a list
// of patterns. Records that match no filter are dropped, as Lambda drops
// them, without invoking the function.
type Filter struct {
	src     string
	pattern map[string]any
}

// ParseFilter parses a pattern.
func ParseFilter(pattern string) (Filter, error) {
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(pattern))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return Filter{}, fmt.Errorf("pattern %s: %w", pattern, err)
	}
	if err := checkPattern(m); err != nil {
		return Filter{}, fmt.Errorf("pattern %s: %w", pattern, err)
	}
	return Filter{src: pattern, pattern: m}, nil
}

func (f Filter) String() string { return f.src }

func checkPattern(m map[string]any) error {
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			if err := checkPattern(x); err != nil {
				return err
			}
		case []any:
			if k == "$or" {
				for _, alt := range x {
					am, ok := alt.(map[string]any)
					if !ok {
						return fmt.Errorf("$or wants patterns")
					}
					if err := checkPattern(am); err != nil {
						return err
					}
				}
				continue
			}
			for _, c := range x {
				if op, ok := c.(map[string]any); ok {
					if err := checkOperator(op); err != nil {
						return fmt.Errorf("%s: %w", k, err)
					}
				}
			}
		default:
			return fmt.Errorf("%s: want an object or an array of values, have %v", k, v)
		}
	}
	return nil
}

func checkOperator(op map[string]any) error {
	if len(op) != 1 {
		return fmt.Errorf("an operator object has one key")
	}
	for name, arg := range op {
		switch name {
		case "prefix", "suffix", "equals-ignore-case":
			if _, ok := arg.(string); !ok {
				return fmt.Errorf("%s wants a string", name)
			}
		case "exists":
			if _, ok := arg.(bool); !ok {
				return fmt.Errorf("exists wants true or false")
			}
		case "anything-but":
		case "numeric":
			a, ok := arg.([]any)
			if !ok || len(a) == 0 || len(a)%2 != 0 {
				return fmt.Errorf("numeric wants [op, number, ...]")
			}
			for i := 0; i < len(a); i += 2 {
				if _, ok := a[i].(string); !ok {
					return fmt.Errorf("numeric wants [op, number, ...]")
				}
				if _, ok := toFloat(a[i+1]); !ok {
					return fmt.Errorf("numeric wants [op, number, ...]")
				}
			}
		default:
			return fmt.Errorf("operator %s is not supported", name)
		}
	}
	return nil
}

// Match reports whether event (a JSON value decoded with UseNumber, or
// with float64 numbers) matches the pattern.
func (f Filter) Match(event any) bool { return matchObject(f.pattern, event) }

func matchObject(pat map[string]any, event any) bool {
	obj, _ := event.(map[string]any)
	for k, pv := range pat {
		if k == "$or" {
			alts, _ := pv.([]any)
			hit := false
			for _, a := range alts {
				if am, ok := a.(map[string]any); ok && matchObject(am, event) {
					hit = true
					break
				}
			}
			if !hit {
				return false
			}
			continue
		}
		v, present := obj[k]
		switch x := pv.(type) {
		case map[string]any:
			if !present || !matchObject(x, v) {
				return false
			}
		case []any:
			if !matchField(x, v, present) {
				return false
			}
		}
	}
	return true
}

// matchField reports whether a field matches any of the conditions; an
// array field matches when any of its elements does.
func matchField(conds []any, v any, present bool) bool {
	vals := []any{v}
	if a, ok := v.([]any); ok {
		vals = a
	}
	for _, c := range conds {
		if op, ok := c.(map[string]any); ok {
			if e, ok := op["exists"].(bool); ok {
				if e == present {
					return true
				}
				continue
			}
		}
		if !present {
			continue
		}
		for _, x := range vals {
			if matchValue(c, x) {
				return true
			}
		}
	}
	return false
}

func matchValue(c, v any) bool {
	switch x := c.(type) {
	case nil:
		return v == nil
	case bool:
		b, ok := v.(bool)
		return ok && b == x
	case string:
		s, ok := v.(string)
		return ok && s == x
	case json.Number:
		a, _ := toFloat(x)
		b, ok := toFloat(v)
		return ok && a == b
	case map[string]any:
		for name, arg := range x {
			switch name {
			case "prefix":
				s, ok := v.(string)
				return ok && strings.HasPrefix(s, arg.(string))
			case "suffix":
				s, ok := v.(string)
				return ok && strings.HasSuffix(s, arg.(string))
			case "equals-ignore-case":
				s, ok := v.(string)
				return ok && strings.EqualFold(s, arg.(string))
			case "anything-but":
				switch a := arg.(type) {
				case []any:
					for _, e := range a {
						if matchValue(e, v) {
							return false
						}
					}
					return true
				default:
					return !matchValue(a, v)
				}
			case "numeric":
				n, ok := toFloat(v)
				if !ok {
					return false
				}
				a := arg.([]any)
				for i := 0; i < len(a); i += 2 {
					bound, _ := toFloat(a[i+1])
					var ok bool
					switch a[i] {
					case "=":
						ok = n == bound
					case "<":
						ok = n < bound
					case "<=":
						ok = n <= bound
					case ">":
						ok = n > bound
					case ">=":
						ok = n >= bound
					}
					if !ok {
						return false
					}
				}
				return true
			}
		}
	}
	return false
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case string: // DynamoDB numbers are strings ({"N": "12"})
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}
