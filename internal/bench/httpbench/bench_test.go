package httpbench

import (
	"context"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
)

// monotable's endpoint alone under concurrent load, over loopback TCP, for
// profiling the wire handler with the client that drives it:
//
//	go test -run '^$' -bench Endpoint/GetItem -cpu 2 -cpuprofile cpu.out ./internal/bench/httpbench/
//	go tool pprof -top -tagfocus side=server cpu.out
//
// Samples with side=server are the server's connections (net/http, the wire
// handler, the store); side=client the SDK client; no label, the runtime
// (garbage collector, scheduler).
//
// Each of GOMAXPROCS×4 goroutines sends one request at a time; every answer
// is checked.
func BenchmarkEndpoint(b *testing.B) {
	const size = 10_000
	srv, err := StartMonotable()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	const maxWorkers = 256
	c := NewClient(srv.Endpoint, maxWorkers)
	defer closeIdle(c)
	if err := seed(context.Background(), c, size); err != nil {
		b.Fatal(err)
	}
	for _, w := range Workloads() {
		// The workers outlive each b.N attempt: a writer's expectations
		// (UpdateItem's counters) are the table's history.
		workers := make([]Worker, maxWorkers)
		for i := range workers {
			workers[i] = w.New(c, size, i, maxWorkers)
		}
		round := 0
		b.Run(w.ID, func(b *testing.B) {
			round++
			var next atomic.Int32
			var mu sync.Mutex
			var first error
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := int(next.Add(1)) - 1
				if i >= maxWorkers {
					panic("too many workers")
				}
				pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("side", "client")))
				wk := workers[i]
				wk.Begin(round)
				ctx := context.Background()
				for pb.Next() {
					wk.Next()
					out, err := wk.Do(ctx)
					if err := wk.Check(out, err); err != nil {
						mu.Lock()
						if first == nil {
							first = err
						}
						mu.Unlock()
						return
					}
				}
			})
			if first != nil {
				b.Fatal(first)
			}
		})
	}
}
