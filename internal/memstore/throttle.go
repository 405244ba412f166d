package memstore

import (
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Throttling, opt in: tables in PROVISIONED billing mode serve at most
// their ReadCapacityUnits and WriteCapacityUnits per second (token buckets
// on the store clock, holding Burst worth of unused capacity) and reject
// the rest with ProvisionedThroughputExceededException, so retry code can
// be tested. On-demand tables never throttle.

// Throttling configures provisioned-capacity enforcement.
type Throttling struct {
	// Burst is how much unused capacity a table banks, as time at its
	// provisioned rate. DynamoDB keeps up to 300 seconds; zero means one
	// second, which makes throttling easy to reach in tests.
	Burst time.Duration
}

// WithThrottling enforces provisioned throughput.
func WithThrottling(th Throttling) Option {
	return func(s *Store) {
		if th.Burst <= 0 {
			th.Burst = time.Second
		}
		s.throttling = &th
	}
}

func throughputExceeded() error {
	return &types.ProvisionedThroughputExceededException{Message: aws.String(
		"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.")}
}

// bucket is a token bucket of capacity units.
type bucket struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
	primed bool
}

// take removes units if the bucket (refilled at rate per second, capped at
// rate*burst) holds them.
func (b *bucket) take(units, rate float64, burst time.Duration, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	limit := rate * burst.Seconds()
	if !b.primed {
		b.tokens, b.last, b.primed = limit, now, true
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens += elapsed * rate
		if b.tokens > limit {
			b.tokens = limit
		}
		b.last = now
	}
	if b.tokens < units {
		return false
	}
	b.tokens -= units
	return true
}

// admit charges a request's units to its table, or returns
// ProvisionedThroughputExceededException. Reads are charged after they are
// served (nothing changes), writes before they apply.
func (s *Store) admit(t *table, u *usage) error {
	if s.throttling == nil || t.billing != types.BillingModeProvisioned || u == nil {
		return nil
	}
	units := u.units
	for _, v := range u.indexes {
		units += v
	}
	rate := float64(aws.ToInt64(t.throughput.ReadCapacityUnits))
	b := &t.readBucket
	if u.write {
		rate = float64(aws.ToInt64(t.throughput.WriteCapacityUnits))
		b = &t.writeBucket
	}
	if !b.take(units, rate, s.throttling.Burst, s.now()) {
		return throughputExceeded()
	}
	return nil
}
