package httpbench

import (
	"context"
	"io"
	"net/http"
	"runtime/pprof"
	"strings"
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

// The floor under every endpoint on this machine: a bare net/http POST of
// a GetItem-sized body over loopback to a handler that writes a fixed
// GetItem-sized answer — no SDK, no signing, no JSON. Its ns/op with -cpu 2
// bounds the requests per second any server can be sent here by a Go
// client sharing the machine:
//
//	go test -run '^$' -bench LoopbackFloor -cpu 2 ./internal/bench/httpbench/
func BenchmarkLoopbackFloor(b *testing.B) {
	const answer = `{"Item":{"pk":{"S":"U#0000001"},"sk":{"S":"PROFILE"},"name":{"S":"user-1"},"score":{"N":"107920"}}}`
	srv, err := Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		io.WriteString(w, answer)
	}))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}}
	defer c.CloseIdleConnections()
	const body = `{"Key":{"pk":{"S":"U#0000001"},"sk":{"S":"PROFILE"}},"TableName":"httpbench"}`
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Post(srv.Endpoint, "application/x-amz-json-1.0", strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if n != int64(len(answer)) {
				b.Errorf("read %d bytes, want %d", n, len(answer))
				return
			}
		}
	})
}
