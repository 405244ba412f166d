package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Machine describes where the numbers came from.
type Machine struct {
	Go, OS, Arch, CPU string
	Cores             int
	Load              string // /proc/loadavg when the run started: other work on the machine
}

// ThisMachine reads the CPU model from /proc/cpuinfo where there is one.
func ThisMachine() Machine {
	m := Machine{Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, CPU: "unknown", Cores: runtime.NumCPU()}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.Load = strings.Join(f[:3], " ")
		}
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// Report is one run of the suite.
type Report struct {
	Command string
	Machine Machine
	Date    time.Time
	Elapsed time.Duration
	Options Options
	Results []Result
	LoadEnd string // /proc/loadavg when the run ended
}

// Section is the name of this layer's section in BENCHMARKS.md.
const Section = "memstore"

// Markdown renders the report as the body of its section.
func (r Report) Markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	names := [2]string{"A", "B"}
	for k := 0; k < 2 && len(r.Results) > 0 && k < len(r.Results[0].Stats); k++ {
		names[k] = r.Results[0].Stats[k].Contender
	}

	p("## In process: the store vs truora/minidyn\n\n")
	p("- Command: `%s`\n", r.Command)
	p("- Machine: %s, %s/%s, %s, %d cores", r.Machine.Go, r.Machine.OS, r.Machine.Arch, r.Machine.CPU, r.Machine.Cores)
	if r.Machine.Load != "" {
		p("; load average %s at the start", r.Machine.Load)
		if r.LoadEnd != "" {
			p(", %s at the end", r.LoadEnd)
		}
		p(" (the machine is shared: absolute numbers are noisy, the interleaved ratios less so)")
	}
	p("\n")
	p("- Date: %s (the run took %v)\n", r.Date.UTC().Format("2006-01-02 15:04 MST"), r.Elapsed.Round(time.Second))
	p("- Contenders: %s (`memstore.New()`, called directly) and %s (`github.com/truora/minidyn/aws-v2/client`, `client.NewClient()`, default settings), both through one interface with the SDK's signatures; same requests, same data.\n", names[0], names[1])
	p("- Method: %d timed rounds per workload after a %v warm-up, contenders interleaved (A B, B A, …), `runtime.GC()` before each contender's round; a round is %d requests or %v, whichever ends first (bulk load: its own budget, below). Each request is timed alone; ops/s = requests / summed latency. **ratio** = %s/%s, the median of the per-round throughput ratios (smallest–largest round in small print).\n",
		r.Options.Rounds, r.Options.Warmup, r.Options.MaxOps, r.Options.Budget, names[0], names[1])
	p("- Data: each contender's tables are seeded through its own PutItem before timing (for minidyn with its per-insert re-sort of its sorted key slices deferred to one sort at the end, which leaves the same state: loading 100k items through its PutItem takes minutes — see the bulk load row).\n")
	p("- Checks: every answer is compared with the expected items, count and order; writes are read back (GetItem, and the GSI for index moves) after each round. A contender that answers wrong is shown as WRONG and not timed.\n\n")

	p("| workload | size | %s ops/s | p50 | p99 | %s ops/s | p50 | p99 | ratio |\n", names[0], names[1])
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var notes []string
	for _, res := range r.Results {
		p("| %s | %s |", res.Workload.Name, SizeLabel(res.Workload.Size))
		for _, st := range res.Stats[:min(2, len(res.Stats))] {
			if st.Wrong != "" {
				p(" **WRONG** | — | — |")
				notes = append(notes, fmt.Sprintf("%s, %s: %s answered wrong: %s", res.Workload.Name, SizeLabel(res.Workload.Size), st.Contender, st.Wrong))
				continue
			}
			mark := ""
			if res.Workload.ID == "Load" && st.Budgeted {
				mark = "¹"
			}
			p(" %s%s | %s | %s |", fmtRate(st.OpsPerSec()), mark, fmtDur(st.P50), fmtDur(st.P99))
		}
		if math.IsNaN(res.Ratio) {
			p(" — |\n")
		} else {
			p(" **%s** <sub>%s–%s</sub> |\n", fmtRatio(res.Ratio), fmtRatio(slices.Min(res.RoundRatios)), fmtRatio(slices.Max(res.RoundRatios)))
		}
	}
	p("\n")
	if load := find(r.Results, "Load", 0); load != nil {
		p("¹ Bulk load: each round loads into a fresh table, up to %s items or a %v budget per contender. ", SizeLabel(load.Workload.Size), load.Workload.Budget)
		for _, st := range load.Stats {
			if st.Wrong != "" || len(st.Rounds) == 0 {
				continue
			}
			per := make([]float64, len(st.Rounds))
			ops := make([]float64, len(st.Rounds))
			for i, rd := range st.Rounds {
				per[i], ops[i] = rd.Busy.Seconds(), float64(rd.Ops)
			}
			if st.Budgeted {
				p("%s loaded a median %s items per round before its budget ran out (its PutItem slows as the table grows, so its rate over a full load would be lower and the ratio is in its favour). ", st.Contender, fmtCount(median(ops)))
			} else {
				p("%s loaded all %s items in a median %s per round. ", st.Contender, fmtCount(median(ops)), fmtSecs(median(per)))
			}
		}
		p("Ops/s here is items/s.\n\n")
	}
	if len(notes) > 0 {
		p("Wrong answers (first per contender and workload):\n\n")
		for _, n := range notes {
			p("- %s\n", strings.ReplaceAll(n, "\n", " "))
		}
		p("\n")
	}
	p("Workloads: GetItem reads a random user; PutItem overwrites a random user with a new version; the bulk load puts users one PutItem at a time; the partition Query reads 25 items from a random sort-key position (`pk = :p AND sk >= :s`); the top-10 query reads a leaderboard GSI (`gsk` is a number) with ScanIndexForward=false, Limit 10, scores 6 digits wide (100000…) so that string order and numeric order agree — the mixed-width row uses scores around 10,000 where they disagree; UpdateItem is `SET #n = :n ADD cnt :one` with ALL_NEW; the GSI move is `SET gsk = :g` to a new score; the transaction moves an amount between two users (`SET bal = bal - :a` if `bal >= :a`, `SET bal = bal + :a`); the Scan reads every page of the table with `#s = :s` (1 item in 10 matches).\n\n")

	if line := scaling(r.Results, names[0]); line != "" {
		p("%s\n\n", line)
	}
	p("### The bar\n\n")
	for _, bar := range Bars(r.Results) {
		p("- %s %s — %s\n", bar.Mark(), bar.Name, bar.Detail)
	}
	p("\n")
	return b.String()
}

func scaling(rs []Result, name string) string {
	var lines []string
	for _, id := range []string{"GetItem", "PutItem", "QueryLimit25", "Top10GSI", "UpdateItem", "UpdateGSIKey", "TransactWrite2", "ScanFilter"} {
		var rows []*Result
		for i := range rs {
			if rs[i].Workload.ID == id && len(rs[i].Stats) > 0 && rs[i].Stats[0].Wrong == "" && rs[i].Stats[0].Ops > 0 {
				rows = append(rows, &rs[i])
			}
		}
		if len(rows) < 2 {
			continue
		}
		lo, hi := rows[0], rows[len(rows)-1]
		a, b := lo.Stats[0], hi.Stats[0]
		line := fmt.Sprintf("Scaling, %s (%s): p50 %s at %s items vs %s at %s = %.2fx (means %s vs %s)",
			lo.Workload.Name, name, fmtDur(b.P50), SizeLabel(hi.Workload.Size), fmtDur(a.P50), SizeLabel(lo.Workload.Size),
			float64(b.P50)/float64(a.P50), fmtDur(b.Mean()), fmtDur(a.Mean()))
		if len(lo.Stats) > 1 && len(hi.Stats) > 1 {
			pa, pb := lo.Stats[1], hi.Stats[1]
			if pa.Wrong == "" && pb.Wrong == "" && pa.Ops > 0 && pb.Ops > 0 {
				line += fmt.Sprintf("; %s: %s vs %s = %.2fx", pa.Contender, fmtDur(pb.P50), fmtDur(pa.P50), float64(pb.P50)/float64(pa.P50))
			}
		}
		lines = append(lines, line+".")
	}
	return strings.Join(lines, "\n")
}

func find(rs []Result, id string, size int) *Result {
	for i := range rs {
		if rs[i].Workload.ID == id && (size == 0 || rs[i].Workload.Size == size) {
			return &rs[i]
		}
	}
	return nil
}

// A Bar is one of the project's performance targets.
type Bar struct {
	Name   string
	Met    bool
	Known  bool // false when it could not be measured (a contender answered wrong, a row is missing)
	Detail string
}

// Mark is ✅, ❌ or ❔.
func (b Bar) Mark() string {
	switch {
	case !b.Known:
		return "❔ not measurable:"
	case b.Met:
		return "✅ met:"
	}
	return "❌ missed:"
}

// Bars judges the results against the project's targets.
func Bars(rs []Result) []Bar {
	ratio := func(name, id string, want float64) Bar {
		b := Bar{Name: fmt.Sprintf("%s ≥ %gx minidyn", name, want), Known: true, Met: true}
		var parts []string
		rows := 0
		for i := range rs {
			res := &rs[i]
			if res.Workload.ID != id {
				continue
			}
			rows++
			label := SizeLabel(res.Workload.Size)
			switch {
			case res.Stats[0].Wrong != "":
				b.Met = false
				parts = append(parts, label+": "+res.Stats[0].Contender+" answered wrong")
			case math.IsNaN(res.Ratio):
				b.Known = false
				parts = append(parts, label+": no ratio ("+res.Stats[1].Contender+" answered wrong)")
			default:
				if res.Ratio < want {
					b.Met = false
				}
				parts = append(parts, label+": "+fmtRatio(res.Ratio))
			}
		}
		if rows == 0 {
			b.Known, parts = false, []string{"not run"}
		}
		if !b.Met {
			b.Known = true
		}
		b.Detail = strings.Join(parts, ", ")
		return b
	}
	within := func(name, id string, small, large int, limit float64) Bar {
		b := Bar{Name: name}
		lo, hi := find(rs, id, small), find(rs, id, large)
		switch {
		case lo == nil || hi == nil || small == large:
			b.Detail = "not run at two sizes"
		case lo.Stats[0].Wrong != "" || hi.Stats[0].Wrong != "":
			b.Known, b.Detail = true, "answered wrong"
		default:
			// The median latency: a shared machine's stalls land in the mean.
			x := float64(hi.Stats[0].P50) / float64(lo.Stats[0].P50)
			b.Known, b.Met = true, x <= limit
			b.Detail = fmt.Sprintf("p50 %s at %s vs %s at %s = %.2fx (limit %gx; means %s vs %s)",
				fmtDur(hi.Stats[0].P50), SizeLabel(large), fmtDur(lo.Stats[0].P50), SizeLabel(small), x, limit,
				fmtDur(hi.Stats[0].Mean()), fmtDur(lo.Stats[0].Mean()))
		}
		return b
	}
	sizes := func(id string) (int, int) {
		lo, hi := 0, 0
		for _, r := range rs {
			if r.Workload.ID == id {
				if lo == 0 || r.Workload.Size < lo {
					lo = r.Workload.Size
				}
				hi = max(hi, r.Workload.Size)
			}
		}
		return lo, hi
	}
	t1, t2 := sizes("Top10GSI")
	x1, x2 := sizes("TransactWrite2")
	return []Bar{
		ratio("GetItem", "GetItem", 3),
		ratio("PutItem", "PutItem", 3),
		ratio("Bulk load", "Load", 10),
		ratio("Query, Limit 25 in a partition", "QueryLimit25", 100),
		ratio("Top-10 GSI query", "Top10GSI", 100),
		within(fmt.Sprintf("Top-10 GSI query at %s within 2x of at %s", SizeLabel(t2), SizeLabel(t1)), "Top10GSI", t1, t2, 2),
		ratio("2-item transaction", "TransactWrite2", 100),
		within(fmt.Sprintf("2-item transaction independent of table size (%s vs %s, within 1.5x)", SizeLabel(x2), SizeLabel(x1)), "TransactWrite2", x1, x2, 1.5),
	}
}

// WriteSection replaces the named section of the Markdown file at path,
// keeping everything else; a missing section is appended, a missing file
// created.
func WriteSection(path, name, body string) error {
	open, shut := "<!-- section:"+name+" -->", "<!-- /section:"+name+" -->"
	section := open + "\n" + strings.TrimRight(body, "\n") + "\n" + shut
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		old = []byte("# Benchmarks\n\nEach layer's driver rewrites only its own section (between its `<!-- section:… -->` markers); `make bench` runs them.\n")
	case err != nil:
		return err
	}
	text := string(old)
	i := strings.Index(text, open)
	j := strings.Index(text, shut)
	switch {
	case i >= 0 && j > i:
		text = text[:i] + section + text[j+len(shut):]
	case i >= 0 || j >= 0:
		return fmt.Errorf("%s: unbalanced markers for section %q", path, name)
	default:
		text = strings.TrimRight(text, "\n") + "\n\n" + section + "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

func fmtRate(x float64) string {
	switch {
	case x >= 100:
		return fmtCount(x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

// fmtCount writes a whole number with thousands separators.
func fmtCount(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func fmtRatio(x float64) string {
	if x >= 10 {
		return fmtCount(x) + "x"
	}
	return fmt.Sprintf("%.2fx", x)
}

// fmtDur writes three significant digits.
func fmtDur(d time.Duration) string {
	ns := float64(d)
	unit, div := "ns", 1.0
	switch {
	case ns >= 1e9:
		unit, div = "s", 1e9
	case ns >= 1e6:
		unit, div = "ms", 1e6
	case ns >= 1e3:
		unit, div = "µs", 1e3
	}
	v := ns / div
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f %s", v, unit)
	case v >= 10:
		return fmt.Sprintf("%.1f %s", v, unit)
	}
	return fmt.Sprintf("%.2f %s", v, unit)
}

func fmtSecs(s float64) string { return fmtDur(time.Duration(s * float64(time.Second))) }
