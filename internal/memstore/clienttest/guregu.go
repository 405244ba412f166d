// Package clienttest holds client-driven checks that run against the
// store both in process and over HTTP, so the two paths are held to one
// script.
package clienttest

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
)

type score struct {
	Game   string   `dynamo:"game,hash"`
	Player string   `dynamo:"player,range"`
	Points int      `dynamo:"points" index:"byPoints,range"`
	Board  string   `dynamo:"board,omitempty" index:"byPoints,hash"`
	Tags   []string `dynamo:"tags,set,omitempty"`
}

// Guregu drives db with guregu/dynamo exactly as an app would: create a
// table with a sparse GSI, put, get, query (guregu sends the legacy
// KeyConditions, with a FilterExpression when filtered), index query,
// conditional updates with ADD and sets, batches, a filtered scan,
// transactions that fail and succeed, and a conditional delete.
func Guregu(t testing.TB, db *dynamo.DB) {
	t.Helper()
	ctx := context.Background()
	if err := db.CreateTable("scores", score{}).OnDemand(true).
		Project("byPoints", dynamo.KeysOnlyProjection).Run(ctx); err != nil {
		t.Fatalf("create table: %v", err)
	}
	table := db.Table("scores")

	for _, s := range []score{
		{Game: "chess", Player: "ann", Points: 30, Board: "chess"},
		{Game: "chess", Player: "bob", Points: 10, Board: "chess"},
		{Game: "chess", Player: "cyd", Points: 20, Board: "chess"},
		{Game: "go", Player: "ann", Points: 5},
	} {
		if err := table.Put(s).Run(ctx); err != nil {
			t.Fatalf("put: %v", err)
		}
	}

	var got score
	if err := table.Get("game", "chess").Range("player", dynamo.Equal, "bob").One(ctx, &got); err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Points != 10 {
		t.Fatalf("get: points = %d, want 10", got.Points)
	}

	// Query: KeyConditions under the hood, sorted by the range key.
	var all []score
	if err := table.Get("game", "chess").Range("player", dynamo.Greater, "ann").All(ctx, &all); err != nil {
		t.Fatalf("query: %v", err)
	}
	if len(all) != 2 || all[0].Player != "bob" || all[1].Player != "cyd" {
		t.Fatalf("query: got %+v", all)
	}

	// Query with a filter: KeyConditions beside a FilterExpression.
	var filtered []score
	if err := table.Get("game", "chess").Filter("points >= ?", 20).All(ctx, &filtered); err != nil {
		t.Fatalf("filtered query: %v", err)
	}
	if len(filtered) != 2 {
		t.Fatalf("filtered query: got %+v", filtered)
	}

	// Query a sparse GSI, highest score first.
	var top []score
	if err := table.Get("board", "chess").Index("byPoints").Order(dynamo.Descending).Limit(2).All(ctx, &top); err != nil {
		t.Fatalf("index query: %v", err)
	}
	if len(top) != 2 || top[0].Player != "ann" || top[1].Player != "cyd" {
		t.Fatalf("index query: got %+v", top)
	}

	// Update with ADD and a set, then read the new values back.
	var updated score
	if err := table.Update("game", "chess").Range("player", "bob").
		Add("points", 5).AddStringsToSet("tags", "new").If("points = ?", 10).Value(ctx, &updated); err != nil {
		t.Fatalf("update: %v", err)
	}
	if updated.Points != 15 || len(updated.Tags) != 1 {
		t.Fatalf("update: got %+v", updated)
	}
	err := table.Update("game", "chess").Range("player", "bob").Set("points", 0).If("points = ?", 10).Run(ctx)
	if !dynamo.IsCondCheckFailed(err) {
		t.Fatalf("conditional update: got %v, want a failed condition", err)
	}

	// Batch write and batch get.
	var batch []any
	for _, p := range []string{"p1", "p2", "p3"} {
		batch = append(batch, score{Game: "batch", Player: p, Points: 1})
	}
	if n, err := table.Batch().Write().Put(batch...).Run(ctx); err != nil || n != 3 {
		t.Fatalf("batch write: %d, %v", n, err)
	}
	var fetched []score
	if err := table.Batch("game", "player").Get(dynamo.Keys{"batch", "p1"}, dynamo.Keys{"batch", "p3"}, dynamo.Keys{"batch", "nope"}).All(ctx, &fetched); err != nil {
		t.Fatalf("batch get: %v", err)
	}
	if len(fetched) != 2 {
		t.Fatalf("batch get: got %d items, want 2", len(fetched))
	}

	// Scan with a filter.
	var cheap []score
	if err := table.Scan().Filter("points < ?", 10).All(ctx, &cheap); err != nil {
		t.Fatalf("scan: %v", err)
	}
	if len(cheap) != 4 { // go/ann (5) and the three batch items (1)
		t.Fatalf("scan: got %d items, want 4", len(cheap))
	}

	// A transaction whose condition fails changes nothing; the error is
	// the SDK's own type, decoded from the wire.
	tx := db.WriteTx()
	tx.Put(table.Put(score{Game: "tx", Player: "x", Points: 1}))
	tx.Check(table.Check("game", "chess").Range("player", "bob").If("points = ?", 999))
	err = tx.Run(ctx)
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || len(tce.CancellationReasons) != 2 {
		t.Fatalf("tx: got %v, want a cancellation with two reasons", err)
	}
	if err := table.Get("game", "tx").Range("player", dynamo.Equal, "x").One(ctx, &got); !errors.Is(err, dynamo.ErrNotFound) {
		t.Fatalf("tx wrote despite cancellation: %v", err)
	}

	// A transaction that succeeds writes both items.
	tx = db.WriteTx()
	tx.Put(table.Put(score{Game: "tx", Player: "y", Points: 2}))
	tx.Update(table.Update("game", "chess").Range("player", "cyd").Add("points", 1))
	if err := tx.Run(ctx); err != nil {
		t.Fatalf("tx: %v", err)
	}
	if err := table.Get("game", "chess").Range("player", dynamo.Equal, "cyd").One(ctx, &got); err != nil || got.Points != 21 {
		t.Fatalf("after tx: %+v, %v", got, err)
	}

	// Delete with a condition, then it is gone.
	if err := table.Delete("game", "go").Range("player", "ann").If("attribute_exists(points)").Run(ctx); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := table.Get("game", "go").Range("player", dynamo.Equal, "ann").One(ctx, &got); !errors.Is(err, dynamo.ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
}
