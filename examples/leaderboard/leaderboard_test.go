package leaderboard_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monotable/monotable/examples/internal/apptest"
	"github.com/monotable/monotable/examples/leaderboard"
	"github.com/monotable/monotable/lambda"
	"github.com/monotable/monotable/lambda/idempotency"
	"github.com/monotable/monotable/orm"
)

func newApp(t *testing.T, env apptest.Env) *lambda.App {
	t.Helper()
	idem, err := idempotency.New(env.Table, idempotency.WithClock(env.Clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := leaderboard.New(env.Table, leaderboard.WithClock(env.Clock.Now), leaderboard.WithIdempotency(idem))
	if err != nil {
		t.Fatal(err)
	}
	app := lambda.New(apptest.Quiet())
	svc.Register(app)
	return app
}

type client struct {
	t   *testing.T
	app *lambda.App
	tr  apptest.Transport
}

func (c client) do(r apptest.Request) apptest.Response {
	c.t.Helper()
	return c.tr.Do(c.t, c.app, r)
}

func submitReq(game, player string, points int64, name string) apptest.Request {
	return apptest.Request{
		Method: "POST", Route: "/games/{game}/players/{player}/scores",
		Params: map[string]string{"game": game, "player": player},
		Body:   fmt.Sprintf(`{"points":%d,"name":%q}`, points, name),
	}
}

func (c client) submit(game, player string, points int64) leaderboard.Submitted {
	c.t.Helper()
	res := c.do(submitReq(game, player, points, ""))
	if res.Status != http.StatusCreated {
		c.t.Fatalf("submit: %d %s", res.Status, res.Body)
	}
	var s leaderboard.Submitted
	res.JSON(c.t, &s)
	return s
}

func (c client) get(route string, params map[string]string, query url.Values, v any) int {
	c.t.Helper()
	res := c.do(apptest.Request{Method: "GET", Route: route, Params: params, Query: query})
	if res.Status == http.StatusOK {
		res.JSON(c.t, v)
	}
	return res.Status
}

func forEachTransport(t *testing.T, fn func(t *testing.T, env apptest.Env, c client)) {
	for _, tr := range apptest.Transports {
		t.Run(tr.Name, func(t *testing.T) {
			env := apptest.Setup(t)
			fn(t, env, client{t, newApp(t, env), tr})
		})
	}
}

func TestSubmit(t *testing.T) {
	forEachTransport(t, func(t *testing.T, env apptest.Env, c client) {
		// A first play creates the score and the profile.
		res := c.do(submitReq("chess", "ann", 120, "Ann"))
		var s leaderboard.Submitted
		res.JSON(t, &s)
		if res.Status != http.StatusCreated || s.Score.Points != 120 || s.Score.Plays != 1 || s.Play.Points != 120 || s.Play.Game != "chess" {
			t.Fatalf("first play: %d %s", res.Status, res.Body)
		}
		if loc := res.Header.Get("Location"); loc != "/games/chess/players/ann" {
			t.Errorf("Location %q", loc)
		}
		env.Clock.Advance(time.Minute)
		c.submit("go", "ann", 7)
		env.Clock.Advance(time.Minute)
		if s := c.submit("chess", "ann", 30); s.Score.Points != 150 || s.Score.Plays != 2 {
			t.Fatalf("second chess play: %+v", s.Score)
		}

		var p leaderboard.Player
		if st := c.get("/players/{player}", map[string]string{"player": "ann"}, nil, &p); st != http.StatusOK {
			t.Fatalf("profile: %d", st)
		}
		if p.Name != "Ann" || p.Points != 157 || p.Plays != 3 || !p.Created.Equal(apptest.Start) {
			t.Fatalf("profile %+v", p)
		}
		var h leaderboard.Plays
		c.get("/games/{game}/players/{player}/history", map[string]string{"game": "chess", "player": "ann"}, nil, &h)
		if len(h.Plays) != 2 || h.Plays[0].Points != 30 || h.Plays[1].Points != 120 {
			t.Fatalf("chess history %+v", h)
		}
		if st := c.get("/players/{player}", map[string]string{"player": "bob"}, nil, &p); st != http.StatusNotFound {
			t.Fatalf("unknown player: %d", st)
		}
	})
}

// Concurrent first plays of one player: every point lands, once, whichever
// transaction created the score and the profile.
func TestSubmitConcurrently(t *testing.T) {
	env := apptest.Setup(t)
	app := newApp(t, env)
	const workers, each = 4, 6
	var wg sync.WaitGroup
	errs := make(chan string, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				body := fmt.Sprintf(`{"points":%d}`, w*each+i+1)
				req := httptest.NewRequest("POST", "/games/chess/players/ann/scores", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				app.ServeHTTP(rec, req)
				if rec.Code != http.StatusCreated {
					errs <- fmt.Sprintf("%d %s", rec.Code, rec.Body)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	const n = workers * each
	c := client{t, app, apptest.Transports[1]}
	var st leaderboard.Standing
	c.get("/games/{game}/players/{player}", map[string]string{"game": "chess", "player": "ann"}, nil, &st)
	var p leaderboard.Player
	c.get("/players/{player}", map[string]string{"player": "ann"}, nil, &p)
	if want := int64(n * (n + 1) / 2); st.Points != want || p.Points != want || p.Plays != n {
		t.Fatalf("score %d, profile %+v; want %d points in %d plays", st.Points, p, want, n)
	}
	var h leaderboard.Plays
	c.get("/games/{game}/players/{player}/history", map[string]string{"game": "chess", "player": "ann"}, url.Values{"limit": {"100"}}, &h)
	if len(h.Plays) != n {
		t.Fatalf("%d plays in the history, want %d", len(h.Plays), n)
	}
}

// Adding is not idempotent; a submission with an Idempotency-Key is.
func TestSubmitIdempotencyKey(t *testing.T) {
	forEachTransport(t, func(t *testing.T, env apptest.Env, c client) {
		req := submitReq("chess", "ann", 10, "")
		req.Header = http.Header{"Idempotency-Key": {"4c1f2a4e-retry"}}
		first := c.do(req)
		again := c.do(req)
		if first.Status != http.StatusCreated || again.Status != http.StatusCreated || string(again.Body) != string(first.Body) {
			t.Fatalf("first %d %s, again %d %s", first.Status, first.Body, again.Status, again.Body)
		}
		if again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay not marked: %v", again.Header)
		}
		var st leaderboard.Standing
		c.get("/games/{game}/players/{player}", map[string]string{"game": "chess", "player": "ann"}, nil, &st)
		if st.Points != 10 {
			t.Fatalf("points %d after a retried submission, want 10", st.Points)
		}
		other := submitReq("chess", "ann", 99, "")
		other.Header = req.Header
		if res := c.do(other); res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("key reused with another body: %d %s", res.Status, res.Body)
		}
	})
}

// seed puts a board straight into the table.
func seed(t *testing.T, env apptest.Env, game string, points map[string]int64) {
	t.Helper()
	scores := orm.MustRegister[leaderboard.Score](env.Table)
	for p, n := range points {
		if err := scores.Put(context.Background(), &leaderboard.Score{Game: game, Player: p, Points: n, Plays: 1}); err != nil {
			t.Fatal(err)
		}
	}
}

// model is the naive leaderboard: every score in board order.
type model []leaderboard.Entry

func newModel(points map[string]int64) model {
	var m model
	for p, n := range points {
		m = append(m, leaderboard.Entry{Player: p, Points: n})
	}
	slices.SortFunc(m, func(a, b leaderboard.Entry) int {
		if a.Points != b.Points {
			return int(b.Points - a.Points)
		}
		return strings.Compare(a.Player, b.Player)
	})
	for i := range m {
		m[i].Rank = 1
		for _, o := range m {
			if o.Points > m[i].Points {
				m[i].Rank++
			}
		}
	}
	return m
}

func randomBoard(r *rand.Rand, players int, spread int64) map[string]int64 {
	points := map[string]int64{}
	for i := range players {
		points[fmt.Sprintf("p%02d", i)] = r.Int64N(spread)
	}
	return points
}

func TestTopPages(t *testing.T) {
	forEachTransport(t, func(t *testing.T, env apptest.Env, c client) {
		r := rand.New(rand.NewPCG(1, 2))
		points := randomBoard(r, 23, 8) // many ties
		seed(t, env, "chess", points)
		seed(t, env, "go", map[string]int64{"zed": 1000})
		want := newModel(points)

		var got []leaderboard.Entry
		query := url.Values{"limit": {"4"}}
		pages := 0
		for {
			var b leaderboard.Board
			if st := c.get("/games/{game}/scores", map[string]string{"game": "chess"}, query, &b); st != http.StatusOK {
				t.Fatalf("page %d: %d", pages, st)
			}
			got = append(got, b.Scores...)
			pages++
			if b.Next == "" {
				break
			}
			query.Set("cursor", b.Next)
		}
		if pages != 6 || len(got) != len(want) {
			t.Fatalf("%d entries in %d pages, want %d in 6", len(got), pages, len(want))
		}
		// The index orders equal points as it likes: compare ranks and points
		// in order, and the players as a set.
		var gotPlayers, wantPlayers []string
		for i := range want {
			if got[i].Rank != want[i].Rank || got[i].Points != want[i].Points {
				t.Fatalf("entry %d = %+v, want rank %d points %d", i, got[i], want[i].Rank, want[i].Points)
			}
			gotPlayers, wantPlayers = append(gotPlayers, got[i].Player), append(wantPlayers, want[i].Player)
		}
		slices.Sort(gotPlayers)
		slices.Sort(wantPlayers)
		if !slices.Equal(gotPlayers, wantPlayers) {
			t.Fatalf("players %v, want %v", gotPlayers, wantPlayers)
		}
	})
}

func TestRankAndNeighbours(t *testing.T) {
	env := apptest.Setup(t)
	c := client{t, newApp(t, env), apptest.Transports[1]}
	r := rand.New(rand.NewPCG(3, 4))
	points := randomBoard(r, 30, 6)
	seed(t, env, "chess", points)
	m := newModel(points)
	for i, me := range m {
		for _, around := range []int{0, 1, 2, 4} {
			var st leaderboard.Standing
			q := url.Values{"around": {fmt.Sprint(around)}}
			if code := c.get("/games/{game}/players/{player}", map[string]string{"game": "chess", "player": me.Player}, q, &st); code != http.StatusOK {
				t.Fatalf("%s: %d", me.Player, code)
			}
			above := m[max(0, i-around):i]
			below := m[i+1 : min(len(m), i+1+around)]
			if st.Rank != me.Rank || st.Points != me.Points || !slices.Equal(st.Above, above) || !slices.Equal(st.Below, below) {
				t.Fatalf("%s around %d:\ngot  rank %d above %v below %v\nwant rank %d above %v below %v",
					me.Player, around, st.Rank, st.Above, st.Below, me.Rank, above, below)
			}
		}
	}
	var st leaderboard.Standing
	if code := c.get("/games/{game}/players/{player}", map[string]string{"game": "chess", "player": "nobody"}, nil, &st); code != http.StatusNotFound {
		t.Fatalf("unknown player: %d", code)
	}
	// The default is two on each side.
	c.get("/games/{game}/players/{player}", map[string]string{"game": "chess", "player": m[10].Player}, nil, &st)
	if len(st.Above) != 2 || len(st.Below) != 2 {
		t.Fatalf("default neighbours: %+v", st)
	}
}

func TestHistoryPages(t *testing.T) {
	forEachTransport(t, func(t *testing.T, env apptest.Env, c client) {
		for i := range 5 {
			c.submit("chess", "ann", int64(i+1))
			c.submit("chess2", "ann", 100) // a game whose name starts like chess
			env.Clock.Advance(time.Minute)
		}
		var got []int64
		query := url.Values{"limit": {"2"}}
		for {
			var h leaderboard.Plays
			c.get("/games/{game}/players/{player}/history", map[string]string{"game": "chess", "player": "ann"}, query, &h)
			for _, p := range h.Plays {
				got = append(got, p.Points)
			}
			if h.Next == "" {
				break
			}
			query.Set("cursor", h.Next)
		}
		if !slices.Equal(got, []int64{5, 4, 3, 2, 1}) {
			t.Fatalf("history %v, want 5 4 3 2 1", got)
		}
	})
}

func TestBadRequests(t *testing.T) {
	env := apptest.Setup(t)
	app := newApp(t, env)
	for _, tc := range []struct {
		name  string
		req   apptest.Request
		field string
	}{
		{"no points", submitReq("chess", "ann", 0, ""), "points"},
		{"too many points", submitReq("chess", "ann", 10_000_000, ""), "points"},
		{"separator in a game", submitReq("a#b", "ann", 1, ""), "game"},
		{"separator in a player", submitReq("chess", "ann#1", 1, ""), "player"},
		{"limit", apptest.Request{Method: "GET", Route: "/games/{game}/scores", Params: map[string]string{"game": "chess"}, Query: url.Values{"limit": {"101"}}}, "limit"},
		{"around", apptest.Request{Method: "GET", Route: "/games/{game}/players/{player}", Params: map[string]string{"game": "chess", "player": "ann"}, Query: url.Values{"around": {"99"}}}, "around"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, tr := range apptest.Transports {
				res := tr.Do(t, app, tc.req)
				if res.Status != http.StatusBadRequest {
					t.Fatalf("%s: %d %s", tr.Name, res.Status, res.Body)
				}
				if p := res.Problem(t); len(p.Errors) != 1 || p.Errors[0].Name != tc.field {
					t.Fatalf("%s: errors %+v, want one on %s", tr.Name, p.Errors, tc.field)
				}
			}
		})
	}
	res := apptest.Transports[1].Do(t, app, apptest.Request{Method: "GET", Route: "/games/{game}/scores", Params: map[string]string{"game": "chess"}, Query: url.Values{"cursor": {"forged"}}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("forged cursor: %d %s", res.Status, res.Body)
	}
}
