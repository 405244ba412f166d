// Package bench measures the in-memory store against its in-process peer,
// truora/minidyn, in one run, and writes the comparison into BENCHMARKS.md.
//
// Both contenders are driven through [Client], the part of *dynamodb.Client's
// method set the workloads use, so every workload is one piece of code.
//
// # Method
//
// [Run] seeds each contender's table through its own PutItem, then runs every
// [Workload] in interleaved rounds (A then B, B then A, …). A round sends a
// contender requests until it has sent the workload's op cap or spent the
// round's time budget, timing each request alone. Every answer is checked
// (right item, right count, right order) and writes are read back after the
// round; a contender that answers wrong is reported WRONG, not timed. The
// ratio between two contenders is the median of the per-round throughput
// ratios, so drift in the machine's speed during the run cancels out.
//
// cmd/benchsuite is the driver (make bench); the go test benchmarks in this
// package run the same workloads against the store alone, for profiling.
package bench
