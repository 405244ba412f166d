// Package httpbench measures the local DynamoDB endpoint — the in-memory
// store behind the JSON 1.0 wire handler, as `monotable local` serves it —
// against dynalite (npm), in one run, over real loopback TCP, and writes the
// comparison into the http section of BENCHMARKS.md.
//
// # Contenders
//
// monotable is [wire.NewHandler] over [memstore.New] in an [http.Server] on a
// free loopback port of the driver's own process. dynalite is installed
// from npm into a cache directory if it is missing ([InstallDynalite]), run
// with node on a free loopback port and killed at the end ([StartDynalite]).
// Each is driven by its own aws-sdk-go-v2 *dynamodb.Client ([NewClient]):
// static credentials, us-east-1, no retries, keep-alive connections.
//
// # Method
//
// [Run] seeds each endpoint's table through BatchWriteItem, then runs every
// [Workload] with W concurrent workers in interleaved rounds (A then B, B
// then A, …) of a fixed duration. Each worker owns the keys it writes, so
// every answer can be checked exactly (right item, right count, right
// order, right counter); writes are read back after each round. A contender
// that answers wrong, or fails a request, is reported WRONG, not timed.
// Throughput is requests completed over the round's wall time; latency is
// per request as the client sees it (SDK serialisation included, the same
// for both). The ratio is the median of the per-round throughput ratios.
//
// [Ceiling] runs the GetItem workload the same way against a server that
// only decodes the request and writes a response encoded before the run:
// the most any endpoint can reach with this client on this machine, which
// puts the ratios in proportion.
//
// cmd/httpbench is the driver (make bench-http).
//
// [wire.NewHandler]: github.com/monotable/monotable/internal/memstore/wire.NewHandler
// [memstore.New]: github.com/monotable/monotable/internal/memstore.New
package httpbench
