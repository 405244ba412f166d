package orm_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

// flaky leaves half of every batch unprocessed, like a throttled table.
type flaky struct {
	*ormtest.DB
	calls atomic.Int32
}

func (f *flaky) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	f.calls.Add(1)
	for table, reqs := range in.RequestItems {
		if len(reqs) > 1 {
			half := len(reqs) / 2
			out, err := f.DB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs[:half]}}, o...)
			if err != nil {
				return out, err
			}
			return &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]types.WriteRequest{table: reqs[half:]}}, nil
		}
	}
	return f.DB.BatchWriteItem(ctx, in, o...)
}

func (f *flaky) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	f.calls.Add(1)
	for table, ka := range in.RequestItems {
		if len(ka.Keys) > 1 {
			half := len(ka.Keys) / 2
			first, rest := ka, ka
			first.Keys, rest.Keys = ka.Keys[:half], ka.Keys[half:]
			out, err := f.DB.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{table: first}}, o...)
			if err != nil {
				return out, err
			}
			out.UnprocessedKeys = map[string]types.KeysAndAttributes{table: rest}
			return out, nil
		}
	}
	return f.DB.BatchGetItem(ctx, in, o...)
}

func TestBatch(t *testing.T) {
	db := &flaky{DB: ormtest.New(t)}
	table := orm.NewTable(db, "app", orm.Layout{GSIs: orm.GSIs(3)}, orm.WithRetry(10, time.Microsecond))
	scores := orm.MustRegister[Score](table)
	if err := table.Create(ctx); err != nil {
		t.Fatal(err)
	}
	var items, keys []Score
	for i := range 60 {
		items = append(items, Score{Game: "g", Player: fmt.Sprintf("p%03d", i), Points: int64(i)})
		keys = append(keys, Score{Game: "g", Player: fmt.Sprintf("p%03d", 59-i)})
	}
	if err := scores.BatchPut(ctx, items); err != nil {
		t.Fatal(err)
	}
	keys = append(keys, Score{Game: "g", Player: "missing"}, Score{Game: "g", Player: "p000"})
	got, err := scores.BatchGet(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 61 || got[0].Points != 59 || got[60].Points != 0 {
		t.Fatalf("got %d items, first %+v", len(got), got[0])
	}
	if err := scores.BatchDelete(ctx, keys[:30]); err != nil {
		t.Fatal(err)
	}
	all, _ := scores.Query(Score{Game: "g"}).All(ctx)
	if len(all) != 30 {
		t.Fatalf("%d left", len(all))
	}
	// Bounded attempts: a table that never catches up is ErrThrottled.
	stingy := orm.NewTable(db, "app", orm.Layout{GSIs: orm.GSIs(3)}, orm.WithRetry(2, time.Microsecond))
	if err := orm.MustRegister[Score](stingy).BatchPut(ctx, items[:8]); !errors.Is(err, orm.ErrThrottled) {
		t.Fatalf("bounded retry: %v", err)
	}
	// Context-aware: a canceled context stops the backoff.
	slow := orm.NewTable(db, "app", orm.Layout{GSIs: orm.GSIs(3)}, orm.WithRetry(10, time.Hour))
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := orm.MustRegister[Score](slow).BatchPut(cctx, items[:8]); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("canceled retry: %v", err)
	}
	if err := orm.MustRegister[User](table).BatchPut(ctx, []User{{ID: "1", Email: "a@b.c"}}); err == nil {
		t.Fatal("BatchPut of a unique model succeeded")
	}
}

func TestTouchExtend(t *testing.T) {
	e := newEnv(t)
	s := Score{Game: "g", Player: "p", Expires: t0.Add(time.Minute)}
	if err := e.scores.Put(ctx, &s); err != nil {
		t.Fatal(err)
	}
	got, err := e.scores.Touch(ctx, Score{Game: "g", Player: "p"}, time.Hour)
	if err != nil || !got.Expires.Equal(t0.Add(time.Hour)) {
		t.Fatalf("touch: %v %v", err, got.Expires)
	}
	got, err = e.scores.Extend(ctx, Score{Game: "g", Player: "p"}, time.Hour)
	if err != nil || !got.Expires.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("extend: %v %v", err, got.Expires)
	}
	if avs(rawItem(t, e, "GAME#g", "PLAYER#p")["ttl"]) != fmt.Sprint(t0.Add(2*time.Hour).Unix()) {
		t.Fatal("ttl attribute not rewritten")
	}
	e.clock.Advance(3 * time.Hour)
	if _, err := e.scores.Touch(ctx, Score{Game: "g", Player: "p"}, time.Hour); !errors.Is(err, orm.ErrNotFound) {
		t.Fatalf("touch of expired: %v", err)
	}
	if n := e.db.SweepExpired(); n != 1 {
		t.Fatalf("swept %d", n)
	}
}
