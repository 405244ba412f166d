package httpbench

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/monotable/monotable/internal/bench"
)

// Options control a run.
type Options struct {
	Size    int           // users in the table, and items in the Query's partition
	Workers int           // concurrent workers (and connections) per contender
	Rounds  int           // timed rounds per workload, contenders interleaved
	Round   time.Duration // per contender per round
	Warmup  time.Duration // a checked, untimed round first; 0 skips it
	Logf    func(format string, args ...any)
}

// DefaultOptions keep a run to about a minute on two cores.
func DefaultOptions() Options {
	return Options{Size: 10_000, Workers: 8, Rounds: 6, Round: time.Second, Warmup: 300 * time.Millisecond}
}

// A Contender is one endpoint under test.
type Contender struct {
	Name   string
	Client *dynamodb.Client
	// Pid is the server's process when it is not this one (for CPU
	// accounting); 0 means the server runs in this process.
	Pid int
}

// Round is one contender's timed round.
type Round struct {
	Ops  int
	Wall time.Duration
	// CPU used during the round: by this process (the client, plus the
	// server when it runs here), and by the server's own process.
	SelfCPU, PeerCPU time.Duration
}

// Stats are one contender's numbers for one workload.
type Stats struct {
	Contender string
	Rounds    []Round
	Ops       int
	Wall      time.Duration
	P50, P99  time.Duration
	Checked   int    // answers checked, warm-up included
	Wrong     string // the first wrong answer or failed request; the numbers then mean nothing
	CPUKnown  bool
	SelfCPU   time.Duration // summed over the timed rounds
	PeerCPU   time.Duration
	Runtime   RuntimeStats // the driver's runtime over the timed rounds
}

// OpsPerSec is the throughput over all timed rounds.
func (s Stats) OpsPerSec() float64 {
	if s.Wall <= 0 {
		return 0
	}
	return float64(s.Ops) / s.Wall.Seconds()
}

// CPUPerOp is the CPU time per request of this process and of the server's.
func (s Stats) CPUPerOp() (self, peer time.Duration) {
	if s.Ops == 0 {
		return 0, 0
	}
	return s.SelfCPU / time.Duration(s.Ops), s.PeerCPU / time.Duration(s.Ops)
}

// Result is one workload's row.
type Result struct {
	Workload    Workload
	Stats       []Stats   // in contender order
	RoundRatios []float64 // Stats[0] over Stats[1] throughput, per round
	Ratio       float64   // the median of RoundRatios; NaN if either answered wrong
}

// Run seeds every contender's table, then runs the workloads against them.
// It stops early, returning what it has and ctx's error, when ctx ends.
func Run(ctx context.Context, cs []Contender, ws []Workload, opt Options) ([]Result, error) {
	logf := opt.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	opt.Workers = max(opt.Workers, 1)
	seedErr := make([]string, len(cs))
	for k, c := range cs {
		start := time.Now()
		if err := seed(ctx, c.Client, opt.Size); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			seedErr[k] = "seeding the table: " + err.Error()
			logf("%s: %s", c.Name, seedErr[k])
			continue
		}
		logf("seeded %s with %d items in %v", c.Name, 2*opt.Size, time.Since(start).Round(time.Millisecond))
	}

	var results []Result
	for _, w := range ws {
		res := Result{Workload: w, Ratio: math.NaN(), Stats: make([]Stats, len(cs))}
		workers := make([][]Worker, len(cs))
		lat := make([][]time.Duration, len(cs))
		for k, c := range cs {
			res.Stats[k].Contender = c.Name
			res.Stats[k].Wrong = seedErr[k]
			res.Stats[k].CPUKnown = true
			for i := range opt.Workers {
				workers[k] = append(workers[k], w.New(c.Client, opt.Size, i, opt.Workers))
			}
		}
		labels := make([]pprof.LabelSet, len(cs))
		for k, c := range cs {
			labels[k] = pprof.Labels("side", "client", "contender", c.Name, "workload", w.ID)
		}
		run := func(k, r int, d time.Duration) {
			st := &res.Stats[k]
			if st.Wrong != "" || ctx.Err() != nil {
				return
			}
			runtime.GC() // the other contender's garbage is not this one's cost
			var u0, u1 usage
			m := meter{start: func() { u0 = readUsage(cs[k].Pid) }, stop: func() { u1 = readUsage(cs[k].Pid) }}
			rd, l, checked, err := runRound(ctx, workers[k], r, d, lat[k], labels[k], m)
			st.Checked += checked
			if err != nil {
				if ctx.Err() == nil {
					st.Wrong = err.Error()
				}
				return
			}
			if r < 0 {
				return
			}
			rd.SelfCPU, rd.PeerCPU = u1.self-u0.self, u1.peer-u0.peer
			st.CPUKnown = st.CPUKnown && u0.ok && u1.ok
			lat[k] = l
			st.Rounds = append(st.Rounds, rd)
			st.Ops += rd.Ops
			st.Wall += rd.Wall
			st.SelfCPU += rd.SelfCPU
			st.PeerCPU += rd.PeerCPU
			st.Runtime.add(u0.rt, u1.rt)
		}
		if opt.Warmup > 0 {
			for k := range cs {
				run(k, -1, opt.Warmup)
			}
		}
		for r := range max(opt.Rounds, 1) {
			for j := range cs {
				k := j
				if r%2 == 1 {
					k = len(cs) - 1 - j
				}
				run(k, r, opt.Round)
			}
		}
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
		for k := range cs {
			st := &res.Stats[k]
			st.P50, st.P99 = bench.Percentiles(lat[k])
		}
		if len(cs) >= 2 && res.Stats[0].Wrong == "" && res.Stats[1].Wrong == "" {
			a, b := res.Stats[0].Rounds, res.Stats[1].Rounds
			for r := range min(len(a), len(b)) {
				if a[r].Ops > 0 && b[r].Ops > 0 {
					ta := float64(a[r].Ops) / a[r].Wall.Seconds()
					tb := float64(b[r].Ops) / b[r].Wall.Seconds()
					res.RoundRatios = append(res.RoundRatios, ta/tb)
				}
			}
			res.Ratio = bench.Median(res.RoundRatios)
		}
		results = append(results, res)
		logf("%s", res.Summary())
	}
	return results, nil
}

// usage is what the processes have spent at one moment: the CPU time of
// this process and of the server's (pid; 0 for none), and this process's
// runtime counters.
type usage struct {
	self, peer time.Duration
	ok         bool
	rt         rtSample
}

func readUsage(pid int) usage {
	var u usage
	u.rt = readRuntime()
	var okS, okP bool
	u.self, okS = selfCPU()
	u.peer, okP = 0, true
	if pid != 0 {
		u.peer, okP = pidCPU(pid)
	}
	u.ok = okS && okP
	return u
}

// runRound runs every worker in its own goroutine for d, each sending one
// request at a time, timing each alone and checking every answer; then it
// reads back the round's effects. The first wrong answer stops the round.
// meter's start and stop bracket the timed part of a round (not the
// read-back).
type meter struct{ start, stop func() }

func runRound(ctx context.Context, ws []Worker, r int, d time.Duration, lat []time.Duration, labels pprof.LabelSet, m meter) (Round, []time.Duration, int, error) {
	var (
		stop    atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
		ops     = make([]int, len(ws))
		lats    = make([][]time.Duration, len(ws))
		ready   sync.WaitGroup
		begin   = make(chan struct{})
	)
	fail := func(err error) {
		errOnce.Do(func() { first = err })
		stop.Store(true)
	}
	var deadline time.Time
	ready.Add(len(ws))
	for i, w := range ws {
		wg.Go(func() {
			pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), labels))
			w.Begin(r)
			ready.Done()
			<-begin
			for !stop.Load() && ctx.Err() == nil && time.Now().Before(deadline) {
				w.Next()
				t0 := time.Now()
				out, err := w.Do(ctx)
				dt := time.Since(t0)
				if r >= 0 {
					lats[i] = append(lats[i], dt)
				}
				if err := w.Check(out, err); err != nil {
					fail(fmt.Errorf("worker %d, request %d of %s: %w", i, ops[i], roundName(r), err))
					return
				}
				ops[i]++
			}
		})
	}
	ready.Wait()
	m.start()
	start := time.Now()
	deadline = start.Add(d)
	close(begin)
	wg.Wait()
	rd := Round{Wall: time.Since(start)}
	m.stop()
	checked := 0
	for i := range ws {
		rd.Ops += ops[i]
		checked += ops[i]
		lat = append(lat, lats[i]...)
	}
	if first != nil {
		return rd, lat, checked, first
	}
	if err := ctx.Err(); err != nil {
		return rd, lat, checked, err
	}
	for i, w := range ws {
		if err := w.End(ctx); err != nil {
			return rd, lat, checked, fmt.Errorf("worker %d, after %s (%d requests): %w", i, roundName(r), rd.Ops, err)
		}
	}
	return rd, lat, checked + len(ws), nil
}

func roundName(r int) string {
	if r < 0 {
		return "the warm-up"
	}
	return fmt.Sprintf("round %d", r+1)
}

// Summary is a one-line progress report.
func (r Result) Summary() string {
	s := fmt.Sprintf("%-12s", r.Workload.ID)
	for _, st := range r.Stats {
		if st.Wrong != "" {
			s += fmt.Sprintf("  %s WRONG (%s)", st.Contender, st.Wrong)
			continue
		}
		s += fmt.Sprintf("  %s %s ops/s p50 %s p99 %s", st.Contender, bench.FormatRate(st.OpsPerSec()),
			bench.FormatDuration(st.P50), bench.FormatDuration(st.P99))
	}
	if !math.IsNaN(r.Ratio) {
		s += "  ratio " + bench.FormatRatio(r.Ratio)
	}
	return s
}
