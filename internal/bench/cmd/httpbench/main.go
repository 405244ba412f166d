// Command httpbench runs the HTTP layer of the benchmark suite — the local
// DynamoDB endpoint (the in-memory store behind the wire handler) against
// dynalite, over loopback TCP — and writes its section of BENCHMARKS.md.
//
//	go run ./internal/bench/cmd/httpbench -out BENCHMARKS.md
//
// It needs node and npm: dynalite is installed into -cache (.bench at the
// module root) if it is missing, started on a free loopback port, and
// killed at the end, also on failure or interrupt. Only the section between
// <!-- section:http --> and <!-- /section:http --> is rewritten.
//
// With -cpuprofile, the driver's process is profiled for the whole run;
// server samples carry the label side=server, client samples side=client
// and contender=NAME:
//
//	go tool pprof -top -tagfocus side=server cpu.prof
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/monotable/monotable/internal/bench"
	"github.com/monotable/monotable/internal/bench/httpbench"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "httpbench:", err)
		if errors.Is(err, context.Canceled) {
			os.Exit(130)
		}
		os.Exit(1)
	}
}

func run() error {
	def := httpbench.DefaultOptions()
	out := flag.String("out", "", "Markdown file whose http section to rewrite (default: print to stdout)")
	only := flag.String("run", "", "only workloads whose ID (GetItem, PutItem, Query, UpdateItem) matches this regexp")
	rounds := flag.Int("rounds", def.Rounds, "timed rounds per workload")
	round := flag.Duration("round", def.Round, "duration of one contender's round")
	warmup := flag.Duration("warmup", def.Warmup, "warm-up per contender per workload (0: none)")
	workers := flag.Int("workers", def.Workers, "concurrent workers per contender")
	size := flag.Int("size", def.Size, "users in the table, and items in the Query's partition")
	cache := flag.String("cache", httpbench.DefaultCacheDir(), "where dynalite is installed (npm --prefix)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the driver's process (client and monotable's server) to this file")
	flag.Parse()
	if *rounds < 1 || *workers < 1 || *size < 100 || *round <= 0 {
		return fmt.Errorf("need -rounds ≥ 1, -workers ≥ 1, -size ≥ 100, -round > 0")
	}
	ws := httpbench.Workloads()
	if *only != "" {
		rx, err := regexp.Compile(*only)
		if err != nil {
			return err
		}
		ws = slicesFilter(ws, func(w httpbench.Workload) bool { return rx.MatchString(w.ID) })
	}
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

	// An interrupt cancels ctx; the deferred closes then kill dynalite.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	node, err := httpbench.NodeVersion()
	if err != nil {
		return fmt.Errorf("%w (the HTTP suite runs dynalite with node)", err)
	}
	if err := httpbench.InstallDynalite(ctx, *cache, logf); err != nil {
		return err
	}
	dyn, err := httpbench.StartDynalite(ctx, *cache)
	if err != nil {
		return err
	}
	defer dyn.Close()
	mono, err := httpbench.StartMonotable()
	if err != nil {
		return err
	}
	defer mono.Close()
	logf("monotable at %s, dynalite %s (node %s) at %s, pid %d", mono.Endpoint, dyn.Version, node, dyn.Endpoint, dyn.Pid())

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close(); logf("wrote %s", *cpuprofile) }()
	}

	opt := httpbench.Options{Size: *size, Workers: *workers, Rounds: *rounds, Round: *round, Warmup: *warmup, Logf: logf}
	cs := []httpbench.Contender{
		{Name: "monotable", Client: httpbench.NewClient(mono.Endpoint, *workers)},
		{Name: "dynalite", Client: httpbench.NewClient(dyn.Endpoint, *workers), Pid: dyn.Pid()},
	}
	start, machine, pressure := time.Now(), bench.ThisMachine(), httpbench.CPUPressure()
	results, err := httpbench.Run(ctx, cs, ws, opt)
	if err != nil {
		return err
	}
	var ceiling *httpbench.Stats
	if *only == "" || regexp.MustCompile(*only).MatchString("GetItem") {
		st, err := httpbench.Ceiling(ctx, opt)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			logf("ceiling: %v", err)
		}
		logf("ceiling (canned GetItem server): %s ops/s, p50 %s, p99 %s", bench.FormatRate(st.OpsPerSec()),
			bench.FormatDuration(st.P50), bench.FormatDuration(st.P99))
		ceiling = &st
	}
	if dyn.Exited() {
		logf("dynalite exited during the run:\n%s", dyn.Output())
	}
	rep := httpbench.Report{
		Command:  strings.Join(append([]string{"go run ./internal/bench/cmd/httpbench"}, os.Args[1:]...), " "),
		Machine:  machine,
		Node:     node,
		Dynalite: dyn.Version,
		Date:     start,
		Elapsed:  time.Since(start),
		Options:  opt,
		Results:  results,
		LoadEnd:  bench.ThisMachine().Load,

		PressureStart: pressure,
		PressureEnd:   httpbench.CPUPressure(),
		Ceiling:       ceiling,
	}
	md := rep.Markdown()
	if *out == "" {
		fmt.Print(md)
		return nil
	}
	if err := bench.WriteSection(*out, httpbench.Section, md); err != nil {
		return err
	}
	logf("wrote %s (section %q) in %v", *out, httpbench.Section, time.Since(start).Round(time.Second))
	return nil
}

func slicesFilter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}
