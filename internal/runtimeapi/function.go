package runtimeapi

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config describes a function the way a SAM template does.
type Config struct {
	// Bootstrap is the runtime executable: a Go function's bootstrap binary.
	Bootstrap string
	// Name is AWS_LAMBDA_FUNCTION_NAME; "function" when empty.
	Name string
	// Handler is _HANDLER; "bootstrap" when empty.
	Handler string
	// TaskRoot is LAMBDA_TASK_ROOT and the working directory; the
	// bootstrap's directory when empty.
	TaskRoot string
	// Env is the function's own environment, such as TABLE_NAME,
	// AWS_ENDPOINT_URL_DYNAMODB and credentials for a local endpoint. The
	// runtime gets no other variable of this process's environment but
	// PATH. Variables Lambda sets itself (AWS_REGION, _HANDLER, TZ, …) are
	// rejected, as Lambda rejects them; credentials are allowed, since
	// locally there is no execution role to provide them.
	Env map[string]string
	// Timeout is the function's timeout; 3 seconds when zero, at most 900.
	Timeout time.Duration
	// MemorySize in MB is AWS_LAMBDA_FUNCTION_MEMORY_SIZE and the REPORT
	// line's Memory Size; 128 when zero. It is reported, not enforced.
	MemorySize int
	// Region is AWS_REGION and AWS_DEFAULT_REGION; us-east-1 when empty.
	Region string
	// MaxInstances caps the execution environments (runtime processes)
	// running at once; 1 when zero. Each takes one invocation at a time;
	// an invocation that finds them all busy waits for one. Warm
	// environments are kept until Close.
	MaxInstances int
	// Logs, if set, receives every environment's log stream as it is
	// written: runtime output and the START, END and REPORT lines.
	Logs io.Writer
}

const (
	version     = "$LATEST"
	accountID   = "012345678912" // the account sam local uses
	initTimeout = 10 * time.Second
)

// reserved are the variables Lambda sets and will not let a function set.
var reserved = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_REGION": true, "AWS_DEFAULT_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true,
	"AWS_LAMBDA_LOG_GROUP_NAME": true, "AWS_LAMBDA_LOG_STREAM_NAME": true,
	"AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true, "TZ": true,
}

// Function runs a function's bootstrap against a local Runtime API, as
// Lambda does: an execution environment starts on the first invocation,
// stays warm for the next ones, takes one invocation at a time, and is
// replaced when it times out or its runtime exits. Its methods are safe for
// concurrent use; up to MaxInstances invocations run at once.
type Function struct {
	cfg     Config
	env     []string // all but the per-environment variables
	arn     string
	live    func([]byte)
	slots   chan struct{}
	closing chan struct{}

	mu       sync.Mutex
	idle     []*instance // warm, most recently used last
	closed   bool
	inflight sync.WaitGroup
}

// New checks cfg and returns a Function. No process starts until the first
// invocation.
func New(cfg Config) (*Function, error) {
	if cfg.Bootstrap == "" {
		return nil, errors.New("runtimeapi: Config.Bootstrap is required")
	}
	abs, err := filepath.Abs(cfg.Bootstrap)
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: %w", err)
	}
	cfg.Bootstrap = abs
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: bootstrap: %w", err)
	}
	if !fi.Mode().IsRegular() || (runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0) {
		return nil, fmt.Errorf("runtimeapi: bootstrap %s is not an executable file", abs)
	}
	cfg.Name = cmp.Or(cfg.Name, "function")
	cfg.Handler = cmp.Or(cfg.Handler, "bootstrap")
	cfg.TaskRoot = cmp.Or(cfg.TaskRoot, filepath.Dir(abs))
	cfg.Region = cmp.Or(cfg.Region, "us-east-1")
	cfg.Timeout = cmp.Or(cfg.Timeout, 3*time.Second)
	cfg.MemorySize = cmp.Or(cfg.MemorySize, 128)
	cfg.MaxInstances = cmp.Or(cfg.MaxInstances, 1)
	switch {
	case cfg.Timeout < 0 || cfg.Timeout > 900*time.Second:
		return nil, fmt.Errorf("runtimeapi: timeout %v is outside Lambda's range (up to 900s)", cfg.Timeout)
	case cfg.MemorySize < 128 || cfg.MemorySize > 10240:
		return nil, fmt.Errorf("runtimeapi: memory size %d MB is outside Lambda's range (128 to 10240)", cfg.MemorySize)
	case cfg.MaxInstances < 0:
		return nil, fmt.Errorf("runtimeapi: MaxInstances %d is negative", cfg.MaxInstances)
	}
	var bad []string
	for k := range cfg.Env {
		if reserved[k] {
			bad = append(bad, k)
		} else if k == "" || strings.ContainsAny(k, "=\x00") {
			return nil, fmt.Errorf("runtimeapi: invalid environment variable name %q", k)
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return nil, fmt.Errorf("runtimeapi: Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(bad, ","))
	}

	vars := map[string]string{"PATH": os.Getenv("PATH"), "LANG": "en_US.UTF-8"}
	maps.Copy(vars, cfg.Env)
	maps.Copy(vars, map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        cfg.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(cfg.MemorySize),
		"AWS_LAMBDA_FUNCTION_VERSION":     version,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + cfg.Name,
		"AWS_REGION":                      cfg.Region,
		"AWS_DEFAULT_REGION":              cfg.Region,
		"_HANDLER":                        cfg.Handler,
		"LAMBDA_TASK_ROOT":                cfg.TaskRoot,
		"TZ":                              ":UTC",
	})
	f := &Function{
		cfg:     cfg,
		arn:     "arn:aws:lambda:" + cfg.Region + ":" + accountID + ":function:" + cfg.Name,
		slots:   make(chan struct{}, cfg.MaxInstances),
		closing: make(chan struct{}),
	}
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		f.env = append(f.env, k+"="+vars[k])
	}
	if w := cfg.Logs; w != nil {
		var mu sync.Mutex
		f.live = func(b []byte) {
			mu.Lock()
			defer mu.Unlock()
			w.Write(b)
		}
	}
	return f, nil
}

// Invoke runs one invocation with payload as the event, like a synchronous
// Lambda Invoke. A function that fails (returns an error, panics, times out,
// exits) is reported in Result.FunctionError with a nil error; the error is
// for failures to invoke at all: ctx done (the environment is then stopped),
// the Function closed, or an event Lambda would refuse.
func (f *Function) Invoke(ctx context.Context, payload []byte) (Result, error) {
	return f.InvokeRequest(ctx, Request{Payload: payload})
}

// InvokeRequest is Invoke with the rest of an invocation's context.
func (f *Function) InvokeRequest(ctx context.Context, req Request) (Result, error) {
	if len(req.Payload) == 0 {
		req.Payload = []byte("{}")
	}
	if len(req.Payload) > MaxRequestSize {
		return Result{}, ErrRequestTooLarge
	}
	if !json.Valid(req.Payload) {
		return Result{}, ErrInvalidPayload
	}
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return Result{}, ErrClosed
	}
	f.inflight.Add(1)
	f.mu.Unlock()
	defer f.inflight.Done()

	select {
	case f.slots <- struct{}{}:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-f.closing:
		return Result{}, ErrClosed
	}
	defer func() { <-f.slots }()

	for {
		in := f.takeIdle()
		if in == nil {
			in = &instance{f: f}
		}
		res, err := in.invoke(ctx, req)
		f.putBack(in)
		if err != errDiedIdle { // only a warm one dies idle: this loop ends
			return res, err
		}
	}
}

// takeIdle returns the most recently used warm environment, if any.
func (f *Function) takeIdle() *instance {
	var dead []*instance // runtimes that died while idle
	defer func() {
		for _, in := range dead {
			in.teardown()
		}
	}()
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.idle) > 0 {
		in := f.idle[len(f.idle)-1]
		f.idle = f.idle[:len(f.idle)-1]
		if in.cmd != nil && !in.hasExited() && !gone(in.cmd.Process) {
			return in
		}
		dead = append(dead, in)
	}
	return nil
}

func (f *Function) putBack(in *instance) {
	f.mu.Lock()
	if !f.closed && !in.dead && !in.hasExited() {
		f.idle = append(f.idle, in)
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	in.teardown()
}

// Close stops every execution environment, killing each runtime and the
// processes it started, and waits for invocations in flight, which return
// ErrClosed.
func (f *Function) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	close(f.closing)
	idle := f.idle
	f.idle = nil
	f.mu.Unlock()
	var wg sync.WaitGroup
	for _, in := range idle {
		wg.Go(in.teardown)
	}
	wg.Wait()
	f.inflight.Wait()
	return nil
}
