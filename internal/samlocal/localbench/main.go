// Command localbench measures local runs of the SAM app's functions
// (monotable invoke / start-api) and writes the "local" section of
// BENCHMARKS.md: each function's bootstrap size, built for deployment
// (make build-<Function>, linux/arm64) and for this machine, and its cold
// start and warm invocation under the local Runtime API, against the
// in-memory DynamoDB endpoint over loopback HTTP.
//
//	go run ./internal/samlocal/localbench -out BENCHMARKS.md
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/monotable/monotable/internal/bench"
	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/memstore/wire"
	"github.com/monotable/monotable/internal/samlocal"
)

// events are the fixtures each function is invoked with: reads for the
// APIs (answered from an empty table), an audit write for the consumer.
var events = map[string]string{
	"SessionsFunction":     "examples/sessions/events/list-sessions.v2.json",
	"LeaderboardFunction":  "examples/leaderboard/events/top-scores.v2.json",
	"SessionAuditFunction": "examples/sessions/events/stream-revoked.json",
}

type result struct {
	fn, event            string
	armSize, hostSize    int64
	cold, init, warm, wd []float64 // ms
}

func main() {
	out := flag.String("out", "", "rewrite the local section of this Markdown `file` (else print it)")
	tplPath := flag.String("template", "template.yaml", "the SAM `template`")
	rounds := flag.Int("n", 10, "cold starts (and warm invocations) per function")
	flag.Parse()
	log.SetFlags(0)
	start, machine := time.Now(), bench.ThisMachine()

	tpl, err := samlocal.Load(*tplPath, samlocal.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	root := filepath.Dir(tpl.Path)
	tmp, err := os.MkdirTemp("", "localbench-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	ctx := context.Background()

	var results []*result
	boots := map[string]string{}
	for _, fn := range tpl.Functions {
		ev, ok := events[fn.Name]
		if !ok {
			log.Fatalf("no event for %s", fn.Name)
		}
		r := &result{fn: fn.Name, event: ev}
		arm := filepath.Join(tmp, "arm64", fn.Name)
		cmd := exec.Command("make", "-s", "-C", root, "build-"+fn.Name, "ARTIFACTS_DIR="+arm)
		if b, err := cmd.CombinedOutput(); err != nil {
			log.Fatalf("make build-%s: %v\n%s", fn.Name, err, b)
		}
		r.armSize = size(filepath.Join(arm, "bootstrap"))
		if boots[fn.Name], err = samlocal.Build(ctx, fn, filepath.Join(tmp, "host")); err != nil {
			log.Fatal(err)
		}
		r.hostSize = size(boots[fn.Name])
		results = append(results, r)
	}

	// Rounds interleave the functions; each round is a fresh store and
	// endpoint, a cold start, then one warm invocation.
	for range *rounds {
		for _, r := range results {
			payload, err := os.ReadFile(filepath.Join(root, r.event))
			if err != nil {
				log.Fatal(err)
			}
			measure(ctx, tpl, boots, r, payload)
		}
	}

	md := report(results, machine, start, *rounds)
	if *out == "" {
		fmt.Print(md)
		return
	}
	if err := bench.WriteSection(*out, "local", md); err != nil {
		log.Fatal(err)
	}
}

func measure(ctx context.Context, tpl *samlocal.Template, boots map[string]string, r *result, payload []byte) {
	store := memstore.New()
	defer store.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: wire.NewHandler(store)}
	go srv.Serve(ln)
	defer srv.Close()
	app, err := samlocal.Start(ctx, samlocal.Config{
		Template: tpl, Store: store, Endpoint: "http://" + ln.Addr().String(),
		Functions: []string{r.fn}, Bootstraps: boots,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer app.Close()
	for i := range 2 {
		t0 := time.Now()
		res, err := app.Invoke(ctx, r.fn, payload)
		wall := time.Since(t0)
		if err != nil {
			log.Fatal(err)
		}
		if res.FunctionError != nil {
			log.Fatalf("%s failed: %v", r.fn, res.FunctionError)
		}
		check(r, res.Payload)
		if i == 0 {
			r.cold = append(r.cold, ms(wall))
			r.init = append(r.init, ms(res.InitDuration))
		} else {
			r.warm = append(r.warm, ms(wall))
			r.wd = append(r.wd, ms(res.Duration))
		}
	}
}

// check makes sure the function answered as it should: an HTTP 200, or
// a stream batch with no failures.
func check(r *result, payload []byte) {
	var resp struct {
		StatusCode        *int
		BatchItemFailures []any `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(payload, &resp); err != nil ||
		(resp.StatusCode != nil && *resp.StatusCode != 200) || len(resp.BatchItemFailures) > 0 {
		log.Fatalf("%s answered %s", r.fn, payload)
	}
}

func size(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	return fi.Size()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func dur(msv float64) string {
	return bench.FormatDuration(time.Duration(msv * float64(time.Millisecond)))
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

func report(rs []*result, m bench.Machine, start time.Time, rounds int) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("## Local runs: the example functions under the local Runtime API")
	p("")
	p("- Command: `go run ./internal/samlocal/localbench -out BENCHMARKS.md`")
	p("- Machine: %s, %s/%s, %s, %d cores; load average %s at the start, %s at the end (the machine is shared: absolute numbers are noisy)",
		m.Go, m.OS, m.Arch, m.CPU, m.Cores, m.Load, bench.ThisMachine().Load)
	p("- Date: %s (the run took %s)", start.UTC().Format("2006-01-02 15:04 UTC"), time.Since(start).Round(time.Second))
	p("- Builds: **arm64** is `make build-<Function> ARTIFACTS_DIR=…` (what `sam build` runs: static linux/arm64, `-tags lambda.norpc -trimpath -ldflags='-s -w'`); **host** is the same package and flags for %s/%s, what `monotable invoke` and `start-api` run.", runtime.GOOS, runtime.GOARCH)
	p("- Method: %d rounds, the functions interleaved; each round gives a function a fresh in-memory store served on a loopback port and a new `samlocal` app (the table created from template.yaml), then invokes it twice with its fixture. **cold** is the first `Invoke`'s wall time, from starting the bootstrap process to its response: the runtime's init (which includes the CreateTable each example function tries at start-up against the local endpoint) and the first event; **Init Duration** is the REPORT line's share of it, from process start to the runtime's first request for an event. **warm** is the second `Invoke`'s wall time on the now warm process; **Duration** is its REPORT line's. Medians of %d.", rounds, rounds)
	p("- Checks: every answer is an HTTP 200 (the APIs, reading an empty table) or a stream batch with no failures (the consumer, writing an audit item); anything else stops the run.")
	p("")
	p("| function | fixture | bootstrap arm64 | bootstrap host | cold | Init Duration | warm | Duration |")
	p("|---|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		p("| %s | `%s` | %s | %s | %s | %s | %s | %s |", r.fn, filepath.Base(r.event), mb(r.armSize), mb(r.hostSize),
			dur(bench.Median(r.cold)), dur(bench.Median(r.init)), dur(bench.Median(r.warm)), dur(bench.Median(r.wd)))
	}
	return b.String()
}
