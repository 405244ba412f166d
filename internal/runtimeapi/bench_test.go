//go:build unix

package runtimeapi

import (
	"context"
	"testing"
	"time"
)

// BenchmarkInvokeWarm is one invocation's round trip through a warm
// environment: the event handed over on /next, the handler run, the response
// posted, the runtime back on /next, the logs cut.
func BenchmarkInvokeWarm(b *testing.B) {
	f := newFunction(b, Config{})
	ctx := context.Background()
	event := []byte(`{"op":"ping"}`)
	if res, err := f.Invoke(ctx, event); err != nil || res.FunctionError != nil {
		b.Fatal(err, res.FunctionError)
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := f.Invoke(ctx, event)
		if err != nil || res.FunctionError != nil {
			b.Fatal(err, res.FunctionError)
		}
	}
}

// BenchmarkInvokeWarmParallel drives two warm environments at once.
func BenchmarkInvokeWarmParallel(b *testing.B) {
	f := newFunction(b, Config{MaxInstances: 2})
	event := []byte(`{"op":"ping"}`)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := f.Invoke(context.Background(), event)
			if err != nil || res.FunctionError != nil {
				b.Error(err, res.FunctionError)
				return
			}
		}
	})
}

// BenchmarkColdStart is a first invocation: process start to first
// response. init-ms is the part up to the runtime's first /next (Lambda's
// Init Duration). Closing the environment is not timed.
func BenchmarkColdStart(b *testing.B) {
	path := bootstrap(b)
	ctx := context.Background()
	event := []byte(`{"op":"ping"}`)
	var init time.Duration
	for i := 0; i < b.N; i++ {
		f, err := New(Config{Bootstrap: path})
		if err != nil {
			b.Fatal(err)
		}
		res, err := f.Invoke(ctx, event)
		b.StopTimer()
		if err != nil || res.FunctionError != nil || res.InitDuration == 0 {
			b.Fatal(err, res.FunctionError, res.InitDuration, "\n"+res.Logs)
		}
		init += res.InitDuration
		f.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(init.Microseconds())/1000/float64(b.N), "init-ms/op")
}
