package bench

import (
	"context"
	"testing"
)

// The store alone, on the suite's workloads and sizes, for profiling:
//
//	go test -run '^$' -bench 'Top10GSI/100k' -cpuprofile cpu.out ./internal/bench/

func BenchmarkGetItem(b *testing.B)        { benchmark(b, "GetItem") }
func BenchmarkPutItem(b *testing.B)        { benchmark(b, "PutItem") }
func BenchmarkLoad(b *testing.B)           { benchmark(b, "Load") }
func BenchmarkQueryLimit25(b *testing.B)   { benchmark(b, "QueryLimit25") }
func BenchmarkTop10GSI(b *testing.B)       { benchmark(b, "Top10GSI") }
func BenchmarkUpdateItem(b *testing.B)     { benchmark(b, "UpdateItem") }
func BenchmarkUpdateGSIKey(b *testing.B)   { benchmark(b, "UpdateGSIKey") }
func BenchmarkTransactWrite2(b *testing.B) { benchmark(b, "TransactWrite2") }
func BenchmarkScanFilter(b *testing.B)     { benchmark(b, "ScanFilter") }

func benchmark(b *testing.B, id string) {
	for _, w := range Suite(DefaultScale()) {
		if w.ID == id {
			b.Run(SizeLabel(w.Size), func(b *testing.B) { benchOne(b, w) })
		}
	}
}

// benchOne sends the workload's requests to a seeded store; the first
// answers of each round are checked, so a broken store fails rather than
// looking fast.
func benchOne(b *testing.B, w Workload) {
	ctx := context.Background()
	c := Monotable()
	env := Env{New: c.New}
	if w.Data.Kind != Empty {
		env.Client = c.New()
		if err := seed(ctx, env.Client, w.Data, nil); err != nil {
			b.Fatal(err)
		}
	}
	inst := w.New(env)
	round := 0
	if err := inst.Begin(ctx, round); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i, j := 0, 0; i < b.N; i, j = i+1, j+1 {
		if w.MaxOps > 0 && j == w.MaxOps { // the load: start a fresh table
			b.StopTimer()
			round++
			if err := inst.Begin(ctx, round); err != nil {
				b.Fatal(err)
			}
			j = 0
			b.StartTimer()
		}
		out, err := inst.Do(ctx, j)
		if j < 16 {
			if err := inst.Check(j, out, err); err != nil {
				b.Fatalf("request %d: %v", j, err)
			}
		}
	}
}
