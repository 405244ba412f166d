package bench

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"
)

// Options control a run.
type Options struct {
	Rounds int           // timed rounds per workload, contenders interleaved
	Budget time.Duration // per contender per round, unless the workload sets its own
	MaxOps int           // requests per contender per round, unless the workload sets its own
	Warmup time.Duration // an untimed (but checked) round first; 0 skips it
	Logf   func(format string, args ...any)
}

// DefaultOptions keep the whole suite within about five minutes on two cores.
func DefaultOptions() Options {
	return Options{Rounds: 7, Budget: 200 * time.Millisecond, MaxOps: 100_000, Warmup: 100 * time.Millisecond}
}

// Round is one contender's timed round.
type Round struct {
	Ops  int
	Busy time.Duration // the sum of the requests' latencies
}

// Stats are one contender's numbers for one workload.
type Stats struct {
	Contender string
	Rounds    []Round
	Ops       int
	Busy      time.Duration
	P50, P99  time.Duration
	Checked   int    // answers checked, warm-up included
	Wrong     string // the first wrong answer; the numbers then mean nothing
	Budgeted  bool   // a round ran out of time before its op cap
	MaxOps    int    // the op cap per round
}

// OpsPerSec is the throughput over all timed rounds.
func (s Stats) OpsPerSec() float64 {
	if s.Busy <= 0 {
		return 0
	}
	return float64(s.Ops) / s.Busy.Seconds()
}

// Mean is the mean latency.
func (s Stats) Mean() time.Duration {
	if s.Ops == 0 {
		return 0
	}
	return s.Busy / time.Duration(s.Ops)
}

// Result is one workload's row.
type Result struct {
	Workload    Workload
	Stats       []Stats   // in contender order
	RoundRatios []float64 // Stats[0] over Stats[1] throughput, per round
	Ratio       float64   // the median of RoundRatios; NaN if either answered wrong
	Versus      []Versus  // Stats[0] against each other contender, in order
}

// Versus is the first contender's throughput over one peer's: per round,
// and the median of those; NaN if either answered wrong.
type Versus struct {
	Peer   string
	Rounds []float64
	Ratio  float64
}

// Run runs the workloads against the contenders. Each contender's fixtures
// are seeded on first use and dropped after their last workload.
func Run(ctx context.Context, cs []Contender, ws []Workload, opt Options) []Result {
	logf := opt.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	lastUse := map[Fixture]int{}
	for i, w := range ws {
		lastUse[w.Data] = i
	}
	type seeded struct {
		c   Client
		err error
	}
	fixtures := make([]map[Fixture]seeded, len(cs))
	for k := range fixtures {
		fixtures[k] = map[Fixture]seeded{}
	}

	var results []Result
	for wi, w := range ws {
		began := time.Now()
		res := Result{Workload: w, Ratio: math.NaN()}
		insts := make([]Instance, len(cs))
		res.Stats = make([]Stats, len(cs))
		for k, c := range cs {
			st := &res.Stats[k]
			st.Contender = c.Name
			st.MaxOps = cmp0(w.MaxOps, opt.MaxOps)
			env := Env{New: c.New}
			if w.Data.Kind != Empty {
				f, ok := fixtures[k][w.Data]
				if !ok {
					start := time.Now()
					f.c = c.New()
					f.err = seed(ctx, f.c, w.Data, logf)
					if d := time.Since(start); d > time.Second {
						logf("seeded %s %v in %v", c.Name, w.Data, d.Round(time.Millisecond))
					}
					fixtures[k][w.Data] = f
				}
				if f.err != nil {
					st.Wrong = "seeding the table: " + f.err.Error()
					continue
				}
				env.Client = f.c
			}
			insts[k] = w.New(env)
		}

		measure(ctx, &res, insts, opt)
		results = append(results, res)
		logf("%s  (%v)", res.Summary(), time.Since(began).Round(100*time.Millisecond))

		for k := range cs {
			for f, s := range fixtures[k] {
				if lastUse[f] <= wi {
					if s.c != nil {
						release(s.c)
					}
					delete(fixtures[k], f)
				}
			}
		}
	}
	return results
}

// measure runs one workload's warm-up and timed rounds on instances bound
// to each contender (nil where res.Stats already says Wrong), contenders
// interleaved, and fills res with the numbers and ratios.
func measure(ctx context.Context, res *Result, insts []Instance, opt Options) {
	w := res.Workload
	lat := make([][]time.Duration, len(insts))
	run := func(k, r int, budget time.Duration, maxOps int) {
		st := &res.Stats[k]
		if st.Wrong != "" {
			return
		}
		runtime.GC() // the other contender's garbage is not this one's cost
		rd, l, checked, err := runRound(ctx, insts[k], r, budget, maxOps, lat[k])
		st.Checked += checked
		if err != nil {
			st.Wrong = err.Error()
			return
		}
		if r < 0 {
			return
		}
		lat[k] = l
		st.Rounds = append(st.Rounds, rd)
		st.Ops += rd.Ops
		st.Busy += rd.Busy
		if rd.Ops < maxOps {
			st.Budgeted = true
		}
	}
	budget := cmp0(w.Budget, opt.Budget)
	if opt.Warmup > 0 {
		for k := range insts {
			run(k, -1, min(opt.Warmup, budget), min(1000, res.Stats[k].MaxOps))
		}
	}
	for r := range max(opt.Rounds, 1) {
		for j := range insts {
			k := j
			if r%2 == 1 {
				k = len(insts) - 1 - j
			}
			run(k, r, budget, res.Stats[k].MaxOps)
		}
	}
	for k := range insts {
		st := &res.Stats[k]
		st.P50, st.P99 = Percentiles(lat[k])
	}
	res.Versus = make([]Versus, 0, len(insts))
	for k := 1; k < len(insts); k++ {
		v := Versus{Peer: res.Stats[k].Contender, Ratio: math.NaN()}
		if res.Stats[0].Wrong == "" && res.Stats[k].Wrong == "" {
			a, b := res.Stats[0].Rounds, res.Stats[k].Rounds
			for r := range min(len(a), len(b)) {
				if a[r].Ops > 0 && b[r].Ops > 0 {
					ta := float64(a[r].Ops) / a[r].Busy.Seconds()
					tb := float64(b[r].Ops) / b[r].Busy.Seconds()
					v.Rounds = append(v.Rounds, ta/tb)
				}
			}
			v.Ratio = median(v.Rounds)
		}
		res.Versus = append(res.Versus, v)
	}
	if len(res.Versus) > 0 {
		res.RoundRatios, res.Ratio = res.Versus[0].Rounds, res.Versus[0].Ratio
	}
}

// Compare measures one workload whose contenders are already set up (code
// paths over a shared setup, rather than clients with seeded tables): the
// same rounds, checks and ratios as Run. names and insts are in contender
// order; the first is compared with each of the others.
func Compare(ctx context.Context, w Workload, names []string, insts []Instance, opt Options) Result {
	res := Result{Workload: w, Ratio: math.NaN(), Stats: make([]Stats, len(insts))}
	for k := range insts {
		res.Stats[k].Contender = names[k]
		res.Stats[k].MaxOps = cmp0(w.MaxOps, opt.MaxOps)
	}
	measure(ctx, &res, insts, opt)
	return res
}

// runRound sends requests until maxOps or the budget is spent, timing each
// request alone and checking every answer.
func runRound(ctx context.Context, inst Instance, r int, budget time.Duration, maxOps int, lat []time.Duration) (Round, []time.Duration, int, error) {
	if err := inst.Begin(ctx, r); err != nil {
		return Round{}, lat, 0, fmt.Errorf("preparing round: %w", err)
	}
	var rd Round
	checked := 0
	deadline := time.Now().Add(budget)
	for i := 0; i < maxOps; i++ {
		t0 := time.Now()
		out, err := inst.Do(ctx, i)
		d := time.Since(t0)
		rd.Ops++
		rd.Busy += d
		if r >= 0 {
			lat = append(lat, d)
		}
		if err := inst.Check(i, out, err); err != nil {
			return rd, lat, checked, fmt.Errorf("request %d of %s: %w", i, roundName(r), err)
		}
		checked++
		if t0.Add(d).After(deadline) {
			break
		}
	}
	if err := inst.End(ctx, rd.Ops); err != nil {
		return rd, lat, checked, fmt.Errorf("after %s (%d requests): %w", roundName(r), rd.Ops, err)
	}
	return rd, lat, checked + 1, nil
}

func roundName(r int) string {
	if r < 0 {
		return "the warm-up"
	}
	return fmt.Sprintf("round %d", r+1)
}

// Summary is a one-line progress report.
func (r Result) Summary() string {
	s := fmt.Sprintf("%-22s", r.Workload.FullID())
	for _, st := range r.Stats {
		if st.Wrong != "" {
			s += fmt.Sprintf("  %s WRONG (%s)", st.Contender, st.Wrong)
			continue
		}
		s += fmt.Sprintf("  %s %s ops/s p50 %s", st.Contender, fmtRate(st.OpsPerSec()), fmtDur(st.P50))
	}
	if !math.IsNaN(r.Ratio) {
		s += "  ratio " + fmtRatio(r.Ratio)
	}
	return s
}

func cmp0[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Percentiles sorts lat and returns its p50 and p99 (nearest rank); zero
// for no samples.
func Percentiles(lat []time.Duration) (p50, p99 time.Duration) {
	n := len(lat)
	if n == 0 {
		return 0, 0
	}
	slices.Sort(lat)
	return lat[n/2], lat[min(n-1, int(math.Ceil(0.99*float64(n)))-1)]
}
