//go:build unix

package runtimeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests below run testdata/fn, a real aws-lambda-go function built with
// Build, and check each outcome against what Lambda returns and logs.

var (
	tmpRoot string // removed after the run; holds the one build all tests share
	fnBuild struct {
		once sync.Once
		path string
		err  error
	}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runtimeapi-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// bootstrap builds testdata/fn once per test binary.
func bootstrap(tb testing.TB) string {
	tb.Helper()
	fnBuild.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		fnBuild.path, fnBuild.err = Build(ctx, "testdata/fn", filepath.Join(tmpRoot, "fn"), "")
	})
	if fnBuild.err != nil {
		tb.Fatal(fnBuild.err)
	}
	return fnBuild.path
}

// newFunction returns a Function running testdata/fn. Its timeout is long
// unless the test sets one: a loaded machine must not turn into a timeout.
func newFunction(tb testing.TB, cfg Config) *Function {
	tb.Helper()
	cfg.Bootstrap = bootstrap(tb)
	if cfg.Timeout == 0 {
		cfg.Timeout = 60 * time.Second
	}
	f, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

func invoke(tb testing.TB, f *Function, payload string) Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := f.Invoke(ctx, []byte(payload))
	if err != nil {
		tb.Fatalf("Invoke(%s): %v", payload, err)
	}
	return res
}

type echoed struct {
	Msg   string `json:"msg"`
	PID   int    `json:"pid"`
	Count int    `json:"count"`
}

func echo(t *testing.T, f *Function, msg string) (Result, echoed) {
	t.Helper()
	res := invoke(t, f, `{"op":"echo","msg":"`+msg+`"}`)
	if res.FunctionError != nil {
		t.Fatalf("echo failed: %v\n%s", res.FunctionError, res.Logs)
	}
	var e echoed
	if err := json.Unmarshal(res.Payload, &e); err != nil {
		t.Fatalf("echo payload %s: %v", res.Payload, err)
	}
	return res, e
}

// inOrder checks that each pattern matches a line of logs, in this order.
func inOrder(t *testing.T, logs string, patterns ...string) {
	t.Helper()
	at := 0
	for _, p := range patterns {
		loc := regexp.MustCompile("(?m)" + p).FindStringIndex(logs[at:])
		if loc == nil {
			t.Fatalf("logs lack %q after offset %d:\n%s", p, at, logs)
		}
		at += loc[1]
	}
}

func startRE(id string) string { return `^START RequestId: ` + id + ` Version: \$LATEST$` }
func endRE(id string) string   { return `^END RequestId: ` + id + `$` }

// reportRE matches Lambda's REPORT line; extra is what follows Max Memory Used.
func reportRE(id string, mem int, extra string) string {
	return `^REPORT RequestId: ` + id + `\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: ` +
		strconv.Itoa(mem) + ` MB\tMax Memory Used: [1-9]\d* MB\t` + extra + `$`
}

const initRE = `Init Duration: \d+\.\d\d ms\t`

func wantError(t *testing.T, res Result, typ, msg string) {
	t.Helper()
	fe := res.FunctionError
	if fe == nil {
		t.Fatalf("no function error; payload %s\n%s", res.Payload, res.Logs)
	}
	if fe.Type != typ || fe.Message != msg {
		t.Fatalf("function error %q %q, want %q %q", fe.Type, fe.Message, typ, msg)
	}
	var doc map[string]any
	if err := json.Unmarshal(res.Payload, &doc); err != nil || doc["errorType"] != typ || doc["errorMessage"] != msg {
		t.Fatalf("payload %s is not the error document", res.Payload)
	}
}

func TestColdThenWarm(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{})
	cold, e1 := echo(t, f, "one")
	if e1.Msg != "one" || e1.Count != 1 {
		t.Fatalf("first echo %+v", e1)
	}
	if cold.InitDuration <= 0 || cold.Duration <= 0 || cold.MaxMemoryUsed <= 0 {
		t.Errorf("cold: init %v, duration %v, memory %d", cold.InitDuration, cold.Duration, cold.MaxMemoryUsed)
	}
	id := cold.RequestID
	inOrder(t, cold.Logs,
		`^init: pid `+strconv.Itoa(e1.PID)+`$`,
		startRE(id), `^stdout: one$`, `stderr: one$`, endRE(id), reportRE(id, 128, initRE))

	warm, e2 := echo(t, f, "two")
	if e2.PID != e1.PID || e2.Count != 2 {
		t.Fatalf("second invoke ran in another process or state was lost: %+v then %+v", e1, e2)
	}
	if warm.InitDuration != 0 {
		t.Errorf("warm invoke has init duration %v", warm.InitDuration)
	}
	if strings.Contains(warm.Logs, "init:") || strings.Contains(warm.Logs, "Init Duration") || strings.Contains(warm.Logs, "one") {
		t.Errorf("warm logs carry init or earlier output:\n%s", warm.Logs)
	}
	id = warm.RequestID
	inOrder(t, warm.Logs, `\A`+startRE(id), `^stdout: two$`, `stderr: two$`, endRE(id), reportRE(id, 128, "")+`\n\z`)
}

func TestFunctionError(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{})
	_, before := echo(t, f, "x")
	res := invoke(t, f, `{"op":"error","msg":"boom"}`)
	wantError(t, res, "errorString", "boom")
	if string(res.Payload) != `{"errorMessage":"boom","errorType":"errorString"}` {
		t.Errorf("payload %s", res.Payload)
	}
	id := res.RequestID
	// aws-lambda-go logs the error document before it reports it.
	inOrder(t, res.Logs, startRE(id), `\{"errorMessage":"boom","errorType":"errorString"\}$`, endRE(id), reportRE(id, 128, ""))
	// A returned error leaves the environment warm.
	if _, after := echo(t, f, "y"); after.PID != before.PID {
		t.Errorf("environment replaced after a handled error")
	}
}

func TestPanic(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{})
	_, before := echo(t, f, "x")
	res := invoke(t, f, `{"op":"panic","msg":"kaboom"}`)
	wantError(t, res, "string", "kaboom") // aws-lambda-go names the panic value's type
	if len(res.FunctionError.StackTrace) < 3 {
		t.Errorf("no stack trace: %s", res.Payload)
	}
	id := res.RequestID
	// The runtime reports the panic, then exits: Lambda logs the exit in
	// the same invocation.
	inOrder(t, res.Logs, startRE(id), `"errorType":"string"`,
		`^RequestId: `+id+` Error: Runtime exited with error: exit status 1$`, `^Runtime.ExitError$`,
		endRE(id), reportRE(id, 128, `Status: error\tError Type: Runtime.ExitError\t`))
	next, after := echo(t, f, "y")
	if after.PID == before.PID || next.InitDuration == 0 {
		t.Errorf("no new environment after the runtime exited (pid %d -> %d, init %v)", before.PID, after.PID, next.InitDuration)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{Timeout: time.Second})
	_, before := echo(t, f, "x")
	res := invoke(t, f, `{"op":"sleep","ms":30000}`)
	id := res.RequestID
	wantError(t, res, "Sandbox.Timedout", "RequestId: "+id+" Error: Task timed out after 1.00 seconds")
	if res.Duration != time.Second {
		t.Errorf("duration %v, want the timeout", res.Duration)
	}
	inOrder(t, res.Logs, startRE(id), `^sleeping 30000 ms$`,
		`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z `+id+` Task timed out after 1.00 seconds$`,
		endRE(id), `^REPORT RequestId: `+id+`\tDuration: 1000.00 ms\tBilled Duration: 1000 ms\t.*\tStatus: timeout\t$`)
	_, after := echo(t, f, "y")
	if after.PID == before.PID {
		t.Error("timed-out environment was reused")
	}
	alive(t, before.PID, false)
}

func TestExitMidInvoke(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{})
	res := invoke(t, f, `{"op":"exit","code":7}`)
	id := res.RequestID
	wantError(t, res, "Runtime.ExitError", "RequestId: "+id+" Error: Runtime exited with error: exit status 7")
	inOrder(t, res.Logs, startRE(id), `^exiting with 7$`,
		`^RequestId: `+id+` Error: Runtime exited with error: exit status 7$`, `^Runtime.ExitError$`,
		endRE(id), reportRE(id, 128, initRE+`Status: error\tError Type: Runtime.ExitError\t`))
	// The next invocation starts a new environment.
	if next, e := echo(t, f, "again"); next.InitDuration == 0 || e.Count != 1 {
		t.Errorf("after a crash: init %v, count %d", next.InitDuration, e.Count)
	}
}

func TestExitZeroMidInvoke(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{})
	res := invoke(t, f, `{"op":"exit","code":0}`)
	wantError(t, res, "Runtime.ExitError", "RequestId: "+res.RequestID+" Error: Runtime exited without providing a reason")
}

func TestInitFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode, typ, msg, logs string
	}{
		{"exit", "Runtime.ExitError", "RequestId: %s Error: Runtime exited with error: exit status 3", `^init: failing$`},
		{"error", "Runtime.HandlerNotFound", "cannot load handler", `^init/error: 202$`},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			f := newFunction(t, Config{Env: map[string]string{"FN_INIT": tc.mode}})
			for range 2 { // each invocation retries the init, as Lambda does
				res := invoke(t, f, `{"op":"echo"}`)
				id := res.RequestID
				wantError(t, res, tc.typ, strings.ReplaceAll(tc.msg, "%s", id))
				if res.InitDuration <= 0 {
					t.Errorf("init duration %v", res.InitDuration)
				}
				inOrder(t, res.Logs, `^init: pid`, tc.logs, startRE(id), endRE(id),
					reportRE(id, 128, initRE+`Status: error\tError Type: `+tc.typ+`\t`))
			}
		})
	}
}

func TestContext(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{
		Name:       "Scores",
		Timeout:    7 * time.Second,
		MemorySize: 256,
		Region:     "eu-west-1",
		Env: map[string]string{
			"TABLE_NAME":                "app",
			"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000",
			"AWS_ACCESS_KEY_ID":         "local",
			"AWS_SECRET_ACCESS_KEY":     "local",
		},
	})
	req := Request{
		Payload:         []byte(`{"op":"context"}`),
		RequestID:       "6bc28136-0000-4000-8000-000000000001",
		ClientContext:   `{"client":{"app_title":"t"},"custom":{"tenant":"acme"},"env":{}}`,
		CognitoIdentity: `{"cognitoIdentityId":"us-east-1:abc","cognitoIdentityPoolId":"us-east-1:pool"}`,
	}
	before := time.Now()
	res, err := f.InvokeRequest(context.Background(), req)
	after := time.Now()
	if err != nil || res.FunctionError != nil {
		t.Fatalf("invoke: %v %v\n%s", err, res.FunctionError, res.Logs)
	}
	var got struct {
		DeadlineMs  int64
		RequestID   string
		FunctionARN string
		TraceEnv    string
		Custom      map[string]string
		IdentityID  string
		Env         map[string]string
		Cwd         string
	}
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatal(err)
	}
	// Lambda-Runtime-Deadline-Ms reaches the handler's context.
	lo, hi := before.Add(7*time.Second).UnixMilli(), after.Add(7*time.Second).UnixMilli()
	if got.DeadlineMs < lo || got.DeadlineMs > hi {
		t.Errorf("deadline %d not within [%d, %d]", got.DeadlineMs, lo, hi)
	}
	if got.RequestID != req.RequestID || res.RequestID != req.RequestID {
		t.Errorf("request id %q / %q", got.RequestID, res.RequestID)
	}
	if got.FunctionARN != "arn:aws:lambda:eu-west-1:012345678912:function:Scores" {
		t.Errorf("function ARN %q", got.FunctionARN)
	}
	if !regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`).MatchString(got.TraceEnv) {
		t.Errorf("_X_AMZN_TRACE_ID %q", got.TraceEnv)
	}
	if got.Custom["tenant"] != "acme" || got.IdentityID != "us-east-1:abc" {
		t.Errorf("client context %v, identity %q", got.Custom, got.IdentityID)
	}
	dir := filepath.Dir(bootstrap(t))
	for k, v := range map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "Scores",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/Scores",
		"AWS_REGION":                      "eu-west-1",
		"AWS_DEFAULT_REGION":              "eu-west-1",
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                dir,
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"TABLE_NAME":                      "app",
		"AWS_ENDPOINT_URL_DYNAMODB":       "http://127.0.0.1:8000",
		"AWS_ACCESS_KEY_ID":               "local",
		"AWS_SECRET_ACCESS_KEY":           "local",
		"PATH":                            os.Getenv("PATH"),
	} {
		if got.Env[k] != v {
			t.Errorf("%s=%q, want %q", k, got.Env[k], v)
		}
	}
	if !regexp.MustCompile(`^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$`).MatchString(got.Env["AWS_LAMBDA_LOG_STREAM_NAME"]) {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME %q", got.Env["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(got.Env["AWS_LAMBDA_RUNTIME_API"]) {
		t.Errorf("AWS_LAMBDA_RUNTIME_API %q", got.Env["AWS_LAMBDA_RUNTIME_API"])
	}
	if _, ok := got.Env["HOME"]; ok {
		t.Error("the host environment leaked into the function's")
	}
	if got.Cwd != dir {
		t.Errorf("working directory %q, want the task root %q", got.Cwd, dir)
	}
	inOrder(t, res.Logs, reportRE(req.RequestID, 256, initRE))
}

func TestDiesWhileIdle(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{})
	res := invoke(t, f, `{"op":"exitlater","ms":50}`)
	pid, err := strconv.Atoi(string(res.Payload))
	if err != nil || res.FunctionError != nil {
		t.Fatalf("exitlater: %s %v", res.Payload, res.FunctionError)
	}
	alive(t, pid, false)
	// The dead environment is dropped, not blamed on the next invocation.
	next, e := echo(t, f, "x")
	if e.PID == pid || next.InitDuration == 0 {
		t.Errorf("next invocation: pid %d (dead one %d), init %v", e.PID, pid, next.InitDuration)
	}
}

func TestResponseTooLargeFromFunction(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{})
	res := invoke(t, f, `{"op":"big","size":7000000}`)
	// The JSON string adds its two quotes.
	wantError(t, res, "Function.ResponseSizeTooLarge",
		"Response payload size (7000002 bytes) exceeded maximum allowed payload size (6291556 bytes).")
	// aws-lambda-go treats the 413 as fatal and exits: a new environment follows.
	if next, _ := echo(t, f, "x"); next.InitDuration == 0 {
		t.Error("environment reused after its runtime exited")
	}
}

func TestInstances(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		max, pids int
	}{{1, 1}, {2, 2}} {
		t.Run(fmt.Sprint("max", tc.max), func(t *testing.T) {
			t.Parallel()
			f := newFunction(t, Config{MaxInstances: tc.max})
			// Each invocation holds its environment long enough that the
			// other one starts meanwhile.
			var wg sync.WaitGroup
			pids := make(chan int, 2)
			for range 2 {
				wg.Go(func() {
					res := invoke(t, f, `{"op":"sleep","ms":1000}`)
					if res.FunctionError != nil {
						t.Error(res.FunctionError)
						return
					}
					// sleep's payload is "slept"; the pid is in the init line.
					m := regexp.MustCompile(`(?m)^init: pid (\d+)$`).FindStringSubmatch(res.Logs)
					if m != nil {
						n, _ := strconv.Atoi(m[1])
						pids <- n
					}
				})
			}
			wg.Wait()
			close(pids)
			seen := map[int]bool{}
			for p := range pids {
				seen[p] = true
			}
			if len(seen) != tc.pids {
				t.Errorf("MaxInstances %d started %d environments, want %d", tc.max, len(seen), tc.pids)
			}
		})
	}
}

func TestCloseKillsTheProcessTree(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{})
	_, e := echo(t, f, "x")
	res := invoke(t, f, `{"op":"spawn"}`)
	child, err := strconv.Atoi(string(res.Payload))
	if err != nil {
		t.Fatalf("spawn: %s %v", res.Payload, res.FunctionError)
	}
	alive(t, e.PID, true)
	alive(t, child, true)
	f.Close()
	alive(t, e.PID, false)
	alive(t, child, false)
	if _, err := f.Invoke(context.Background(), []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: %v", err)
	}
}

func TestCloseDuringInvoke(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{Timeout: 30 * time.Second})
	_, e := echo(t, f, "x")
	done := make(chan error, 1)
	go func() {
		_, err := f.Invoke(context.Background(), []byte(`{"op":"sleep","ms":30000}`))
		done <- err
	}()
	time.Sleep(100 * time.Millisecond) // let it start; the outcome is the same if not
	f.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("in-flight Invoke: %v, want ErrClosed", err)
	}
	alive(t, e.PID, false)
}

func TestContextCanceled(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{Timeout: 30 * time.Second})
	_, before := echo(t, f, "x")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res, err := f.Invoke(ctx, []byte(`{"op":"sleep","ms":30000}`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(res.Logs, "END RequestId: "+res.RequestID) {
		t.Errorf("logs of the abandoned invocation:\n%s", res.Logs)
	}
	alive(t, before.PID, false)
	if next, _ := echo(t, f, "y"); next.InitDuration == 0 {
		t.Error("abandoned environment reused")
	}
}

func TestInvokeRejects(t *testing.T) {
	t.Parallel()
	f := newFunction(t, Config{})
	ctx := context.Background()
	if _, err := f.Invoke(ctx, make([]byte, MaxRequestSize+1)); !errors.Is(err, ErrRequestTooLarge) {
		t.Errorf("oversize event: %v", err)
	}
	if _, err := f.Invoke(ctx, []byte(`{"op":`)); !errors.Is(err, ErrInvalidPayload) {
		t.Errorf("invalid JSON: %v", err)
	}
	// An empty event is {}: the function sees an unknown op.
	res := invoke(t, f, "")
	wantError(t, res, "errorString", `unknown op ""`)
}

func TestLiveLogs(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var buf bytes.Buffer
	f := newFunction(t, Config{Logs: writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	})})
	r1, _ := echo(t, f, "a")
	r2, _ := echo(t, f, "b")
	mu.Lock()
	defer mu.Unlock()
	if buf.String() != r1.Logs+r2.Logs {
		t.Errorf("live logs differ from the invocations' logs:\n%s\n---\n%s%s", buf.String(), r1.Logs, r2.Logs)
	}
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }

func TestNewRejects(t *testing.T) {
	t.Parallel()
	exe := bootstrap(t)
	plain := filepath.Join(t.TempDir(), "bootstrap")
	os.WriteFile(plain, []byte("not executable"), 0o644)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no bootstrap", Config{}, "Bootstrap is required"},
		{"missing", Config{Bootstrap: filepath.Join(t.TempDir(), "nope")}, "no such file"},
		{"not executable", Config{Bootstrap: plain}, "not an executable"},
		{"reserved", Config{Bootstrap: exe, Env: map[string]string{"TZ": "x", "AWS_REGION": "x", "OK": "1"}},
			"Reserved keys used in this request: AWS_REGION,TZ"},
		{"bad name", Config{Bootstrap: exe, Env: map[string]string{"A=B": "x"}}, "invalid environment variable name"},
		{"timeout", Config{Bootstrap: exe, Timeout: 901 * time.Second}, "timeout"},
		{"memory", Config{Bootstrap: exe, MemorySize: 64}, "memory size"},
	} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestInvalidEntrypoint(t *testing.T) {
	t.Parallel()
	script := filepath.Join(t.TempDir(), "bootstrap")
	os.WriteFile(script, []byte("#!/nonexistent/interpreter\n"), 0o755)
	f, err := New(Config{Bootstrap: script})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res := invoke(t, f, `{}`)
	if res.FunctionError == nil || res.FunctionError.Type != "Runtime.InvalidEntrypoint" ||
		!strings.HasPrefix(res.FunctionError.Message, "RequestId: "+res.RequestID+" Error: fork/exec ") {
		t.Fatalf("%+v", res.FunctionError)
	}
}

func TestBuildFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module broken\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { undefinedThing() }\n"), 0o644)
	_, err := Build(context.Background(), dir, t.TempDir(), "")
	if err == nil || !strings.Contains(err.Error(), "undefined: undefinedThing") {
		t.Fatalf("Build of a broken package: %v", err)
	}
}

// alive waits for pid to be (or stay) alive, or to be gone. A zombie is gone.
func alive(t *testing.T, pid int, want bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		is := syscall.Kill(pid, 0) == nil
		if is {
			if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
				if _, rest, ok := strings.Cut(string(b), ") "); ok && strings.HasPrefix(rest, "Z") {
					is = false
				}
			}
		}
		if is == want || want {
			if is != want {
				t.Fatalf("process %d is not running", pid)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still running", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
