package samlocal

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// Template is what local runs need from a SAM template: its functions,
// with their routes and stream sources, and its tables.
type Template struct {
	Path      string      // the template file, absolute
	Functions []*Function // by logical ID
	Tables    []*Table    // by logical ID

	raw    *rawTemplate
	params map[string]string // parameter overrides
	region string
	res    *resolver // with tables named by logical ID, until Start names them
}

// Function is an AWS::Serverless::Function.
type Function struct {
	Name       string // logical ID
	Runtime    string
	Handler    string
	MemorySize int           // MB
	Timeout    time.Duration // 3s when the template says nothing, as Lambda
	// Package is the directory of the function's Go main package, found
	// as the package doc says; "" when the function cannot run locally,
	// and Unsupported says why.
	Package     string
	Unsupported string
	Routes      []Route
	Streams     []StreamSource

	env map[string]any // Environment.Variables, Globals merged, unresolved
}

// Route is an HttpApi event of a function.
type Route struct {
	Function string
	Event    string // the event's name in the template
	Method   string // upper case; "ANY" for any method
	Path     string // "/games/{game}", "/files/{proxy+}"; "" for $default
}

// Key is the route key of the event: "GET /sessions/{id}", or "$default".
func (r Route) Key() string {
	if r.Path == "" {
		return "$default"
	}
	return r.Method + " " + r.Path
}

// StreamSource is a DynamoDB event of a function: an event source mapping
// on a table's stream.
type StreamSource struct {
	Function string
	Event    string
	Table    string // the table's logical ID
	// Latest is StartingPosition LATEST (else TRIM_HORIZON).
	Latest      bool
	BatchSize   int
	BatchWindow time.Duration // MaximumBatchingWindowInSeconds
	// MaxRetries is MaximumRetryAttempts; -1 retries until the records
	// leave the stream, Lambda's default.
	MaxRetries int
	// ReportBatchItemFailures is FunctionResponseTypes: the function
	// answers with the sequence number to retry from.
	ReportBatchItemFailures bool
	// Filters are FilterCriteria's patterns; a record is delivered if it
	// matches any (all, when there are none).
	Filters []Filter
	Enabled bool
}

// Table is an AWS::DynamoDB::Table (or AWS::Serverless::SimpleTable).
type Table struct {
	ID         string         // logical ID
	Name       string         // TableName, if the template sets it
	Properties map[string]any // resolved properties, CloudFormation's
	simple     bool           // AWS::Serverless::SimpleTable
}

type rawTemplate struct {
	Parameters map[string]struct {
		Type    string
		Default any
	}
	Conditions map[string]any
	Globals    struct{ Function map[string]any }
	Resources  map[string]rawResource
}

type rawResource struct {
	Type       string
	Condition  string
	Metadata   map[string]any
	Properties map[string]any
}

// LoadOptions are the deployment's choices a template leaves open.
type LoadOptions struct {
	// Region is AWS::Region and the functions' AWS_REGION; us-east-1 when
	// empty.
	Region string
	// Parameters override the template's parameter defaults.
	Parameters map[string]string
}

// Load reads a SAM template (YAML or JSON).
func Load(path string, opts LoadOptions) (*Template, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(abs)
	if err != nil {
		return nil, err
	}
	// goformation turns the short forms (!Ref, !Sub, !GetAtt) into the
	// JSON ones and leaves them unresolved.
	process := intrinsics.ProcessYAML
	if strings.HasSuffix(abs, ".json") {
		process = intrinsics.ProcessJSON
	}
	j, err := process(src, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	raw := new(rawTemplate)
	if err := json.Unmarshal(j, raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t := &Template{Path: abs, raw: raw, params: opts.Parameters, region: opts.Region}
	if t.region == "" {
		t.region = "us-east-1"
	}
	if t.res, err = newResolver(raw, t.region, opts.Parameters); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, id := range slices.Sorted(maps.Keys(raw.Resources)) {
		res := raw.Resources[id]
		if res.Condition != "" {
			ok, err := t.res.condition(res.Condition)
			if err != nil {
				return nil, fmt.Errorf("%s: resource %s: %w", path, id, err)
			}
			if !ok {
				continue
			}
		}
		switch res.Type {
		case "AWS::Serverless::Function":
			fn, err := t.function(id, res)
			if err != nil {
				return nil, fmt.Errorf("%s: function %s: %w", path, id, err)
			}
			t.Functions = append(t.Functions, fn)
		case "AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable":
			props, err := t.res.resolve(res.Properties)
			if err != nil {
				return nil, fmt.Errorf("%s: table %s: %w", path, id, err)
			}
			tb := &Table{ID: id, Properties: props.(map[string]any), simple: res.Type == "AWS::Serverless::SimpleTable"}
			tb.Name, _ = tb.Properties["TableName"].(string)
			t.Tables = append(t.Tables, tb)
		}
	}
	for _, fn := range t.Functions {
		for _, s := range fn.Streams {
			if t.Table(s.Table) == nil {
				return nil, fmt.Errorf("%s: function %s event %s: %s is not a table of the template", path, fn.Name, s.Event, s.Table)
			}
		}
	}
	return t, nil
}

// Function returns the function with the logical ID name, or nil.
func (t *Template) Function(name string) *Function {
	for _, f := range t.Functions {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Table returns the table with the logical ID id, or nil.
func (t *Template) Table(id string) *Table {
	for _, tb := range t.Tables {
		if tb.ID == id {
			return tb
		}
	}
	return nil
}

// Routes returns every function's HttpApi routes.
func (t *Template) Routes() []Route {
	var out []Route
	for _, f := range t.Functions {
		out = append(out, f.Routes...)
	}
	return out
}

func (t *Template) function(id string, res rawResource) (*Function, error) {
	props := mergeGlobals(t.raw.Globals.Function, res.Properties)
	str := func(key string) (string, error) {
		v, ok := props[key]
		if !ok {
			return "", nil
		}
		s, err := t.res.resolveString(v)
		if err != nil {
			return "", fmt.Errorf("%s: %w", key, err)
		}
		return s, nil
	}
	num := func(key string) (int, error) {
		s, err := str(key)
		if err != nil || s == "" {
			return 0, err
		}
		var n int
		if _, err := fmt.Sscan(s, &n); err != nil {
			return 0, fmt.Errorf("%s: %q is not a whole number", key, s)
		}
		return n, nil
	}
	fn := &Function{Name: id}
	var err error
	if fn.Runtime, err = str("Runtime"); err != nil {
		return nil, err
	}
	if fn.Handler, err = str("Handler"); err != nil {
		return nil, err
	}
	if fn.MemorySize, err = num("MemorySize"); err != nil {
		return nil, err
	}
	secs, err := num("Timeout")
	if err != nil {
		return nil, err
	}
	fn.Timeout = 3 * time.Second
	if secs > 0 {
		fn.Timeout = time.Duration(secs) * time.Second
	}
	if env, ok := props["Environment"].(map[string]any); ok {
		fn.env, _ = env["Variables"].(map[string]any)
	}
	if err := t.locate(fn, props, res.Metadata); err != nil {
		return nil, err
	}
	events, _ := props["Events"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(events)) {
		ev, _ := events[name].(map[string]any)
		typ, _ := ev["Type"].(string)
		p, _ := ev["Properties"].(map[string]any)
		switch typ {
		case "HttpApi":
			r, err := t.route(id, name, p)
			if err != nil {
				return nil, fmt.Errorf("event %s: %w", name, err)
			}
			if r != nil {
				fn.Routes = append(fn.Routes, *r)
			}
		case "DynamoDB":
			s, err := t.stream(id, name, p)
			if err != nil {
				return nil, fmt.Errorf("event %s: %w", name, err)
			}
			fn.Streams = append(fn.Streams, s)
		}
	}
	return fn, nil
}

// mergeGlobals applies the Globals section as SAM does: maps merge, the
// resource's keys win; lists add up; other values are replaced.
func mergeGlobals(global, local map[string]any) map[string]any {
	out := maps.Clone(global)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range local {
		switch lv := v.(type) {
		case map[string]any:
			if gv, ok := out[k].(map[string]any); ok && !isIntrinsic(lv) && !isIntrinsic(gv) {
				out[k] = mergeGlobals(gv, lv)
				continue
			}
		case []any:
			if gv, ok := out[k].([]any); ok {
				out[k] = append(slices.Clip(gv), lv...)
				continue
			}
		}
		out[k] = v
	}
	return out
}

func isIntrinsic(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// goRuntimes are the runtimes whose functions are Go binaries.
var goRuntimes = []string{"provided.al2023", "provided.al2", "provided", "go1.x"}

// locate finds the function's Go main package (see the package doc).
func (t *Template) locate(fn *Function, props, meta map[string]any) error {
	if !slices.Contains(goRuntimes, fn.Runtime) {
		fn.Unsupported = fmt.Sprintf("runtime %q: local runs without Docker take Go functions (%s)", fn.Runtime, strings.Join(goRuntimes, ", "))
		return nil
	}
	if pt, _ := props["PackageType"].(string); pt == "Image" {
		fn.Unsupported = "PackageType Image: local runs build Go functions from source"
		return nil
	}
	codeURI, ok := props["CodeUri"].(string)
	if !ok {
		fn.Unsupported = "CodeUri is not a local directory"
		return nil
	}
	dir := filepath.Join(filepath.Dir(t.Path), filepath.FromSlash(codeURI))
	if method, _ := meta["BuildMethod"].(string); strings.EqualFold(method, "makefile") {
		mk := filepath.Join(dir, "Makefile")
		pkg, err := makeTargetPackage(mk, "build-"+fn.Name)
		if err != nil {
			return err
		}
		fn.Package = filepath.Join(dir, filepath.FromSlash(pkg))
		return nil
	}
	if p, err := build.ImportDir(dir, 0); err == nil && p.Name == "main" {
		fn.Package = dir
		return nil
	}
	fn.Unsupported = fmt.Sprintf("CodeUri %s is not a Go main package, and Metadata has no BuildMethod: makefile", codeURI)
	return nil
}

// makeTargetPackage reads the recipe of target in the Makefile mk and
// returns the Go package it builds: its last argument that is a relative
// path ("./cmd/fn"), -o's excepted.
func makeTargetPackage(mk, target string) (string, error) {
	f, err := os.Open(mk)
	if err != nil {
		return "", err
	}
	defer f.Close()
	rule := regexp.MustCompile(`^` + regexp.QuoteMeta(target) + `\s*:([^=]|$)`)
	sc := bufio.NewScanner(f)
	in := false
	pkg := ""
	for sc.Scan() {
		line := sc.Text()
		if !in {
			in = rule.MatchString(line)
			continue
		}
		if !strings.HasPrefix(line, "\t") {
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
				continue
			}
			break
		}
		fields := strings.Fields(line)
		for i, w := range fields {
			if (strings.HasPrefix(w, "./") || strings.HasPrefix(w, "../") || w == ".") && (i == 0 || fields[i-1] != "-o") {
				pkg = w
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if pkg == "" {
		if !in {
			return "", fmt.Errorf("%s has no target %s (Metadata BuildMethod is makefile)", mk, target)
		}
		return "", fmt.Errorf("%s: the recipe of %s names no Go package (a ./relative path)", mk, target)
	}
	return pkg, nil
}

func (t *Template) route(fn, event string, p map[string]any) (*Route, error) {
	r := &Route{Function: fn, Event: event, Method: "ANY"}
	if v, ok := p["Path"]; ok {
		s, err := t.res.resolveString(v)
		if err != nil {
			return nil, fmt.Errorf("Path: %w", err)
		}
		if s != "$default" {
			r.Path = s
		}
	}
	if v, ok := p["Method"]; ok {
		s, err := t.res.resolveString(v)
		if err != nil {
			return nil, fmt.Errorf("Method: %w", err)
		}
		r.Method = strings.ToUpper(s)
	}
	if r.Path != "" && !strings.HasPrefix(r.Path, "/") {
		return nil, fmt.Errorf("path %q does not start with /", r.Path)
	}
	if v, ok := p["PayloadFormatVersion"]; ok {
		s, err := t.res.resolveString(v)
		if err != nil {
			return nil, err
		}
		if s != "2.0" {
			return nil, fmt.Errorf("PayloadFormatVersion %s: local runs send HTTP API events in format 2.0 only", s)
		}
	}
	return r, nil
}

func (t *Template) stream(fn, event string, p map[string]any) (StreamSource, error) {
	s := StreamSource{Function: fn, Event: event, BatchSize: 100, MaxRetries: -1, Enabled: true}
	ga, _ := p["Stream"].(map[string]any)
	id, attr, err := getAttArgs(ga["Fn::GetAtt"])
	if err != nil || attr != "StreamArn" {
		return s, fmt.Errorf("Stream: local runs read the stream of a table of the template (!GetAtt Table.StreamArn), not %v", p["Stream"])
	}
	s.Table = id
	str := func(key string) (string, error) {
		v, ok := p[key]
		if !ok {
			return "", nil
		}
		out, err := t.res.resolveString(v)
		if err != nil {
			return "", fmt.Errorf("%s: %w", key, err)
		}
		return out, nil
	}
	num := func(key string, into *int) error {
		v, err := str(key)
		if err != nil || v == "" {
			return err
		}
		if _, err := fmt.Sscan(v, into); err != nil {
			return fmt.Errorf("%s: %q is not a whole number", key, v)
		}
		return nil
	}
	switch pos, err := str("StartingPosition"); {
	case err != nil:
		return s, err
	case pos == "LATEST":
		s.Latest = true
	case pos == "TRIM_HORIZON" || pos == "":
	default:
		return s, fmt.Errorf("StartingPosition %s: local runs take TRIM_HORIZON or LATEST", pos)
	}
	var window int
	if err := errors.Join(num("BatchSize", &s.BatchSize), num("MaximumBatchingWindowInSeconds", &window),
		num("MaximumRetryAttempts", &s.MaxRetries)); err != nil {
		return s, err
	}
	s.BatchWindow = time.Duration(window) * time.Second
	if s.BatchSize < 1 || s.BatchSize > 10000 {
		return s, fmt.Errorf("BatchSize %d is outside 1..10000", s.BatchSize)
	}
	if v, err := str("Enabled"); err != nil {
		return s, err
	} else if v == "false" {
		s.Enabled = false
	}
	if types, ok := p["FunctionResponseTypes"]; ok {
		rv, err := t.res.resolve(types)
		if err != nil {
			return s, err
		}
		list, _ := rv.([]any)
		for _, x := range list {
			s.ReportBatchItemFailures = s.ReportBatchItemFailures || x == "ReportBatchItemFailures"
		}
	}
	if fc, ok := p["FilterCriteria"]; ok {
		rv, err := t.res.resolve(fc)
		if err != nil {
			return s, err
		}
		filters, _ := rv.(map[string]any)["Filters"].([]any)
		for i, f := range filters {
			pat, _ := f.(map[string]any)["Pattern"].(string)
			flt, err := ParseFilter(pat)
			if err != nil {
				return s, fmt.Errorf("FilterCriteria filter %d: %w", i, err)
			}
			s.Filters = append(s.Filters, flt)
		}
	}
	return s, nil
}
