// Package layers measures monotable's client-side layers against the code
// a team would otherwise write: the ORM against guregu/dynamo and the
// SDK's attributevalue, and the lambda layer against a bare aws-lambda-go
// handler. It uses the store suite's rounds, checks and ratios
// (bench.Compare); cmd/layerbench writes the results into BENCHMARKS.md.
package layers

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/monotable/monotable/internal/bench"
)

// A Contest is one workload and its contenders, monotable's first.
type Contest struct {
	Workload bench.Workload
	Names    []string
	// New sets the contenders up afresh (untimed).
	New func(ctx context.Context) ([]bench.Instance, error)
}

// Run measures each contest; a contest that cannot be set up is reported
// with every contender wrong.
func Run(ctx context.Context, cs []Contest, opt bench.Options) []bench.Result {
	var out []bench.Result
	for _, c := range cs {
		insts, err := c.New(ctx)
		if err != nil {
			res := bench.Result{Workload: c.Workload, Ratio: math.NaN()}
			for _, n := range c.Names {
				res.Stats = append(res.Stats, bench.Stats{Contender: n, Wrong: "setting up: " + err.Error()})
			}
			out = append(out, res)
			continue
		}
		res := bench.Compare(ctx, c.Workload, c.Names, insts, opt)
		if opt.Logf != nil {
			opt.Logf("%s", res.Summary())
		}
		out = append(out, res)
	}
	return out
}

// Table renders results as one Markdown table: ops/s, p50 and p99 per
// contender, then the first contender's throughput over each peer's (the
// median of per-round ratios, smallest–largest round in small print).
func Table(rs []bench.Result) string {
	if len(rs) == 0 {
		return ""
	}
	var b strings.Builder
	names := make([]string, len(rs[0].Stats))
	for k, st := range rs[0].Stats {
		names[k] = st.Contender
	}
	b.WriteString("| workload |")
	sep := "|---|"
	for _, n := range names {
		fmt.Fprintf(&b, " %s ops/s | p50 | p99 |", n)
		sep += "---:|---:|---:|"
	}
	for _, n := range names[1:] {
		fmt.Fprintf(&b, " %s / %s |", names[0], n)
		sep += "---:|"
	}
	b.WriteString("\n" + sep + "\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s |", r.Workload.Name)
		for k := range names {
			if k >= len(r.Stats) {
				b.WriteString(" — | — | — |")
				continue
			}
			st := r.Stats[k]
			if st.Wrong != "" {
				b.WriteString(" **WRONG** | — | — |")
				continue
			}
			fmt.Fprintf(&b, " %s | %s | %s |", bench.FormatRate(st.OpsPerSec()), bench.FormatDuration(st.P50), bench.FormatDuration(st.P99))
		}
		for k := range names[1:] {
			if k >= len(r.Versus) || math.IsNaN(r.Versus[k].Ratio) {
				b.WriteString(" — |")
				continue
			}
			v := r.Versus[k]
			lo, hi := spread(v.Rounds)
			fmt.Fprintf(&b, " **%s** <sub>%s–%s</sub> |", bench.FormatRatio(v.Ratio), bench.FormatRatio(lo), bench.FormatRatio(hi))
		}
		b.WriteString("\n")
	}
	var wrong []string
	for _, r := range rs {
		for _, st := range r.Stats {
			if st.Wrong != "" {
				wrong = append(wrong, fmt.Sprintf("- %s, %s: %s", r.Workload.Name, st.Contender, strings.ReplaceAll(st.Wrong, "\n", " ")))
			}
		}
	}
	if len(wrong) > 0 {
		b.WriteString("\nWrong answers (not timed):\n\n" + strings.Join(wrong, "\n") + "\n")
	}
	return b.String()
}

func spread(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// Find returns the result of a workload ID, or nil.
func Find(rs []bench.Result, id string) *bench.Result {
	for i := range rs {
		if rs[i].Workload.ID == id {
			return &rs[i]
		}
	}
	return nil
}

// TimeRatio is how long the first contender takes per request relative to
// peer k (1/throughput ratio); NaN when unknown.
func TimeRatio(r *bench.Result, k int) float64 {
	if r == nil || k >= len(r.Versus) {
		return math.NaN()
	}
	return 1 / r.Versus[k].Ratio
}

// Options are the rounds both layers use: shorter than the store suite's,
// since every contender here runs in microseconds.
func Options(logf func(string, ...any)) bench.Options {
	return bench.Options{Rounds: 7, Budget: 150 * time.Millisecond, MaxOps: 50_000, Warmup: 100 * time.Millisecond, Logf: logf}
}
