package examples_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The table's YAML in template.yaml is written from the resource the orm
// renders (goformation's JSON), in the template's own style: block YAML,
// two-space indents, keys in the order rendered, strings quoted only where
// YAML would read them as something else.

// node is a JSON value that keeps its keys in order.
type node struct {
	keys   []string
	vals   []*node // of an object, by keys
	items  []*node // of an array
	isObj  bool
	isArr  bool
	scalar any // string, json.Number, bool, nil
}

func parseOrdered(b []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return parseNode(dec)
}

func parseNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &node{isObj: t == '{', isArr: t == '['}
		for dec.More() {
			if n.isObj {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
			}
			v, err := parseNode(dec)
			if err != nil {
				return nil, err
			}
			if n.isObj {
				n.vals = append(n.vals, v)
			} else {
				n.items = append(n.items, v)
			}
		}
		_, err := dec.Token() // the closing delimiter
		return n, err
	default:
		return &node{scalar: t}, nil
	}
}

func (n *node) empty() bool {
	return (n.isObj && len(n.keys) == 0) || (n.isArr && len(n.items) == 0)
}

// toYAML writes n, an object, as the lines of a block mapping at indent.
func toYAML(n *node, indent int) string {
	var b strings.Builder
	writeMap(&b, n, indent, false)
	return b.String()
}

func writeMap(b *strings.Builder, n *node, indent int, inline bool) {
	for i, k := range n.keys {
		if i > 0 || !inline {
			b.WriteString(strings.Repeat(" ", indent))
		}
		b.WriteString(k + ":")
		writeValue(b, n.vals[i], indent)
	}
}

func writeValue(b *strings.Builder, v *node, indent int) {
	switch {
	case v.empty() && v.isObj:
		b.WriteString(" {}\n")
	case v.empty():
		b.WriteString(" []\n")
	case v.isObj:
		b.WriteString("\n")
		writeMap(b, v, indent+2, false)
	case v.isArr:
		b.WriteString("\n")
		for _, it := range v.items {
			b.WriteString(strings.Repeat(" ", indent+2) + "-")
			switch {
			case it.isObj && !it.empty():
				b.WriteString(" ")
				writeMap(b, it, indent+4, true)
			case it.isArr && !it.empty():
				panic("yaml: nested sequences are not rendered")
			default:
				writeValue(b, it, indent+2)
			}
		}
	default:
		b.WriteString(" " + scalar(v.scalar) + "\n")
	}
}

// plain are strings YAML reads back as the same string unquoted.
var plain = regexp.MustCompile(`^[A-Za-z_/][A-Za-z0-9_./:-]*$`)

// yaml11 are plain scalars that YAML 1.1 readers (PyYAML, so SAM and
// cfn-lint) take for booleans or null.
var yaml11 = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true, "null": true}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	case string:
		if plain.MatchString(x) && !yaml11[strings.ToLower(x)] {
			return x
		}
		return strconv.Quote(x)
	}
	panic(fmt.Sprintf("yaml: scalar %T", v))
}
