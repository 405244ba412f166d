package orm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormcfn"
	"github.com/monotable/monotable/orm/ormtest"
)

// The models of the examples (and of this package's tests).

type Score struct {
	_       orm.Entity `entity:"score" pk:"GAME#{Game}" sk:"PLAYER#{Player}" gsi1pk:"BOARD#{Game}" gsi1sk:"{Points}"`
	Game    string     `dynamo:"game" validate:"required,max=64"`
	Player  string     `dynamo:"player" validate:"required"`
	Points  int64      `dynamo:"points" validate:"gte=0"`
	Expires time.Time  `dynamo:"expires,unixtime" orm:"ttl"`
	Version int64      `dynamo:"v" orm:"version"`
}

type User struct {
	_       orm.Entity `entity:"user" pk:"USER#{ID}" sk:"PROFILE" gsi3pk:"EMAIL#{Email:lower}" gsi3sk:"USER"`
	ID      string     `dynamo:"id" validate:"required"`
	Email   string     `dynamo:"email" validate:"required,email" orm:"unique"`
	Name    string     `dynamo:"name"`
	Created time.Time  `dynamo:"created" orm:"created"`
	Updated time.Time  `dynamo:"updated" orm:"updated"`
}

type Order struct {
	_      orm.Entity `entity:"order" pk:"USER#{UserID}" sk:"ORDER#{At}#{ID}" gsi2pk:"STATUS#{Status}" gsi2sk:"{At}#{UserID}#{ID}"`
	UserID string     `dynamo:"user"`
	ID     string     `dynamo:"id"`
	At     time.Time  `dynamo:"at"`
	Status string     `dynamo:"status"`
	Total  float64    `dynamo:"total"`
	Items  []string   `dynamo:"items"`
	Tags   []string   `dynamo:"tags,set"`
}

// setup is what an app does at start-up: declare the table, register the
// models, and (in tests and local runs) create the table.
func setup() (*orm.Table, *orm.Model[Score], *orm.Model[User], *orm.Model[Order], *ormtest.Clock) {
	clock := ormtest.NewClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	db := ormtest.NewDB(ormtest.WithClock(clock))
	table := orm.NewTable(db, "app",
		orm.Layout{GSIs: orm.GSIs(3)},
		orm.WithClock(clock.Now),
		orm.WithCursorKey([]byte("an example key of 32 bytes......")))
	scores := orm.MustRegister[Score](table)
	users := orm.MustRegister[User](table)
	orders := orm.MustRegister[Order](table)
	if err := table.Create(context.Background()); err != nil {
		panic(err)
	}
	return table, scores, users, orders, clock
}

func Example() {
	ctx := context.Background()
	_, scores, _, _, _ := setup()

	s := Score{Game: "chess", Player: "ann", Points: 30}
	if err := scores.Put(ctx, &s); err != nil {
		panic(err)
	}
	got, err := scores.Get(ctx, Score{Game: "chess", Player: "ann"})
	fmt.Println(got.Points, got.Version, err)
	// Output: 30 1 <nil>
}

func ExampleRegister() {
	type Bad struct {
		_  orm.Entity `entity:"bad" pk:"BAD#{Id}" sk:"BAD"`
		ID string
	}
	table := orm.NewTable(ormtest.NewDB(), "app")
	_, err := orm.Register[Bad](table)
	fmt.Println(err)
	// Output: orm: model orm_test.Bad: tag pk:"BAD#{Id}": unknown field "Id"
}

func ExampleModel_Get() {
	ctx := context.Background()
	_, scores, _, _, clock := setup()
	_ = scores.Put(ctx, &Score{Game: "chess", Player: "ann", Points: 30, Expires: clock.Now().Add(time.Hour)})

	s, err := scores.Get(ctx, Score{Game: "chess", Player: "ann"}, orm.Consistent())
	fmt.Println(s.Player, s.Points, err)

	_, err = scores.Get(ctx, Score{Game: "chess", Player: "bob"})
	fmt.Println(errors.Is(err, orm.ErrNotFound))

	// Expired but not yet deleted by DynamoDB: not found all the same.
	clock.Advance(2 * time.Hour)
	_, err = scores.Get(ctx, Score{Game: "chess", Player: "ann"})
	fmt.Println(err)
	// Output:
	// ann 30 <nil>
	// true
	// orm: get score pk=GAME#chess sk=PLAYER#ann: orm: not found
}

func ExampleModel_Put() {
	ctx := context.Background()
	_, scores, _, _, _ := setup()

	a := Score{Game: "chess", Player: "ann", Points: 30}
	fmt.Println(scores.Put(ctx, &a), a.Version) // created: version 1

	// Another writer still holds version 0: optimistic locking refuses it.
	b := Score{Game: "chess", Player: "ann", Points: 99}
	err := scores.Put(ctx, &b)
	var ce *orm.ConditionError
	if errors.As(err, &ce) {
		fmt.Println(errors.Is(err, orm.ErrVersionConflict), ce.Kind, ce.Item.(*Score).Points)
	}

	// Validation happens before any request.
	err = scores.Put(ctx, &Score{Game: "chess", Points: -1})
	fmt.Println(err)
	// Output:
	// <nil> 1
	// true version 30
	// orm: invalid score: Player fails required; Points fails gte=0
}

func ExampleModel_Update() {
	ctx := context.Background()
	_, scores, _, _, _ := setup()
	_ = scores.Put(ctx, &Score{Game: "chess", Player: "ann", Points: 30})

	// Points feeds the gsi1sk key: the update rewrites it in the same request.
	s, err := scores.Update(ctx, Score{Game: "chess", Player: "ann"},
		orm.Add("Points", 12), orm.If(orm.Lt("Points", 100)))
	fmt.Println(s.Points, s.Version, err)

	_, err = scores.Update(ctx, Score{Game: "chess", Player: "ann"}, orm.Set("Player", "bob"))
	fmt.Println(err)
	// Output:
	// 42 2 <nil>
	// orm: update score: Set(Player): Player is part of the primary key, which cannot change; Delete and Put instead
}

func ExampleModel_Delete() {
	ctx := context.Background()
	_, scores, _, _, _ := setup()
	_ = scores.Put(ctx, &Score{Game: "chess", Player: "ann"})

	err := scores.Delete(ctx, Score{Game: "chess", Player: "ann", Version: 7})
	fmt.Println(errors.Is(err, orm.ErrVersionConflict))
	fmt.Println(scores.Delete(ctx, Score{Game: "chess", Player: "ann", Version: 1}))
	err = scores.Delete(ctx, Score{Game: "chess", Player: "ann"}, orm.IfExists())
	fmt.Println(errors.Is(err, orm.ErrNotFound))
	// Output:
	// true
	// <nil>
	// true
}

func ExampleModel_Query() {
	ctx := context.Background()
	_, scores, _, _, _ := setup()
	for i, p := range []int64{5, 120, 40, 9, 1000} {
		_ = scores.Put(ctx, &Score{Game: "chess", Player: fmt.Sprint("p", i), Points: p})
	}

	// The leaderboard: gsi1sk is the typed N key {Points}, so 1000 > 120 > 40.
	top, next, err := scores.Query(Score{Game: "chess"}).Index("gsi1").Desc().Limit(3).Page(ctx)
	for _, s := range top {
		fmt.Println(s.Player, s.Points)
	}
	fmt.Println(next != "", err)

	rest, _, _ := scores.Query(Score{Game: "chess"}).Index("gsi1").Desc().Limit(3).After(next).Page(ctx)
	fmt.Println(len(rest))
	// Output:
	// p4 1000
	// p1 120
	// p2 40
	// true <nil>
	// 2
}

func ExampleQuery_Filter() {
	ctx := context.Background()
	_, scores, _, _, _ := setup()
	for i := range 20 {
		_ = scores.Put(ctx, &Score{Game: "go", Player: fmt.Sprintf("p%02d", i), Points: int64(i)})
	}
	// Limit counts matching items: each page has 3 odd scores, however
	// many items DynamoDB had to read for them.
	q := scores.Query(Score{Game: "go"}).Filter(orm.In("Points", 1, 3, 5, 7, 9, 11, 13)).Limit(3)
	var cur orm.Cursor
	for {
		page, next, err := q.After(cur).Page(ctx)
		if err != nil {
			panic(err)
		}
		fmt.Println(len(page), page[0].Points)
		if next == "" {
			break
		}
		cur = next
	}
	_, _, err := q.After("forged").Page(ctx)
	fmt.Println(errors.Is(err, orm.ErrInvalidCursor))
	// Output:
	// 3 1
	// 3 7
	// 1 13
	// true
}

func ExampleQuery_Collect() {
	ctx := context.Background()
	_, _, users, orders, clock := setup()
	_ = users.Put(ctx, &User{ID: "u1", Email: "una@example.com", Name: "Una"})
	for i := range 3 {
		_ = orders.Put(ctx, &Order{UserID: "u1", ID: fmt.Sprint("o", i), At: clock.Now().Add(time.Duration(i) * time.Hour)})
	}

	// One query of the USER#u1 partition, each item into its own type.
	var user User
	var os []Order
	_, err := users.Query(User{ID: "u1"}).Collect(ctx, &user, &os)
	fmt.Println(user.Name, len(os), err)
	// Output: Una 3 <nil>
}

func ExampleTransact() {
	ctx := context.Background()
	table, _, users, _, _ := setup()
	_ = users.Put(ctx, &User{ID: "1", Email: "ann@example.com"})

	err := orm.Transact(ctx, table, func(tx *orm.Tx) error {
		users.PutTx(tx, &User{ID: "2", Email: "bob@example.com"})
		users.PutTx(tx, &User{ID: "3", Email: "ann@example.com"}) // taken
		return nil
	})
	var te *orm.TxError
	if errors.As(err, &te) {
		for _, r := range te.Reasons {
			if r.Kind != orm.KindNone {
				fmt.Println(r.Index, r.Op, r.Entity, r.Key, r.Kind)
			}
		}
	}
	fmt.Println(errors.Is(err, orm.ErrNotUnique))
	// Output:
	// 3 put user Email=ann@example.com uniqueness
	// true
}

func ExampleModel_BatchGet() {
	ctx := context.Background()
	_, scores, _, _, _ := setup()
	var all []Score
	for i := range 150 {
		all = append(all, Score{Game: "g", Player: fmt.Sprintf("p%03d", i), Points: int64(i)})
	}
	// Chunked 25 per request, unprocessed items retried with backoff.
	if err := scores.BatchPut(ctx, all); err != nil {
		panic(err)
	}
	got, err := scores.BatchGet(ctx, []Score{{Game: "g", Player: "p149"}, {Game: "g", Player: "nobody"}, {Game: "g", Player: "p007"}})
	for _, s := range got {
		fmt.Println(s.Player, s.Points)
	}
	fmt.Println(err)
	// Output:
	// p149 149
	// p007 7
	// <nil>
}

func ExampleModel_Touch() {
	ctx := context.Background()
	_, scores, _, _, clock := setup()
	_ = scores.Put(ctx, &Score{Game: "g", Player: "p", Expires: clock.Now().Add(time.Minute)})

	s, err := scores.Touch(ctx, Score{Game: "g", Player: "p"}, time.Hour)
	fmt.Println(s.Expires.Sub(clock.Now()), err)
	// Output: 1h0m0s <nil>
}

// Example_template renders the table as CloudFormation with orm/ormcfn.
func Example_template() {
	table, _, _, _, _ := setup()
	yaml, err := ormcfn.Template(table, "AppTable")
	if err != nil {
		panic(err)
	}
	// The attribute definitions come from the models: {Points} makes gsi1sk a number.
	lines := strings.Split(string(yaml), "\n")
	for i, line := range lines {
		if strings.HasSuffix(line, "- AttributeName: gsi1sk") && strings.Contains(lines[i+1], "AttributeType") {
			fmt.Println(strings.TrimSpace(line), strings.TrimSpace(lines[i+1]))
		}
	}
	// Output:
	// - AttributeName: gsi1sk AttributeType: "N"
}

// Example_checkTemplate compares a template with the models (orm/ormcfn).
func Example_checkTemplate() {
	table, _, _, _, _ := setup()
	err := ormcfn.Check(filepath.Join("..", "templates", "dynamodb-table.yaml"), table)
	fmt.Println(strings.SplitN(err.Error(), "\n", 3)[1])

	yaml, _ := ormcfn.Template(table, "AppTable")
	path := filepath.Join(os.TempDir(), "orm-example-template.yaml")
	_ = os.WriteFile(path, yaml, 0o644)
	defer os.Remove(path)
	fmt.Println(ormcfn.Check(path, table))
	// Output:
	// 	attribute gsi1sk: models need type N, template has "S"
	// <nil>
}
