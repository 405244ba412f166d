package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/monotable/monotable/lambda"
)

type Page struct {
	Limit  int    `query:"limit" validate:"omitempty,min=1,max=100"`
	Cursor string `query:"cursor"`
}

type CreateScore struct {
	Page                   // embedded: its params bind too
	Game     string        `path:"game" validate:"required,max=16"`
	Tags     []string      `query:"tag"`
	Debug    bool          `query:"debug"`
	Since    *time.Time    `query:"since"`
	Wait     time.Duration `query:"wait"`
	Req      string        `header:"X-Req"`
	Session  string        `cookie:"session"`
	Player   string        `json:"player" validate:"required"`
	Points   int64         `json:"points" validate:"gte=0"`
	Items    []ScoreItem   `json:"items" validate:"dive"`
	internal string
}

type ScoreItem struct {
	Name string `json:"name" validate:"required"`
	Qty  int    `json:"qty"`
}

type ScoreOut struct {
	Game    string   `json:"game"`
	Player  string   `json:"player"`
	Points  int64    `json:"points"`
	Limit   int      `json:"limit"`
	Tags    []string `json:"tags"`
	Debug   bool     `json:"debug"`
	Since   string   `json:"since,omitempty"`
	Wait    string   `json:"wait"`
	Req     string   `json:"req"`
	Session string   `json:"session"`
	Items   int      `json:"items"`
}

func createScore(ctx context.Context, in CreateScore) (ScoreOut, error) {
	if in.Player == "boom" {
		return ScoreOut{}, errors.New("database exploded: secret table name")
	}
	if in.Player == "nobody" {
		return ScoreOut{}, lambda.Error(http.StatusNotFound, "no such player")
	}
	out := ScoreOut{Game: in.Game, Player: in.Player, Points: in.Points, Limit: in.Limit, Tags: in.Tags,
		Debug: in.Debug, Wait: in.Wait.String(), Req: in.Req, Session: in.Session, Items: len(in.Items)}
	if in.Since != nil {
		out.Since = in.Since.UTC().Format(time.RFC3339)
	}
	return out, nil
}

func typedApp(t testing.TB) *lambda.App {
	a := lambda.New(quiet(t))
	a.Route("POST /games/{game}/scores", lambda.Handle(createScore))
	a.Route("PUT /raw", lambda.Handle(func(ctx context.Context, in []ScoreItem) (int, error) { return len(in), nil }))
	a.Route("PUT /ptr/{game}", lambda.Handle(func(ctx context.Context, in *CreateScore) (string, error) { return in.Game + "/" + in.Player, nil }))
	a.Route("DELETE /games/{game}", lambda.Handle(func(ctx context.Context, in struct {
		Game string `path:"game"`
	}) (struct{}, error) {
		return struct{}{}, nil
	}))
	a.Route("POST /games", lambda.Handle(func(ctx context.Context, in struct {
		Game string `json:"game" validate:"required"`
	}) (lambda.Response[map[string]string], error) {
		return lambda.Response[map[string]string]{
			Status: http.StatusCreated,
			Header: http.Header{"Location": {"/games/" + in.Game}},
			Body:   map[string]string{"game": in.Game},
		}, nil
	}))
	return a
}

func TestHandle(t *testing.T) {
	a := typedApp(t)
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name   string
		r      req
		status int
		want   string              // a substring of the body
		fields []lambda.FieldError // for problems
	}{
		{
			name: "binds every source",
			r: req{method: "POST", path: "/games/chess/scores", query: "limit=10&tag=a&tag=b&debug=true&since=2024-01-02T03:04:05Z&wait=1m30s",
				header: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "X-Req": {"r1"}, "Cookie": {"session=abc"}},
				body:   []byte(`{"player":"ann","points":7,"items":[{"name":"x","qty":1}]}`)},
			status: 200,
			want:   `{"game":"chess","player":"ann","points":7,"limit":10,"tags":["a","b"],"debug":true,"since":"2024-01-02T03:04:05Z","wait":"1m30s","req":"r1","session":"abc","items":1}`,
		},
		{
			name:   "a body cannot set a bound field",
			r:      req{method: "POST", path: "/games/chess/scores", header: jsonHeader, body: []byte(`{"player":"ann","Game":"evil","Req":"evil","Limit":5}`)},
			status: 200,
			want:   `"game":"chess","player":"ann","points":0,"limit":0`,
		},
		{
			name:   "conversion errors",
			r:      req{method: "POST", path: "/games/chess/scores", query: "limit=ten&debug=maybe&since=yesterday", header: jsonHeader, body: []byte(`{"player":"ann"}`)},
			status: 400,
			fields: []lambda.FieldError{
				{Name: "limit", In: "query", Reason: "must be an integer"},
				{Name: "debug", In: "query", Reason: "must be true or false"},
				{Name: "since", In: "query", Reason: "must be an RFC 3339 time"},
			},
		},
		{
			name:   "validation errors",
			r:      req{method: "POST", path: "/games/abcdefghijklmnopq/scores", query: "limit=500", header: jsonHeader, body: []byte(`{"points":-1,"items":[{"qty":1}]}`)},
			status: 400,
			fields: []lambda.FieldError{
				{Name: "limit", In: "query", Reason: "must be at most 100", Rule: "max"},
				{Name: "game", In: "path", Reason: "must be at most 16 characters long", Rule: "max"},
				{Name: "player", In: "body", Reason: "is required", Rule: "required"},
				{Name: "points", In: "body", Reason: "must be at least 0", Rule: "gte"},
				{Name: "items[0].name", In: "body", Reason: "is required", Rule: "required"},
			},
		},
		{
			name:   "wrong JSON type",
			r:      req{method: "POST", path: "/games/chess/scores", header: jsonHeader, body: []byte(`{"player":"ann","items":[{"name":"x","qty":"many"}]}`)},
			status: 400,
			fields: []lambda.FieldError{{Name: "items.qty", In: "body", Reason: "must be an integer in range"}},
		},
		{
			name:   "malformed JSON",
			r:      req{method: "POST", path: "/games/chess/scores", header: jsonHeader, body: []byte(`{"player":`)},
			status: 400,
			want:   "malformed JSON",
		},
		{
			name:   "trailing garbage",
			r:      req{method: "POST", path: "/games/chess/scores", header: jsonHeader, body: []byte(`{"player":"a"} x`)},
			status: 400,
			want:   "malformed JSON at offset",
		},
		{
			name:   "not JSON",
			r:      req{method: "POST", path: "/games/chess/scores", header: http.Header{"Content-Type": {"text/plain"}}, body: []byte(`player=ann`)},
			status: 415,
		},
		{
			name:   "no content type is taken as JSON",
			r:      req{method: "POST", path: "/games/chess/scores", body: []byte(`{"player":"ann"}`)},
			status: 200,
			want:   `"player":"ann"`,
		},
		{
			name:   "handler error is hidden",
			r:      req{method: "POST", path: "/games/chess/scores", header: jsonHeader, body: []byte(`{"player":"boom"}`)},
			status: 500,
		},
		{
			name:   "handler problem",
			r:      req{method: "POST", path: "/games/chess/scores", header: jsonHeader, body: []byte(`{"player":"nobody"}`)},
			status: 404,
			want:   "no such player",
		},
		{name: "non-struct input", r: req{method: "PUT", path: "/raw", header: jsonHeader, body: []byte(`[{"name":"a"},{"name":"b"}]`)}, status: 200, want: "2"},
		{name: "pointer input", r: req{method: "PUT", path: "/ptr/go", header: jsonHeader, body: []byte(`{"player":"bo"}`)}, status: 200, want: `"go/bo"`},
		{name: "no content", r: req{method: "DELETE", path: "/games/go"}, status: 204},
		{name: "response with status and header", r: req{method: "POST", path: "/games", header: jsonHeader, body: []byte(`{"game":"go"}`)}, status: 201, want: `{"game":"go"}`},
	}
	for _, tr := range transports {
		for _, tt := range tests {
			t.Run(tr.name+"/"+tt.name, func(t *testing.T) {
				got := tr.do(t, a, tt.r)
				if got.status != tt.status {
					t.Fatalf("status %d, want %d; body %s", got.status, tt.status, got.body)
				}
				if !strings.Contains(string(got.body), tt.want) {
					t.Errorf("body %s, want it to contain %s", got.body, tt.want)
				}
				if tt.status >= 400 {
					p := got.problem(t)
					if p.RequestID == "" {
						t.Error("problem has no request id")
					}
					if tt.fields != nil && !reflect.DeepEqual(p.Errors, tt.fields) {
						t.Errorf("errors\n got %+v\nwant %+v", p.Errors, tt.fields)
					}
					if tt.status == 500 && (p.Detail != "" || strings.Contains(string(got.body), "secret")) {
						t.Errorf("500 leaks: %s", got.body)
					}
				}
				if tt.status == 201 && got.header.Get("Location") != "/games/go" {
					t.Errorf("Location = %q", got.header.Get("Location"))
				}
			})
		}
	}
}

func TestHandleBadTypes(t *testing.T) {
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"map query", func() {
			lambda.Handle(func(ctx context.Context, in struct {
				M map[string]string `query:"m"`
			}) (int, error) {
				return 0, nil
			})
		}, "cannot bind"},
		{"unexported tagged", func() {
			lambda.Handle(func(ctx context.Context, in struct {
				m string `path:"m"`
			}) (int, error) {
				return 0, nil
			})
		}, "not exported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), tt.want) {
					t.Errorf("panic %v, want %q", v, tt.want)
				}
			}()
			tt.f()
		})
	}
}

func TestHandleOutputError(t *testing.T) {
	a := lambda.New(quiet(t))
	a.Route("GET /x", lambda.Handle(func(ctx context.Context, in struct{}) (func(), error) { return func() {}, nil }))
	got := doV2(t, a, req{method: "GET", path: "/x"})
	if got.status != 500 {
		t.Errorf("status %d", got.status)
	}
	var p lambda.Problem
	json.Unmarshal(got.body, &p)
	if p.Status != 500 {
		t.Errorf("problem %s", got.body)
	}
}
