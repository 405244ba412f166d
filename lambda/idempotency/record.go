package idempotency

import (
	"context"
	"errors"
	"time"

	"github.com/monotable/monotable/orm"
)

const (
	statusInProgress = "INPROGRESS"
	statusCompleted  = "COMPLETED"
)

// record is an idempotency record in a table with a sort key.
type record struct {
	_ orm.Entity `entity:"idempotency" pk:"IDEMPOTENCY#{Key}" sk:"IDEMPOTENCY#{Key}"`
	state
}

// hashRecord is the same record in a table without one (Layout SK "-").
// Its fields are record's, so the two convert into each other.
type hashRecord struct {
	_ orm.Entity `entity:"idempotency" pk:"IDEMPOTENCY#{Key}"`
	state
}

// state is what a record holds.
type state struct {
	Key     string    `dynamo:"key"`
	Status  string    `dynamo:"status"`          // statusInProgress or statusCompleted
	Hash    string    `dynamo:"hash"`            // of the payload
	Owner   string    `dynamo:"owner"`           // the claim's random token
	Until   int64     `dynamo:"until,omitempty"` // end of the claim, Unix ms
	Data    []byte    `dynamo:"data"`            // the result, JSON
	Expires time.Time `dynamo:"expires,unixtime" orm:"ttl"`
}

// records is the Store's view of its model, whichever of the two it is.
type records interface {
	// put writes r; when its conditions refuse it, old is the record
	// found, if DynamoDB returned it.
	put(ctx context.Context, st state, opts ...orm.Option) (old *state, err error)
	get(ctx context.Context, key string) (state, error)
	update(ctx context.Context, key string, opts ...orm.Option) error
	delete(ctx context.Context, key string, opts ...orm.Option) error
}

type model[R record | hashRecord] struct{ m *orm.Model[R] }

func register[R record | hashRecord](t *orm.Table) (records, error) {
	m, err := orm.Register[R](t)
	if err != nil {
		return nil, err
	}
	return model[R]{m}, nil
}

func (m model[R]) put(ctx context.Context, st state, opts ...orm.Option) (*state, error) {
	v := R(record{state: st})
	err := m.m.Put(ctx, &v, opts...)
	var ce *orm.ConditionError
	if errors.As(err, &ce) {
		if p, ok := ce.Item.(*R); ok && p != nil {
			old := record(*p).state
			return &old, err
		}
	}
	return nil, err
}

func (m model[R]) get(ctx context.Context, key string) (state, error) {
	v, err := m.m.Get(ctx, R(record{state: state{Key: key}}), orm.Consistent())
	return record(v).state, err
}

func (m model[R]) update(ctx context.Context, key string, opts ...orm.Option) error {
	_, err := m.m.Update(ctx, R(record{state: state{Key: key}}), opts...)
	return err
}

func (m model[R]) delete(ctx context.Context, key string, opts ...orm.Option) error {
	return m.m.Delete(ctx, R(record{state: state{Key: key}}), opts...)
}
