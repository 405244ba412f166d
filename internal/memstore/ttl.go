package memstore

import (
	"context"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// ttlMaxAge: DynamoDB does not delete items whose expiry is more than five
// years in the past (such values are taken to be mistakes, e.g. millis).
const ttlMaxAge = 5 * 365 * 24 * time.Hour

// UpdateTimeToLive enables or disables TTL on one attribute.
func (s *Store) UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	if in == nil {
		in = &dynamodb.UpdateTimeToLiveInput{} // as the SDK does for a nil input
	}
	out, err := s.updateTTL(in)
	return out, wrap("UpdateTimeToLive", err)
}

func (s *Store) updateTTL(in *dynamodb.UpdateTimeToLiveInput) (*dynamodb.UpdateTimeToLiveOutput, error) {
	var c constraints
	c.notNull(in.TimeToLiveSpecification != nil, "timeToLiveSpecification")
	if in.TimeToLiveSpecification != nil {
		spec := in.TimeToLiveSpecification
		c.notNull(spec.AttributeName != nil, "timeToLiveSpecification.attributeName")
		c.notNull(spec.Enabled != nil, "timeToLiveSpecification.enabled")
		if spec.AttributeName != nil && (len(*spec.AttributeName) < 1 || len(*spec.AttributeName) > 255) {
			c.add(spec.AttributeName, "timeToLiveSpecification.attributeName", "Member must have length greater than or equal to 1")
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	t, err := s.controlTable(in.TableName)
	if err != nil {
		return nil, err
	}
	spec := *in.TimeToLiveSpecification
	t.mu.Lock()
	defer t.mu.Unlock()
	enabled := t.ttl != nil
	switch {
	case *spec.Enabled && enabled:
		return nil, validation("TimeToLive is already enabled")
	case !*spec.Enabled && !enabled:
		return nil, validation("TimeToLive is already disabled")
	case !*spec.Enabled && *t.ttl.AttributeName != *spec.AttributeName:
		return nil, validation("TimeToLive is active on a different AttributeName: current AttributeName is %s", *t.ttl.AttributeName)
	}
	if *spec.Enabled {
		t.ttl = &types.TimeToLiveSpecification{AttributeName: aws.String(*spec.AttributeName), Enabled: aws.Bool(true)}
	} else {
		t.ttl = nil
	}
	return &dynamodb.UpdateTimeToLiveOutput{TimeToLiveSpecification: &types.TimeToLiveSpecification{
		AttributeName: aws.String(*spec.AttributeName), Enabled: aws.Bool(*spec.Enabled),
	}}, nil
}

// DescribeTimeToLive reports whether TTL is enabled and on which attribute.
func (s *Store) DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error) {
	if in == nil {
		in = &dynamodb.DescribeTimeToLiveInput{} // as the SDK does for a nil input
	}
	t, err := s.controlTable(in.TableName)
	if err != nil {
		return nil, wrap("DescribeTimeToLive", err)
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	d := &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusDisabled}
	if t.ttl != nil {
		d.TimeToLiveStatus = types.TimeToLiveStatusEnabled
		d.AttributeName = aws.String(*t.ttl.AttributeName)
	}
	return &dynamodb.DescribeTimeToLiveOutput{TimeToLiveDescription: d}, nil
}

// expired reports whether DynamoDB's TTL process would delete item at now:
// the attribute is a Number of epoch seconds, in the past, but no more than
// five years in the past. Other types are ignored.
func expired(item attr.Item, ttlAttr string, now time.Time) bool {
	n, ok := item[ttlAttr].(*types.AttributeValueMemberN)
	if !ok {
		return false
	}
	d, err := attr.ParseNumber(n.Value)
	if err != nil {
		return false
	}
	f, err := d.Float64()
	if err != nil || math.IsInf(f, 0) {
		return false
	}
	nowSec := float64(now.Unix())
	return f <= nowSec && f >= nowSec-ttlMaxAge.Seconds()
}

// SweepExpired deletes every item whose TTL has passed, on every table
// with TTL enabled, and returns how many it deleted. Until it runs, expired
// items stay readable, as on DynamoDB. Tests call it to make expiry
// deterministic; a background sweeper calls it on a timer.
func (s *Store) SweepExpired() int {
	now := s.now()
	deleted := 0
	s.mu.RLock()
	tables := make([]*table, 0, len(s.tables))
	for _, t := range s.tables {
		tables = append(tables, t)
	}
	s.mu.RUnlock()
	for _, t := range tables {
		t.mu.Lock()
		if t.ttl != nil {
			name := *t.ttl.AttributeName
			var victims []attr.Item
			t.rows.Ascend(func(r *row) bool {
				if expired(r.item, name, now) {
					victims = append(victims, r.item)
				}
				return true
			})
			for _, item := range victims {
				t.deleteBy(t.keys.project(item, nil), true)
				deleted++
			}
		}
		t.mu.Unlock()
	}
	return deleted
}

// StartSweeper runs SweepExpired every interval in the background until
// Close. DynamoDB deletes expired items within days; a local endpoint
// sweeps often so expiry is visible while developing.
func (s *Store) StartSweeper(interval time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopSweep != nil {
		return
	}
	stop := make(chan struct{})
	s.stopSweep = stop
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				s.SweepExpired()
			}
		}
	}()
}

// Close stops the background sweeper, if any. The store stays usable.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopSweep != nil {
		close(s.stopSweep)
		s.stopSweep = nil
	}
	return nil
}
