package orm_test

import (
	"errors"
	"testing"
	"time"

	"github.com/monotable/monotable/orm"
)

func TestPutGetDelete(t *testing.T) {
	e := newEnv(t)
	s := Score{Game: "chess", Player: "ann", Points: 30}
	if err := e.scores.Put(ctx, &s); err != nil {
		t.Fatal(err)
	}
	if s.Version != 1 {
		t.Fatalf("version after create = %d, want 1", s.Version)
	}
	got, err := e.scores.Get(ctx, Score{Game: "chess", Player: "ann"}, orm.Consistent())
	if err != nil {
		t.Fatal(err)
	}
	if got != s {
		t.Fatalf("got %+v, want %+v", got, s)
	}
	// A stale version is refused, with the stored item attached.
	stale := s
	stale.Version = 0
	err = e.scores.Put(ctx, &stale)
	var ce *orm.ConditionError
	if !errors.Is(err, orm.ErrVersionConflict) || !errors.As(err, &ce) || ce.Item.(*Score).Points != 30 {
		t.Fatalf("stale put: %v", err)
	}
	s.Points = 40
	if err := e.scores.Put(ctx, &s); err != nil || s.Version != 2 {
		t.Fatalf("put v1: %v (version %d)", err, s.Version)
	}
	if err := e.scores.Delete(ctx, Score{Game: "chess", Player: "ann", Version: 1}); !errors.Is(err, orm.ErrVersionConflict) {
		t.Fatalf("delete with stale version: %v", err)
	}
	if err := e.scores.Delete(ctx, Score{Game: "chess", Player: "ann", Version: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.scores.Get(ctx, Score{Game: "chess", Player: "ann"}); !errors.Is(err, orm.ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := e.scores.Delete(ctx, Score{Game: "chess", Player: "ann"}, orm.IfExists()); !errors.Is(err, orm.ErrNotFound) {
		t.Fatalf("delete IfExists of missing: %v", err)
	}
}

func TestValidation(t *testing.T) {
	e := newEnv(t)
	err := e.scores.Put(ctx, &Score{Game: "chess", Points: -1})
	var ve *orm.ValidationError
	if !errors.Is(err, orm.ErrValidation) || !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	if len(ve.Fields) != 2 || ve.Fields[0].Field != "Player" || ve.Fields[1].Rule != "gte" || ve.Fields[1].Attr != "points" {
		t.Fatalf("fields = %+v", ve.Fields)
	}
	if _, err := e.scores.Update(ctx, Score{Game: "chess", Player: "ann"}, orm.Set("Points", -5)); !errors.Is(err, orm.ErrValidation) {
		t.Fatalf("update: %v", err)
	}
}

func TestUpdateRewritesKeys(t *testing.T) {
	e := newEnv(t)
	s := Score{Game: "chess", Player: "ann", Points: 30}
	if err := e.scores.Put(ctx, &s); err != nil {
		t.Fatal(err)
	}
	got, err := e.scores.Update(ctx, Score{Game: "chess", Player: "ann"}, orm.Set("Points", 50))
	if err != nil {
		t.Fatal(err)
	}
	if got.Points != 50 || got.Version != 2 {
		t.Fatalf("got %+v", got)
	}
	item, _ := e.scores.Encode(&got)
	raw := rawItem(t, e, "GAME#chess", "PLAYER#ann")
	if avs(raw["gsi1sk"]) != "50" || avs(item["gsi1sk"]) != "50" {
		t.Fatalf("gsi1sk = %v", raw["gsi1sk"])
	}
	got, err = e.scores.Update(ctx, Score{Game: "chess", Player: "ann"}, orm.Add("Points", 5))
	if err != nil || got.Points != 55 {
		t.Fatalf("add: %v %+v", err, got)
	}
	if raw := rawItem(t, e, "GAME#chess", "PLAYER#ann"); avs(raw["gsi1sk"]) != "55" {
		t.Fatalf("gsi1sk after Add = %v", raw["gsi1sk"])
	}
	if _, err := e.scores.Update(ctx, Score{Game: "chess", Player: "ann"}, orm.Set("Player", "bob")); err == nil {
		t.Fatal("changing a primary key field succeeded")
	}
	if _, err := e.scores.Update(ctx, Score{Game: "chess", Player: "zed"}, orm.Set("Points", 1)); !errors.Is(err, orm.ErrNotFound) {
		t.Fatalf("update of missing: %v", err)
	}
	if _, err := e.scores.Update(ctx, Score{Game: "chess", Player: "ann", Version: 1}, orm.Set("Points", 1)); !errors.Is(err, orm.ErrVersionConflict) {
		t.Fatalf("update with stale version: %v", err)
	}
	if _, err := e.scores.Update(ctx, Score{Game: "chess", Player: "ann"}, orm.Set("Points", 1), orm.If(orm.Gt("Points", 100))); !errors.Is(err, orm.ErrConditionFailed) || errors.Is(err, orm.ErrVersionConflict) {
		t.Fatalf("update with failing condition: %v", err)
	}
}

func TestUpdateIncompleteKey(t *testing.T) {
	e := newEnv(t)
	at := t0.Add(-time.Hour)
	o := Order{UserID: "u1", ID: "o1", At: at, Status: "new", Total: 10}
	if err := e.orders.Put(ctx, &o); err != nil {
		t.Fatal(err)
	}
	// gsi2pk is STATUS#{Status}: Status alone is enough to rewrite it.
	got, err := e.orders.Update(ctx, Order{UserID: "u1", ID: "o1", At: at}, orm.Set("Status", "paid"))
	if err != nil || got.Status != "paid" {
		t.Fatalf("%v %+v", err, got)
	}
	raw := rawItem(t, e, "USER#u1", "ORDER#2025-01-02T02:04:05.000000000Z#o1")
	if avs(raw["gsi2pk"]) != "STATUS#paid" {
		t.Fatalf("gsi2pk = %v", avs(raw["gsi2pk"]))
	}
	got, err = e.orders.Update(ctx, Order{UserID: "u1", ID: "o1", At: at}, orm.Append("Items", []string{"a", "b"}), orm.Add("Tags", []string{"x"}), orm.Add("Total", 2.5))
	if err != nil || len(got.Items) != 2 || got.Total != 12.5 || len(got.Tags) != 1 {
		t.Fatalf("%v %+v", err, got)
	}
}

func TestUpdateMissingKeyFields(t *testing.T) {
	type Event struct {
		_     orm.Entity `entity:"event" pk:"EV#{ID}" sk:"EV" gsi2pk:"DAY#{Day}" gsi2sk:"{Kind}#{Seq}"`
		ID    string     `dynamo:"id"`
		Day   string     `dynamo:"day"`
		Kind  string     `dynamo:"kind"`
		Seq   int        `dynamo:"seq"`
		Notes string     `dynamo:"notes"`
	}
	e := newEnv(t)
	events := orm.MustRegister[Event](e.table)
	_, err := events.Update(ctx, Event{ID: "1"}, orm.Set("Kind", "click"))
	if !errors.Is(err, orm.ErrIncompleteKey) || !contains(err.Error(), "Seq") {
		t.Fatalf("err = %v", err)
	}
	if _, err := events.Update(ctx, Event{ID: "1"}, orm.Add("Seq", 1)); err == nil {
		t.Fatal("Add on a composite key field succeeded")
	}
}

func TestTTL(t *testing.T) {
	e := newEnv(t)
	s := Score{Game: "chess", Player: "ann", Expires: t0.Add(time.Hour)}
	if err := e.scores.Put(ctx, &s); err != nil {
		t.Fatal(err)
	}
	raw := rawItem(t, e, "GAME#chess", "PLAYER#ann")
	if avs(raw["ttl"]) != "1735790645" {
		t.Fatalf("ttl = %v", avs(raw["ttl"]))
	}
	e.clock.Advance(2 * time.Hour)
	if _, err := e.scores.Get(ctx, Score{Game: "chess", Player: "ann"}); !errors.Is(err, orm.ErrNotFound) {
		t.Fatalf("expired get: %v", err)
	}
	if _, err := e.scores.Update(ctx, Score{Game: "chess", Player: "ann"}, orm.Set("Points", 1)); !errors.Is(err, orm.ErrNotFound) {
		t.Fatalf("expired update: %v", err)
	}
	// A create over an expired item succeeds: it is gone for the ORM.
	if err := e.scores.Put(ctx, &Score{Game: "chess", Player: "ann"}, orm.IfNotExists()); err != nil {
		t.Fatalf("create over expired: %v", err)
	}
}

func TestUnique(t *testing.T) {
	e := newEnv(t)
	ann := User{ID: "1", Email: "ann@example.com", Name: "Ann"}
	if err := e.users.Put(ctx, &ann); err != nil {
		t.Fatal(err)
	}
	if ann.Created.IsZero() || !ann.Created.Equal(t0) {
		t.Fatalf("created = %v", ann.Created)
	}
	bob := User{ID: "2", Email: "ann@example.com"}
	err := e.users.Put(ctx, &bob)
	var te *orm.TxError
	if !errors.Is(err, orm.ErrNotUnique) || !errors.As(err, &te) {
		t.Fatalf("dup email: %v", err)
	}
	// Ann moves to a new address: the old one is free again.
	if _, err := e.users.Update(ctx, User{ID: "1"}, orm.Set("Email", "ann@new.example.com")); err != nil {
		t.Fatal(err)
	}
	if err := e.users.Put(ctx, &bob); err != nil {
		t.Fatalf("put after move: %v", err)
	}
	if err := e.users.Put(ctx, &User{ID: "3", Email: "ann@new.example.com"}); !errors.Is(err, orm.ErrNotUnique) {
		t.Fatalf("new address not guarded: %v", err)
	}
	// Re-putting Ann with her own address is no conflict.
	ann.Email = "ann@new.example.com"
	ann.Name = "Ann B."
	if err := e.users.Put(ctx, &ann); err != nil {
		t.Fatalf("re-put: %v", err)
	}
	if err := e.users.Delete(ctx, User{ID: "1"}); err != nil {
		t.Fatal(err)
	}
	if err := e.users.Put(ctx, &User{ID: "3", Email: "ann@new.example.com"}); err != nil {
		t.Fatalf("address not released by delete: %v", err)
	}
}
