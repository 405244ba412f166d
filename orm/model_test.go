package orm_test

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/monotable/monotable/orm"
)

// TestAgainstModel drives random operations through the Model API and a
// naive map side by side; after every step the two must agree, and the
// points index must mirror the map (keys never drift).
func TestAgainstModel(t *testing.T) {
	e := newEnv(t)
	r := rand.New(rand.NewPCG(7, 7))
	naive := map[string]Score{}
	players := []string{"a", "b", "c", "d", "e", "f"}
	for step := range 400 {
		p := players[r.IntN(len(players))]
		key := Score{Game: "g", Player: p}
		cur, exists := naive[p]
		switch op := r.IntN(5); op {
		case 0: // create
			s := Score{Game: "g", Player: p, Points: r.Int64N(200) - 50}
			err := e.scores.Put(ctx, &s)
			switch {
			case s.Points < 0 && !errors.Is(err, orm.ErrValidation):
				t.Fatalf("step %d: negative put: %v", step, err)
			case s.Points < 0:
			case exists && !errors.Is(err, orm.ErrVersionConflict):
				t.Fatalf("step %d: create over existing: %v", step, err)
			case !exists && err != nil:
				t.Fatalf("step %d: create: %v", step, err)
			case !exists:
				naive[p] = s
			}
		case 1: // replace with the right or a stale version
			if !exists {
				continue
			}
			s := cur
			s.Points = r.Int64N(100)
			stale := r.IntN(3) == 0
			if stale {
				s.Version--
			}
			err := e.scores.Put(ctx, &s)
			if stale != errors.Is(err, orm.ErrVersionConflict) || (!stale && err != nil) {
				t.Fatalf("step %d: replace (stale %v): %v", step, stale, err)
			}
			if !stale {
				naive[p] = s
			}
		case 2: // add
			n := r.Int64N(20)
			got, err := e.scores.Update(ctx, key, orm.Add("Points", n))
			if !exists {
				if !errors.Is(err, orm.ErrNotFound) {
					t.Fatalf("step %d: add to missing: %v", step, err)
				}
				continue
			}
			cur.Points += n
			cur.Version++
			if err != nil || got != cur {
				t.Fatalf("step %d: add: %v %+v want %+v", step, err, got, cur)
			}
			naive[p] = cur
		case 3: // conditional set
			n := r.Int64N(100)
			_, err := e.scores.Update(ctx, key, orm.Set("Points", n), orm.If(orm.Lt("Points", 50)))
			switch {
			case !exists && !errors.Is(err, orm.ErrNotFound):
				t.Fatalf("step %d: set missing: %v", step, err)
			case exists && cur.Points >= 50 && !errors.Is(err, orm.ErrConditionFailed):
				t.Fatalf("step %d: set failing cond: %v", step, err)
			case exists && cur.Points < 50:
				if err != nil {
					t.Fatalf("step %d: set: %v", step, err)
				}
				cur.Points, cur.Version = n, cur.Version+1
				naive[p] = cur
			}
		case 4: // delete
			if err := e.scores.Delete(ctx, key); err != nil {
				t.Fatalf("step %d: delete: %v", step, err)
			}
			delete(naive, p)
		}
		got, err := e.scores.Get(ctx, key, orm.Consistent())
		if want, ok := naive[p]; ok != (err == nil) || (ok && got != want) {
			t.Fatalf("step %d: get %s = %+v, %v; want %+v (exists %v)", step, p, got, err, want, ok)
		}
	}
	byPoints, err := e.scores.Query(Score{Game: "g"}).Index("gsi1").All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want []Score
	for _, s := range naive {
		want = append(want, s)
	}
	slices.SortFunc(want, func(a, b Score) int { return cmp.Or(cmp.Compare(a.Points, b.Points), cmp.Compare(a.Player, b.Player)) })
	if fmt.Sprint(playerPoints(byPoints)) != fmt.Sprint(playerPoints(want)) {
		t.Fatalf("index %v, model %v", playerPoints(byPoints), playerPoints(want))
	}
}
