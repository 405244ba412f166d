package sessions_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/monotable/monotable/examples/internal/apptest"
	"github.com/monotable/monotable/examples/sessions"
	"github.com/monotable/monotable/lambda"
	"github.com/monotable/monotable/orm"
)

// newApp serves the API and the stream consumer from one App, as the two
// functions of template.yaml do apart.
func newApp(t *testing.T, env apptest.Env, opts ...sessions.Option) (*sessions.Service, *lambda.App) {
	t.Helper()
	svc, err := sessions.New(env.Table, append([]sessions.Option{sessions.WithClock(env.Clock.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	app := lambda.New(apptest.Quiet())
	svc.Register(app)
	svc.RegisterStream(app)
	return svc, app
}

// ids hands out the given session ids, then fresh ones.
func ids(fixed ...string) sessions.Option {
	n := 0
	return sessions.WithIDs(func() string {
		n++
		if n <= len(fixed) {
			return fixed[n-1]
		}
		return fmt.Sprintf("S%d", n)
	})
}

type client struct {
	t   *testing.T
	app *lambda.App
	tr  apptest.Transport
}

func (c client) do(method, route string, params map[string]string, query url.Values, body string) apptest.Response {
	c.t.Helper()
	return c.tr.Do(c.t, c.app, apptest.Request{Method: method, Route: route, Params: params, Query: query, Body: body})
}

func (c client) create(user string, ttl int) sessions.Session {
	c.t.Helper()
	res := c.do("POST", "/sessions", nil, nil, fmt.Sprintf(`{"userId":%q,"ttlSeconds":%d,"agent":"test"}`, user, ttl))
	if res.Status != http.StatusCreated {
		c.t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var s sessions.Session
	res.JSON(c.t, &s)
	if loc := res.Header.Get("Location"); loc != "/sessions/"+s.ID {
		c.t.Errorf("Location %q, want /sessions/%s", loc, s.ID)
	}
	return s
}

func (c client) get(id string) (sessions.Session, int) {
	c.t.Helper()
	res := c.do("GET", "/sessions/{id}", map[string]string{"id": id}, nil, "")
	var s sessions.Session
	if res.Status == http.StatusOK {
		res.JSON(c.t, &s)
	}
	return s, res.Status
}

func (c client) list(user string, query url.Values) sessions.Page[sessions.Session] {
	c.t.Helper()
	res := c.do("GET", "/users/{user}/sessions", map[string]string{"user": user}, query, "")
	if res.Status != http.StatusOK {
		c.t.Fatalf("list: %d %s", res.Status, res.Body)
	}
	var p sessions.Page[sessions.Session]
	res.JSON(c.t, &p)
	return p
}

func (c client) audit(user string) []sessions.Audit {
	c.t.Helper()
	res := c.do("GET", "/users/{user}/audit", map[string]string{"user": user}, nil, "")
	if res.Status != http.StatusOK {
		c.t.Fatalf("audit: %d %s", res.Status, res.Body)
	}
	var p sessions.Page[sessions.Audit]
	res.JSON(c.t, &p)
	return p.Items
}

func idsOf(ss []sessions.Session) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return strings.Join(out, ",")
}

// forEachTransport runs fn on a fresh table for each way the API is reached.
func forEachTransport(t *testing.T, fn func(t *testing.T, env apptest.Env, c client)) {
	for _, tr := range apptest.Transports {
		t.Run(tr.Name, func(t *testing.T) {
			env := apptest.Setup(t)
			_, app := newApp(t, env, ids("S1", "S2", "S3", "S4"))
			fn(t, env, client{t, app, tr})
		})
	}
}

func TestLifecycle(t *testing.T) {
	forEachTransport(t, func(t *testing.T, env apptest.Env, c client) {
		s := c.create("ann", 600)
		if s.ID != "S1" || s.UserID != "ann" || s.Version != 1 || !s.Expires.Equal(apptest.Start.Add(10*time.Minute)) || !s.Created.Equal(apptest.Start) {
			t.Fatalf("created %+v", s)
		}
		if got, status := c.get("S1"); status != http.StatusOK || got != s {
			t.Fatalf("get: %d %+v, want %+v", status, got, s)
		}

		// Refresh at a version the session is not at: 409, nothing changes.
		res := c.do("POST", "/sessions/{id}/refresh", map[string]string{"id": "S1"}, nil, `{"version":2,"ttlSeconds":3600}`)
		if res.Status != http.StatusConflict {
			t.Fatalf("stale refresh: %d %s", res.Status, res.Body)
		}
		env.Clock.Advance(5 * time.Minute)
		res = c.do("POST", "/sessions/{id}/refresh", map[string]string{"id": "S1"}, nil, `{"version":1,"ttlSeconds":3600}`)
		var r sessions.Session
		res.JSON(t, &r)
		if res.Status != http.StatusOK || r.Version != 2 || !r.Expires.Equal(env.Clock.Now().Add(time.Hour)) {
			t.Fatalf("refresh: %d %+v", res.Status, r)
		}
		if got, _ := c.get("S1"); got != r {
			t.Fatalf("read after refresh %+v, want %+v", got, r)
		}

		c.create("ann", 600)
		c.create("bob", 600)
		if got := idsOf(c.list("ann", nil).Items); got != "S2,S1" {
			t.Fatalf("ann's sessions %s, want S2,S1 (newest first)", got)
		}

		// Revoke: at a stale version 409, then 204, then 404.
		del := func(query url.Values) int {
			return c.do("DELETE", "/sessions/{id}", map[string]string{"id": "S1"}, query, "").Status
		}
		if st := del(url.Values{"version": {"1"}}); st != http.StatusConflict {
			t.Fatalf("revoke at a stale version: %d", st)
		}
		if st := del(url.Values{"version": {"2"}}); st != http.StatusNoContent {
			t.Fatalf("revoke: %d", st)
		}
		if _, st := c.get("S1"); st != http.StatusNotFound {
			t.Fatalf("get after revoke: %d", st)
		}
		if st := del(nil); st != http.StatusNotFound {
			t.Fatalf("revoke again: %d", st)
		}
		if got := idsOf(c.list("ann", nil).Items); got != "S2" {
			t.Fatalf("ann's sessions %s, want S2", got)
		}
	})
}

// An expired session is never served, though DynamoDB has not deleted it.
func TestExpiredSessionsAreNotServed(t *testing.T) {
	forEachTransport(t, func(t *testing.T, env apptest.Env, c client) {
		short := c.create("ann", 60)
		c.create("ann", 3600)
		env.Clock.Advance(61 * time.Second)

		if _, st := c.get(short.ID); st != http.StatusNotFound {
			t.Errorf("get: %d, want 404", st)
		}
		if got := idsOf(c.list("ann", nil).Items); got != "S2" {
			t.Errorf("listed %s, want S2", got)
		}
		res := c.do("POST", "/sessions/{id}/refresh", map[string]string{"id": short.ID}, nil, `{"version":1}`)
		if res.Status != http.StatusNotFound {
			t.Errorf("refresh: %d %s, want 404", res.Status, res.Body)
		}
		if st := c.do("DELETE", "/sessions/{id}", map[string]string{"id": short.ID}, nil, "").Status; st != http.StatusNotFound {
			t.Errorf("revoke: %d, want 404", st)
		}

		// The item is still there, as on DynamoDB until its TTL process runs.
		sessionsModel := orm.MustRegister[sessions.Session](env.Table)
		out, err := env.DB.GetItem(context.Background(), &dynamodb.GetItemInput{
			TableName: aws.String(apptest.TableName), Key: sessionsModel.Key(sessions.Session{ID: short.ID}), ConsistentRead: aws.Bool(true),
		})
		if err != nil || out.Item == nil {
			t.Fatalf("raw read of the expired item: %v %v", out, err)
		}
		if n := env.DB.SweepExpired(); n != 1 {
			t.Fatalf("swept %d items, want 1", n)
		}
	})
}

// The stream consumer records revocations and expiries, told apart, and
// a batch delivered twice records them once.
func TestAuditFromStream(t *testing.T) {
	forEachTransport(t, func(t *testing.T, env apptest.Env, c client) {
		stream := env.Stream(t)
		revoked := c.create("ann", 3600)
		expired := c.create("ann", 60)
		kept := c.create("ann", 3600)
		if st := c.do("DELETE", "/sessions/{id}", map[string]string{"id": revoked.ID}, nil, "").Status; st != http.StatusNoContent {
			t.Fatalf("revoke: %d", st)
		}
		env.Clock.Advance(2 * time.Minute)
		if n := env.DB.SweepExpired(); n != 1 {
			t.Fatalf("swept %d, want 1", n)
		}

		batch := stream.Next()
		if len(batch.Records) != 5 { // three inserts, two removes
			t.Fatalf("%d records, want 5", len(batch.Records))
		}
		for range 2 { // the second time, as after a retry
			var res events.DynamoDBEventResponse
			apptest.Invoke(t, c.app, batch, &res)
			if len(res.BatchItemFailures) != 0 {
				t.Fatalf("failures %+v", res.BatchItemFailures)
			}
		}
		got := c.audit("ann")
		want := []sessions.Audit{
			{UserID: "ann", SessionID: expired.ID, Event: sessions.Expired, At: apptest.Start.Add(2 * time.Minute)},
			{UserID: "ann", SessionID: revoked.ID, Event: sessions.Revoked, At: apptest.Start},
		}
		if len(got) != len(want) {
			t.Fatalf("audit %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i].UserID != want[i].UserID || got[i].SessionID != want[i].SessionID || got[i].Event != want[i].Event || !got[i].At.Equal(want[i].At) {
				t.Errorf("audit[%d] = %+v, want %+v", i, got[i], want[i])
			}
		}
		if _, st := c.get(kept.ID); st != http.StatusOK {
			t.Errorf("kept session: %d", st)
		}

		// The audit entries are in the stream too; the consumer skips them.
		var res events.DynamoDBEventResponse
		next := stream.Next()
		if len(next.Records) == 0 {
			t.Fatal("no audit records in the stream")
		}
		apptest.Invoke(t, c.app, next, &res)
		if len(res.BatchItemFailures) != 0 || len(c.audit("ann")) != 2 {
			t.Fatalf("second batch: failures %+v, audit %+v", res.BatchItemFailures, c.audit("ann"))
		}
	})
}

// A record that cannot be handled is reported, so that Lambda retries the
// batch from it and no later record is lost.
func TestAuditReportsFailedRecords(t *testing.T) {
	env := apptest.Setup(t)
	_, app := newApp(t, env)
	bad := events.DynamoDBEventRecord{
		EventID: "1", EventName: "REMOVE", EventSource: "aws:dynamodb",
		Change: events.DynamoDBStreamRecord{
			SequenceNumber: "000000000000000000042",
			OldImage: map[string]events.DynamoDBAttributeValue{
				"type":    events.NewStringAttribute("session"),
				"id":      events.NewStringAttribute("X"),
				"user":    events.NewStringAttribute("ann"),
				"expires": events.NewStringAttribute("not a time"),
			},
		},
	}
	var res events.DynamoDBEventResponse
	apptest.Invoke(t, app, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{bad}}, &res)
	if len(res.BatchItemFailures) != 1 || res.BatchItemFailures[0].ItemIdentifier != "000000000000000000042" {
		t.Fatalf("failures %+v", res.BatchItemFailures)
	}
}

// The create is conditional: a colliding id is never overwritten.
func TestCreateNeverOverwrites(t *testing.T) {
	env := apptest.Setup(t)
	_, app := newApp(t, env, ids("DUP", "DUP", "FRESH", "DUP", "DUP", "DUP"))
	c := client{t, app, apptest.Transports[1]}
	if s := c.create("ann", 600); s.ID != "DUP" {
		t.Fatalf("first id %s", s.ID)
	}
	if s := c.create("bob", 600); s.ID != "FRESH" {
		t.Fatalf("second id %s, want FRESH after a collision", s.ID)
	}
	res := c.do("POST", "/sessions", nil, nil, `{"userId":"cy"}`)
	if res.Status != http.StatusInternalServerError {
		t.Fatalf("three collisions: %d %s", res.Status, res.Body)
	}
	if s, _ := c.get("DUP"); s.UserID != "ann" {
		t.Fatalf("DUP belongs to %q, want ann", s.UserID)
	}
}

func TestBadRequests(t *testing.T) {
	env := apptest.Setup(t)
	_, app := newApp(t, env)
	for _, tc := range []struct {
		name  string
		req   apptest.Request
		field string
	}{
		{"no user", apptest.Request{Method: "POST", Route: "/sessions", Body: `{"ttlSeconds":600}`}, "userId"},
		{"ttl too short", apptest.Request{Method: "POST", Route: "/sessions", Body: `{"userId":"ann","ttlSeconds":5}`}, "ttlSeconds"},
		{"ttl too long", apptest.Request{Method: "POST", Route: "/sessions", Body: `{"userId":"ann","ttlSeconds":99999999}`}, "ttlSeconds"},
		{"refresh without version", apptest.Request{Method: "POST", Route: "/sessions/{id}/refresh", Params: map[string]string{"id": "S"}, Body: `{}`}, "version"},
		{"limit too high", apptest.Request{Method: "GET", Route: "/users/{user}/sessions", Params: map[string]string{"user": "ann"}, Query: url.Values{"limit": {"1000"}}}, "limit"},
		{"version not a number", apptest.Request{Method: "DELETE", Route: "/sessions/{id}", Params: map[string]string{"id": "S"}, Query: url.Values{"version": {"two"}}}, "version"},
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
}

func TestListPages(t *testing.T) {
	forEachTransport(t, func(t *testing.T, env apptest.Env, c client) {
		for range 5 {
			c.create("ann", 600)
			env.Clock.Advance(time.Second)
		}
		var seen []string
		query := url.Values{"limit": {"2"}}
		for {
			p := c.list("ann", query)
			seen = append(seen, idsOf(p.Items))
			if p.Next == "" {
				break
			}
			query.Set("cursor", p.Next)
		}
		if got := strings.Join(seen, "|"); got != "S5,S4|S3,S2|S1" {
			t.Fatalf("pages %s", got)
		}

		// A cursor is bound to its query: not valid for another user's list.
		first := c.list("ann", url.Values{"limit": {"2"}})
		res := c.do("GET", "/users/{user}/sessions", map[string]string{"user": "bob"}, url.Values{"cursor": {first.Next}}, "")
		if res.Status != http.StatusBadRequest {
			t.Fatalf("foreign cursor: %d %s", res.Status, res.Body)
		}
	})
}
