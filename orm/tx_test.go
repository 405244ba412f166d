package orm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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

func TestTransactClientRequestToken(t *testing.T) {
	e := newEnv(t)
	putScores(t, e, "g", 10)
	key := Score{Game: "g", Player: "p00"}
	add := func(n int64, opts ...orm.Option) error {
		return orm.Transact(ctx, e.table, func(tx *orm.Tx) error {
			e.scores.UpdateTx(tx, key, orm.Add("Points", n))
			return nil
		}, opts...)
	}
	// A retry of the same transaction under its token is not applied twice.
	for range 2 {
		if err := add(5, orm.ClientRequestToken("order-42")); err != nil {
			t.Fatal(err)
		}
	}
	s, err := e.scores.Get(ctx, key, orm.Consistent())
	if err != nil || s.Points != 15 || s.Version != 2 {
		t.Fatalf("after a retried transaction: %+v, %v", s, err)
	}
	// Another request under the same token is refused, as DynamoDB does.
	var mismatch *types.IdempotentParameterMismatchException
	if err := add(6, orm.ClientRequestToken("order-42")); !errors.As(err, &mismatch) {
		t.Fatalf("different request, same token: %v", err)
	}
	// Without a token, or with another, the transaction runs again.
	if err := add(5); err != nil {
		t.Fatal(err)
	}
	if err := add(5, orm.ClientRequestToken("order-43")); err != nil {
		t.Fatal(err)
	}
	if s, _ := e.scores.Get(ctx, key, orm.Consistent()); s.Points != 25 {
		t.Fatalf("points %d, want 25", s.Points)
	}
	for _, tt := range []struct {
		err  error
		want string
	}{
		{add(1, orm.ClientRequestToken("")), "ClientRequestToken of 0 characters"},
		{add(1, orm.ClientRequestToken(strings.Repeat("é", 37))), "ClientRequestToken of 37 characters"},
		{e.scores.Put(ctx, &Score{Game: "g", Player: "x"}, orm.ClientRequestToken("t")), "ClientRequestToken is not an option of Put"},
		{add(1, orm.Consistent()), "Consistent is not an option of Transact"},
	} {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%v, want %q", tt.err, tt.want)
		}
	}
}
