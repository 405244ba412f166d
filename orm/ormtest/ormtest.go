// Package ormtest provides an in-memory DynamoDB for tests, the way
// net/http/httptest provides a server: a real implementation of the
// service's semantics, not a mock. Each [New] store is private to its test.
package ormtest

import (
	"sync"
	"testing"
	"time"

	"github.com/monotable/monotable/internal/memstore"
)

// DB is an in-memory DynamoDB. It has the method set of *dynamodb.Client
// that the orm uses (GetItem, PutItem, Query, TransactWriteItems, ...), with
// the SDK's own input, output and error types.
type DB struct {
	*memstore.Store
}

// Option configures a DB.
type Option func(*config)

type config struct {
	clock    *Clock
	region   string
	eventual *memstore.EventualConsistency
	throttle *memstore.Throttling
}

// WithThrottling makes tables in PROVISIONED billing mode reject work past
// their provisioned capacity with ProvisionedThroughputExceededException
// (burst is the unused capacity a table banks, as time at its rate; zero
// means one second), so retry and backoff code can be tested.
func WithThrottling(burst time.Duration) Option {
	return func(cfg *config) { cfg.throttle = &memstore.Throttling{Burst: burst} }
}

// WithClock makes the DB read time from c, so a test can move time forward
// (TTL expiry, timestamps) deterministically.
func WithClock(c *Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithRegion sets the region that appears in ARNs (default us-east-1).
func WithRegion(region string) Option { return func(cfg *config) { cfg.region = region } }

// WithEventualConsistency makes eventually consistent reads and GSI reads
// return the data as it was lag ago (by the DB's clock), for the given
// fraction of reads, chosen by a seeded generator: read-your-write bugs
// that only appear on real DynamoDB then fail in tests, reproducibly.
// Strongly consistent reads and transactions stay exact.
func WithEventualConsistency(lag time.Duration, probability float64, seed uint64) Option {
	return func(cfg *config) {
		cfg.eventual = &memstore.EventualConsistency{Lag: lag, Probability: probability, Seed: seed}
	}
}

// New returns an empty in-memory DB for one test.
func New(tb testing.TB, opts ...Option) *DB {
	tb.Helper()
	db := NewDB(opts...)
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// NewDB returns an empty in-memory DB outside of a test: for benchmarks,
// tools and local runs.
func NewDB(opts ...Option) *DB {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	var storeOpts []memstore.Option
	if cfg.clock != nil {
		storeOpts = append(storeOpts, memstore.WithClock(cfg.clock.Now))
	}
	if cfg.eventual != nil {
		storeOpts = append(storeOpts, memstore.WithEventualConsistency(*cfg.eventual))
	}
	if cfg.throttle != nil {
		storeOpts = append(storeOpts, memstore.WithThrottling(*cfg.throttle))
	}
	if cfg.region != "" {
		storeOpts = append(storeOpts, memstore.WithRegion(cfg.region))
	}
	return &DB{Store: memstore.New(storeOpts...)}
}

// Clock is a manual clock for tests. The zero value is not usable; call
// [NewClock].
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
