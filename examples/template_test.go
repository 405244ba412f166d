package examples_test

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/awslabs/goformation/v7/intrinsics"

	"github.com/monotable/monotable/examples/internal/apptable"
	"github.com/monotable/monotable/examples/internal/apptest"
	"github.com/monotable/monotable/examples/leaderboard"
	"github.com/monotable/monotable/examples/sessions"
	"github.com/monotable/monotable/lambda"
	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormcfn"
)

// The SAM app, seen from here.
const (
	templatePath = "../template.yaml"
	makefilePath = "../Makefile"
	envPath      = "../env.json"
	tableID      = "Table"
	apiID        = "HttpApi"
)

// function is what the repository says about a function of the template.
type function struct {
	pkg    string // its main package, from the repository's root
	events string // its fixtures' directory, from here
	stream bool   // a stream consumer, not an API
	// fixture tells whether an events/ file is this function's.
	fixture func(name string) bool
	// app registers the function's handlers, as its main does.
	app func(t *testing.T, table *orm.Table, app *lambda.App) []string
}

func isStream(name string) bool { return strings.HasPrefix(name, "stream-") }

var functions = map[string]function{
	"SessionsFunction": {
		pkg: "./examples/sessions/cmd/sessions", events: "sessions/events",
		fixture: func(n string) bool { return !isStream(n) },
		app: func(t *testing.T, table *orm.Table, app *lambda.App) []string {
			svc, err := sessions.New(table)
			if err != nil {
				t.Fatal(err)
			}
			svc.Register(app)
			return svc.Routes()
		},
	},
	"SessionAuditFunction": {
		pkg: "./examples/sessions/cmd/audit", events: "sessions/events", stream: true,
		fixture: isStream,
	},
	"LeaderboardFunction": {
		pkg: "./examples/leaderboard/cmd/leaderboard", events: "leaderboard/events",
		fixture: func(n string) bool { return !isStream(n) },
		app: func(t *testing.T, table *orm.Table, app *lambda.App) []string {
			svc, err := leaderboard.New(table)
			if err != nil {
				t.Fatal(err)
			}
			svc.Register(app)
			return svc.Routes()
		},
	},
}

// renderedTable is the table as the orm renders it from every model of
// both apps, as YAML lines for template.yaml's Resources.
func renderedTable(t *testing.T) (*orm.Table, string) {
	t.Helper()
	table, err := apptable.New(nil, tableID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(mustResource(table))
	if err != nil {
		t.Fatal(err)
	}
	n, err := parseOrdered(b)
	if err != nil {
		t.Fatal(err)
	}
	return table, "  " + tableID + ":\n" + toYAML(n, 4)
}

var generated = regexp.MustCompile(`(?s)(  # BEGIN Table:[^\n]*\n(?:  #[^\n]*\n)*)(.*?)(  # END Table\n)`)

// TestTemplateTable keeps template.yaml's table what the models need: its
// YAML is the orm's rendering (rewritten with -update), and CheckTemplate
// agrees with it, field by field.
func TestTemplateTable(t *testing.T) {
	table, want := renderedTable(t)
	src, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	m := generated.FindSubmatchIndex(src)
	if m == nil {
		t.Fatalf("%s: no generated Table block (# BEGIN Table: ... # END Table)", templatePath)
	}
	if got := string(src[m[4]:m[5]]); got != want {
		if !*apptest.Update {
			t.Errorf("%s: the Table resource is not what the models render; run go test ./examples -run TestTemplate -update\n--- want\n%s--- got\n%s", templatePath, want, got)
		} else {
			out := slices.Concat(src[:m[4]], []byte(want), src[m[5]:])
			if err := os.WriteFile(templatePath, out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := ormcfn.Check(templatePath, table); err != nil {
		t.Error(err)
	}
}

// template is template.yaml as JSON, its intrinsic functions left as they
// are ({"Ref": "Table"}).
type template struct {
	Parameters map[string]any
	Globals    struct{ Function map[string]any }
	Resources  map[string]struct {
		Type       string
		Metadata   map[string]any
		Properties map[string]any
	}
	Outputs map[string]any
}

func readTemplate(t *testing.T) (template, map[string]any) {
	t.Helper()
	src, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	j, err := intrinsics.ProcessYAML(src, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		t.Fatal(err)
	}
	var tpl template
	var raw map[string]any
	if err := json.Unmarshal(j, &tpl); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(j, &raw)
	return tpl, raw
}

// props are a function's properties with the Globals applied, as SAM
// applies them (maps merged, the function's values first).
func (tpl template) props(id string) map[string]any {
	return merge(tpl.Globals.Function, tpl.Resources[id].Properties)
}

func merge(global, local map[string]any) map[string]any {
	out := maps.Clone(global)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range local {
		g, gok := out[k].(map[string]any)
		l, lok := v.(map[string]any)
		if gok && lok {
			out[k] = merge(g, l)
		} else {
			out[k] = v
		}
	}
	return out
}

// at walks m by keys.
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func ref(name string) map[string]any { return map[string]any{"Ref": name} }

// getAtt reads {"Fn::GetAtt": ...} in either form, "A.b" (what !GetAtt
// becomes) or [A, b].
func getAtt(v any) (resource, attr string, ok bool) {
	switch x := at(v, "Fn::GetAtt").(type) {
	case string:
		resource, attr, ok = strings.Cut(x, ".")
	case []any:
		if len(x) == 2 {
			resource, attr, ok = fmt.Sprint(x[0]), fmt.Sprint(x[1]), true
		}
	}
	return resource, attr, ok
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func (tpl template) functions() []string {
	var ids []string
	for id, r := range tpl.Resources {
		if r.Type == "AWS::Serverless::Function" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// routes are the HttpApi routes of a function, "METHOD /path".
func (tpl template) routes(t *testing.T, id string) []string {
	var out []string
	for name, ev := range at(tpl.props(id), "Events").(map[string]any) {
		if at(ev, "Type") != "HttpApi" {
			continue
		}
		p := at(ev, "Properties")
		if !jsonEqual(at(p, "ApiId"), ref(apiID)) {
			t.Errorf("%s event %s: ApiId %v, want !Ref %s", id, name, at(p, "ApiId"), apiID)
		}
		out = append(out, fmt.Sprint(at(p, "Method"), " ", at(p, "Path")))
	}
	slices.Sort(out)
	return out
}

// TestTemplateFunctions checks each function against the repository: its
// runtime and build, its routes and the app's, its access to the table.
func TestTemplateFunctions(t *testing.T) {
	tpl, _ := readTemplate(t)
	if got, want := tpl.functions(), slices.Sorted(maps.Keys(functions)); !slices.Equal(got, want) {
		t.Fatalf("template functions %v, want %v", got, want)
	}
	env := apptest.Setup(t)
	for _, id := range tpl.functions() {
		fn := functions[id]
		t.Run(id, func(t *testing.T) {
			p := tpl.props(id)
			for key, want := range map[string]any{
				"Runtime": "provided.al2023", "Architectures": []any{"arm64"}, "Handler": "bootstrap", "CodeUri": ".",
			} {
				if !jsonEqual(p[key], want) {
					t.Errorf("%s = %v, want %v", key, p[key], want)
				}
			}
			if bm := at(tpl.Resources[id].Metadata, "BuildMethod"); bm != "makefile" {
				t.Errorf("Metadata.BuildMethod = %v, want makefile", bm)
			}
			vars := at(p, "Environment", "Variables")
			if !jsonEqual(at(vars, "TABLE_NAME"), ref(tableID)) || !jsonEqual(at(vars, "AWS_ENDPOINT_URL_DYNAMODB"), ref("DynamoDBEndpoint")) {
				t.Errorf("environment %v: want TABLE_NAME !Ref %s and AWS_ENDPOINT_URL_DYNAMODB !Ref DynamoDBEndpoint", vars, tableID)
			}

			if fn.stream {
				checkStreamFunction(t, tpl, id, env.Table)
				return
			}
			policy := []any{map[string]any{"DynamoDBCrudPolicy": map[string]any{"TableName": ref(tableID)}}}
			if !jsonEqual(p["Policies"], policy) {
				t.Errorf("Policies %v, want only DynamoDBCrudPolicy on the table", p["Policies"])
			}
			if at(vars, "CURSOR_KEY") == nil {
				t.Errorf("no CURSOR_KEY: cursors would not survive from one instance to another")
			}

			// The template's routes are the app's, and the app serves each.
			app := lambda.New(apptest.Quiet())
			handled := fn.app(t, env.Table, app)
			slices.Sort(handled)
			routes := tpl.routes(t, id)
			if !slices.Equal(routes, handled) {
				t.Errorf("template routes %v\napp routes      %v", routes, handled)
			}
			for _, r := range routes {
				method, path, _ := strings.Cut(r, " ")
				req := apptest.Request{Method: method, Route: path, Params: map[string]string{}}
				for _, name := range regexp.MustCompile(`\{(\w+)\+?\}`).FindAllStringSubmatch(path, -1) {
					req.Params[name[1]] = "x"
				}
				res := apptest.Transports[1].Do(t, app, req)
				if res.Status == http.StatusMethodNotAllowed || (res.Status == http.StatusNotFound && strings.Contains(string(res.Body), "no route for")) {
					t.Errorf("%s: the app has no handler: %d %s", r, res.Status, res.Body)
				}
			}
		})
	}
}

// checkStreamFunction checks the stream consumer: its event source, its
// partial batch responses, its filter, and a role scoped to the table.
func checkStreamFunction(t *testing.T, tpl template, id string, table *orm.Table) {
	t.Helper()
	p := tpl.props(id)
	events := at(p, "Events").(map[string]any)
	if len(events) != 1 {
		t.Fatalf("events %v, want one stream", events)
	}
	var ev any
	for _, e := range events {
		ev = e
	}
	props := at(ev, "Properties")
	if res, attr, _ := getAtt(at(props, "Stream")); at(ev, "Type") != "DynamoDB" || res != tableID || attr != "StreamArn" {
		t.Errorf("event %v: want a DynamoDB event on !GetAtt %s.StreamArn", ev, tableID)
	}
	if !jsonEqual(at(props, "FunctionResponseTypes"), []any{"ReportBatchItemFailures"}) {
		t.Errorf("FunctionResponseTypes %v, want [ReportBatchItemFailures]: App.ServeStream reports partial failures", at(props, "FunctionResponseTypes"))
	}
	// The filter lets through the removals of an entity the app handles.
	for _, f := range at(props, "FilterCriteria", "Filters").([]any) {
		var pattern map[string]any
		if err := json.Unmarshal([]byte(at(f, "Pattern").(string)), &pattern); err != nil {
			t.Fatalf("filter pattern: %v", err)
		}
		for _, entity := range at(pattern, "dynamodb", "OldImage", "type", "S").([]any) {
			if _, err := table.Decode(map[string]types.AttributeValue{"type": &types.AttributeValueMemberS{Value: entity.(string)}}); err != nil {
				t.Errorf("the filter names entity %q: %v", entity, err)
			}
		}
	}
	// Its role: logs, this stream, puts in this table; no SAM policies,
	// which would come with AWSLambdaDynamoDBExecutionRole.
	role, attr, _ := getAtt(p["Role"])
	if attr != "Arn" || tpl.Resources[role].Type != "AWS::IAM::Role" || p["Policies"] != nil {
		t.Fatalf("Role %v, Policies %v: want !GetAtt <an AWS::IAM::Role>.Arn and no Policies", p["Role"], p["Policies"])
	}
	doc := tpl.Resources[role].Properties
	var resources []string
	for _, pol := range doc["Policies"].([]any) {
		for _, st := range at(pol, "PolicyDocument", "Statement").([]any) {
			b, _ := json.Marshal(at(st, "Resource"))
			resources = append(resources, string(b))
		}
	}
	for _, r := range resources {
		if !strings.Contains(r, tableID) {
			t.Errorf("role statement on %s: want only the table and its stream", r)
		}
	}
}

// TestTemplateReferences checks that every Ref, GetAtt and ${} of the
// template names a resource or parameter it declares.
func TestTemplateReferences(t *testing.T) {
	tpl, raw := readTemplate(t)
	known := map[string]bool{}
	for id := range tpl.Resources {
		known[id] = true
	}
	for id := range tpl.Parameters {
		known[id] = true
	}
	check := func(name, where string) {
		name, _, _ = strings.Cut(name, ".")
		if !strings.HasPrefix(name, "AWS::") && !known[name] {
			t.Errorf("%s refers to %q, which the template does not declare", where, name)
		}
	}
	var walk func(v any, where string)
	walk = func(v any, where string) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				switch k {
				case "Ref":
					check(e.(string), where)
				case "Fn::GetAtt":
					res, _, _ := getAtt(x)
					check(res, where)
				case "Fn::Sub":
					s, _ := e.(string)
					if l, ok := e.([]any); ok {
						s = l[0].(string)
					}
					for _, m := range regexp.MustCompile(`\$\{([^}!]+)\}`).FindAllStringSubmatch(s, -1) {
						check(m[1], where)
					}
				}
				walk(e, where+"."+k)
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s[%d]", where, i))
			}
		}
	}
	walk(raw, "template")
}

// TestMakefile checks that every function has its build-<LogicalId>
// target, building its package as Lambda needs it, and that make build
// builds them all.
func TestMakefile(t *testing.T) {
	src, err := os.ReadFile(makefilePath)
	if err != nil {
		t.Fatal(err)
	}
	mk := string(src)
	for _, want := range []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64", "-tags lambda.norpc", "-trimpath", "-ldflags='-s -w'", "$(ARTIFACTS_DIR)", "/bootstrap"} {
		if !strings.Contains(mk, want) {
			t.Errorf("the Makefile's Lambda builds lack %s", want)
		}
	}
	dry, err := exec.Command("make", "-s", "-n", "-C", "..", "build").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n build: %v\n%s", err, dry)
	}
	for id, fn := range functions {
		rule := regexp.MustCompile(`(?m)^build-` + id + `:\n\t\$\(lambda_build\) (\S+)$`).FindStringSubmatch(mk)
		if rule == nil || rule[1] != fn.pkg {
			t.Errorf("no target build-%s building %s", id, fn.pkg)
		}
		want := fmt.Sprintf("-o bin/lambda/%s/bootstrap %s", id, fn.pkg)
		if !strings.Contains(string(dry), want) {
			t.Errorf("make build does not build %s (%q):\n%s", id, want, dry)
		}
	}
}

// TestMakeBuild builds one function the way sam build does, and checks
// that what it makes is a bootstrap Lambda can run on arm64.
func TestMakeBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles a function")
	}
	dir := t.TempDir()
	cmd := exec.Command("make", "-C", "..", "build-SessionAuditFunction", "ARTIFACTS_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	f, err := elf.Open(filepath.Join(dir, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("machine %v, want EM_AARCH64", f.Machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("bootstrap is dynamically linked; provided.al2023 wants a static binary (CGO_ENABLED=0)")
		}
	}
}

// TestCfnLint runs cfn-lint on the template, when it is installed.
func TestCfnLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not installed")
	}
	cmd := exec.Command(lint, "template.yaml")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cfn-lint template.yaml: %v\n%s", err, out)
	}
}

// TestEnvJSON checks env.json, sam local's environment: it names the
// template's functions and only variables they declare (sam local ignores
// the others), and its table is the one the stream fixtures name.
func TestEnvJSON(t *testing.T) {
	tpl, _ := readTemplate(t)
	var env map[string]map[string]string
	b, err := os.ReadFile(envPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	if got, want := slices.Sorted(maps.Keys(env)), tpl.functions(); !slices.Equal(got, want) {
		t.Errorf("env.json functions %v, want %v", got, want)
	}
	for id, vars := range env {
		declared, _ := at(tpl.props(id), "Environment", "Variables").(map[string]any)
		for k := range vars {
			if _, ok := declared[k]; !ok {
				t.Errorf("env.json sets %s.%s, which the template does not declare: sam local ignores it", id, k)
			}
		}
		if vars["TABLE_NAME"] != apptest.TableName || vars["AWS_ENDPOINT_URL_DYNAMODB"] == "" {
			t.Errorf("env.json %s: want TABLE_NAME %s and a local AWS_ENDPOINT_URL_DYNAMODB", id, apptest.TableName)
		}
	}
}

// TestFixturesMatchTemplate checks the events/ fixtures against the
// template: each HTTP fixture is a route of its function, each route has a
// REST (v1) and an HTTP API (v2) fixture, and the stream fixtures come from
// the table env.json names and pass the event source's filter.
func TestFixturesMatchTemplate(t *testing.T) {
	tpl, _ := readTemplate(t)
	for _, id := range tpl.functions() {
		fn := functions[id]
		t.Run(id, func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join(fn.events, "*.json"))
			if err != nil {
				t.Fatal(err)
			}
			routes := tpl.routes(t, id)
			covered := map[string]bool{}
			seen := 0
			for _, path := range files {
				name := filepath.Base(path)
				if !fn.fixture(name) {
					continue
				}
				seen++
				var ev map[string]any
				b, _ := os.ReadFile(path)
				if err := json.Unmarshal(b, &ev); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				switch {
				case fn.stream:
					checkStreamFixture(t, tpl, id, name, ev)
				case ev["version"] == "2.0":
					covered["v2 "+fmt.Sprint(ev["routeKey"])] = true
					if !slices.Contains(routes, fmt.Sprint(ev["routeKey"])) {
						t.Errorf("%s: route %v is not one of %s's", name, ev["routeKey"], id)
					}
				case ev["httpMethod"] != nil:
					r := fmt.Sprint(ev["httpMethod"], " ", ev["resource"])
					covered["v1 "+r] = true
					if !slices.Contains(routes, r) {
						t.Errorf("%s: route %s is not one of %s's", name, r, id)
					}
				default:
					t.Errorf("%s: neither a REST API, an HTTP API nor a stream event", name)
				}
			}
			if seen == 0 {
				t.Fatalf("no fixtures in %s", fn.events)
			}
			for _, r := range routes {
				for _, shape := range []string{"v1", "v2"} {
					if !covered[shape+" "+r] {
						t.Errorf("no %s fixture for %s", shape, r)
					}
				}
			}
		})
	}
}

var streamARN = regexp.MustCompile(`^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table/([^/]+)/stream/[^/]+$`)

func checkStreamFixture(t *testing.T, tpl template, id, name string, ev map[string]any) {
	t.Helper()
	var env map[string]map[string]string
	b, _ := os.ReadFile(envPath)
	_ = json.Unmarshal(b, &env)
	var pattern map[string]any
	for _, e := range at(tpl.props(id), "Events").(map[string]any) {
		for _, f := range at(e, "Properties", "FilterCriteria", "Filters").([]any) {
			_ = json.Unmarshal([]byte(at(f, "Pattern").(string)), &pattern)
		}
	}
	recs, _ := ev["Records"].([]any)
	if len(recs) == 0 {
		t.Errorf("%s: no records", name)
	}
	for i, r := range recs {
		m := streamARN.FindStringSubmatch(fmt.Sprint(at(r, "eventSourceARN")))
		if at(r, "eventSource") != "aws:dynamodb" || m == nil || m[1] != env[id]["TABLE_NAME"] {
			t.Errorf("%s record %d: source %v %v, want aws:dynamodb and the stream of table %s", name, i, at(r, "eventSource"), at(r, "eventSourceARN"), env[id]["TABLE_NAME"])
		}
		if pattern != nil && !matches(pattern, r) {
			t.Errorf("%s record %d does not pass the event source's filter %v", name, i, pattern)
		}
	}
}

// matches applies a Lambda event filter pattern made of objects and lists
// of exact values, the only kind the template uses.
func matches(pattern, v any) bool {
	switch p := pattern.(type) {
	case map[string]any:
		for k, sub := range p {
			if !matches(sub, at(v, k)) {
				return false
			}
		}
		return true
	case []any:
		return slices.ContainsFunc(p, func(want any) bool { return jsonEqual(want, v) })
	}
	return false
}

func mustResource(t *orm.Table) any {
	r, err := ormcfn.Resource(t)
	if err != nil {
		panic(err)
	}
	return r
}
