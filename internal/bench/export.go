package bench

import "time"

// The report's number formats and statistics, for the other layers' drivers
// (internal/bench/httpbench), so that every section of BENCHMARKS.md writes
// numbers the same way.

// FormatRate writes a throughput: 12,345 or 34.1 or 1.82.
func FormatRate(x float64) string { return fmtRate(x) }

// FormatRatio writes a ratio: 1.83x or 1,598x.
func FormatRatio(x float64) string { return fmtRatio(x) }

// FormatDuration writes a latency to three significant digits: 14.8 µs.
func FormatDuration(d time.Duration) string { return fmtDur(d) }

// Median is the median of xs (NaN for none); xs is not reordered.
func Median(xs []float64) float64 { return median(xs) }
