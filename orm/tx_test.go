package orm_test

import (
	"errors"
	"testing"

	"github.com/monotable/monotable/orm"
)

type Account struct {
	_       orm.Entity `entity:"account" pk:"ACCT#{ID}" sk:"ACCT"`
	ID      string     `dynamo:"id"`
	Balance int64      `dynamo:"balance"`
	Version int        `dynamo:"version" orm:"version"`
}

func TestTransact(t *testing.T) {
	e := newEnv(t)
	accounts := orm.MustRegister[Account](e.table)
	a, b := Account{ID: "a", Balance: 100}, Account{ID: "b"}
	err := orm.Transact(ctx, e.table, func(tx *orm.Tx) error {
		accounts.PutTx(tx, &a)
		accounts.PutTx(tx, &b)
		return nil
	})
	if err != nil || a.Version != 1 || b.Version != 1 {
		t.Fatalf("%v %+v %+v", err, a, b)
	}
	transfer := func(n int64, fromVersion int) error {
		return orm.Transact(ctx, e.table, func(tx *orm.Tx) error {
			accounts.UpdateTx(tx, Account{ID: "a", Version: fromVersion}, orm.Add("Balance", -n), orm.If(orm.Ge("Balance", n)))
			accounts.UpdateTx(tx, Account{ID: "b"}, orm.Add("Balance", n))
			return nil
		})
	}
	if err := transfer(30, 1); err != nil {
		t.Fatal(err)
	}
	// Overdraft: the first operation's condition fails; the error says so
	// and carries a's stored state.
	err = transfer(500, 0)
	var te *orm.TxError
	if !errors.As(err, &te) || !errors.Is(err, orm.ErrConditionFailed) || errors.Is(err, orm.ErrVersionConflict) {
		t.Fatalf("overdraft: %v", err)
	}
	r := te.Reasons[0]
	if r.Kind != orm.KindCondition || r.Op != "update" || r.Entity != "account" || r.Key != "pk=ACCT#a sk=ACCT" || r.Item.(*Account).Balance != 70 {
		t.Fatalf("reason 0 = %+v", r)
	}
	if te.Reasons[1].Kind != orm.KindNone {
		t.Fatalf("reason 1 = %+v", te.Reasons[1])
	}
	// A stale version is a version conflict.
	if err := transfer(1, 1); !errors.Is(err, orm.ErrVersionConflict) {
		t.Fatalf("stale: %v", err)
	}
	got, _ := accounts.Get(ctx, Account{ID: "b"})
	if got.Balance != 30 {
		t.Fatalf("b = %+v", got)
	}
	// Check, delete and a create of an existing item.
	err = orm.Transact(ctx, e.table, func(tx *orm.Tx) error {
		accounts.CheckTx(tx, Account{ID: "a", Version: 2})
		accounts.DeleteTx(tx, Account{ID: "b"})
		accounts.PutTx(tx, &Account{ID: "c"}, orm.IfNotExists())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = orm.Transact(ctx, e.table, func(tx *orm.Tx) error {
		accounts.PutTx(tx, &Account{ID: "c"})
		return nil
	})
	if !errors.As(err, &te) || te.Reasons[0].Kind != orm.KindVersion {
		t.Fatalf("re-create: %v", err)
	}
	err = orm.Transact(ctx, e.table, func(tx *orm.Tx) error {
		accounts.UpdateTx(tx, Account{ID: "zz"}, orm.Set("Balance", 1))
		return nil
	})
	if !errors.Is(err, orm.ErrNotFound) {
		t.Fatalf("update missing in tx: %v", err)
	}
	// Two operations on one item fail before any request.
	err = orm.Transact(ctx, e.table, func(tx *orm.Tx) error {
		accounts.UpdateTx(tx, Account{ID: "a"}, orm.Add("Balance", 1))
		accounts.UpdateTx(tx, Account{ID: "a"}, orm.Add("Balance", 1))
		return nil
	})
	if err == nil || !contains(err.Error(), "two operations") {
		t.Fatalf("double op: %v", err)
	}
	// fn's error aborts.
	boom := errors.New("boom")
	if err := orm.Transact(ctx, e.table, func(tx *orm.Tx) error { return boom }); err != boom {
		t.Fatal(err)
	}
}

func TestTransactUnique(t *testing.T) {
	e := newEnv(t)
	if err := e.users.Put(ctx, &User{ID: "1", Email: "a@x.io"}); err != nil {
		t.Fatal(err)
	}
	err := orm.Transact(ctx, e.table, func(tx *orm.Tx) error {
		e.users.PutTx(tx, &User{ID: "2", Email: "b@x.io"})
		e.users.PutTx(tx, &User{ID: "3", Email: "a@x.io"})
		return nil
	})
	var te *orm.TxError
	if !errors.As(err, &te) || !errors.Is(err, orm.ErrNotUnique) {
		t.Fatalf("%v", err)
	}
	var uniq *orm.Reason
	for i := range te.Reasons {
		if te.Reasons[i].Kind == orm.KindUnique {
			uniq = &te.Reasons[i]
		}
	}
	if uniq == nil || uniq.Key != "Email=a@x.io" || uniq.Entity != "user" {
		t.Fatalf("reasons %+v", te.Reasons)
	}
	// Nothing of the transaction was written.
	if _, err := e.users.Get(ctx, User{ID: "2"}); !errors.Is(err, orm.ErrNotFound) {
		t.Fatalf("partial write: %v", err)
	}
}
