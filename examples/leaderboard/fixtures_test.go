package leaderboard_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/monotable/monotable/examples/internal/apptest"
)

// Fixtures are events/<name>.v1.json (REST API) and .v2.json (HTTP API),
// one pair per route, with the status each gets once setup has played a
// few games of chess. Against an empty table (sam local invoke), the reads
// get 404 until a score is submitted.
var Fixtures = []apptest.Fixture{
	{Name: "submit-score", Status: http.StatusCreated, Req: apptest.Request{
		Method: "POST", Route: "/games/{game}/players/{player}/scores",
		Params: map[string]string{"game": "chess", "player": "ann"},
		Header: http.Header{"Idempotency-Key": {"b4e3c0de-1c2f-4c47-9a51-6f1b7c1f0a01"}},
		Body:   `{"points":120,"name":"Ann"}`}},
	{Name: "top-scores", Status: http.StatusOK, Req: apptest.Request{
		Method: "GET", Route: "/games/{game}/scores", Params: map[string]string{"game": "chess"}, Query: url.Values{"limit": {"3"}}}},
	{Name: "player-rank", Status: http.StatusOK, Req: apptest.Request{
		Method: "GET", Route: "/games/{game}/players/{player}", Params: map[string]string{"game": "chess", "player": "bob"}, Query: url.Values{"around": {"1"}}}},
	{Name: "player-history", Status: http.StatusOK, Req: apptest.Request{
		Method: "GET", Route: "/games/{game}/players/{player}/history", Params: map[string]string{"game": "chess", "player": "ann"}, Query: url.Values{"limit": {"5"}}}},
	{Name: "player-profile", Status: http.StatusOK, Req: apptest.Request{
		Method: "GET", Route: "/players/{player}", Params: map[string]string{"player": "ann"}}},
}

func TestFixtures(t *testing.T) {
	for _, f := range Fixtures {
		for name, ev := range f.Files() {
			t.Run(name, func(t *testing.T) {
				apptest.Sync(t, "events", name, ev)
				env := apptest.Setup(t)
				app := newApp(t, env)
				c := client{t, app, apptest.Transports[1]}
				for _, s := range []struct {
					player string
					points int64
				}{{"ann", 50}, {"bob", 90}, {"cy", 90}, {"dee", 40}} {
					c.submit("chess", s.player, s.points)
				}
				var res struct {
					StatusCode int    `json:"statusCode"`
					Body       string `json:"body"`
				}
				apptest.InvokeRaw(t, app, apptest.Read(t, "events", name), &res)
				if res.StatusCode != f.Status {
					t.Fatalf("status %d, want %d: %s", res.StatusCode, f.Status, res.Body)
				}
			})
		}
	}
}
