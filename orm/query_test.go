package orm_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/monotable/monotable/orm"
)

func putScores(t *testing.T, e *env, game string, points ...int64) {
	t.Helper()
	for i, p := range points {
		s := Score{Game: game, Player: fmt.Sprintf("p%02d", i), Points: p}
		if err := e.scores.Put(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
}

func playerPoints(ss []Score) []int64 {
	var out []int64
	for _, s := range ss {
		out = append(out, s.Points)
	}
	return out
}

func TestQueryNumericIndex(t *testing.T) {
	e := newEnv(t)
	putScores(t, e, "chess", 5, 100, 20, 9, 1000)
	putScores(t, e, "go", 7)
	q := func() *orm.Query[Score] { return e.scores.Query(Score{Game: "chess"}).Index("gsi1") }
	tests := []struct {
		name string
		q    *orm.Query[Score]
		want []int64
	}{
		{"all ascending", q(), []int64{5, 9, 20, 100, 1000}},
		{"desc", q().Desc(), []int64{1000, 100, 20, 9, 5}},
		{"top 2", q().Desc().Limit(2), []int64{1000, 100}},
		{"gt", q().Gt(Score{Points: 9}), []int64{20, 100, 1000}},
		{"ge", q().Ge(Score{Points: 9}), []int64{9, 20, 100, 1000}},
		{"lt", q().Lt(Score{Points: 20}), []int64{5, 9}},
		{"le", q().Le(Score{Points: 20}), []int64{5, 9, 20}},
		{"between", q().Between(Score{Points: 9}, Score{Points: 100}), []int64{9, 20, 100}},
		{"eq", q().Eq(Score{Points: 100}), []int64{100}},
		{"filter", q().Filter(orm.Ne("Points", 20)), []int64{5, 9, 100, 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.q.All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(playerPoints(got), tt.want) {
				t.Fatalf("got %v, want %v", playerPoints(got), tt.want)
			}
		})
	}
}

// Numbers inside composite string keys sort numerically, negatives too.
func TestCompositeKeyOrder(t *testing.T) {
	type Reading struct {
		_      orm.Entity `entity:"reading" pk:"DEV#{Device}" sk:"R#{Temp}#{At}"`
		Device string     `dynamo:"dev"`
		Temp   int32      `dynamo:"temp"`
		At     time.Time  `dynamo:"at"`
		Ratio  float64    `dynamo:"ratio"`
	}
	type Ratio struct {
		_      orm.Entity `entity:"ratio" pk:"DEV#{Device}" sk:"Q#{Ratio}"`
		Device string     `dynamo:"dev"`
		Ratio  float64    `dynamo:"ratio"`
	}
	e := newEnv(t)
	readings := orm.MustRegister[Reading](e.table)
	ratios := orm.MustRegister[Ratio](e.table)
	temps := []int32{-40, 7, -3, 0, 25, -2147483648, 2147483647, -1, 100}
	for i, temp := range temps {
		r := Reading{Device: "d1", Temp: temp, At: t0.Add(time.Duration(i) * time.Second)}
		if err := readings.Put(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	fs := []float64{-1.5, 0, 2.25, -1000, 1e10, -0.001, 3}
	for _, f := range fs {
		if err := ratios.Put(ctx, &Ratio{Device: "d1", Ratio: f}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readings.Query(Reading{Device: "d1"}).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var gotT []int32
	for _, r := range got {
		gotT = append(gotT, r.Temp)
	}
	want := slices.Clone(temps)
	slices.Sort(want)
	if !slices.Equal(gotT, want) {
		t.Fatalf("order %v, want %v", gotT, want)
	}
	// A partial key is a block: every reading at -3 degrees, whatever the time.
	below, err := readings.Query(Reading{Device: "d1"}).Le(Reading{Temp: -1}).All(ctx)
	if err != nil || len(below) != 4 {
		t.Fatalf("le -1: %v %d", err, len(below))
	}
	rs, err := ratios.Query(Ratio{Device: "d1"}).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var gotF []float64
	for _, r := range rs {
		gotF = append(gotF, r.Ratio)
	}
	wantF := slices.Clone(fs)
	slices.Sort(wantF)
	if !slices.Equal(gotF, wantF) {
		t.Fatalf("float order %v, want %v", gotF, wantF)
	}
}

func TestPaginationWithFilter(t *testing.T) {
	e := newEnv(t)
	var pts []int64
	for i := range 50 {
		pts = append(pts, int64(i))
	}
	putScores(t, e, "chess", pts...)
	var all []int64
	var cur orm.Cursor
	pages := 0
	for {
		page, next, err := e.scores.Query(Score{Game: "chess"}).Filter(orm.In("Points", 3, 4, 17, 30, 31, 32, 49)).Limit(3).After(cur).Page(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if next != "" && len(page) != 3 {
			t.Fatalf("page %d has %d items but a next cursor", pages, len(page))
		}
		all = append(all, playerPoints(page)...)
		if next == "" {
			break
		}
		cur = next
	}
	if want := []int64{3, 4, 17, 30, 31, 32, 49}; !slices.Equal(all, want) {
		t.Fatalf("got %v want %v", all, want)
	}
	if pages != 3 {
		t.Fatalf("%d pages, want 3", pages)
	}
}

func TestCursorTampering(t *testing.T) {
	e := newEnv(t)
	putScores(t, e, "chess", 1, 2, 3, 4)
	putScores(t, e, "go", 1, 2, 3, 4)
	_, next, err := e.scores.Query(Score{Game: "chess"}).Limit(2).Page(ctx)
	if err != nil || next == "" {
		t.Fatalf("%v %q", err, next)
	}
	b := []byte(next)
	b[len(b)/2] ^= 1
	cases := map[string]*orm.Query[Score]{
		"tampered":        e.scores.Query(Score{Game: "chess"}).Limit(2).After(orm.Cursor(b)),
		"garbage":         e.scores.Query(Score{Game: "chess"}).After("not a cursor"),
		"other partition": e.scores.Query(Score{Game: "go"}).Limit(2).After(next),
		"other index":     e.scores.Query(Score{Game: "chess"}).Index("gsi1").After(next),
		"other direction": e.scores.Query(Score{Game: "chess"}).Desc().After(next),
	}
	for name, q := range cases {
		if _, _, err := q.Page(ctx); !errors.Is(err, orm.ErrInvalidCursor) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	other := orm.NewTable(e.db, "app", orm.Layout{GSIs: orm.GSIs(3)}, orm.WithCursorKey([]byte("0123456789abcdef")))
	scores2 := orm.MustRegister[Score](other)
	if _, _, err := scores2.Query(Score{Game: "chess"}).Limit(2).After(next).Page(ctx); !errors.Is(err, orm.ErrInvalidCursor) {
		t.Errorf("foreign key: %v", err)
	}
	page, _, err := e.scores.Query(Score{Game: "chess"}).Limit(2).After(next).Page(ctx)
	if err != nil || !slices.Equal(playerPoints(page), []int64{3, 4}) {
		t.Fatalf("resume: %v %v", err, playerPoints(page))
	}
}

func TestCollection(t *testing.T) {
	e := newEnv(t)
	u := User{ID: "u1", Email: "u1@example.com", Name: "Una"}
	if err := e.users.Put(ctx, &u); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		o := Order{UserID: "u1", ID: fmt.Sprint(i), At: t0.Add(time.Duration(i) * time.Hour), Status: "new"}
		if err := e.orders.Put(ctx, &o); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.orders.Put(ctx, &Order{UserID: "u2", ID: "x", At: t0}); err != nil {
		t.Fatal(err)
	}
	// A typed query of the partition sees only orders.
	orders, err := e.orders.Query(Order{UserID: "u1"}).All(ctx)
	if err != nil || len(orders) != 3 {
		t.Fatalf("orders: %v %d", err, len(orders))
	}
	var profile User
	var os []Order
	if _, err := e.users.Query(User{ID: "u1"}).Collect(ctx, &profile, &os); err != nil {
		t.Fatal(err)
	}
	if profile.Name != "Una" || len(os) != 3 || os[2].ID != "2" {
		t.Fatalf("profile %+v, orders %+v", profile, os)
	}
	// Orders after 01:00, newest first, by partial key.
	late, err := e.orders.Query(Order{UserID: "u1"}).Ge(Order{At: t0.Add(time.Hour)}).Desc().All(ctx)
	if err != nil || len(late) != 2 || late[0].ID != "2" {
		t.Fatalf("late: %v %+v", err, late)
	}
	// Through a GSI: new orders across users.
	byStatus, err := e.orders.Query(Order{Status: "new"}).Index("gsi2").All(ctx)
	if err != nil || len(byStatus) != 3 {
		t.Fatalf("by status: %v %d", err, len(byStatus))
	}
	// Projection keeps keys and the named fields only.
	proj, err := e.orders.Query(Order{UserID: "u1"}).Project("Status").All(ctx)
	if err != nil || len(proj) != 3 || proj[0].Status != "new" || proj[0].ID != "" {
		t.Fatalf("projection: %v %+v", err, proj)
	}
	// Users via the email index, case-folded.
	found, err := e.users.Query(User{Email: "U1@EXAMPLE.COM"}).Index("gsi3").All(ctx)
	if err != nil || len(found) != 1 {
		t.Fatalf("by email: %v %+v", err, found)
	}
}

func TestQueryExpired(t *testing.T) {
	e := newEnv(t)
	for i, exp := range []time.Duration{time.Minute, time.Hour, 0} {
		s := Score{Game: "g", Player: fmt.Sprint(i), Points: int64(i)}
		if exp > 0 {
			s.Expires = t0.Add(exp)
		}
		if err := e.scores.Put(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(10 * time.Minute)
	got, err := e.scores.Query(Score{Game: "g"}).All(ctx)
	if err != nil || !slices.Equal(playerPoints(got), []int64{1, 2}) {
		t.Fatalf("%v %v", err, playerPoints(got))
	}
}
