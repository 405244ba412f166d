package lambda_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/monotable/monotable/lambda"
)

// quiet is an app option for tests: logs go nowhere unless -v.
func quiet(t testing.TB) lambda.Option {
	if testing.Verbose() {
		return lambda.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	}
	return lambda.WithLogger(slog.New(slog.DiscardHandler))
}

// req is a transport-neutral request; each transport turns it into its
// own event (or a real HTTP request) and back.
type req struct {
	method string
	path   string // escaped, as a client sends it
	query  string // raw
	header http.Header
	body   []byte
	binary bool // send the body base64-encoded
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) problem(t *testing.T) lambda.Problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.body)
	}
	var p lambda.Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body %s: %v", r.body, err)
	}
	return p
}

type transport struct {
	name string
	do   func(t *testing.T, a *lambda.App, r req) resp
}

// transports serve a request as a REST API event, an HTTP API event and a
// function URL event (each through Invoke, from raw JSON, as Lambda
// delivers them), and over a real net/http server.
var transports = []transport{
	{"rest", doV1},
	{"http", doV2},
	{"url", doURL},
	{"net/http", doHTTP},
}

func lambdaCtx() context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-req-1"})
}

func invoke(t *testing.T, a *lambda.App, ev, out any) {
	t.Helper()
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.Invoke(lambdaCtx(), payload)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("response %s: %v", b, err)
	}
}

func body(s string, b64 bool) []byte {
	if !b64 {
		return []byte(s)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func encodeBody(r req) (string, bool) {
	if r.binary {
		return base64.StdEncoding.EncodeToString(r.body), true
	}
	return string(r.body), false
}

func doV1(t *testing.T, a *lambda.App, r req) resp {
	t.Helper()
	q, _ := url.ParseQuery(r.query)
	decoded, _ := url.PathUnescape(r.path)
	b, b64 := encodeBody(r)
	ev := events.APIGatewayProxyRequest{
		Resource:                        "/{proxy+}",
		Path:                            decoded,
		HTTPMethod:                      r.method,
		MultiValueHeaders:               r.header,
		MultiValueQueryStringParameters: q,
		PathParameters:                  map[string]string{"proxy": strings.TrimPrefix(r.path, "/")},
		Body:                            b,
		IsBase64Encoded:                 b64,
		RequestContext: events.APIGatewayProxyRequestContext{
			Stage: "prod", Path: "/prod" + r.path, RequestID: "api-req-1", HTTPMethod: r.method,
			DomainName: "abc.execute-api.us-east-1.amazonaws.com", ResourcePath: "/{proxy+}",
		},
	}
	if r.path == "/" {
		ev.Resource, ev.PathParameters = "/", nil
	}
	var out events.APIGatewayProxyResponse
	invoke(t, a, ev, &out)
	h := http.Header{}
	for k, v := range out.Headers {
		h[k] = append(h[k], v)
	}
	for k, v := range out.MultiValueHeaders {
		h[k] = append(h[k], v...)
	}
	return resp{out.StatusCode, h, body(out.Body, out.IsBase64Encoded)}
}

// v2Headers splits a header into payload 2.0's lower-case single-value
// map and its cookie list.
func v2Headers(h http.Header) (map[string]string, []string) {
	m := map[string]string{}
	var cookies []string
	for k, v := range h {
		if k == "Cookie" {
			for _, c := range v {
				cookies = append(cookies, strings.Split(c, "; ")...)
			}
			continue
		}
		m[strings.ToLower(k)] = strings.Join(v, ",")
	}
	return m, cookies
}

func v2Resp(status int, headers map[string]string, cookies []string, b string, b64 bool) resp {
	h := http.Header{}
	for k, v := range headers {
		h.Set(k, v)
	}
	for _, c := range cookies {
		h.Add("Set-Cookie", c)
	}
	return resp{status, h, body(b, b64)}
}

func doV2(t *testing.T, a *lambda.App, r req) resp {
	t.Helper()
	headers, cookies := v2Headers(r.header)
	b, b64 := encodeBody(r)
	decoded, _ := url.PathUnescape(r.path)
	ev := events.APIGatewayV2HTTPRequest{
		Version:         "2.0",
		RouteKey:        "$default",
		RawPath:         "/prod" + decoded, // HTTP APIs decode the path
		RawQueryString:  r.query,
		Cookies:         cookies,
		Headers:         headers,
		Body:            b,
		IsBase64Encoded: b64,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: "$default", Stage: "prod", RequestID: "api-req-2",
			DomainName: "abc.execute-api.us-east-1.amazonaws.com",
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: r.method, Path: "/prod" + decoded, Protocol: "HTTP/1.1", SourceIP: "203.0.113.9"},
		},
	}
	var out events.APIGatewayV2HTTPResponse
	invoke(t, a, ev, &out)
	return v2Resp(out.StatusCode, out.Headers, out.Cookies, out.Body, out.IsBase64Encoded)
}

func doURL(t *testing.T, a *lambda.App, r req) resp {
	t.Helper()
	headers, cookies := v2Headers(r.header)
	b, b64 := encodeBody(r)
	ev := events.LambdaFunctionURLRequest{
		Version:         "2.0",
		RawPath:         r.path,
		RawQueryString:  r.query,
		Cookies:         cookies,
		Headers:         headers,
		Body:            b,
		IsBase64Encoded: b64,
		RequestContext: events.LambdaFunctionURLRequestContext{
			RequestID: "api-req-3", DomainName: "abc.lambda-url.us-east-1.on.aws",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: r.method, Path: r.path, Protocol: "HTTP/1.1", SourceIP: "203.0.113.9"},
		},
	}
	var out events.LambdaFunctionURLResponse
	invoke(t, a, ev, &out)
	return v2Resp(out.StatusCode, out.Headers, out.Cookies, out.Body, out.IsBase64Encoded)
}

func doHTTP(t *testing.T, a *lambda.App, r req) resp {
	t.Helper()
	srv := httptest.NewServer(a)
	defer srv.Close()
	u := srv.URL + r.path
	if r.query != "" {
		u += "?" + r.query
	}
	hr, err := http.NewRequest(r.method, u, bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		hr.Header[k] = v
	}
	res, err := srv.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	h := res.Header.Clone()
	for _, k := range []string{"Date", "Content-Length"} {
		h.Del(k)
	}
	return resp{res.StatusCode, h, b}
}

// fixture reads an event from the testdata that aws-lambda-go ships.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	dir := lambdaGoDir(t)
	b, err := os.ReadFile(filepath.Join(dir, "events", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var lambdaGoDir = func() func(t testing.TB) string {
	var (
		once sync.Once
		dir  string
		err  error
	)
	return func(t testing.TB) string {
		once.Do(func() {
			var out []byte
			out, err = exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
			dir = strings.TrimSpace(string(out))
		})
		if err != nil || dir == "" {
			t.Fatalf("locating aws-lambda-go: %v", err)
		}
		return dir
	}
}()
