// Command benchsuite runs the in-process benchmark suite — the store against
// truora/minidyn — and writes its section of BENCHMARKS.md.
//
//	go run ./internal/bench/cmd/benchsuite -out BENCHMARKS.md
//
// Only the section between <!-- section:memstore --> and
// <!-- /section:memstore --> is rewritten; other layers keep theirs.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/monotable/monotable/internal/bench"
)

func main() {
	def, scale := bench.DefaultOptions(), bench.DefaultScale()
	out := flag.String("out", "", "Markdown file whose memstore section to rewrite (default: print to stdout)")
	run := flag.String("run", "", "only workloads whose ID/size (e.g. Top10GSI/100k) matches this regexp")
	rounds := flag.Int("rounds", def.Rounds, "timed rounds per workload")
	budget := flag.Duration("budget", def.Budget, "time budget per contender per round")
	maxOps := flag.Int("maxops", def.MaxOps, "requests per contender per round, at most")
	warmup := flag.Duration("warmup", def.Warmup, "warm-up per contender per workload (0: none)")
	loadBudget := flag.Duration("load-budget", scale.LoadBudget, "time budget per contender per round for the bulk load")
	flag.Parse()
	if *rounds < 1 {
		fail(fmt.Errorf("-rounds must be at least 1"))
	}

	scale.LoadBudget = *loadBudget
	ws := bench.Suite(scale)
	if *run != "" {
		rx, err := regexp.Compile(*run)
		if err != nil {
			fail(err)
		}
		var keep []bench.Workload
		for _, w := range ws {
			if rx.MatchString(w.FullID()) {
				keep = append(keep, w)
			}
		}
		ws = keep
	}
	opt := bench.Options{
		Rounds: *rounds, Budget: *budget, MaxOps: *maxOps, Warmup: *warmup,
		Logf: func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) },
	}

	start, machine := time.Now(), bench.ThisMachine()
	results := bench.Run(context.Background(), []bench.Contender{bench.Monotable(), bench.Minidyn()}, ws, opt)
	rep := bench.Report{
		Command: strings.Join(append([]string{"go run ./internal/bench/cmd/benchsuite"}, os.Args[1:]...), " "),
		Machine: machine,
		Date:    start,
		Elapsed: time.Since(start),
		Options: opt,
		Results: results,
		LoadEnd: bench.ThisMachine().Load,
	}
	md := rep.Markdown()
	if *out == "" {
		fmt.Print(md)
		return
	}
	if err := bench.WriteSection(*out, bench.Section, md); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s (section %q) in %v\n", *out, bench.Section, time.Since(start).Round(time.Second))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchsuite:", err)
	os.Exit(1)
}
