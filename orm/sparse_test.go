package orm_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

// Ticket feeds two sparse indexes: gsi1 holds assigned tickets by
// priority, gsi2 escalated ones by time. An empty Assignee, a nil Priority
// or a nil EscalatedAt leaves the keys that read it out of the item.
type Ticket struct {
	_           orm.Entity `entity:"ticket" pk:"TICKET#{ID}" sk:"TICKET" gsi1pk:"ASSIGNEE#{Assignee}" gsi1sk:"{Priority}" gsi2pk:"ESCALATED" gsi2sk:"{EscalatedAt}"`
	ID          string     `dynamo:"id"`
	Assignee    string     `dynamo:"assignee"`
	Priority    *int32     `dynamo:"prio"`
	EscalatedAt *time.Time `dynamo:"esc"`
	Title       string     `dynamo:"title"`
}

func newTickets(t *testing.T) (*ormtest.DB, *orm.Model[Ticket]) {
	t.Helper()
	db := ormtest.New(t)
	table := orm.NewTable(db, "app", orm.Layout{GSIs: orm.GSIs(2)})
	tickets := orm.MustRegister[Ticket](table)
	if err := table.Create(ctx); err != nil {
		t.Fatal(err)
	}
	return db, tickets
}

func ptr[T any](v T) *T { return &v }

func ticketIDs(t *testing.T, q *orm.Query[Ticket]) []string {
	t.Helper()
	ts, err := q.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, x := range ts {
		ids = append(ids, x.ID)
	}
	return ids
}

func TestSparseIndex(t *testing.T) {
	db, tickets := newTickets(t)
	assigned := func() []string {
		return ticketIDs(t, tickets.Query(Ticket{Assignee: "ann"}).Index("gsi1"))
	}
	escalated := func() []string {
		return ticketIDs(t, tickets.Query(Ticket{}).Index("gsi2"))
	}
	keys := func(id string) []string {
		var out []string
		for _, a := range []string{"gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"} {
			out = append(out, a+"="+avs(rawItemDB(t, db, "TICKET#"+id, "TICKET")[a]))
		}
		return out
	}
	for _, tk := range []Ticket{
		{ID: "a", Assignee: "ann", Priority: ptr[int32](2)},
		{ID: "b"},                  // neither index
		{ID: "c", Assignee: "ann"}, // gsi1pk only: not in gsi1
		{ID: "d", Priority: ptr[int32](0), EscalatedAt: ptr(t0)},         // gsi1sk (a zero that is set), gsi2
		{ID: "e", Assignee: "ann", Priority: ptr[int32](-1), Title: "x"}, // in gsi1, first
	} {
		if err := tickets.Put(ctx, &tk); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := assigned(), []string{"e", "a"}; !slices.Equal(got, want) {
		t.Fatalf("assigned %v, want %v", got, want)
	}
	if got, want := escalated(), []string{"d"}; !slices.Equal(got, want) {
		t.Fatalf("escalated %v, want %v", got, want)
	}
	if got, want := keys("b"), []string{"gsi1pk=<nil>", "gsi1sk=<nil>", "gsi2pk=<nil>", "gsi2sk=<nil>"}; !slices.Equal(got, want) {
		t.Fatalf("b: %v, want %v", got, want)
	}
	if got, want := keys("c"), []string{"gsi1pk=ASSIGNEE#ann", "gsi1sk=<nil>", "gsi2pk=<nil>", "gsi2sk=<nil>"}; !slices.Equal(got, want) {
		t.Fatalf("c: %v, want %v", got, want)
	}

	steps := []struct {
		name                string
		id                  string
		opts                []orm.Option
		assigned, escalated []string
	}{
		{"set the missing field: c joins", "c", []orm.Option{orm.Set("Priority", 1)}, []string{"e", "c", "a"}, []string{"d"}},
		{"set both fields: b joins", "b", []orm.Option{orm.Set("Assignee", "ann"), orm.Set("Priority", 9)}, []string{"e", "c", "a", "b"}, []string{"d"}},
		{"clear with Set empty: a leaves", "a", []orm.Option{orm.Set("Assignee", "")}, []string{"e", "c", "b"}, []string{"d"}},
		{"clear with Set nil: c leaves", "c", []orm.Option{orm.Set("Priority", nil)}, []string{"e", "b"}, []string{"d"}},
		{"Remove: b leaves", "b", []orm.Option{orm.Remove("Priority")}, []string{"e"}, []string{"d"}},
		{"move within the index", "e", []orm.Option{orm.Add("Priority", 10)}, []string{"e"}, []string{"d"}},
		{"escalate", "a", []orm.Option{orm.Set("EscalatedAt", t0.Add(-time.Hour))}, []string{"e"}, []string{"a", "d"}},
		{"de-escalate", "d", []orm.Option{orm.Set("EscalatedAt", nil)}, []string{"e"}, []string{"a"}},
		{"unrelated change keeps the keys", "e", []orm.Option{orm.Set("Title", "y")}, []string{"e"}, []string{"a"}},
	}
	for _, st := range steps {
		got, err := tickets.Update(ctx, Ticket{ID: st.id}, st.opts...)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got.ID != st.id {
			t.Fatalf("%s: returned %+v", st.name, got)
		}
		if a, e := assigned(), escalated(); !slices.Equal(a, st.assigned) || !slices.Equal(e, st.escalated) {
			t.Fatalf("%s: assigned %v escalated %v; want %v %v", st.name, a, e, st.assigned, st.escalated)
		}
	}
	if got, want := keys("c"), []string{"gsi1pk=ASSIGNEE#ann", "gsi1sk=<nil>", "gsi2pk=<nil>", "gsi2sk=<nil>"}; !slices.Equal(got, want) {
		t.Fatalf("c after: %v, want %v", got, want)
	}
	// The same rules hold inside transactions.
	err := orm.Transact(ctx, tickets.Table(), func(tx *orm.Tx) error {
		tickets.UpdateTx(tx, Ticket{ID: "e"}, orm.Remove("Assignee"))
		tickets.PutTx(tx, &Ticket{ID: "f", Assignee: "ann", Priority: ptr[int32](5)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := assigned(), []string{"f"}; !slices.Equal(got, want) {
		t.Fatalf("after the transaction: assigned %v, want %v", got, want)
	}
}

func TestSparseIndexErrors(t *testing.T) {
	type PtrPrimary struct {
		_  orm.Entity `entity:"pp" pk:"PP#{ID}" sk:"PP"`
		ID *string
	}
	type PtrVersion struct {
		_  orm.Entity `entity:"pv" pk:"PV#{ID}" sk:"PV"`
		ID string
		V  *int64 `orm:"version"`
	}
	type NaNKey struct {
		_  orm.Entity `entity:"nan" pk:"NAN#{ID}" sk:"NAN" gsi1pk:"N" gsi1sk:"{F}"`
		ID string
		F  float64
	}
	table := orm.NewTable(ormtest.New(t), "app", orm.Layout{GSIs: orm.GSIs(1)})
	if err := reg[PtrPrimary](table); err == nil || !contains(err.Error(), "field ID is a pointer; only index keys may be left out") {
		t.Fatalf("pointer in the primary key: %v", err)
	}
	if err := reg[PtrVersion](table); err == nil || !contains(err.Error(), `orm:"version" needs a value, not the pointer *int64`) {
		t.Fatalf("pointer version: %v", err)
	}
	nans := orm.MustRegister[NaNKey](table)
	if _, err := nans.Encode(&NaNKey{ID: "x", F: nanValue()}); err == nil || !contains(err.Error(), `field F is NaN, which the number key "{F}" cannot hold`) {
		t.Fatalf("NaN key: %v", err)
	}
	if _, err := nans.Update(ctx, NaNKey{ID: "x"}, orm.Set("F", nanValue())); err == nil || !contains(err.Error(), "cannot hold") {
		t.Fatalf("NaN key in an update: %v", err)
	}
}

func nanValue() float64 { return math.NaN() }
