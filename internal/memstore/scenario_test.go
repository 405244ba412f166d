package memstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/memstore/wire"
)

// Scenario files (testdata/scenarios/<operation>/*.txt) are the engine's
// spec: requests as the service's JSON and the exact responses or errors the
// Developer Guide and API Reference give for them. Each file runs on a fresh
// store twice: through the Store's methods directly, and through the real
// aws-sdk-go-v2 client over the wire protocol. Any difference is a bug.
//
// Format: steps separated by blank lines. A step is an operation name, its
// request JSON (one or more lines), a line "----", then the expectation:
//   - JSON: every top-level member listed must match exactly ("*" matches
//     any value, "<absent>" requires the member to be missing); unlisted
//     top-level members are not checked;
//   - "error <Code>", on the next line the exact message ("*" for any), and optionally
//     JSON for other members of the error body (Item, CancellationReasons),
//     checked like a response;
//   - "ok": the call succeeds.
// Lines starting with # are comments.

type step struct {
	line     int
	op       string
	request  string
	expected string
}

func parseScenario(t *testing.T, path string) []step { return parseScenarioFile(t, path) }

func parseScenarioFile(t testing.TB, path string) []step {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []step
	var cur *step
	inExpected := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#"):
			continue
		case strings.TrimSpace(line) == "":
			if cur != nil {
				if !inExpected {
					t.Fatalf("%s:%d: step %s has no ---- line", path, cur.line, cur.op)
				}
				steps = append(steps, *cur)
				cur, inExpected = nil, false
			}
		case cur == nil:
			cur = &step{line: n, op: strings.TrimSpace(line)}
		case line == "----":
			inExpected = true
		case inExpected:
			cur.expected += line + "\n"
		default:
			cur.request += line + "\n"
		}
	}
	if cur != nil {
		steps = append(steps, *cur)
	}
	return steps
}

// caller invokes an operation by name on a target with SDK method
// signatures (the Store, or a *dynamodb.Client).
type caller func(op string, request []byte) (any, error)

func reflectCaller(targets ...any) caller {
	return func(op string, request []byte) (any, error) {
		for _, target := range targets {
			m := reflect.ValueOf(target).MethodByName(op)
			if !m.IsValid() {
				continue
			}
			in := reflect.New(m.Type().In(1).Elem())
			if err := wire.Unmarshal(request, in.Interface()); err != nil {
				return nil, fmt.Errorf("bad request JSON for %s: %w", op, err)
			}
			res := m.Call([]reflect.Value{reflect.ValueOf(context.Background()), in})
			if errV := res[1]; !errV.IsNil() {
				return nil, errV.Interface().(error)
			}
			return res[0].Interface(), nil
		}
		return nil, fmt.Errorf("no operation %s", op)
	}
}

// skipClientValidation lets a request the SDK would refuse before sending
// it (a required member missing) reach the server, whose answer the
// scenarios check: other clients send such requests.
func skipClientValidation(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		s.Initialize.Remove("OperationInputValidation") // absent where nothing is required
		return nil
	})
}

func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario files: %v", err)
	}
	paths := map[string]func() caller{
		"direct": func() caller {
			return reflectCaller(memstore.New())
		},
		"sdk": func() caller {
			h := wire.NewHandler(memstore.New())
			c := dynamodb.New(wire.NewClient(h, "us-east-1").Options(), skipClientValidation)
			return reflectCaller(c, wire.NewStreamsClient(h, "us-east-1"))
		},
	}
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "testdata/scenarios/"), ".txt")
		steps := parseScenario(t, file)
		for _, path := range []string{"direct", "sdk"} {
			t.Run(name+"/"+path, func(t *testing.T) {
				call := paths[path]()
				for _, s := range steps {
					runStep(t, file, s, call)
				}
			})
		}
	}
}

func runStep(t *testing.T, file string, s step, call caller) {
	t.Helper()
	where := fmt.Sprintf("%s:%d %s", file, s.line, s.op)
	out, err := call(s.op, []byte(s.request))
	want := strings.TrimSpace(s.expected)
	switch {
	case want == "ok":
		if err != nil {
			t.Fatalf("%s: unexpected error %v", where, err)
		}
	case strings.HasPrefix(want, "error "):
		code, rest, _ := strings.Cut(strings.TrimPrefix(want, "error "), "\n")
		msg, members, _ := strings.Cut(rest, "\n")
		var api smithy.APIError
		if err == nil {
			body, _ := wire.Marshal(out)
			t.Fatalf("%s: succeeded with %s, want %s", where, body, code)
		}
		if !errors.As(err, &api) {
			t.Fatalf("%s: error %v is not an API error", where, err)
		}
		if api.ErrorCode() != strings.TrimSpace(code) || (strings.TrimSpace(msg) != "*" && api.ErrorMessage() != strings.TrimSpace(msg)) {
			t.Fatalf("%s:\n got error %s: %s\nwant error %s: %s", where, api.ErrorCode(), api.ErrorMessage(), code, msg)
		}
		if strings.TrimSpace(members) != "" {
			_, body := wire.MarshalError(err)
			compareMembers(t, where, body, members)
		}
	default:
		if err != nil {
			t.Fatalf("%s: unexpected error %v", where, err)
		}
		body, merr := wire.Marshal(out)
		if merr != nil {
			t.Fatal(merr)
		}
		compareMembers(t, where, body, want)
	}
}

// compareMembers checks that every top-level member of the expected JSON
// matches the response body (see the format above).
func compareMembers(t *testing.T, where string, body []byte, want string) {
	t.Helper()
	{
		var got, exp map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(want), &exp); err != nil {
			t.Fatalf("%s: expectation is not JSON: %v", where, err)
		}
		for k, ev := range exp {
			gv, present := got[k]
			if ev == "<absent>" {
				if present {
					t.Fatalf("%s: member %s present (%v), want absent", where, k, gv)
				}
				continue
			}
			if !present {
				t.Fatalf("%s: member %s missing\n got %s", where, k, body)
			}
			if !match(ev, gv) {
				g, _ := json.Marshal(gv)
				e, _ := json.Marshal(ev)
				t.Fatalf("%s: member %s\n got %s\nwant %s", where, k, g, e)
			}
		}
	}
}

// match compares decoded JSON exactly, with "*" as a wildcard.
func match(want, got any) bool {
	if want == "*" {
		return true
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, v := range w {
			gv, ok := g[k]
			if !ok || !match(v, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !match(w[i], g[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(want, got)
}
