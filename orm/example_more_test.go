package orm_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

func ExampleNewTable() {
	// The layout is declared once: attribute names, indexes and what each
	// index projects. Models map onto it with their tags.
	table := orm.NewTable(ormtest.NewDB(), "app", orm.Layout{
		GSIs: []orm.Index{
			{Name: "gsi1"}, // ALL
			{Name: "gsi2", Projection: orm.ProjectInclude("name")},
			{Name: "byEmail", PK: "email_key", SK: "-", Projection: orm.ProjectKeys()},
		},
		LSIs: []orm.Index{{Name: "lsi1"}},
	})
	in := table.CreateTableInput()
	for _, ix := range in.GlobalSecondaryIndexes {
		fmt.Println(*ix.IndexName, *ix.KeySchema[0].AttributeName, ix.Projection.ProjectionType, ix.Projection.NonKeyAttributes)
	}
	for _, ix := range in.LocalSecondaryIndexes {
		fmt.Println(*ix.IndexName, *ix.KeySchema[1].AttributeName, ix.Projection.ProjectionType)
	}
	// Output:
	// gsi1 gsi1pk ALL []
	// gsi2 gsi2pk INCLUDE [type ttl name]
	// byEmail email_key KEYS_ONLY []
	// lsi1 lsi1sk ALL
}

func ExampleModel_BatchDelete() {
	ctx := context.Background()
	_, scores, _, _, _ := setup()
	_ = scores.BatchPut(ctx, []Score{{Game: "g", Player: "a"}, {Game: "g", Player: "b"}, {Game: "g", Player: "c"}})

	err := scores.BatchDelete(ctx, []Score{{Game: "g", Player: "a"}, {Game: "g", Player: "c"}})
	left, _ := scores.Query(Score{Game: "g"}).All(ctx)
	fmt.Println(err, len(left), left[0].Player)
	// Output: <nil> 1 b
}

func ExampleQuery_Items() {
	ctx := context.Background()
	_, scores, _, _, _ := setup()
	for i := range 7 {
		_ = scores.Put(ctx, &Score{Game: "go", Player: fmt.Sprint("p", i), Points: int64(i * 10)})
	}
	// Items reads page after page as the loop asks for more.
	for s, err := range scores.Query(Score{Game: "go"}).Index("gsi1").Desc().Items(ctx) {
		if err != nil {
			panic(err)
		}
		if s.Points < 30 {
			break
		}
		fmt.Print(s.Points, " ")
	}
	fmt.Println()
	// Output: 60 50 40 30
}

func ExampleQuery_Project() {
	ctx := context.Background()
	_, _, users, _, _ := setup()
	_ = users.Put(ctx, &User{ID: "u1", Email: "una@example.com", Name: "Una"})

	// Only the named fields (and the keys) are read.
	page, _, err := users.Query(User{ID: "u1"}).Project("Name").Page(ctx)
	fmt.Printf("%q %q %v\n", page[0].Name, page[0].Email, err)
	// Output: "Una" "" <nil>
}

func ExampleModel_Decode() {
	_, scores, _, _, _ := setup()
	// An item as it arrives from a stream record or a raw read.
	item, _ := scores.Encode(&Score{Game: "chess", Player: "ann", Points: 30})
	fmt.Println(avs(item["pk"]), avs(item["sk"]), avs(item["gsi1sk"]), avs(item["type"]))

	s, err := scores.Decode(item)
	fmt.Println(s.Player, s.Points, err)
	// Output:
	// GAME#chess PLAYER#ann 30 score
	// ann 30 <nil>
}

func ExampleTable_Decode() {
	table, scores, users, _, _ := setup()
	a, _ := scores.Encode(&Score{Game: "chess", Player: "ann"})
	b, _ := users.Encode(&User{ID: "u1", Name: "Una"})
	// Each item into its own model, as a stream handler needs.
	v1, _ := table.Decode(a)
	v2, _ := table.Decode(b)
	fmt.Printf("%T %T\n", v1, v2)
	// Output: orm_test.Score orm_test.User
}

func ExampleModel_CheckTx() {
	ctx := context.Background()
	table, scores, users, _, _ := setup()
	_ = users.Put(ctx, &User{ID: "u1", Email: "una@example.com"})

	// Record a score only while the player's account exists.
	record := func(userID string) error {
		return orm.Transact(ctx, table, func(tx *orm.Tx) error {
			users.CheckTx(tx, User{ID: userID}, orm.IfExists())
			scores.PutTx(tx, &Score{Game: "chess", Player: userID, Points: 10})
			return nil
		})
	}
	fmt.Println(record("u1"))
	err := record("u2")
	var te *orm.TxError
	errors.As(err, &te)
	fmt.Println(errors.Is(err, orm.ErrNotFound), te.Reasons[0].Op, te.Reasons[0].Kind)
	// Output:
	// <nil>
	// true check not found
}

func ExampleIf() {
	ctx := context.Background()
	_, scores, _, _, _ := setup()
	_ = scores.Put(ctx, &Score{Game: "chess", Player: "ann", Points: 30})

	// Conditions combine; values are always placeholders.
	cond := orm.Or(orm.Lt("Points", 10), orm.And(orm.Ge("Points", 20), orm.BeginsWith("Player", "a")))
	s, err := scores.Update(ctx, Score{Game: "chess", Player: "ann"}, orm.Add("Points", 5), orm.If(cond))
	fmt.Println(s.Points, err)

	_, err = scores.Update(ctx, Score{Game: "chess", Player: "ann"}, orm.Add("Points", 5), orm.If(orm.Lt("Points", 10)))
	var ce *orm.ConditionError
	if errors.As(err, &ce) {
		fmt.Println(ce.Kind, ce.Item.(*Score).Points)
	}
	// Output:
	// 35 <nil>
	// condition 35
}

func ExampleAppend() {
	ctx := context.Background()
	_, _, _, orders, clock := setup()
	key := Order{UserID: "u1", ID: "o1", At: clock.Now()}
	_ = orders.Put(ctx, &Order{UserID: "u1", ID: "o1", At: clock.Now(), Items: []string{"tea"}, Tags: []string{"new"}})

	o, err := orders.Update(ctx, key,
		orm.Append("Items", []string{"milk", "bread"}),
		orm.Add("Tags", []string{"paid"})) // Tags is a set (`dynamo:",set"`)
	fmt.Println(o.Items, o.Tags, err)
	// Output: [tea milk bread] [new paid] <nil>
}

func ExampleSet() {
	ctx := context.Background()
	table := orm.NewTable(ormtest.NewDB(), "app")
	customers := orm.MustRegister[Customer](table)
	_ = table.Create(ctx)
	_ = customers.Put(ctx, &Customer{ID: "c1", Address: Address{City: "Bergen"}, Lines: []Line{{"tea", 1}}, Labels: map[string]string{}})

	// Paths reach into structs, maps and lists by Go names; they are
	// stored under the dynamo names (addr.city, lines[0].qty).
	c, err := customers.Update(ctx, Customer{ID: "c1"},
		orm.Set("Address.City", "Oslo"),
		orm.Add("Lines[0].Qty", 2),
		orm.Set("Labels.tier", "gold"),
		orm.If(orm.Eq("Address.City", "Bergen")))
	fmt.Println(c.Address.City, c.Lines[0].Qty, c.Labels["tier"], err)

	_, err = customers.Update(ctx, Customer{ID: "c1"}, orm.Set("Address.Town", "Oslo"))
	fmt.Println(err)
	// Output:
	// Oslo 3 gold <nil>
	// orm: customer: path "Address.Town": Address (orm_test.Address) has no field Town (fields: City, Zip, Geo)
}

func ExampleRemove() {
	ctx := context.Background()
	table := orm.NewTable(ormtest.NewDB(), "app", orm.Layout{GSIs: orm.GSIs(2)})
	tickets := orm.MustRegister[Ticket](table)
	_ = table.Create(ctx)
	p := int32(1)
	_ = tickets.Put(ctx, &Ticket{ID: "t1", Assignee: "ann", Priority: &p})
	_ = tickets.Put(ctx, &Ticket{ID: "t2"}) // no assignee: not in gsi1 at all

	assigned := func() int {
		ts, _ := tickets.Query(Ticket{Assignee: "ann"}).Index("gsi1").All(ctx)
		return len(ts)
	}
	fmt.Println(assigned())
	// Removing a field that feeds an index key removes the key: the
	// ticket leaves the index. Setting it puts it back.
	_, _ = tickets.Update(ctx, Ticket{ID: "t1"}, orm.Remove("Assignee"))
	fmt.Println(assigned())
	_, _ = tickets.Update(ctx, Ticket{ID: "t2"}, orm.Set("Assignee", "ann"), orm.Set("Priority", 3))
	fmt.Println(assigned())
	// Output:
	// 1
	// 0
	// 1
}

func ExampleProjectInclude() {
	ctx := context.Background()
	table := orm.NewTable(ormtest.NewDB(), "app", orm.Layout{GSIs: []orm.Index{
		{Name: "gsi1"}, {Name: "gsi2", Projection: orm.ProjectInclude("name", "id")}, {Name: "gsi3"},
	}, LSIs: []orm.Index{{Name: "lsi1"}}})
	members := orm.MustRegister[Member](table)
	_ = table.Create(ctx)
	_ = members.Put(ctx, &Member{Team: "t", ID: "1", Role: "dev", Name: "Ann", Bio: "likes Go"})

	// gsi2 holds names and IDs only: a query says which fields it reads.
	_, _, err := members.Query(Member{Role: "dev"}).Index("gsi2").Page(ctx)
	fmt.Println(errors.Is(err, orm.ErrIncompleteItem))
	devs, _, err := members.Query(Member{Role: "dev"}).Index("gsi2").Project("ID", "Name").Page(ctx)
	fmt.Printf("%s %s %q %v\n", devs[0].ID, devs[0].Name, devs[0].Bio, err)
	// Output:
	// true
	// 1 Ann "" <nil>
}

func ExampleClientRequestToken() {
	ctx := context.Background()
	table, scores, _, _, _ := setup()
	_ = scores.Put(ctx, &Score{Game: "chess", Player: "ann", Points: 30})

	award := func() error {
		return orm.Transact(ctx, table, func(tx *orm.Tx) error {
			scores.UpdateTx(tx, Score{Game: "chess", Player: "ann"}, orm.Add("Points", 10))
			return nil
		}, orm.ClientRequestToken("award-2025-01-02-ann"))
	}
	// The first answer was lost (a timeout, say); the retry is not applied twice.
	fmt.Println(award(), award())
	s, _ := scores.Get(ctx, Score{Game: "chess", Player: "ann"})
	fmt.Println(s.Points)
	// Output:
	// <nil> <nil>
	// 40
}
