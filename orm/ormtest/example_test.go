package ormtest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

type Session struct {
	_       orm.Entity `entity:"session" pk:"SESSION#{ID}" sk:"SESSION"`
	ID      string     `dynamo:"id"`
	User    string     `dynamo:"user"`
	Expires time.Time  `dynamo:"expires,unixtime" orm:"ttl"`
}

func ExampleNewDB() {
	ctx := context.Background()
	// In a test, ormtest.New(t) also closes the store when the test ends.
	db := ormtest.NewDB()
	table := orm.NewTable(db, "app")
	sessions := orm.MustRegister[Session](table)
	if err := table.Create(ctx); err != nil {
		panic(err)
	}
	_ = sessions.Put(ctx, &Session{ID: "s1", User: "ann"})
	s, err := sessions.Get(ctx, Session{ID: "s1"})
	fmt.Println(s.User, err)
	// Output: ann <nil>
}

func ExampleClock_Advance() {
	ctx := context.Background()
	// One clock for the store and the table: TTL expiry is then a step of
	// the test, not a sleep.
	clock := ormtest.NewClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	table := orm.NewTable(ormtest.NewDB(ormtest.WithClock(clock)), "app", orm.WithClock(clock.Now))
	sessions := orm.MustRegister[Session](table)
	_ = table.Create(ctx)
	_ = sessions.Put(ctx, &Session{ID: "s1", User: "ann", Expires: clock.Now().Add(30 * time.Minute)})

	clock.Advance(29 * time.Minute)
	_, err := sessions.Get(ctx, Session{ID: "s1"})
	fmt.Println(err)
	clock.Advance(time.Minute)
	_, err = sessions.Get(ctx, Session{ID: "s1"})
	fmt.Println(errors.Is(err, orm.ErrNotFound))
	// Output:
	// <nil>
	// true
}
