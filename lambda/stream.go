package lambda

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/guregu/dynamo/v2"
)

// Change is one record of a DynamoDB stream with its images decoded.
type Change[T any] struct {
	Event  string // "INSERT", "MODIFY" or "REMOVE"
	Entity string // the item's entity type attribute, "" if the images lack it
	// Old and New are the item before and after the change, when the
	// stream's view type carries them (nil for an INSERT's Old, a REMOVE's
	// New, and both with KEYS_ONLY).
	Old, New *T
	Keys     Item
	// Expired marks a REMOVE made by DynamoDB's TTL process rather than by
	// a user: the record's userIdentity is the dynamodb.amazonaws.com
	// service.
	Expired bool
	Record  *events.DynamoDBEventRecord
}

// Decoder decodes the items of one entity type. *orm.Model[T] is one;
// [Entity] makes one for any type with dynamo tags.
type Decoder[T any] interface {
	Entity() string
	Decode(item Item) (T, error)
}

// Entity returns a Decoder for the items whose entity type attribute is
// name, decoded by their dynamo:"..." tags (github.com/guregu/dynamo, the
// encoding the orm follows). With T = [Item] the items are passed as they
// are. The name "" matches the records no other handler takes.
func Entity[T any](name string) Decoder[T] { return entity[T](name) }

type entity[T any] string

func (e entity[T]) Entity() string { return string(e) }

func (e entity[T]) Decode(item Item) (T, error) {
	var v T
	if p, ok := any(&v).(*Item); ok {
		*p = item
		return v, nil
	}
	err := dynamo.UnmarshalItem(item, &v)
	return v, err
}

// WithEntityAttribute names the attribute that holds an item's entity type,
// by which stream records are routed (default "type", the orm's default).
func WithEntityAttribute(name string) Option { return func(a *App) { a.entityAttr = name } }

type changeFunc func(ctx context.Context, rec *events.DynamoDBEventRecord, entity string) error

// OnChange routes the stream records of d's entity to fn, their images
// decoded by d. A record whose images cannot be decoded fails like one
// whose handler returns an error. OnChange panics if the entity already
// has a handler.
func OnChange[T any](a *App, d Decoder[T], fn func(ctx context.Context, c Change[T]) error) {
	name := d.Entity()
	if _, dup := a.changes[name]; dup {
		panic(fmt.Sprintf("lambda: entity %q already has a change handler", name))
	}
	if a.changes == nil {
		a.changes = make(map[string]changeFunc)
	}
	a.changes[name] = func(ctx context.Context, rec *events.DynamoDBEventRecord, entity string) error {
		c := Change[T]{
			Event:   rec.EventName,
			Entity:  entity,
			Keys:    itemOf(rec.Change.Keys),
			Expired: expired(rec),
			Record:  rec,
		}
		if len(rec.Change.OldImage) > 0 {
			v, err := d.Decode(itemOf(rec.Change.OldImage))
			if err != nil {
				return fmt.Errorf("decoding old image of %q: %w", entity, err)
			}
			c.Old = &v
		}
		if len(rec.Change.NewImage) > 0 {
			v, err := d.Decode(itemOf(rec.Change.NewImage))
			if err != nil {
				return fmt.Errorf("decoding new image of %q: %w", entity, err)
			}
			c.New = &v
		}
		return fn(ctx, c)
	}
}

// expired reports a deletion by DynamoDB's TTL process.
func expired(rec *events.DynamoDBEventRecord) bool {
	u := rec.UserIdentity
	return rec.EventName == string(events.DynamoDBOperationTypeRemove) &&
		u != nil && u.Type == "Service" && u.PrincipalID == "dynamodb.amazonaws.com"
}

// ServeStream handles a DynamoDB stream batch, record by record in stream
// order, and reports partial failures for an event source mapping with
// ReportBatchItemFailures.
//
// Lambda checkpoints a stream at the lowest sequence number reported and
// retries every record from there, so the records after a failure would
// be processed again anyway, and processing them now would apply changes
// to an item out of order. So the first record that fails (its handler
// errs or panics, or its images do not decode) stops the batch, and it
// alone is reported. When the invocation nears its deadline (see
// [WithTimeoutMargin]) the next record is reported the same way, so
// Lambda resumes there instead of retrying the whole batch after a
// timeout. Records of entities with no handler are skipped.
//
// The error is non-nil only when a failed record has no sequence number to
// report, which makes Lambda retry the whole batch.
func (a *App) ServeStream(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	st := a.newState(ctx, sourceStream, "", nil)
	ctx, cancel := a.requestContext(ctx, st)
	defer cancel()
	var resp events.DynamoDBEventResponse
	done := 0
	for i := range ev.Records {
		rec := &ev.Records[i]
		err := ctx.Err()
		if err == nil {
			err = a.handleRecord(ctx, st, rec)
		}
		if err == nil {
			done++
			continue
		}
		seq := rec.Change.SequenceNumber
		a.logger.LogAttrs(ctx, slog.LevelError, "stream record failed",
			slog.String("requestId", st.requestID),
			slog.String("eventId", rec.EventID),
			slog.String("sequenceNumber", seq),
			slog.String("eventName", rec.EventName),
			slog.String("error", err.Error()))
		if seq == "" {
			return events.DynamoDBEventResponse{}, fmt.Errorf("lambda: stream record %s failed with no sequence number to report: %w", rec.EventID, err)
		}
		resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: seq}}
		break
	}
	level := slog.LevelInfo
	if len(resp.BatchItemFailures) > 0 {
		level = slog.LevelWarn
	}
	a.logger.LogAttrs(ctx, level, "stream batch",
		slog.String("requestId", st.requestID),
		slog.Int("records", len(ev.Records)),
		slog.Int("processed", done),
		slog.Float64("latencyMs", float64(time.Since(st.start).Microseconds())/1000))
	return resp, nil
}

func (a *App) handleRecord(ctx context.Context, st *state, rec *events.DynamoDBEventRecord) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
			a.logger.LogAttrs(ctx, slog.LevelError, "panic",
				slog.String("requestId", st.requestID),
				slog.Any("panic", v),
				slog.String("stack", string(debug.Stack())))
		}
	}()
	name := entityOf(rec, a.entityAttr)
	h := a.changes[name]
	if h == nil {
		h = a.changes[""]
	}
	if h == nil {
		return nil
	}
	return h(ctx, rec, name)
}

// entityOf reads the entity type from the new image, else the old one.
func entityOf(rec *events.DynamoDBEventRecord, attr string) string {
	for _, img := range []map[string]events.DynamoDBAttributeValue{rec.Change.NewImage, rec.Change.OldImage} {
		if v, ok := img[attr]; ok && !v.IsNull() && v.DataType() == events.DataTypeString {
			return v.String()
		}
	}
	return ""
}
