package samlocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/runtimeapi"
)

// Config is what Start needs.
type Config struct {
	Template *Template
	// Store receives the template's tables; the functions reach it at
	// Endpoint, and stream functions read its streams in process.
	Store    *memstore.Store
	Endpoint string // the DynamoDB endpoint's URL, for AWS_ENDPOINT_URL_DYNAMODB
	EnvVars  EnvVars
	// Functions are the functions to run, by logical ID; when nil, every
	// function with an HttpApi or DynamoDB event that can run here (the
	// others are reported to Log).
	Functions []string
	// Streams starts the event source mappings of the functions' DynamoDB
	// events.
	Streams bool
	// Bootstraps are binaries already built, by function; the others are
	// built into BuildDir (a temporary directory when empty).
	Bootstraps map[string]string
	BuildDir   string
	// MaxInstances caps each function's concurrent execution
	// environments; 1 when zero.
	MaxInstances int
	// Logs receives the functions' log streams (with START, END and
	// REPORT), each line prefixed with its function's name when more than
	// one function runs.
	Logs io.Writer
	// Log receives what the app itself reports (builds, failed batches).
	Log *slog.Logger
}

// App is a template's functions running locally against a store: the
// HttpApi routes (App is their http.Handler), the stream event source
// mappings, and direct invocations.
type App struct {
	log    *slog.Logger
	fns    map[string]invoker
	routes []*route
	tables []TableInfo

	cancel   context.CancelFunc
	pollers  sync.WaitGroup
	buildDir string // removed by Close, when Start made it
}

// TableInfo is a table of the template as created locally.
type TableInfo struct {
	ID, Name, ARN, StreamARN string
}

// invoker is a running function: a *runtimeapi.Function.
type invoker interface {
	InvokeRequest(ctx context.Context, req runtimeapi.Request) (runtimeapi.Result, error)
	Close() error
}

// Start creates the template's tables in the store, builds the functions'
// bootstraps for this machine, and starts the stream event source
// mappings. Function processes start on their first invocation and stay
// warm until Close.
func Start(ctx context.Context, cfg Config) (_ *App, err error) {
	t := cfg.Template
	if t == nil || cfg.Store == nil {
		return nil, errors.New("samlocal: Config.Template and Config.Store are required")
	}
	a := &App{log: cfg.Log, fns: map[string]invoker{}}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	pctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	defer func() {
		if err != nil {
			a.Close()
		}
	}()

	fns, skipped, err := t.selectFunctions(cfg.Functions)
	if err != nil {
		return nil, err
	}
	for _, fn := range skipped {
		a.log.Warn("function skipped: its events go nowhere", "function", fn.Name, "why", fn.Unsupported)
	}
	names, err := t.tableNames(cfg.EnvVars)
	if err != nil {
		return nil, err
	}
	res := t.res.clone()
	for _, tb := range t.Tables {
		info, err := createTable(ctx, cfg.Store, tb, names[tb.ID])
		if err != nil {
			return nil, err
		}
		res.refs[tb.ID] = info.name
		res.attrs[tb.ID] = map[string]string{"Arn": info.arn, "StreamArn": info.streamARN}
		a.tables = append(a.tables, TableInfo{ID: tb.ID, Name: info.name, ARN: info.arn, StreamARN: info.streamARN})
	}

	buildDir := cfg.BuildDir
	for _, fn := range fns {
		if buildDir == "" && cfg.Bootstraps[fn.Name] == "" {
			if a.buildDir, err = os.MkdirTemp("", "monotable-build-"); err != nil { // removed by Close
				return nil, err
			}
			buildDir = a.buildDir
		}
	}
	for _, fn := range fns {
		env, unresolved, err := environment(fn, res, cfg.EnvVars, cfg.Endpoint)
		if err != nil {
			return nil, fmt.Errorf("samlocal: function %s: %w", fn.Name, err)
		}
		for _, u := range unresolved {
			a.log.Warn("dynamic reference left unresolved", "function", fn.Name, "variable", u)
		}
		path := cfg.Bootstraps[fn.Name]
		if path == "" {
			rel, _ := filepath.Rel(filepath.Dir(t.Path), fn.Package)
			a.log.Info("building", "function", fn.Name, "package", "./"+filepath.ToSlash(rel))
			if path, err = Build(ctx, fn, buildDir); err != nil {
				return nil, err
			}
		}
		var logs io.Writer = cfg.Logs
		if logs != nil && len(fns) > 1 {
			logs = &prefixWriter{w: logs, prefix: []byte(fn.Name + " | ")}
		}
		rf, err := runtimeapi.New(runtimeapi.Config{
			Bootstrap: path, Name: fn.Name, Handler: fn.Handler, Env: env,
			Timeout: fn.Timeout, MemorySize: fn.MemorySize, Region: t.region,
			MaxInstances: cfg.MaxInstances, Logs: logs,
		})
		if err != nil {
			return nil, fmt.Errorf("samlocal: function %s: %w", fn.Name, err)
		}
		a.fns[fn.Name] = rf
	}
	var rs []Route
	keys := map[string]string{}
	for _, fn := range fns {
		for _, r := range fn.Routes {
			if other, dup := keys[r.Key()]; dup {
				return nil, fmt.Errorf("samlocal: route %s is both %s's and %s's", r.Key(), other, fn.Name)
			}
			keys[r.Key()] = fn.Name
			rs = append(rs, r)
		}
	}
	a.routes = newRoutes(rs)

	if cfg.Streams {
		for _, fn := range fns {
			for _, src := range fn.Streams {
				if !src.Enabled {
					continue
				}
				name := names[src.Table]
				rd, err := cfg.Store.SubscribeStream(name, src.Latest)
				if err != nil {
					return nil, fmt.Errorf("samlocal: function %s event %s: %w", fn.Name, src.Event, err)
				}
				p := &poller{src: src, fn: a.fns[fn.Name], read: rd.Read, arn: rd.StreamARN(), log: a.log}
				a.pollers.Go(func() { p.run(pctx) })
			}
		}
	}
	return a, nil
}

// selectFunctions returns the functions named, or those with events
// (less those that cannot run here, returned apart).
func (t *Template) selectFunctions(names []string) (out, skipped []*Function, err error) {
	if names == nil {
		for _, fn := range t.Functions {
			if len(fn.Routes) == 0 && len(fn.Streams) == 0 {
				continue
			}
			if fn.Unsupported != "" {
				skipped = append(skipped, fn)
				continue
			}
			out = append(out, fn)
		}
		return out, skipped, nil
	}
	for _, n := range names {
		fn := t.Function(n)
		if fn == nil {
			var have []string
			for _, f := range t.Functions {
				have = append(have, f.Name)
			}
			return nil, nil, fmt.Errorf("samlocal: %s has no function %s (it has %v)", filepath.Base(t.Path), n, have)
		}
		if fn.Unsupported != "" {
			return nil, nil, fmt.Errorf("samlocal: function %s: %s", fn.Name, fn.Unsupported)
		}
		out = append(out, fn)
	}
	return out, nil, nil
}

// Build compiles a function's bootstrap for this machine into
// dir/<Function>/bootstrap and returns its path.
func Build(ctx context.Context, fn *Function, dir string) (string, error) {
	if fn.Package == "" {
		return "", fmt.Errorf("samlocal: function %s: %s", fn.Name, fn.Unsupported)
	}
	return runtimeapi.Build(ctx, fn.Package, filepath.Join(dir, fn.Name), "")
}

// Invoke invokes a function once, synchronously, with payload as its event.
func (a *App) Invoke(ctx context.Context, function string, payload []byte) (runtimeapi.Result, error) {
	fn := a.fns[function]
	if fn == nil {
		return runtimeapi.Result{}, fmt.Errorf("samlocal: function %s is not running", function)
	}
	return fn.InvokeRequest(ctx, runtimeapi.Request{Payload: payload})
}

// Routes returns the routes served, by function and event name.
func (a *App) Routes() []Route {
	out := make([]Route, len(a.routes))
	for i, r := range a.routes {
		out[i] = r.Route
	}
	return out
}

// Tables returns the tables created.
func (a *App) Tables() []TableInfo { return slices.Clone(a.tables) }

// Close stops the stream mappings and every function's processes.
func (a *App) Close() error {
	a.cancel()
	a.pollers.Wait()
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(a.fns)) {
		errs = append(errs, a.fns[name].Close())
	}
	if a.buildDir != "" {
		errs = append(errs, os.RemoveAll(a.buildDir))
	}
	return errors.Join(errs...)
}

func (r *resolver) clone() *resolver {
	c := *r
	c.refs = maps.Clone(r.refs)
	c.attrs = maps.Clone(r.attrs)
	c.secrets = map[string]string{}
	c.evaluating = map[string]bool{}
	return &c
}

// prefixWriter prefixes every line written to w.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix []byte
	mid    bool // in the middle of a line
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	n := len(b)
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []byte
	for len(b) > 0 {
		if !p.mid {
			out = append(out, p.prefix...)
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b...)
			p.mid = true
			break
		}
		out = append(out, b[:i+1]...)
		b = b[i+1:]
		p.mid = false
	}
	_, err := p.w.Write(out)
	return n, err
}
