package httpbench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DynaliteVersion is the dynalite release the suite installs and reports.
const DynaliteVersion = "4.0.0"

// NodeVersion returns `node --version`, or an error if node is missing.
func NodeVersion() (string, error) {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "", fmt.Errorf("node: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// HaveNode reports whether node and npm are on PATH.
func HaveNode() bool {
	for _, bin := range []string{"node", "npm"} {
		if _, err := exec.LookPath(bin); err != nil {
			return false
		}
	}
	return true
}

// DefaultCacheDir is .bench at the root of the module that holds the
// working directory (gitignored), or .bench in the working directory.
func DefaultCacheDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ".bench"
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, ".bench")
		}
		up := filepath.Dir(d)
		if up == d {
			return filepath.Join(dir, ".bench")
		}
		d = up
	}
}

// InstalledDynalite returns the version of dynalite in cache, if any.
func InstalledDynalite(cache string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(cache, "node_modules", "dynalite", "package.json"))
	if err != nil {
		return "", false
	}
	var pkg struct{ Version string }
	if json.Unmarshal(b, &pkg) != nil || pkg.Version == "" {
		return "", false
	}
	return pkg.Version, true
}

// InstallDynalite makes sure dynalite@[DynaliteVersion] is installed under
// cache/node_modules, running npm if it is not. cache gets a package.json
// of its own so that npm does not look for one further up.
func InstallDynalite(ctx context.Context, cache string, logf func(string, ...any)) error {
	if v, ok := InstalledDynalite(cache); ok && v == DynaliteVersion {
		return nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	pj := filepath.Join(cache, "package.json")
	if _, err := os.Stat(pj); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(pj, []byte(`{"name": "monotable-bench", "private": true}`+"\n"), 0o644); err != nil {
			return err
		}
	}
	if logf != nil {
		logf("installing dynalite@%s into %s", DynaliteVersion, cache)
	}
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
		"--prefix", cache, "dynalite@"+DynaliteVersion)
	cmd.Dir = cache
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install dynalite@%s: %w\n%s", DynaliteVersion, err, strings.TrimSpace(out.String()))
	}
	if v, ok := InstalledDynalite(cache); !ok || v != DynaliteVersion {
		return fmt.Errorf("npm install dynalite@%s left version %q in %s", DynaliteVersion, v, cache)
	}
	return nil
}

// Dynalite is a running dynalite server.
type Dynalite struct {
	Endpoint string // http://127.0.0.1:PORT
	Version  string
	cmd      *exec.Cmd
	done     chan struct{} // closed when the process has exited
	output   *syncBuffer   // what it printed
	once     sync.Once
}

// StartDynalite runs cache's dynalite with node on a free loopback port,
// in memory, with its default settings, and waits until it listens. The
// process is killed by [Dynalite.Close], and by the kernel if this process
// dies first (on Linux).
func StartDynalite(ctx context.Context, cache string) (*Dynalite, error) {
	version, ok := InstalledDynalite(cache)
	if !ok {
		return nil, fmt.Errorf("dynalite is not installed in %s", cache)
	}
	cli := filepath.Join(cache, "node_modules", "dynalite", "cli.js")
	var last error
	for range 3 { // the free port may be taken between our probe and node's listen
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		d, err := startDynalite(ctx, cli, port)
		if err == nil {
			d.Version = version
			return d, nil
		}
		last = err
	}
	return nil, last
}

func startDynalite(ctx context.Context, cli string, port int) (*Dynalite, error) {
	cmd := exec.Command("node", cli, "--port", strconv.Itoa(port), "--host", "127.0.0.1")
	cmd.SysProcAttr = childAttr()
	cmd.Stdin = nil
	out := &syncBuffer{}
	cmd.Stderr = out
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting dynalite: %w", err)
	}
	d := &Dynalite{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, done: make(chan struct{}), output: out}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			out.Write(append(sc.Bytes(), '\n'))
			if !signalled && strings.Contains(sc.Text(), "listening") {
				signalled = true
				close(ready)
			}
		}
		_, _ = io.Copy(out, stdout)
	}()
	go func() { _ = cmd.Wait(); close(d.done) }()

	timer := time.NewTimer(20 * time.Second)
	defer timer.Stop()
	select {
	case <-ready:
	case <-d.done:
		return nil, fmt.Errorf("dynalite exited before listening: %s", strings.TrimSpace(out.String()))
	case <-timer.C:
		d.Close()
		return nil, fmt.Errorf("dynalite did not listen within 20s: %s", strings.TrimSpace(out.String()))
	case <-ctx.Done():
		d.Close()
		return nil, ctx.Err()
	}
	// It prints before the socket accepts on some versions: dial until it does.
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.DialTimeout("tcp", d.Endpoint[len("http://"):], time.Second)
		if err == nil {
			c.Close()
			return d, nil
		}
		if time.Now().After(deadline) {
			d.Close()
			return nil, fmt.Errorf("dynalite does not accept connections: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Pid is the node process's id.
func (d *Dynalite) Pid() int { return d.cmd.Process.Pid }

// Close kills the process and waits for it to exit. It is safe to call
// more than once and from several goroutines.
func (d *Dynalite) Close() error {
	d.once.Do(func() {
		_ = killTree(d.cmd)
		select {
		case <-d.done:
		case <-time.After(5 * time.Second):
		}
	})
	return nil
}

// Exited reports whether the process has ended (a crash, say).
func (d *Dynalite) Exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// Output is what the process printed.
func (d *Dynalite) Output() string { return d.output.String() }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() > 64<<10 { // keep the start: the cause, not the noise after it
		return len(p), nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
