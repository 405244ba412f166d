package memstore

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/btree"
)

// Eventual consistency, for real. Off by default: every read sees the
// latest write, like every other emulator. With WithEventualConsistency,
// eventually consistent reads (GetItem, Query, Scan and BatchGetItem
// without ConsistentRead) and every GSI read may return the table as it was
// Lag ago, as DynamoDB may; strongly consistent reads and transactions stay
// exact. Which reads are stale is drawn from a seeded generator, so a
// failing test fails the same way every run.

// EventualConsistency configures stale reads.
type EventualConsistency struct {
	// Lag is how far behind a stale read may be (by the store's clock).
	Lag time.Duration
	// Probability that an eligible read is served stale, in [0, 1].
	Probability float64
	// Seed makes the choice of stale reads reproducible.
	Seed uint64
}

// WithEventualConsistency turns on stale reads.
func WithEventualConsistency(ec EventualConsistency) Option {
	return func(s *Store) {
		s.eventual = &staleReads{cfg: ec, rng: rand.New(rand.NewPCG(ec.Seed, ec.Seed^0x9e3779b97f4a7c15))}
	}
}

type staleReads struct {
	cfg EventualConsistency
	mu  sync.Mutex
	rng *rand.Rand
}

// stale decides whether one eligible read is served from the past.
func (e *staleReads) stale() bool {
	if e == nil || e.cfg.Probability <= 0 {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rng.Float64() < e.cfg.Probability
}

// version is the table's trees as they were from `from` until the next
// write. Trees are copy-on-write clones, so keeping one costs O(1) and each
// later write copies only the nodes it touches.
type version struct {
	from    time.Time
	rows    *btree.BTreeG[*row]
	indexes map[*index]*btree.BTreeG[*row]
}

// history keeps the versions a stale read may need; the caller holds the
// table's write lock.
type history struct {
	lag       time.Duration
	lastWrite time.Time
	versions  []version
}

// beforeWrite saves the current state before a write at now.
func (h *history) beforeWrite(t *table, now time.Time) {
	if h == nil {
		return
	}
	v := version{from: h.lastWrite, rows: t.rows.Clone(), indexes: make(map[*index]*btree.BTreeG[*row], len(t.indexes))}
	for _, ix := range t.indexes {
		v.indexes[ix] = ix.rows.Clone()
	}
	h.versions = append(h.versions, v)
	h.lastWrite = now
	// Drop versions no read can reach: keep the newest one at least lag old.
	horizon := now.Add(-h.lag)
	keep := 0
	for i, old := range h.versions {
		if !old.from.After(horizon) {
			keep = i
		}
	}
	if keep > 0 {
		h.versions = append(h.versions[:0:0], h.versions[keep:]...)
	}
}

// at returns the trees as of time at, or nil for the current state.
func (h *history) at(at time.Time) *version {
	if h == nil || !h.lastWrite.After(at) {
		return nil
	}
	for i := len(h.versions) - 1; i >= 0; i-- {
		if !h.versions[i].from.After(at) {
			return &h.versions[i]
		}
	}
	if len(h.versions) > 0 {
		return &h.versions[0]
	}
	return nil
}

// readView picks the trees one read uses: the present, or (for an eligible
// read drawn to be stale) the state Lag ago. The caller holds t.mu.
func (s *Store) readView(t *table, eligible bool) *version {
	if !eligible || t.history == nil || !s.eventual.stale() {
		return nil
	}
	return t.history.at(s.now().Add(-s.eventual.cfg.Lag))
}
