package lambda

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// router matches a method and a path against registered patterns. Patterns
// are compiled into a tree of path segments; each segment is a literal, a
// parameter {name} that matches one segment, or, in last place only, a
// greedy parameter {name+} (one or more segments, API Gateway's syntax) or
// {name...} (zero or more, net/http's). Literals win over parameters and
// parameters over greedy ones, whatever the order of registration.
type router struct {
	root node
}

type node struct {
	literal map[string]*node // keyed by the decoded segment
	param   *node
	greedy  *node
	minOne  bool // greedy {name+}: at least one segment
	routes  map[string]*route
	any     *route // a pattern without a method, or ANY
}

type route struct {
	pattern string   // as registered, for logs: "GET /items/{id}"
	names   []string // parameter names in path order
	h       http.Handler
}

// maxParams bounds the parameters of one pattern, so matching keeps its
// values on the stack.
const maxParams = 16

type match struct {
	route *route
	n     int
	vals  [maxParams]string
}

// add registers h for pattern "[METHOD ]/path".
func (rt *router) add(pattern string, h http.Handler) error {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "", pattern
	}
	path = strings.TrimLeft(path, " ")
	method = strings.ToUpper(method)
	if method == "ANY" {
		method = ""
	}
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("lambda: pattern %q: path must begin with /", pattern)
	}
	if method != "" && !validMethod(method) {
		return fmt.Errorf("lambda: pattern %q: bad method %q", pattern, method)
	}
	n := &rt.root
	var names []string
	segs := strings.Split(strings.TrimSuffix(path[1:], "/"), "/")
	if path == "/" {
		segs = nil
	}
	for i, seg := range segs {
		name, kind, err := parseSegment(seg)
		if err != nil {
			return fmt.Errorf("lambda: pattern %q: %v", pattern, err)
		}
		switch kind {
		case segLiteral:
			if n.literal == nil {
				n.literal = make(map[string]*node)
			}
			child := n.literal[name]
			if child == nil {
				child = new(node)
				n.literal[name] = child
			}
			n = child
		case segParam:
			if n.param == nil {
				n.param = new(node)
			}
			n = n.param
		case segGreedy, segGreedyOne:
			if i != len(segs)-1 {
				return fmt.Errorf("lambda: pattern %q: greedy {%s} must be the last segment", pattern, name)
			}
			if n.greedy == nil {
				n.greedy = &node{minOne: kind == segGreedyOne}
			} else if n.greedy.minOne != (kind == segGreedyOne) {
				return fmt.Errorf("lambda: pattern %q: {%s+} and {%s...} conflict at the same place", pattern, name, name)
			}
			n = n.greedy
		}
		if kind != segLiteral {
			if slices.Contains(names, name) {
				return fmt.Errorf("lambda: pattern %q: duplicate parameter {%s}", pattern, name)
			}
			names = append(names, name)
		}
	}
	if len(names) > maxParams {
		return fmt.Errorf("lambda: pattern %q: more than %d parameters", pattern, maxParams)
	}
	r := &route{pattern: pattern, names: names, h: h}
	if method == "" {
		if n.any != nil {
			return fmt.Errorf("lambda: pattern %q conflicts with %q", pattern, n.any.pattern)
		}
		n.any = r
		return nil
	}
	if old := n.routes[method]; old != nil {
		return fmt.Errorf("lambda: pattern %q conflicts with %q", pattern, old.pattern)
	}
	if n.routes == nil {
		n.routes = make(map[string]*route)
	}
	n.routes[method] = r
	return nil
}

type segKind uint8

const (
	segLiteral segKind = iota
	segParam
	segGreedy    // {name...}
	segGreedyOne // {name+}
)

func parseSegment(seg string) (string, segKind, error) {
	if !strings.HasPrefix(seg, "{") {
		if strings.ContainsAny(seg, "{}") {
			return "", 0, fmt.Errorf("segment %q: a parameter must be a whole segment", seg)
		}
		if seg == "" {
			return "", 0, fmt.Errorf("empty segment")
		}
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return "", 0, fmt.Errorf("segment %q: %v", seg, err)
		}
		return dec, segLiteral, nil
	}
	if !strings.HasSuffix(seg, "}") {
		return "", 0, fmt.Errorf("segment %q: a parameter must be a whole segment", seg)
	}
	name, kind := seg[1:len(seg)-1], segParam
	switch {
	case strings.HasSuffix(name, "+"):
		name, kind = name[:len(name)-1], segGreedyOne
	case strings.HasSuffix(name, "..."):
		name, kind = name[:len(name)-3], segGreedy
	}
	if !validName(name) {
		return "", 0, fmt.Errorf("segment %q: bad parameter name", seg)
	}
	return name, kind, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '-') {
			continue
		}
		return false
	}
	return true
}

func validMethod(m string) bool {
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return m != ""
}

// lookup finds the route for method and the escaped path. HEAD falls back
// to GET. With no route for the method, found reports whether any route
// matched the path, so the caller can answer 405 rather than 404.
func (rt *router) lookup(method, escaped string, m *match) (ok bool) {
	p := strings.TrimPrefix(escaped, "/")
	if rt.root.find(method, p, m) {
		return true
	}
	if method == http.MethodHead {
		return rt.root.find(http.MethodGet, p, m)
	}
	return false
}

// find walks the tree for path p (escaped, no leading slash), trying
// literals, then parameters, then greedy parameters, and backtracking
// when a branch has no route for the method.
func (n *node) find(method, p string, m *match) bool {
	if p == "" {
		if n.pick(method, m) {
			return true
		}
		if g := n.greedy; g != nil && !g.minOne && g.pick(method, m) {
			return m.push("")
		}
		return false
	}
	seg, rest, _ := strings.Cut(p, "/")
	if n.literal != nil {
		if child := n.literal[unescape(seg)]; child != nil && child.find(method, rest, m) {
			return true
		}
	}
	if seg != "" && n.param != nil {
		mark := m.n
		if m.push(unescape(seg)) && n.param.find(method, rest, m) {
			return true
		}
		m.n = mark
	}
	if g := n.greedy; g != nil && g.pick(method, m) {
		return m.push(unescape(p))
	}
	return false
}

// pick sets m.route to n's route for method, if any. Parameters are pushed
// on the way down but routes are known only at the leaf, so values are
// named later, in serve.
func (n *node) pick(method string, m *match) bool {
	if r := n.routes[method]; r != nil {
		m.route = r
		return true
	}
	if n.any != nil {
		m.route = n.any
		return true
	}
	return false
}

func (m *match) push(v string) bool {
	if m.n == maxParams {
		return false
	}
	m.vals[m.n] = v
	m.n++
	return true
}

// allowed lists the methods of every route whose pattern matches the path,
// for 405 and OPTIONS answers. ok is false when no pattern matches at all.
func (rt *router) allowed(escaped string) (methods []string, ok bool) {
	set := map[string]bool{}
	anyMethod := false
	rt.root.collect(strings.TrimPrefix(escaped, "/"), set, &anyMethod)
	if len(set) == 0 && !anyMethod {
		return nil, false
	}
	if anyMethod {
		return nil, true
	}
	if set[http.MethodGet] {
		set[http.MethodHead] = true
	}
	set[http.MethodOptions] = true
	for k := range set {
		methods = append(methods, k)
	}
	slices.Sort(methods)
	return methods, true
}

func (n *node) collect(p string, set map[string]bool, anyMethod *bool) {
	add := func(n *node) {
		for k := range n.routes {
			set[k] = true
		}
		if n.any != nil {
			*anyMethod = true
		}
	}
	if p == "" {
		add(n)
		if g := n.greedy; g != nil && !g.minOne {
			add(g)
		}
		return
	}
	seg, rest, _ := strings.Cut(p, "/")
	if child := n.literal[unescape(seg)]; child != nil {
		child.collect(rest, set, anyMethod)
	}
	if seg != "" && n.param != nil {
		n.param.collect(rest, set, anyMethod)
	}
	if n.greedy != nil {
		add(n.greedy)
	}
}

// unescape decodes one escaped path segment; it allocates only when the
// segment holds an escape.
func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}
