// Command layerbench measures the ORM against guregu/dynamo and
// attributevalue, and the lambda layer against a bare aws-lambda-go
// handler, and rewrites the "orm" and "lambda" sections of BENCHMARKS.md:
//
//	go run ./internal/bench/cmd/layerbench -out BENCHMARKS.md
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/monotable/monotable/internal/bench"
	"github.com/monotable/monotable/internal/bench/layers"
)

func main() {
	out := flag.String("out", "", "Markdown file whose orm and lambda sections to rewrite (default: print to stdout)")
	flag.Parse()
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	opt := layers.Options(logf)
	cmd := strings.Join(append([]string{"go run ./internal/bench/cmd/layerbench"}, os.Args[1:]...), " ")
	ctx := context.Background()

	start, machine := time.Now(), bench.ThisMachine()
	orm := layers.Run(ctx, layers.ORM(), opt)
	ormMD := header("The ORM vs hand-written guregu/dynamo and attributevalue", cmd, machine, start, opt) +
		"- Contenders: the ORM (`orm.Model[reading]`: keys from templates, the type attribute, the entity check on reads) against the same item written by hand as a struct with `pk`/`sk`/`type` fields, through guregu/dynamo (`Table.Put/Get/Range`, `MarshalItem/UnmarshalItem`) and through aws-sdk-go-v2's `attributevalue.MarshalMap/UnmarshalMap` plus direct client calls. Each has its own in-memory store (`ormtest.NewDB()`, called directly), so the differences are the client code.\n" +
		"- Checks: every Get and Query answer is compared with the reading asked for (Query: the 10 readings after a random position, in order); Encode and Decode check keys and fields; after each Put round the last writes are read back through the store with that round's label.\n\n" +
		layers.Table(orm) + "\n" + ormBars(orm) +
		"\nWorkloads: Put writes one of 1,024 readings; Get reads a random reading of a 1,000-reading partition and decodes it; Query reads the 10 readings after a random position of that partition, keeping only the entity's items (the ORM and the attributevalue path filter on the type attribute; guregu's KeyConditions cannot sit beside a FilterExpression, so its path checks the type after decoding); encoding and decoding are of one reading alone.\n"
	lam := layers.Run(ctx, layers.Lambda(), opt)
	lamMD := header("The lambda layer: a whole invocation vs a bare aws-lambda-go handler", cmd, machine, start, opt) +
		"- Contenders: a `lambda.App` with 27 routes and typed `lambda.Handle` handlers (path, query and JSON body binding, validator/v10), invoked as Lambda's runtime loop does (`App.Invoke(ctx, payload)`: event detection, aws-lambda-go's event types, routing, binding, validation, the JSON response); against the same routes written with aws-lambda-go alone (`lambda.NewHandler` over a function of `events.APIGatewayV2HTTPRequest`, a switch on the path's segments, `json.Unmarshal` and the same validator by hand).\n" +
		"- Checks: every response is decoded and compared with the expected status and body.\n\n" +
		layers.Table(lam) + "\n" + overhead(lam)
	elapsed := time.Since(start).Round(time.Second)
	ormMD += fmt.Sprintf("\nBoth layers ran in %v.\n", elapsed)
	lamMD += fmt.Sprintf("\nBoth layers ran in %v.\n", elapsed)

	if *out == "" {
		fmt.Print(ormMD, "\n", lamMD)
		return
	}
	for _, s := range []struct{ name, md string }{{"orm", ormMD}, {"lambda", lamMD}} {
		if err := bench.WriteSection(*out, s.name, s.md); err != nil {
			fmt.Fprintln(os.Stderr, "layerbench:", err)
			os.Exit(1)
		}
	}
	fmt.Fprintf(os.Stderr, "wrote %s (sections orm, lambda) in %v\n", *out, elapsed)
}

func header(title, cmd string, m bench.Machine, start time.Time, opt bench.Options) string {
	return fmt.Sprintf("## %s\n\n- Command: `%s`\n- Machine: %s, %s/%s, %s, %d cores; load average %s at the start\n- Date: %s\n- Method: %d timed rounds per workload after a %v warm-up, contenders interleaved, `runtime.GC()` before each contender's round; a round is %d requests or %v, whichever ends first. Each request is timed alone; ops/s = requests / summed latency. **ratio** = the first contender's throughput over the peer's, the median of the per-round ratios (smallest–largest round in small print): above 1 the first is faster.\n",
		title, cmd, m.Go, m.OS, m.Arch, m.CPU, m.Cores, m.Load, start.UTC().Format("2006-01-02 15:04 UTC"),
		opt.Rounds, opt.Warmup, opt.MaxOps, opt.Budget)
}

// ormBars are the ORM issue's targets, judged on this run.
func ormBars(rs []bench.Result) string {
	var b strings.Builder
	b.WriteString("### The bar\n\n")
	for _, c := range []struct{ id, name string }{{"Put", "Put"}, {"Get", "Get"}, {"Query", "Query"}} {
		t := layers.TimeRatio(layers.Find(rs, c.id), 0)
		b.WriteString(mark(t <= 1.3, fmt.Sprintf("%s: ORM time per request ≤ 1.3x the hand-written guregu path — %.2fx", c.name, t)))
	}
	t := layers.TimeRatio(layers.Find(rs, "Encode"), 1)
	b.WriteString(mark(t <= 1, fmt.Sprintf("item encoding at least as fast as attributevalue's MarshalMap — %.2fx the time", t)))
	return b.String()
}

func mark(ok bool, s string) string {
	if ok {
		return "- ✅ met: " + s + "\n"
	}
	return "- ❌ missed: " + s + "\n"
}

// overhead is what the layer adds per request, from the means.
func overhead(rs []bench.Result) string {
	var b strings.Builder
	for _, r := range rs {
		if len(r.Stats) < 2 || r.Stats[0].Wrong != "" || r.Stats[1].Wrong != "" {
			continue
		}
		a, p := r.Stats[0].Mean(), r.Stats[1].Mean()
		fmt.Fprintf(&b, "- %s: %s per invocation vs %s by hand (means), %s the difference.\n", r.Workload.Name,
			bench.FormatDuration(a), bench.FormatDuration(p), signed(a-p))
	}
	return b.String()
}

func signed(d time.Duration) string {
	if d < 0 {
		return "−" + bench.FormatDuration(-d) + " (monotable faster)"
	}
	if math.Abs(float64(d)) < 1 {
		return "0"
	}
	return "+" + bench.FormatDuration(d)
}
