// Package idempotency makes an operation run once per key, however many
// times, and however concurrently, it is invoked: the first caller runs
// it, callers while it runs get [ErrInProgress], and later callers get
// the stored result, until the record expires.
//
// Records are an entity of the app's single table, "idempotency", kept
// through package orm (see [New]) and written with conditional requests
// only, so concurrent duplicate invocations in different Lambda
// instances are safe:
//
//   - a Put with the condition "no record, or an expired one, or an
//     in-progress one whose owner ran out of time" claims the key; when
//     it is refused, the record it found comes back with the refusal
//     ([orm.ConditionError]), so a duplicate costs one request;
//   - the owner's Update stores the result, and its Delete drops the
//     claim when the operation fails, so a retry can run it; both are
//     conditional on still owning the record.
//
// An in-progress claim lasts until the Lambda deadline of the invocation
// that made it (the context's deadline), so a function killed by its
// timeout does not block the key beyond it. A completed record lasts
// [WithExpiry] (one hour by default) and carries the table's TTL
// attribute, so DynamoDB deletes it afterwards; the orm treats it as
// absent as soon as it expires, as DynamoDB's deletion may lag, and the
// claim replaces an expired record that is still there.
//
// A key reused with a different payload fails with [ErrPayloadMismatch]
// rather than replaying a result computed for other input.
//
// Stream handlers that decode items with [orm.Table.Decode] see records
// as values of an unexported type; route by entity to skip them.
package idempotency

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/monotable/monotable/lambda"
	"github.com/monotable/monotable/orm"
)

// statusError is an error with the HTTP status the lambda package serves
// it with.
type statusError struct {
	msg    string
	status int
}

func (e *statusError) Error() string   { return e.msg }
func (e *statusError) HTTPStatus() int { return e.status }

var (
	// ErrInProgress: another invocation holds the key and has not
	// finished. Served as 409 Conflict; the client retries later.
	ErrInProgress error = &statusError{"idempotency: a request with this key is in progress", http.StatusConflict}
	// ErrPayloadMismatch: the key was used before with another payload.
	// Served as 422 Unprocessable Content.
	ErrPayloadMismatch error = &statusError{"idempotency: the key was used with a different payload", http.StatusUnprocessableEntity}
)

// Store keeps idempotency records in the app's table.
type Store struct {
	recs       records
	expiry     time.Duration
	inProgress time.Duration
	now        func() time.Time
}

// Option configures a Store.
type Option func(*Store)

// WithExpiry sets how long a completed result is replayed (default 1h).
func WithExpiry(d time.Duration) Option { return func(s *Store) { s.expiry = d } }

// WithInProgressTimeout sets how long a claim lasts when the context has
// no deadline, as outside Lambda (default 1m).
func WithInProgressTimeout(d time.Duration) Option { return func(s *Store) { s.inProgress = d } }

// WithClock sets the clock that claims and expiry are measured by. Pass
// the table's own (orm.WithClock): the orm judges an item's TTL by it.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns a Store keeping its records in table, whose layout names
// the key, type and TTL attributes; it registers the "idempotency"
// entity on table, and fails as orm.Register does (a bad layout, an
// entity of that name or key prefix already there).
func New(table *orm.Table, opts ...Option) (*Store, error) {
	s := &Store{expiry: time.Hour, inProgress: time.Minute, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	var err error
	if len(table.CreateTableInput().KeySchema) == 1 { // SK "-"
		s.recs, err = register[hashRecord](table)
	} else {
		s.recs, err = register[record](table)
	}
	if err != nil {
		return nil, fmt.Errorf("idempotency: %w", err)
	}
	return s, nil
}

// Do runs fn once for key. payload is the operation's input (hashed as
// JSON, so a reused key with other input is refused); the result is
// stored as JSON and replayed to later callers with the same key, which
// must therefore ask for the same T. When fn fails, nothing is stored and
// the error is returned: a retry runs fn again.
func Do[T any](ctx context.Context, s *Store, key string, payload any, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	if key == "" {
		return zero, errors.New("idempotency: empty key")
	}
	hash, err := hashOf(payload)
	if err != nil {
		return zero, err
	}
	owner, replay, err := s.acquire(ctx, key, hash)
	if err != nil {
		return zero, err
	}
	if replay != nil {
		var v T
		if err := json.Unmarshal(replay, &v); err != nil {
			return zero, fmt.Errorf("idempotency: decoding the stored result: %w", err)
		}
		return v, nil
	}
	done := false
	defer func() {
		if !done { // fn failed or panicked: let a retry run it
			s.release(context.WithoutCancel(ctx), key, owner)
		}
	}()
	v, err := fn(ctx)
	if err != nil {
		return zero, err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return zero, fmt.Errorf("idempotency: encoding the result: %w", err)
	}
	done = true
	s.complete(context.WithoutCancel(ctx), key, owner, data)
	return v, nil
}

func hashOf(payload any) (string, error) {
	if payload == nil {
		return "", nil
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("idempotency: hashing the payload: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// acquire claims key, or returns the stored result of a completed run.
func (s *Store) acquire(ctx context.Context, key, hash string) (owner string, replay []byte, err error) {
	owner = rand.Text()
	for attempt := 0; attempt < 3; attempt++ {
		now := s.now()
		until := now.Add(s.inProgress)
		if d, ok := ctx.Deadline(); ok {
			until = d
		}
		expires := now.Add(s.expiry)
		if until.After(expires) { // the TTL must not end the claim early
			expires = until.Add(time.Second)
		}
		r := state{Key: key, Status: statusInProgress, Hash: hash, Owner: owner, Until: until.UnixMilli(), Expires: expires}
		claimable := orm.Or(
			orm.NotExists("Status"), // every record has one: no record
			orm.Le("Expires", now),  // expired, not yet deleted by DynamoDB
			orm.And(orm.Eq("Status", statusInProgress), orm.Lt("Until", now.UnixMilli())),
		)
		old, err := s.recs.put(ctx, r, orm.If(claimable))
		if err == nil {
			return owner, nil, nil
		}
		if !errors.Is(err, orm.ErrConditionFailed) {
			return "", nil, fmt.Errorf("idempotency: claiming the key: %w", err)
		}
		if old == nil { // not returned with the refusal
			got, err := s.recs.get(ctx, key)
			if errors.Is(err, orm.ErrNotFound) {
				continue // released or expired meanwhile: claim again
			}
			if err != nil {
				return "", nil, fmt.Errorf("idempotency: reading the record: %w", err)
			}
			old = &got
		}
		if old.Status != statusCompleted {
			return "", nil, ErrInProgress
		}
		if old.Hash != hash {
			return "", nil, ErrPayloadMismatch
		}
		if old.Data == nil {
			return "", nil, errors.New("idempotency: completed record has no result")
		}
		return "", old.Data, nil
	}
	return "", nil, ErrInProgress
}

// owns makes a write apply only while owner holds the record: after its
// claim expired, another invocation may have taken over.
func owns(owner string) orm.Option { return orm.If(orm.Eq("Owner", owner)) }

// complete stores the result. Failing to store it is not the caller's
// failure: the operation ran; at worst a retry after the claim expires
// runs it again.
func (s *Store) complete(ctx context.Context, key, owner string, data []byte) {
	err := s.recs.update(ctx, key,
		orm.Set("Status", statusCompleted), orm.Set("Data", data),
		orm.Set("Expires", s.now().Add(s.expiry)), orm.Remove("Until"), owns(owner))
	if err != nil {
		lambda.Logger(ctx).Warn("idempotency: result not stored", "key", key, "error", err.Error())
	}
}

// release drops a claim after a failure.
func (s *Store) release(ctx context.Context, key, owner string) {
	err := s.recs.delete(ctx, key, owns(owner))
	if err != nil && !errors.Is(err, orm.ErrConditionFailed) {
		lambda.Logger(ctx).Warn("idempotency: claim not released", "key", key, "error", err.Error())
	}
}
