package sessions_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monotable/monotable/examples/internal/apptest"
	"github.com/monotable/monotable/examples/sessions"
)

// The session the fixtures name, and its owner.
const (
	fixtureID   = "Q7HZ3XN2KM5VWB4RT6YC8PDJ2A"
	fixtureUser = "ann"
)

// Fixtures are events/<name>.v1.json (REST API) and .v2.json (HTTP API),
// one pair per route, with the status each gets once setup has created the
// session fixtureID. Against an empty table (sam local invoke), the ones
// that name it get 404.
var Fixtures = []apptest.Fixture{
	{Name: "create-session", Status: http.StatusCreated, Req: apptest.Request{
		Method: "POST", Route: "/sessions", Body: `{"userId":"ann","ttlSeconds":3600,"agent":"curl/8.5.0"}`}},
	{Name: "get-session", Status: http.StatusOK, Req: apptest.Request{
		Method: "GET", Route: "/sessions/{id}", Params: map[string]string{"id": fixtureID}}},
	{Name: "refresh-session", Status: http.StatusOK, Req: apptest.Request{
		Method: "POST", Route: "/sessions/{id}/refresh", Params: map[string]string{"id": fixtureID}, Body: `{"version":1,"ttlSeconds":7200}`}},
	{Name: "revoke-session", Status: http.StatusNoContent, Req: apptest.Request{
		Method: "DELETE", Route: "/sessions/{id}", Params: map[string]string{"id": fixtureID}}},
	{Name: "list-sessions", Status: http.StatusOK, Req: apptest.Request{
		Method: "GET", Route: "/users/{user}/sessions", Params: map[string]string{"user": fixtureUser}, Query: url.Values{"limit": {"10"}}}},
	{Name: "list-audit", Status: http.StatusOK, Req: apptest.Request{
		Method: "GET", Route: "/users/{user}/audit", Params: map[string]string{"user": fixtureUser}, Query: url.Values{"limit": {"10"}}}},
}

// StreamFixtures are the stream batches of events/, by file name, and the
// audit event each records.
var StreamFixtures = map[string]string{
	"stream-revoked.json": sessions.Revoked,
	"stream-expired.json": sessions.Expired,
}

func TestFixtures(t *testing.T) {
	for _, f := range Fixtures {
		for name, ev := range f.Files() {
			t.Run(name, func(t *testing.T) {
				apptest.Sync(t, "events", name, ev)
				env := apptest.Setup(t)
				_, app := newApp(t, env, ids(fixtureID))
				client{t, app, apptest.Transports[1]}.create(fixtureUser, 3600)

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

// TestStreamFixtures makes the stream fixtures from what the in-memory
// table's stream really carries: a revocation, then a TTL deletion.
func TestStreamFixtures(t *testing.T) {
	env := apptest.Setup(t)
	_, app := newApp(t, env, ids(fixtureID, "M4X6B8D9F2H4J6L8N2Q3R5T7VA"))
	c := client{t, app, apptest.Transports[1]}
	stream := env.Stream(t)
	revoked := c.create(fixtureUser, 3600)
	expired := c.create(fixtureUser, 60)
	if st := c.do("DELETE", "/sessions/{id}", map[string]string{"id": revoked.ID}, nil, "").Status; st != http.StatusNoContent {
		t.Fatalf("revoke: %d", st)
	}
	env.Clock.Advance(2 * time.Minute)
	env.DB.SweepExpired()
	removes := map[string]events.DynamoDBEventRecord{}
	for _, r := range stream.Next().Records {
		if r.EventName == "REMOVE" {
			sum := sha256.Sum256([]byte(r.Change.SequenceNumber)) // stable event ids
			r.EventID = hex.EncodeToString(sum[:16])
			removes[r.Change.OldImage["id"].String()] = r
		}
	}
	batches := map[string]events.DynamoDBEvent{
		"stream-revoked.json": {Records: []events.DynamoDBEventRecord{removes[revoked.ID]}},
		"stream-expired.json": {Records: []events.DynamoDBEventRecord{removes[expired.ID]}},
	}
	for name, want := range StreamFixtures {
		t.Run(name, func(t *testing.T) {
			apptest.Sync(t, "events", name, batches[name])

			// Replayed into a fresh table, the batch records its audit event.
			env := apptest.Setup(t)
			_, app := newApp(t, env)
			var res events.DynamoDBEventResponse
			apptest.InvokeRaw(t, app, apptest.Read(t, "events", name), &res)
			if len(res.BatchItemFailures) != 0 {
				t.Fatalf("failures %+v", res.BatchItemFailures)
			}
			got := client{t, app, apptest.Transports[1]}.audit(fixtureUser)
			if len(got) != 1 || got[0].Event != want {
				b, _ := json.Marshal(got)
				t.Fatalf("audit %s, want one %s", b, want)
			}
		})
	}
}
