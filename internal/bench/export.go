package bench

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

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

// Answer checks shared with the other layers' drivers: each returns nil or
// a description of the difference.

// WantS checks a string attribute.
func WantS(it map[string]types.AttributeValue, name, want string) error { return wantS(it, name, want) }

// WantAll returns the first error among errs.
func WantAll(errs ...error) error { return wantAll(errs...) }

// Show renders a value for a message: quoted string, number, <missing>.
func Show(v types.AttributeValue) string { return show(v) }
