package orm_test

import (
	"context"
	"testing"
	"time"

	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

type env struct {
	db     *ormtest.DB
	clock  *ormtest.Clock
	table  *orm.Table
	scores *orm.Model[Score]
	users  *orm.Model[User]
	orders *orm.Model[Order]
}

var ctx = context.Background()

func newEnv(t testing.TB, opts ...orm.TableOption) *env {
	t.Helper()
	clock := ormtest.NewClock(t0)
	db := ormtest.New(t, ormtest.WithClock(clock))
	opts = append([]orm.TableOption{orm.Layout{GSIs: orm.GSIs(3)}, orm.WithClock(clock.Now), orm.WithCursorKey(make([]byte, 32))}, opts...)
	table := orm.NewTable(db, "app", opts...)
	e := &env{db: db, clock: clock, table: table}
	var err error
	if e.scores, err = orm.Register[Score](table); err != nil {
		t.Fatal(err)
	}
	if e.users, err = orm.Register[User](table); err != nil {
		t.Fatal(err)
	}
	if e.orders, err = orm.Register[Order](table); err != nil {
		t.Fatal(err)
	}
	if err := table.Create(ctx); err != nil {
		t.Fatal(err)
	}
	return e
}
