package httpbench

import (
	"math"
	"runtime/metrics"
	"time"
)

// rtSample is the driver's runtime counters at one moment: how long
// runnable goroutines waited for a CPU, the garbage collector's
// stop-the-world pauses and its cycles. Differences between two samples
// describe a round.
type rtSample struct {
	wait, pause metrics.Float64Histogram
	gcs         uint64
}

var rtNames = []string{"/sched/latencies:seconds", "/sched/pauses/total/gc:seconds", "/gc/cycles/total:gc-cycles"}

func readRuntime() rtSample {
	ms := make([]metrics.Sample, len(rtNames))
	for i, n := range rtNames {
		ms[i].Name = n
	}
	metrics.Read(ms)
	var s rtSample
	if ms[0].Value.Kind() == metrics.KindFloat64Histogram {
		s.wait = copyHist(ms[0].Value.Float64Histogram())
	}
	if ms[1].Value.Kind() == metrics.KindFloat64Histogram {
		s.pause = copyHist(ms[1].Value.Float64Histogram())
	}
	if ms[2].Value.Kind() == metrics.KindUint64 {
		s.gcs = ms[2].Value.Uint64()
	}
	return s
}

func copyHist(h *metrics.Float64Histogram) metrics.Float64Histogram {
	return metrics.Float64Histogram{Counts: append([]uint64(nil), h.Counts...), Buckets: h.Buckets}
}

// RuntimeStats are the driver's runtime counters over a contender's timed
// rounds.
type RuntimeStats struct {
	Wait  hist   // goroutines' wait for a CPU (runnable to running)
	Pause hist   // stop-the-world pauses of the garbage collector
	GCs   uint64 // garbage collections
}

type hist struct {
	counts  []uint64
	buckets []float64
}

// add adds the difference b - a.
func (h *hist) add(a, b metrics.Float64Histogram) {
	if len(a.Counts) != len(b.Counts) {
		return
	}
	if h.counts == nil {
		h.counts, h.buckets = make([]uint64, len(b.Counts)), b.Buckets
	}
	for i := range b.Counts {
		h.counts[i] += b.Counts[i] - a.Counts[i]
	}
}

func (r *RuntimeStats) add(a, b rtSample) {
	r.Wait.add(a.wait, b.wait)
	r.Pause.add(a.pause, b.pause)
	r.GCs += b.gcs - a.gcs
}

// Quantile returns the q-quantile (the upper bound of its bucket), and
// false if nothing was recorded.
func (h hist) Quantile(q float64) (time.Duration, bool) {
	var n uint64
	for _, c := range h.counts {
		n += c
	}
	if n == 0 {
		return 0, false
	}
	want := uint64(math.Ceil(q * float64(n)))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= max(want, 1) {
			v := h.buckets[i+1]
			if math.IsInf(v, 1) {
				v = h.buckets[i]
			}
			return time.Duration(v * float64(time.Second)), true
		}
	}
	return 0, false
}
