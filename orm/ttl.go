package orm

import (
	"context"
	"fmt"
	"reflect"
	"time"
)

// Touch sets the item's expiry (its `orm:"ttl"` field) to d from now and
// returns the updated item: the sliding expiry of a session. An expired
// item is not revived: Touch returns ErrNotFound.
func (m *Model[T]) Touch(ctx context.Context, key T, d time.Duration, opts ...Option) (T, error) {
	var zero T
	f := m.c.info.ttl
	if f == nil {
		return zero, fmt.Errorf("orm: Touch: %s has no `orm:\"ttl\"` field", m.c.entity)
	}
	return m.Update(ctx, key, append([]Option{Set(f.name, expiryValue(f, m.c.t.now().Add(d)))}, opts...)...)
}

// Extend pushes the item's expiry d later than it is now (or d from now
// if it has none), and returns the updated item. It fails with
// ErrConditionFailed if the expiry changed between its read and its write.
func (m *Model[T]) Extend(ctx context.Context, key T, d time.Duration) (T, error) {
	var zero T
	c := m.c
	f := c.info.ttl
	if f == nil {
		return zero, fmt.Errorf("orm: Extend: %s has no `orm:\"ttl\"` field", c.entity)
	}
	cur, err := m.Get(ctx, key, Consistent())
	if err != nil {
		return zero, err
	}
	fv := reflect.ValueOf(&cur).Elem().FieldByIndex(f.index)
	at := c.t.now()
	if secs := f.epochSeconds(fv); secs > 0 {
		at = time.Unix(secs, 0)
		if f.keyKind == keyTime {
			at = fv.Interface().(time.Time)
		}
	}
	return m.Update(ctx, key, Set(f.name, expiryValue(f, at.Add(d))), If(Eq(f.name, fv.Interface())))
}

// expiryValue is t in the ttl field's type.
func expiryValue(f *field, t time.Time) any {
	if f.keyKind == keyTime {
		return t.UTC().Round(0)
	}
	return reflect.ValueOf(t.Unix()).Convert(f.typ).Interface()
}
