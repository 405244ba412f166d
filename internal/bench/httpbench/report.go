package httpbench

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/monotable/monotable/internal/bench"
)

// Section is the name of this layer's section in BENCHMARKS.md.
const Section = "http"

// Report is one run of the suite.
type Report struct {
	Command  string
	Machine  bench.Machine
	Node     string // node --version
	Dynalite string // its version
	Date     time.Time
	Elapsed  time.Duration
	Options  Options
	Results  []Result
	LoadEnd  string // /proc/loadavg when the run ended
	// CPU pressure (PSI some avg60) at the start and the end: the share of
	// time runnable tasks waited for a CPU, other tenants' work included.
	PressureStart, PressureEnd string
	// Ceiling is the GetItem workload against a canned server (see
	// Ceiling); nil when it was not run.
	Ceiling *Stats
}

// Markdown renders the report as the body of its section.
func (r Report) Markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	names := [2]string{"monotable", "dynalite"}
	for k := 0; k < 2 && len(r.Results) > 0 && k < len(r.Results[0].Stats); k++ {
		names[k] = r.Results[0].Stats[k].Contender
	}
	o := r.Options
	m := r.Machine

	p("## Over HTTP: the endpoint vs dynalite\n\n")
	p("- Command: `%s`\n", r.Command)
	p("- Machine: %s, %s/%s, %s, %d cores; node %s, dynalite %s", m.Go, m.OS, m.Arch, m.CPU, m.Cores, r.Node, r.Dynalite)
	if m.Load != "" {
		p("; load average %s at the start", m.Load)
		if r.LoadEnd != "" {
			p(", %s at the end", r.LoadEnd)
		}
		if r.PressureStart != "" {
			p("; CPU pressure (PSI some avg60) %s at the start", r.PressureStart)
			if r.PressureEnd != "" {
				p(", %s at the end", r.PressureEnd)
			}
		}
		p(" (the machine is shared: absolute numbers are noisy, the interleaved ratios less so)")
	}
	p("\n")
	p("- Date: %s (the run took %v)\n", r.Date.UTC().Format("2006-01-02 15:04 MST"), r.Elapsed.Round(time.Second))
	p("- Contenders: %s is `wire.NewHandler(memstore.New())` in an `http.Server` on a free loopback port of the driver's process (what `monotable local` serves); %s is dynalite %s from npm, `node cli.js --port N --host 127.0.0.1` (in memory, default settings), its own process. Each is driven by its own aws-sdk-go-v2 `*dynamodb.Client` (BaseEndpoint `http://127.0.0.1:N`, static credentials, us-east-1, retries off) over loopback TCP, with keep-alive and %d idle connections per host.\n",
		names[0], names[1], r.Dynalite, 2*o.Workers)
	p("- Method: %d concurrent workers per contender, each sending one request at a time; %d timed rounds of %v per workload after a %v warm-up, contenders interleaved (A B, B A, …), `runtime.GC()` before each round. ops/s = requests completed / the round's wall time; p50 and p99 are per-request latencies as the client sees them (SDK serialisation and signing included, the same code for both). **ratio** = %s/%s, the median of the per-round throughput ratios (smallest–largest round in small print).\n",
		o.Workers, o.Rounds, o.Round, o.Warmup, names[0], names[1])
	p("- Data: one table (`pk`, `sk` strings) per endpoint, seeded through BatchWriteItem before timing: %s users (one partition each, 8 attributes) and a %s-item partition.\n",
		bench.SizeLabel(o.Size), bench.SizeLabel(o.Size))
	p("- Checks: every answer is checked — GetItem returns the user asked for; the Query returns the 25 items in order and the right LastEvaluatedKey; each worker writes only its own users, so UpdateItem's ALL_NEW must carry the new value and the worker's own count, and after each round the last users each worker wrote are read back (PutItem's version, UpdateItem's value and count). A contender that answers wrong or fails a request (no retries) is shown as WRONG and not timed.\n\n")

	p("| workload | %s ops/s | p50 | p99 | %s ops/s | p50 | p99 | ratio |\n", names[0], names[1])
	p("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	var notes []string
	for _, res := range r.Results {
		p("| %s |", res.Workload.Name)
		for _, st := range res.Stats[:min(2, len(res.Stats))] {
			if st.Wrong != "" {
				p(" **WRONG** | — | — |")
				notes = append(notes, fmt.Sprintf("%s: %s answered wrong: %s", res.Workload.Name, st.Contender, st.Wrong))
				continue
			}
			p(" %s | %s | %s |", bench.FormatRate(st.OpsPerSec()), bench.FormatDuration(st.P50), bench.FormatDuration(st.P99))
		}
		if math.IsNaN(res.Ratio) {
			p(" — |\n")
		} else {
			p(" **%s** <sub>%s–%s</sub> |\n", bench.FormatRatio(res.Ratio),
				bench.FormatRatio(slices.Min(res.RoundRatios)), bench.FormatRatio(slices.Max(res.RoundRatios)))
		}
	}
	p("\n")
	if len(notes) > 0 {
		p("Wrong answers (first per contender and workload):\n\n")
		for _, n := range notes {
			p("- %s\n", strings.ReplaceAll(n, "\n", " "))
		}
		p("\n")
	}

	if cpu := r.cpuTable(names); cpu != "" {
		p("%s\n", cpu)
	}
	if c := r.ceiling(names[1]); c != "" {
		p("%s\n\n", c)
	}
	p("Workloads: GetItem reads a random user; PutItem overwrites one of the worker's users with a new version; the Query reads 25 items from a random sort-key position of the partition (`pk = :p AND sk >= :s`, Limit 25); UpdateItem is `SET #n = :n ADD cnt :one` with ALL_NEW on one of the worker's users.\n\n")

	p("### The bar\n\n")
	for _, bar := range Bars(r.Results) {
		p("- %s %s — %s\n", bar.Mark(), bar.Name, bar.Detail)
	}
	p("\n")
	return b.String()
}

// cpuTable shows where the time went: CPU per request in the driver's
// process (the SDK client for both, and monotable's server) and in node
// (dynalite's server), against the driver CPU per request that a 10x ratio
// would allow on this machine's cores; and, in monotable's rounds, how long
// the driver's goroutines waited for a CPU and how often the collector ran.
func (r Report) cpuTable(names [2]string) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("Where the time goes. The driver's process runs the SDK client for both contenders and, in %s's rounds, %s's server as well; %s's server is the node process. CPU is user + system time per request over the timed rounds (node's in 10 ms ticks). The 10x budget is the driver CPU per request at which %d cores would give 10x %s's throughput. The last two columns are the driver's Go runtime during %s's rounds: how long runnable goroutines (client and server) waited for a CPU, and the collector's cycles and stop-the-world pauses.\n\n",
		names[0], names[0], names[1], r.Machine.Cores, names[1], names[0])
	p("| workload | driver CPU/req, %s rounds | node CPU/req (%s) | driver CPU/req, %s rounds | 10x budget | goroutine wait for a CPU, p50 / p99 | GC cycles/s, pause p99 |\n", names[0], names[1], names[1])
	p("|---|---:|---:|---:|---:|---:|---:|\n")
	rows := 0
	for _, res := range r.Results {
		if len(res.Stats) < 2 {
			continue
		}
		a, c := res.Stats[0], res.Stats[1]
		if a.Wrong != "" || c.Wrong != "" || !a.CPUKnown || !c.CPUKnown || a.Ops == 0 || c.Ops == 0 {
			continue
		}
		aSelf, _ := a.CPUPerOp()
		cSelf, cPeer := c.CPUPerOp()
		budget := time.Duration(float64(r.Machine.Cores) / (10 * c.OpsPerSec()) * float64(time.Second))
		wait := "—"
		if w50, ok := a.Runtime.Wait.Quantile(0.5); ok {
			w99, _ := a.Runtime.Wait.Quantile(0.99)
			wait = bench.FormatDuration(w50) + " / " + bench.FormatDuration(w99)
		}
		gc := fmt.Sprintf("%.1f", float64(a.Runtime.GCs)/a.Wall.Seconds())
		if p99, ok := a.Runtime.Pause.Quantile(0.99); ok {
			gc += ", " + bench.FormatDuration(p99)
		}
		p("| %s | %s | %s | %s | %s | %s | %s |\n", res.Workload.Name, bench.FormatDuration(aSelf), bench.FormatDuration(cPeer),
			bench.FormatDuration(cSelf), bench.FormatDuration(budget), wait, gc)
		rows++
	}
	if rows == 0 {
		return ""
	}
	return b.String()
}

// Bars judges the results against the targets: on every workload,
// monotable's throughput at least 10x dynalite's, and its p99 latency
// below dynalite's p50.
func Bars(rs []Result) []bench.Bar {
	var bars []bench.Bar
	for _, res := range rs {
		if len(res.Stats) < 2 {
			continue
		}
		a, c := res.Stats[0], res.Stats[1]
		name := res.Workload.Name
		thr := bench.Bar{Name: fmt.Sprintf("%s: throughput ≥ 10x %s", name, c.Contender), Known: true}
		lat := bench.Bar{Name: fmt.Sprintf("%s: %s p99 < %s p50", name, a.Contender, c.Contender), Known: true}
		switch {
		case a.Wrong != "":
			thr.Detail = a.Contender + " answered wrong"
			lat.Detail = thr.Detail
		case c.Wrong != "":
			thr.Known, thr.Detail = false, c.Contender+" answered wrong"
			lat.Known, lat.Detail = false, thr.Detail
		default:
			thr.Met = res.Ratio >= 10
			thr.Detail = fmt.Sprintf("%s (%s vs %s ops/s)", bench.FormatRatio(res.Ratio),
				bench.FormatRate(a.OpsPerSec()), bench.FormatRate(c.OpsPerSec()))
			lat.Met = a.P99 < c.P50
			lat.Detail = fmt.Sprintf("%s vs %s", bench.FormatDuration(a.P99), bench.FormatDuration(c.P50))
		}
		bars = append(bars, thr, lat)
	}
	return bars
}

// ceiling reports the harness's own limit: the GetItem workload against a
// server that does nothing but answer from memory, as a multiple of the
// peer's GetItem throughput in this run.
func (r Report) ceiling(peer string) string {
	c := r.Ceiling
	if c == nil {
		return ""
	}
	s := fmt.Sprintf("The harness's ceiling: the same client settings and %d workers against a server in this process that answers each GetItem from response bodies encoded before the run (it decodes the request, looks the user up and writes the bytes: no store, no validation, no signature check), answers checked as above",
		r.Options.Workers)
	if c.Wrong != "" {
		return s + ": it answered wrong (" + c.Wrong + ")."
	}
	s += fmt.Sprintf(": %s ops/s, p50 %s, p99 %s", bench.FormatRate(c.OpsPerSec()), bench.FormatDuration(c.P50), bench.FormatDuration(c.P99))
	if self, _ := c.CPUPerOp(); c.CPUKnown && self > 0 {
		s += fmt.Sprintf(", driver CPU %s per request", bench.FormatDuration(self))
	}
	for _, res := range r.Results {
		if res.Workload.ID != "GetItem" || len(res.Stats) < 2 || res.Stats[1].Wrong != "" || res.Stats[1].Ops == 0 {
			continue
		}
		d := res.Stats[1].OpsPerSec()
		s += fmt.Sprintf(" — %s %s's GetItem in this run, where 10x would take %s ops/s. No server reaches more than this ceiling here: the SDK client and net/http alone, on the same %d cores, use the CPU a higher rate would need",
			bench.FormatRatio(c.OpsPerSec()/d), peer, bench.FormatRate(10*d), r.Machine.Cores)
	}
	return s + "."
}
