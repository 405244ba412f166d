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
	clock  *Clock
	region string
}

// WithClock makes the DB read time from c, so a test can move time forward
// (TTL expiry, timestamps) deterministically.
func WithClock(c *Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithRegion sets the region that appears in ARNs (default us-east-1).
func WithRegion(region string) Option { return func(cfg *config) { cfg.region = region } }

// New returns an empty in-memory DB for one test.
func New(tb testing.TB, opts ...Option) *DB {
	tb.Helper()
	return NewDB(opts...)
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
