package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/samlocal"
)

const repoTemplate = "../../template.yaml"

// TestLocalApp runs the repository's SAM app (template.yaml and the real
// example functions) the way `make run` does, then `monotable invoke` on a
// fixture. The functions are built once and shared.
func TestLocalApp(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: builds the example functions")
	}
	tpl, err := samlocal.Load(repoTemplate, samlocal.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	boots := map[string]string{}
	for _, fn := range tpl.Functions {
		if boots[fn.Name], err = samlocal.Build(context.Background(), fn, dir); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("start-api", func(t *testing.T) { testStartAPI(t, boots) })
	t.Run("invoke", func(t *testing.T) { testInvoke(t, boots) })
}

// syncBuffer is a bytes.Buffer for many writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// api calls the local HTTP API.
type api struct {
	t    *testing.T
	base string
}

func (a api) do(method, path string, body any, header ...string) (int, http.Header, []byte) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// json calls the API and decodes the answer, which must have status want.
func (a api) json(want int, method, path string, body, out any, header ...string) {
	a.t.Helper()
	status, _, b := a.do(method, path, body, header...)
	if status != want {
		a.t.Fatalf("%s %s: %d %s, want %d", method, path, status, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

type session struct {
	ID      string    `json:"id"`
	UserID  string    `json:"userId"`
	Expires time.Time `json:"expires"`
	Version int64     `json:"version"`
}

func testStartAPI(t *testing.T, boots map[string]string) {
	// The store's clock moves ahead to expire sessions; the functions keep
	// the real one.
	var ahead atomic.Int64
	store := memstore.New(memstore.WithClock(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }))
	logs := &syncBuffer{}
	s, err := startAPI(context.Background(), apiOptions{
		addr: "127.0.0.1:0", dynamoAddr: "127.0.0.1:0", template: repoTemplate, region: "us-east-1",
		maxInstances: 2, log: slog.New(slog.NewTextHandler(logs, nil)), logs: logs,
		store: store, bootstraps: boots,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("logs:\n%s", logs)
		}
	}()
	c := api{t, s.apiURL}

	// Sessions: create, read, refresh, list, revoke; expire one by TTL.
	var s1, s2 session
	c.json(201, "POST", "/sessions", map[string]any{"userId": "ann", "ttlSeconds": 60, "agent": "e2e"}, &s1)
	c.json(201, "POST", "/sessions", map[string]any{"userId": "ann", "ttlSeconds": 60}, &s2)
	var got session
	c.json(200, "GET", "/sessions/"+s1.ID, nil, &got)
	if got.ID != s1.ID || got.UserID != "ann" || got.Version != 1 {
		t.Errorf("get: %+v, want %+v", got, s1)
	}
	c.json(200, "POST", "/sessions/"+s1.ID+"/refresh", map[string]any{"version": 1, "ttlSeconds": 3600}, &got)
	if got.Version != 2 || !got.Expires.After(s1.Expires) {
		t.Errorf("refresh: %+v", got)
	}
	c.json(409, "POST", "/sessions/"+s1.ID+"/refresh", map[string]any{"version": 1}, nil)
	var list struct{ Items []session }
	c.json(200, "GET", "/users/ann/sessions", nil, &list)
	if len(list.Items) != 2 || list.Items[0].ID != s2.ID || list.Items[1].ID != s1.ID {
		t.Errorf("list: %+v", list)
	}
	if status, _, b := c.do("DELETE", "/sessions/"+s1.ID+"?version=2", nil); status >= 300 {
		t.Fatalf("revoke: %d %s", status, b)
	}
	c.json(404, "GET", "/sessions/"+s1.ID, nil, nil)

	ahead.Store(int64(2 * time.Hour))
	if n := store.SweepExpired(); n != 1 {
		t.Errorf("the sweep deleted %d items, want s2 alone", n)
	}
	c.json(404, "GET", "/sessions/"+s2.ID, nil, nil)

	// The stream consumer records both ends, told apart by the TTL
	// deletion's userIdentity, timed by the record's creation time.
	var audit struct {
		Items []struct {
			SessionID string    `json:"sessionId"`
			Event     string    `json:"event"`
			At        time.Time `json:"at"`
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c.json(200, "GET", "/users/ann/audit", nil, &audit)
		if len(audit.Items) >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	events := map[string]string{}
	for _, a := range audit.Items {
		events[a.SessionID] = a.Event
		if a.SessionID == s2.ID && a.At.Before(time.Now().Add(time.Hour)) {
			t.Errorf("the expiry is recorded at %v, not at the store's (advanced) time", a.At)
		}
	}
	if len(audit.Items) != 2 || events[s1.ID] != "revoked" || events[s2.ID] != "expired" {
		t.Errorf("audit: %+v", audit.Items)
	}

	// Leaderboard: scores (one retried under an idempotency key), the top,
	// a page after a cursor, a rank.
	type submitted struct {
		Score struct {
			Player string `json:"player"`
			Points int64  `json:"points"`
		} `json:"score"`
	}
	submit := func(player string, points int, key string) submitted {
		var out submitted
		c.json(201, "POST", "/games/chess/players/"+player+"/scores", map[string]any{"points": points, "name": player}, &out, "Idempotency-Key", key)
		return out
	}
	submit("ann", 120, "k1")
	if again := submit("ann", 120, "k1"); again.Score.Points != 120 {
		t.Errorf("a retried submission counted twice: %+v", again)
	}
	submit("bob", 300, "k2")
	submit("cara", 50, "k3")
	if sub := submit("ann", 100, "k4"); sub.Score.Points != 220 {
		t.Errorf("ann's total %d, want 220", sub.Score.Points)
	}
	type entry struct {
		Rank   int    `json:"rank"`
		Player string `json:"player"`
		Points int64  `json:"points"`
	}
	var board struct {
		Scores []entry `json:"scores"`
		Next   string  `json:"next"`
	}
	c.json(200, "GET", "/games/chess/scores?limit=2", nil, &board)
	if len(board.Scores) != 2 || board.Scores[0] != (entry{1, "bob", 300}) || board.Scores[1] != (entry{2, "ann", 220}) || board.Next == "" {
		t.Errorf("top 2: %+v", board)
	}
	c.json(200, "GET", "/games/chess/scores?limit=2&cursor="+url.QueryEscape(board.Next), nil, &board)
	if len(board.Scores) != 1 || board.Scores[0] != (entry{3, "cara", 50}) {
		t.Errorf("next page: %+v", board)
	}
	var standing struct {
		Rank         int
		Points       int64
		Above, Below []entry
	}
	c.json(200, "GET", "/games/chess/players/ann", nil, &standing)
	if standing.Rank != 2 || standing.Points != 220 || len(standing.Above) != 1 || standing.Above[0].Player != "bob" ||
		len(standing.Below) != 1 || standing.Below[0].Player != "cara" {
		t.Errorf("rank: %+v", standing)
	}

	if status, h, b := c.do("GET", "/no/such/route", nil); status != 404 || string(b) != `{"message":"Not Found"}` || h.Get("Apigw-Requestid") == "" {
		t.Errorf("unknown route: %d %s", status, b)
	}
	// Logs by function; one warm process each, so one cold start each.
	out := logs.String()
	for _, fn := range []string{"SessionsFunction", "LeaderboardFunction", "SessionAuditFunction"} {
		if !strings.Contains(out, fn+" | REPORT RequestId: ") {
			t.Errorf("no REPORT line of %s", fn)
		}
	}
	if n := strings.Count(out, "Init Duration"); n != 3 {
		t.Errorf("%d cold starts, want one per function", n)
	}
}

func testInvoke(t *testing.T, boots map[string]string) {
	testBootstraps = boots
	defer func() { testBootstraps = nil }()
	var stdout, stderr bytes.Buffer
	code := run([]string{"invoke", "SessionsFunction", "-e", "../../examples/sessions/events/create-session.v2.json",
		"--template", repoTemplate, "--env-vars", "../../env.json"}, &stdout, &stderr)
	var resp struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &resp); code != 0 || err != nil || resp.StatusCode != 201 ||
		!strings.Contains(resp.Body, `"userId":"ann"`) {
		t.Fatalf("invoke: exit %d, %v\nstdout: %s\nstderr: %s", code, err, &stdout, &stderr)
	}
	if !strings.Contains(stderr.String(), "REPORT RequestId: ") || !strings.Contains(stderr.String(), "Init Duration: ") {
		t.Errorf("no REPORT line with Init Duration:\n%s", &stderr)
	}

	// A failing function: an event the app does not serve.
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"invoke", "--template", repoTemplate, "SessionsFunction"}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stdout.String(), "errorMessage") {
		t.Errorf("invoke with {}: exit %d\nstdout: %s\nstderr: %s", code, &stdout, &stderr)
	}
}
