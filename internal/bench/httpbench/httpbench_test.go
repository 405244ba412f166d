package httpbench

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/bench"
	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/memstore/wire"
)

var quick = Options{Size: 200, Workers: 4, Rounds: 2, Round: 40 * time.Millisecond, Warmup: 10 * time.Millisecond}

// TestSuiteChecksEveryAnswer runs every workload briefly against monotable's
// endpoint and against an endpoint that lies: monotable must be right
// everywhere, with every answer checked, and the liar caught everywhere.
func TestSuiteChecksEveryAnswer(t *testing.T) {
	mono, err := StartMonotable()
	if err != nil {
		t.Fatal(err)
	}
	defer mono.Close()
	st := memstore.New()
	defer st.Close()
	lie, err := Serve(wire.NewHandler(liar{st}))
	if err != nil {
		t.Fatal(err)
	}
	defer lie.Close()

	opt := quick
	opt.Logf = t.Logf
	cs := []Contender{
		{Name: "monotable", Client: NewClient(mono.Endpoint, opt.Workers)},
		{Name: "liar", Client: NewClient(lie.Endpoint, opt.Workers)},
	}
	ws := Workloads()
	rs, err := Run(context.Background(), cs, ws, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(ws) {
		t.Fatalf("%d results for %d workloads", len(rs), len(ws))
	}
	for _, r := range rs {
		m, l := r.Stats[0], r.Stats[1]
		switch {
		case m.Wrong != "":
			t.Errorf("%s: monotable answered wrong: %s", r.Workload.ID, m.Wrong)
		case m.Ops == 0 || len(m.Rounds) != opt.Rounds || m.Checked < m.Ops:
			t.Errorf("%s: monotable sent %d requests in %d rounds, %d answers checked", r.Workload.ID, m.Ops, len(m.Rounds), m.Checked)
		case m.P50 <= 0 || m.P99 < m.P50 || m.OpsPerSec() <= 0:
			t.Errorf("%s: monotable p50 %v p99 %v, %v ops/s", r.Workload.ID, m.P50, m.P99, m.OpsPerSec())
		}
		if l.Wrong == "" {
			t.Errorf("%s: an endpoint that lies went unnoticed", r.Workload.ID)
		}
	}

	md := Report{Command: "test", Machine: bench.ThisMachine(), Node: "none", Dynalite: DynaliteVersion, Options: opt, Results: rs}.Markdown()
	for _, want := range []string{"| workload | monotable ops/s |", "| GetItem |", "**WRONG**", "### The bar", "GetItem: throughput ≥ 10x liar"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if n := len(Bars(rs)); n != 2*len(ws) {
		t.Errorf("%d bars, want %d", n, 2*len(ws))
	}
}

// TestDynalite installs dynalite if it can, and runs the suite briefly
// against both endpoints. Without node and npm (or without the network to
// install it), it is skipped: the suite's own checks run above.
func TestDynalite(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	if !HaveNode() {
		t.Skip("node or npm not on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cache := DefaultCacheDir()
	if err := InstallDynalite(ctx, cache, t.Logf); err != nil {
		t.Skipf("cannot install dynalite: %v", err)
	}
	dyn, err := StartDynalite(ctx, cache)
	if err != nil {
		t.Fatal(err)
	}
	defer dyn.Close()
	mono, err := StartMonotable()
	if err != nil {
		t.Fatal(err)
	}
	defer mono.Close()

	opt := quick
	opt.Rounds, opt.Logf = 1, t.Logf
	cs := []Contender{
		{Name: "monotable", Client: NewClient(mono.Endpoint, opt.Workers)},
		{Name: "dynalite", Client: NewClient(dyn.Endpoint, opt.Workers), Pid: dyn.Pid()},
	}
	rs, err := Run(ctx, cs, Workloads(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		for _, s := range r.Stats {
			if s.Wrong != "" {
				t.Errorf("%s: %s answered wrong: %s", r.Workload.ID, s.Contender, s.Wrong)
			}
		}
		if !(r.Ratio > 0) {
			t.Errorf("%s: ratio %v", r.Workload.ID, r.Ratio)
		}
	}
	md := Report{Command: "test", Machine: bench.ThisMachine(), Node: "test", Dynalite: dyn.Version, Options: opt, Results: rs}.Markdown()
	for _, want := range []string{"| Query, Limit 25, in one partition |", "Where the time goes", "| UpdateItem (SET + ADD) | "} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	closeIdle(cs[1].Client)
	dyn.Close()
	if !dyn.Exited() {
		t.Error("dynalite still runs after Close")
	}
}

// liar is a store whose every answer is slightly wrong, and whose PutItem
// writes nothing.
type liar struct{ *memstore.Store }

func corrupt(it item) item {
	if it == nil {
		return nil
	}
	c := maps.Clone(it)
	for k, v := range c {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			c[k] = str(v.Value + "~")
		case *types.AttributeValueMemberN:
			c[k] = &types.AttributeValueMemberN{Value: v.Value + "1"}
		}
	}
	return c
}

func (l liar) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out, err := l.Store.GetItem(ctx, in, o...)
	if out != nil {
		out.Item = corrupt(out.Item)
	}
	return out, err
}

func (l liar) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return &dynamodb.PutItemOutput{}, nil
}

func (l liar) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := l.Store.Query(ctx, in, o...)
	if out != nil && len(out.Items) > 1 {
		out.Items[0], out.Items[1] = out.Items[1], out.Items[0]
	}
	return out, err
}

func (l liar) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	out, err := l.Store.UpdateItem(ctx, in, o...)
	if out != nil {
		out.Attributes = corrupt(out.Attributes)
	}
	return out, err
}

// TestCeiling: the canned server answers every GetItem of the workload
// right, and the report states the ceiling against the peer's GetItem.
func TestCeiling(t *testing.T) {
	st, err := Ceiling(context.Background(), quick)
	if err != nil {
		t.Fatal(err)
	}
	if st.Wrong != "" || st.Ops == 0 || len(st.Rounds) != quick.Rounds || st.P50 <= 0 {
		t.Fatalf("ceiling: %d requests in %d rounds, p50 %v, wrong %q", st.Ops, len(st.Rounds), st.P50, st.Wrong)
	}
	peer := Stats{Contender: "peer", Ops: st.Ops / 4, Wall: st.Wall}
	rs := []Result{{Workload: getItem(), Stats: []Stats{st, peer}, Ratio: 4, RoundRatios: []float64{4}}}
	md := Report{Machine: bench.ThisMachine(), Options: quick, Results: rs, Ceiling: &st}.Markdown()
	for _, want := range []string{"The harness's ceiling", "x peer's GetItem in this run, where 10x would take"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}
