package runtimeapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The Runtime API spoken over HTTP, as a runtime speaks it.

type api struct {
	t    *testing.T
	srv  *runtimeServer
	base string // the server's root
	url  string // the Runtime API's root
}

func newAPI(t *testing.T) *api {
	t.Helper()
	srv := newRuntimeServer()
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.close()
		hs.Close()
	})
	return &api{t: t, srv: srv, base: hs.URL, url: hs.URL + "/2018-06-01/runtime/"}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (a *api) do(method, path string, body io.Reader, header ...string) answer {
	a.t.Helper()
	url := a.url + path
	if strings.HasPrefix(path, "/") {
		url = a.base + path
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		a.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

func (a *api) next() answer { return a.do("GET", "invocation/next", nil) }

func (a *api) post(path, body string, header ...string) answer {
	return a.do("POST", path, strings.NewReader(body), header...)
}

// offer queues an invocation and returns it.
func (a *api) offer(id, payload string, edit ...func(*invocation)) *invocation {
	a.t.Helper()
	inv := newInvocation(id, []byte(payload))
	inv.deadline = time.UnixMilli(1700000000123)
	inv.functionARN = "arn:aws:lambda:us-east-1:012345678912:function:fn"
	inv.traceID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
	for _, e := range edit {
		e(inv)
	}
	if err := a.srv.offer(inv); err != nil {
		a.t.Fatal(err)
	}
	return inv
}

// started returns an API whose runtime has fetched invocation id.
func started(t *testing.T, id string) (*api, *invocation) {
	a := newAPI(t)
	inv := a.offer(id, `{"k":1}`)
	if got := a.next(); got.status != 200 {
		t.Fatalf("next: %d %s", got.status, got.body)
	}
	return a, inv
}

func (a *api) want(got answer, status int, body string) {
	a.t.Helper()
	if got.status != status {
		a.t.Errorf("status %d, want %d (body %s)", got.status, status, got.body)
	}
	if body != "" && strings.TrimSpace(got.body) != body {
		a.t.Errorf("body\n got %s\nwant %s", strings.TrimSpace(got.body), body)
	}
	if ct := got.header.Get("Content-Type"); body != "" && ct != "application/json" {
		a.t.Errorf("Content-Type %q", ct)
	}
}

func replyOf(t *testing.T, inv *invocation) reply {
	t.Helper()
	select {
	case r := <-inv.reply:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no reply reached the invoker")
		return reply{}
	}
}

const (
	okBody        = `{"status":"OK"}`
	badIDBody     = `{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`
	transitionFmt = `{"errorMessage":"State transition from %s to %s failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}`
)

func transition(from, to string) string {
	return strings.Replace(strings.Replace(transitionFmt, "%s", from, 1), "%s", to, 1)
}

func TestNextBlocksUntilAnInvocation(t *testing.T) {
	a := newAPI(t)
	got := make(chan answer, 1)
	go func() { got <- a.next() }()
	select {
	case g := <-got:
		t.Fatalf("next returned with nothing to invoke: %d %s", g.status, g.body)
	case <-a.srv.ready: // the runtime is waiting: init is over
	case <-time.After(5 * time.Second):
		t.Fatal("next never reached the server")
	}
	a.offer("id-1", `{"hello":"world"}`, func(inv *invocation) { inv.clientContext = `{"custom":{"k":"v"}}` })
	var g answer
	select {
	case g = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("next did not return the invocation")
	}
	if g.status != 200 || g.body != `{"hello":"world"}` {
		t.Fatalf("next: %d %s", g.status, g.body)
	}
	for k, v := range map[string]string{
		"Lambda-Runtime-Aws-Request-Id":       "id-1",
		"Lambda-Runtime-Deadline-Ms":          "1700000000123",
		"Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:012345678912:function:fn",
		"Lambda-Runtime-Trace-Id":             "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
		"Lambda-Runtime-Client-Context":       `{"custom":{"k":"v"}}`,
		"Content-Type":                        "application/json",
	} {
		if got := g.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if _, ok := g.header["Lambda-Runtime-Cognito-Identity"]; ok {
		t.Error("Lambda-Runtime-Cognito-Identity sent though the invocation has none")
	}
}

func TestResponseAccepted(t *testing.T) {
	a, inv := started(t, "id-1")
	a.want(a.post("invocation/id-1/response", `{"ok":true}`), 202, okBody)
	r := replyOf(t, inv)
	if r.failed || string(r.payload) != `{"ok":true}` {
		t.Fatalf("reply %+v", r)
	}
	select {
	case <-inv.done:
		t.Fatal("invocation done before the runtime asked for the next event")
	default:
	}
	go a.next()
	select {
	case <-inv.done:
	case <-time.After(5 * time.Second):
		t.Fatal("next after the response did not complete the invocation")
	}
}

func TestUnknownRequestID(t *testing.T) {
	a, _ := started(t, "id-1")
	a.want(a.post("invocation/nope/response", `{}`), 400, badIDBody)
	a.want(a.post("invocation/nope/error", `{}`), 400, badIDBody)
	// The real one is still accepted.
	a.want(a.post("invocation/id-1/response", `{}`), 202, okBody)
}

func TestDoubleResponse(t *testing.T) {
	a, inv := started(t, "id-1")
	a.want(a.post("invocation/id-1/response", `1`), 202, okBody)
	a.want(a.post("invocation/id-1/response", `2`), 403, transition("RuntimeResponseSentState", "InvocationResponse"))
	a.want(a.post("invocation/id-1/error", `{}`), 403, transition("RuntimeResponseSentState", "InvocationErrorResponse"))
	if r := replyOf(t, inv); string(r.payload) != "1" {
		t.Fatalf("reply %q, want the first response", r.payload)
	}
}

func TestResponseBeforeNext(t *testing.T) {
	a := newAPI(t)
	a.want(a.post("invocation/id-1/response", `{}`), 403, transition("Started", "InvocationResponse"))
}

func TestResponseTooLarge(t *testing.T) {
	a, inv := started(t, "id-1")
	size := MaxResponseSize + 1
	a.want(a.do("POST", "invocation/id-1/response", bytes.NewReader(make([]byte, size))), 413,
		`{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}`)
	r := replyOf(t, inv)
	want := `{"errorMessage":"Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}`
	if !r.failed || r.errorType != "Function.ResponseSizeTooLarge" || string(r.payload) != want {
		t.Fatalf("reply %s %s", r.errorType, r.payload)
	}
	// The invocation is over: a retry is a state error.
	a.want(a.post("invocation/id-1/response", `{}`), 403, transition("RuntimeResponseSentState", "InvocationResponse"))
}

func TestResponseAtTheLimit(t *testing.T) {
	a, inv := started(t, "id-1")
	a.want(a.do("POST", "invocation/id-1/response", bytes.NewReader(make([]byte, MaxResponseSize))), 202, okBody)
	if r := replyOf(t, inv); r.failed || len(r.payload) != MaxResponseSize {
		t.Fatalf("reply failed=%v len=%d", r.failed, len(r.payload))
	}
}

func TestErrorResponse(t *testing.T) {
	for _, tc := range []struct {
		name, body, header     string
		wantType, wantMessage  string
		wantPayload, wantStack string
	}{{
		name:        "lambda error document",
		body:        `{"errorMessage":"boom","errorType":"errorString","stackTrace":["a","b"]}`,
		header:      "errorString",
		wantType:    "errorString",
		wantMessage: "boom",
		wantPayload: `{"errorMessage":"boom","errorType":"errorString","stackTrace":["a","b"]}`,
		wantStack:   `["a","b"]`,
	}, {
		name:        "document without a type takes the header's",
		body:        `{"errorMessage":"boom"}`,
		header:      "Custom.Error",
		wantType:    "Custom.Error",
		wantMessage: "boom",
		wantPayload: `{"errorMessage":"boom"}`,
	}, {
		name:        "unreadable body: the header's type",
		body:        `it broke`,
		header:      "Runtime.Unknown",
		wantType:    "Runtime.Unknown",
		wantMessage: "it broke",
		wantPayload: `{"errorMessage":"it broke","errorType":"Runtime.Unknown"}`,
	}, {
		name:        "no body, no header",
		wantType:    "Unknown",
		wantPayload: `{"errorMessage":"","errorType":"Unknown"}`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			a, inv := started(t, "id-1")
			var hdr []string
			if tc.header != "" {
				hdr = []string{"Lambda-Runtime-Function-Error-Type", tc.header}
			}
			a.want(a.post("invocation/id-1/error", tc.body, hdr...), 202, okBody)
			fe := replyOf(t, inv)
			if !fe.failed || fe.errorType != tc.wantType || fe.message != tc.wantMessage || string(fe.payload) != tc.wantPayload {
				t.Fatalf("reply type=%q message=%q payload=%s", fe.errorType, fe.message, fe.payload)
			}
			if got := fe.functionError(); string(got.StackTrace) != tc.wantStack {
				t.Errorf("stack trace %s, want %s", got.StackTrace, tc.wantStack)
			}
		})
	}
}

func TestResponseErrorTrailer(t *testing.T) {
	// aws-lambda-go reports a response stream that fails midway in trailers.
	a, inv := started(t, "id-1")
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", a.url+"invocation/id-1/response", pr)
	req.Trailer = http.Header{"Lambda-Runtime-Function-Error-Type": nil, "Lambda-Runtime-Function-Error-Body": nil}
	go func() {
		pw.Write([]byte("partial"))
		req.Trailer.Set("Lambda-Runtime-Function-Error-Type", "Stream.Broken")
		req.Trailer.Set("Lambda-Runtime-Function-Error-Body", "eyJlcnJvck1lc3NhZ2UiOiJjdXQiLCJlcnJvclR5cGUiOiJTdHJlYW0uQnJva2VuIn0=")
		pw.Close()
	}()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	r := replyOf(t, inv)
	if !r.failed || r.errorType != "Stream.Broken" || r.message != "cut" {
		t.Fatalf("reply %+v", r)
	}
}

func TestInitError(t *testing.T) {
	a := newAPI(t)
	a.want(a.post("init/error", `{"errorMessage":"no handler","errorType":"Runtime.HandlerNotFound"}`,
		"Lambda-Runtime-Function-Error-Type", "Runtime.HandlerNotFound"), 202, okBody)
	select {
	case r := <-a.srv.initErr:
		if r.errorType != "Runtime.HandlerNotFound" || r.message != "no handler" {
			t.Fatalf("init error %+v", r)
		}
	default:
		t.Fatal("init error not recorded")
	}
	a.want(a.post("init/error", `{}`), 403, transition("InitError", "InitError"))
	a.want(a.next(), 403, transition("InitError", "Ready"))
}

func TestInitErrorAfterInit(t *testing.T) {
	a, _ := started(t, "id-1")
	a.want(a.post("init/error", `{}`), 403, transition("Ready", "InitError"))
}

func TestContainerError(t *testing.T) {
	a := newAPI(t)
	waiting := make(chan answer, 1)
	go func() { waiting <- a.next() }()
	<-a.srv.ready
	a.srv.close()
	want := `{"errorMessage":"Container error: the execution environment is shutting down","errorType":"InternalServerError"}`
	select {
	case g := <-waiting:
		a.want(g, 500, want)
	case <-time.After(5 * time.Second):
		t.Fatal("a waiting next was not answered on shutdown")
	}
	a.want(a.next(), 500, want)
	a.want(a.post("invocation/x/response", `{}`), 500, want)
	a.want(a.post("init/error", `{}`), 500, want)
}

func TestRoutes(t *testing.T) {
	a := newAPI(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"POST", "invocation/next", 405},
		{"GET", "invocation/id-1/response", 405},
		{"GET", "init/error", 405},
		{"GET", "invocation/id-1/nothing", 404},
		{"GET", "/2019-01-01/runtime/invocation/next", 404},
		{"GET", "/", 404},
	} {
		if g := a.do(tc.method, tc.path, nil); g.status != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, g.status, tc.status)
		}
	}
}

func TestOfferWhileBusy(t *testing.T) {
	a, _ := started(t, "id-1")
	if err := a.srv.offer(newInvocation("id-2", nil)); err != errBusy {
		t.Fatalf("offer during an invocation: %v", err)
	}
}

func TestStatusBodiesAreJSON(t *testing.T) {
	// Every error the API renders is Lambda's {errorMessage, errorType}.
	a, _ := started(t, "id-1")
	for _, g := range []answer{
		a.post("invocation/nope/response", `{}`),
		a.post("init/error", `{}`),
	} {
		var doc map[string]string
		if err := json.Unmarshal([]byte(g.body), &doc); err != nil || doc["errorType"] == "" || doc["errorMessage"] == "" {
			t.Errorf("%d body %q is not an error document", g.status, g.body)
		}
	}
}
