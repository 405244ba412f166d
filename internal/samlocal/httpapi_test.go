package samlocal

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monotable/monotable/internal/runtimeapi"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMatch(t *testing.T) {
	routes := newRoutes([]Route{
		{Function: "a", Method: "GET", Path: "/games/{game}/scores"},
		{Function: "b", Method: "GET", Path: "/games/top/scores"},
		{Function: "c", Method: "ANY", Path: "/games/{game}/scores"},
		{Function: "d", Method: "ANY", Path: "/files/{proxy+}"},
		{Function: "e", Method: "GET", Path: "/files/{name}"},
		{Function: "f", Method: "ANY"}, // $default
	})
	for _, tc := range []struct {
		method, path, fn string
		params           map[string]string
	}{
		{"GET", "/games/chess/scores", "a", map[string]string{"game": "chess"}},
		{"GET", "/games/top/scores", "b", nil},
		{"POST", "/games/chess/scores", "c", map[string]string{"game": "chess"}},
		{"GET", "/games/a%20b/scores", "a", map[string]string{"game": "a b"}},
		{"GET", "/files/x.txt", "e", map[string]string{"name": "x.txt"}},
		{"PUT", "/files/x.txt", "d", map[string]string{"proxy": "x.txt"}},
		{"GET", "/files/a/b/c", "d", map[string]string{"proxy": "a/b/c"}},
		{"GET", "/files/", "f", nil},
		{"GET", "/nowhere", "f", nil},
	} {
		rt, params := match(routes, tc.method, tc.path)
		if rt == nil || rt.Function != tc.fn || !equalMaps(params, tc.params) {
			got := "none"
			if rt != nil {
				got = rt.Function
			}
			t.Errorf("%s %s: %s %v, want %s %v", tc.method, tc.path, got, params, tc.fn, tc.params)
		}
	}
	if rt, _ := match(routes[:2], "DELETE", "/games/chess/scores"); rt != nil {
		t.Errorf("DELETE matched %s", rt.Key())
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// fakeFn records invocations and answers with reply.
type fakeFn struct {
	mu       sync.Mutex
	payloads [][]byte
	reply    func(payload []byte) runtimeapi.Result
}

func (f *fakeFn) InvokeRequest(_ context.Context, req runtimeapi.Request) (runtimeapi.Result, error) {
	f.mu.Lock()
	f.payloads = append(f.payloads, req.Payload)
	f.mu.Unlock()
	return f.reply(req.Payload), nil
}

func (f *fakeFn) Close() error { return nil }

// TestServeHTTP checks the v2 event a request becomes and the response a
// function's answer becomes.
func TestServeHTTP(t *testing.T) {
	fn := &fakeFn{}
	a := &App{log: slog.New(slog.DiscardHandler), fns: map[string]invoker{"F": fn},
		routes: newRoutes([]Route{{Function: "F", Method: "POST", Path: "/users/{user}/items"}})}
	srv := httptest.NewServer(a)
	defer srv.Close()

	fn.reply = func([]byte) runtimeapi.Result {
		return runtimeapi.Result{Payload: []byte(`{"statusCode":201,"headers":{"content-type":"text/plain","x-a":"1"},` +
			`"multiValueHeaders":{"x-b":["2","3"]},"cookies":["s=1; Path=/","t=2"],"body":"` +
			base64.StdEncoding.EncodeToString([]byte("made")) + `","isBase64Encoded":true}`)}
	}
	req, _ := http.NewRequest("POST", srv.URL+"/users/ann%20b/items?x=1&x=2&y=", strings.NewReader(`{"n":1}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("Cookie", "a=1; b=2")
	req.Header.Add("X-Multi", "p")
	req.Header.Add("X-Multi", "q")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || string(body) != "made" || resp.Header.Get("X-A") != "1" ||
		strings.Join(resp.Header.Values("X-B"), ",") != "2,3" || len(resp.Cookies()) != 2 || resp.Header.Get("Apigw-Requestid") == "" {
		t.Errorf("response %d %q %v", resp.StatusCode, body, resp.Header)
	}

	var ev events.APIGatewayV2HTTPRequest
	var raw map[string]any
	if err := json.Unmarshal(fn.payloads[0], &ev); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(fn.payloads[0], &raw)
	rc := ev.RequestContext
	if ev.Version != "2.0" || ev.RouteKey != "POST /users/{user}/items" || ev.RawPath != "/users/ann%20b/items" ||
		ev.RawQueryString != "x=1&x=2&y=" || ev.QueryStringParameters["x"] != "1,2" || ev.PathParameters["user"] != "ann b" ||
		strings.Join(ev.Cookies, ";") != "a=1;b=2" || ev.Headers["cookie"] != "" || ev.Headers["x-multi"] != "p,q" ||
		ev.Headers["content-type"] != "application/json" || ev.Body != `{"n":1}` || ev.IsBase64Encoded ||
		rc.RouteKey != ev.RouteKey || rc.Stage != "$default" || rc.HTTP.Method != "POST" || rc.HTTP.Path != ev.RawPath ||
		rc.HTTP.SourceIP != "127.0.0.1" || rc.HTTP.Protocol != "HTTP/1.1" || rc.RequestID != resp.Header.Get("Apigw-Requestid") ||
		rc.TimeEpoch == 0 || rc.Time == "" || rc.DomainName != "127.0.0.1" || rc.APIID == "" {
		t.Errorf("event: %s", fn.payloads[0])
	}
	if _, ok := raw["requestContext"].(map[string]any)["authentication"]; ok {
		t.Errorf("event has an authentication block without mTLS: %s", fn.payloads[0])
	}

	for _, tc := range []struct {
		name, method, path, ctype, body string
		reply                           runtimeapi.Result
		status                          int
		want                            string
	}{
		{"binary body", "POST", "/users/x/items", "image/png", "\x89PNG", runtimeapi.Result{Payload: []byte(`{"statusCode":204}`)}, 204, ""},
		{"inferred response", "POST", "/users/x/items", "", "", runtimeapi.Result{Payload: []byte(`{"ok":true}`)}, 200, `{"ok":true}`},
		{"function error", "POST", "/users/x/items", "", "", runtimeapi.Result{Payload: []byte(`{}`), FunctionError: &runtimeapi.FunctionError{Type: "x"}}, 500, `{"message":"Internal Server Error"}`},
		{"bad response", "POST", "/users/x/items", "", "", runtimeapi.Result{Payload: []byte(`{"statusCode":"x"}`)}, 500, `{"message":"Internal Server Error"}`},
		{"no route", "GET", "/users/x/items", "", "", runtimeapi.Result{}, 404, `{"message":"Not Found"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn.payloads = nil
			fn.reply = func([]byte) runtimeapi.Result { return tc.reply }
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || string(body) != tc.want {
				t.Errorf("%d %q, want %d %q", resp.StatusCode, body, tc.status, tc.want)
			}
			if tc.name == "binary body" {
				var ev events.APIGatewayV2HTTPRequest
				json.Unmarshal(fn.payloads[0], &ev)
				if !ev.IsBase64Encoded || ev.Body != base64.StdEncoding.EncodeToString([]byte(tc.body)) {
					t.Errorf("binary body: %s", fn.payloads[0])
				}
			}
		})
	}
}
