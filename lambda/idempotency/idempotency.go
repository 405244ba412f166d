// Package idempotency makes an operation run once per key, however many
// times, and however concurrently, it is invoked: the first caller runs
// it, callers while it runs get [ErrInProgress], and later callers get
// the stored result, until the record expires.
//
// Records live in a DynamoDB table, typically the app's single table,
// written with conditional requests only, so concurrent duplicate
// invocations in different Lambda instances are safe:
//
//   - a PutItem with the condition "no record, or an expired one, or an
//     in-progress one whose owner ran out of time" claims the key;
//   - the owner's UpdateItem stores the result, and its DeleteItem drops
//     the claim when the operation fails, so a retry can run it; both are
//     conditional on still owning the record.
//
// An in-progress claim lasts until the Lambda deadline of the invocation
// that made it (the context's deadline), so a function killed by its
// timeout does not block the key beyond it. A completed record lasts
// [WithExpiry] (one hour by default) and carries a TTL attribute, so
// DynamoDB deletes it afterwards; reads treat it as absent as soon as it
// expires, as DynamoDB's deletion may lag.
//
// A key reused with a different payload fails with [ErrPayloadMismatch]
// rather than replaying a result computed for other input.
//
// Records have the entity type "idempotency" in the type attribute, so
// stream handlers routed by entity never see them unless they ask.
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
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/lambda"
)

// Client is the part of *dynamodb.Client a Store uses. The SDK's client,
// orm.Client and ormtest's in-memory DB satisfy it.
type Client interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

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

// Attributes name the attributes of the table a Store writes. Zero fields
// take the single-table defaults: "pk", "sk", "type", "ttl". SK "-" is a
// table without a sort key.
type Attributes struct {
	PK, SK, Type, TTL string
}

// Store keeps idempotency records in one table.
type Store struct {
	client     Client
	table      string
	attrs      Attributes
	expiry     time.Duration
	inProgress time.Duration
	now        func() time.Time
}

// Option configures a Store.
type Option func(*Store)

// WithAttributes sets the table's attribute names.
func WithAttributes(a Attributes) Option { return func(s *Store) { s.attrs = a } }

// WithExpiry sets how long a completed result is replayed (default 1h).
func WithExpiry(d time.Duration) Option { return func(s *Store) { s.expiry = d } }

// WithInProgressTimeout sets how long a claim lasts when the context has
// no deadline, as outside Lambda (default 1m).
func WithInProgressTimeout(d time.Duration) Option { return func(s *Store) { s.inProgress = d } }

// WithClock sets the clock that expiry is measured by (tests).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns a Store writing to table through client.
func New(client Client, table string, opts ...Option) *Store {
	s := &Store{client: client, table: table, expiry: time.Hour, inProgress: time.Minute, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&s.attrs.PK, "pk")
	def(&s.attrs.SK, "sk")
	def(&s.attrs.Type, "type")
	def(&s.attrs.TTL, "ttl")
	return s
}

const (
	statusInProgress = "INPROGRESS"
	statusCompleted  = "COMPLETED"
	entityType       = "idempotency"
	keyPrefix        = "IDEMPOTENCY#"
)

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

func (s *Store) key(key string) map[string]types.AttributeValue {
	id := &types.AttributeValueMemberS{Value: keyPrefix + key}
	k := map[string]types.AttributeValue{s.attrs.PK: id}
	if s.attrs.SK != "-" {
		k[s.attrs.SK] = id
	}
	return k
}

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// acquire claims key, or returns the stored result of a completed run.
func (s *Store) acquire(ctx context.Context, key, hash string) (owner string, replay []byte, err error) {
	owner = rand.Text()
	for attempt := 0; attempt < 3; attempt++ {
		now := s.now()
		until := now.Add(s.inProgress)
		if d, ok := ctx.Deadline(); ok {
			until = d
		}
		item := s.key(key)
		item[s.attrs.Type] = str(entityType)
		item["status"] = str(statusInProgress)
		item["hash"] = str(hash)
		item["owner"] = str(owner)
		item["until"] = num(until.UnixMilli())
		item[s.attrs.TTL] = num(now.Add(s.expiry).Unix())
		_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:           aws.String(s.table),
			Item:                item,
			ConditionExpression: aws.String("attribute_not_exists(#pk) OR #ttl < :now OR (#status = :inprogress AND #until < :nowms)"),
			ExpressionAttributeNames: map[string]string{
				"#pk": s.attrs.PK, "#ttl": s.attrs.TTL, "#status": "status", "#until": "until",
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":now": num(now.Unix()), ":nowms": num(now.UnixMilli()), ":inprogress": str(statusInProgress),
			},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if err == nil {
			return owner, nil, nil
		}
		var ccf *types.ConditionalCheckFailedException
		if !errors.As(err, &ccf) {
			return "", nil, fmt.Errorf("idempotency: claiming the key: %w", err)
		}
		old := ccf.Item
		if old == nil {
			out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: s.key(key), ConsistentRead: aws.Bool(true)})
			if err != nil {
				return "", nil, fmt.Errorf("idempotency: reading the record: %w", err)
			}
			if old = out.Item; old == nil {
				continue // released meanwhile: claim again
			}
		}
		if attrS(old, "status") != statusCompleted {
			return "", nil, ErrInProgress
		}
		if attrS(old, "hash") != hash {
			return "", nil, ErrPayloadMismatch
		}
		data, _ := old["data"].(*types.AttributeValueMemberB)
		if data == nil {
			return "", nil, errors.New("idempotency: completed record has no result")
		}
		return "", data.Value, nil
	}
	return "", nil, ErrInProgress
}

func attrS(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// ownerCond makes a write apply only while owner holds the record: after
// its claim expired, another invocation may have taken over.
func ownerCond(owner string) (*string, map[string]types.AttributeValue) {
	return aws.String("#owner = :owner"), map[string]types.AttributeValue{":owner": str(owner)}
}

// complete stores the result. Failing to store it is not the caller's
// failure: the operation ran; at worst a retry after the claim expires
// runs it again.
func (s *Store) complete(ctx context.Context, key, owner string, data []byte) {
	cond, vals := ownerCond(owner)
	vals[":done"] = str(statusCompleted)
	vals[":data"] = &types.AttributeValueMemberB{Value: data}
	vals[":exp"] = num(s.now().Add(s.expiry).Unix())
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       s.key(key),
		UpdateExpression:          aws.String("SET #status = :done, #data = :data, #ttl = :exp REMOVE #until"),
		ConditionExpression:       cond,
		ExpressionAttributeNames:  map[string]string{"#status": "status", "#data": "data", "#ttl": s.attrs.TTL, "#until": "until", "#owner": "owner"},
		ExpressionAttributeValues: vals,
	})
	if err != nil {
		lambda.Logger(ctx).Warn("idempotency: result not stored", "key", key, "error", err.Error())
	}
}

// release drops a claim after a failure.
func (s *Store) release(ctx context.Context, key, owner string) {
	cond, vals := ownerCond(owner)
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       s.key(key),
		ConditionExpression:       cond,
		ExpressionAttributeNames:  map[string]string{"#owner": "owner"},
		ExpressionAttributeValues: vals,
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		lambda.Logger(ctx).Warn("idempotency: claim not released", "key", key, "error", err.Error())
	}
}
