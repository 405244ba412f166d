package orm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/monotable/monotable/orm"
)

// TestNilItems: a nil *T is a validation error, never a panic.
func TestNilItems(t *testing.T) {
	ctx := context.Background()
	table, scores, _, _, _ := setup()
	if err := scores.Put(ctx, nil); !errors.Is(err, orm.ErrValidation) {
		t.Fatalf("Put(nil) = %v, want ErrValidation", err)
	}
	if _, err := scores.Encode(nil); !errors.Is(err, orm.ErrValidation) {
		t.Fatalf("Encode(nil) = %v, want ErrValidation", err)
	}
	err := orm.Transact(ctx, table, func(tx *orm.Tx) error {
		scores.PutTx(tx, nil)
		return nil
	})
	if !errors.Is(err, orm.ErrValidation) {
		t.Fatalf("PutTx(nil) = %v, want ErrValidation", err)
	}
}
