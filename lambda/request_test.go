package lambda_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monotable/monotable/lambda"
)

// seen is what echo saw of a request.
type seen struct {
	Method    string              `json:"method"`
	Path      string              `json:"path"`
	RawPath   string              `json:"rawPath"`
	Query     map[string][]string `json:"query"`
	Header    http.Header         `json:"header"`
	Cookies   map[string]string   `json:"cookies"`
	Body      string              `json:"body"`
	Host      string              `json:"host"`
	Remote    string              `json:"remote"`
	Proxy     string              `json:"proxy"`
	RequestID string              `json:"requestId"`
	Event     string              `json:"event"`
}

func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s := seen{
		Method: r.Method, Path: r.URL.Path, RawPath: r.URL.RawPath, Query: r.URL.Query(),
		Header: r.Header, Cookies: map[string]string{}, Body: string(b), Host: r.Host,
		Remote: r.RemoteAddr, Proxy: r.PathValue("proxy"), RequestID: lambda.RequestID(r.Context()),
	}
	for _, c := range r.Cookies() {
		s.Cookies[c.Name] = c.Value
	}
	if ev := lambda.Event(r.Context()); ev != nil {
		s.Event = reflect.TypeOf(ev).String()
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s)
}

func echoApp(t testing.TB, opts ...lambda.Option) *lambda.App {
	a := lambda.New(append([]lambda.Option{quiet(t)}, opts...)...)
	a.Route("/{proxy+}", http.HandlerFunc(echo))
	a.Route("/", http.HandlerFunc(echo))
	return a
}

func invokeRaw(t *testing.T, a *lambda.App, payload []byte) (status int, s seen) {
	t.Helper()
	out, err := a.Invoke(lambdaCtx(), payload)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var r struct {
		StatusCode      int    `json:"statusCode"`
		Body            string `json:"body"`
		IsBase64Encoded bool   `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body(r.Body, r.IsBase64Encoded), &s); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
	return r.StatusCode, s
}

// TestFixtures maps the events aws-lambda-go ships with.
func TestFixtures(t *testing.T) {
	tests := []struct {
		file   string
		want   seen
		header map[string]string
	}{
		{
			file: "apigw-request.json",
			want: seen{
				Method: "POST", Path: "/hello/world", Proxy: "hello/world", Body: "{\r\n\t\"a\": 1\r\n}",
				Query: map[string][]string{"name": {"me"}}, Host: "gy415nuibc.execute-api.us-east-1.amazonaws.com",
				Remote: "192.168.196.186", RequestID: "lambda-req-1", Event: "*events.APIGatewayProxyRequest",
			},
			header: map[string]string{"Headername": "headerValue", "Cache-Control": "no-cache", "Content-Type": "application/json"},
		},
		{
			file: "apigw-restapi-openapi-request.json",
			want: seen{Method: "POST", Path: "/hello/world", Proxy: "hello/world", Event: "*events.APIGatewayProxyRequest"},
		},
		{
			file: "apigw-v2-request-no-authorizer.json",
			want: seen{
				Method: "GET", Path: "/", Host: "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com", Remote: "1.2.3.4",
				RequestID: "lambda-req-1", Event: "*events.APIGatewayV2HTTPRequest",
			},
			header: map[string]string{"X-Forwarded-Proto": "https", "User-Agent": "curl/7.58.0"},
		},
		{
			file: "apigw-v2-request-jwt-authorizer.json",
			want: seen{
				Method: "GET", Path: "/my/path", Body: "{\r\n\t\"a\": 1\r\n}",
				Query:   map[string][]string{"parameter1": {"value1", "value2"}, "parameter2": {"value"}},
				Cookies: map[string]string{}, Event: "*events.APIGatewayV2HTTPRequest",
			},
			header: map[string]string{"Header1": "value1", "Cookie": "cookie1; cookie2"},
		},
		{
			file: "apigw-v2-request-iam.json",
			want: seen{Method: "GET", Path: "/my/path", Event: "*events.APIGatewayV2HTTPRequest"},
		},
		{
			file: "apigw-v2-request-lambda-authorizer.json",
			want: seen{Method: "GET", Path: "/my/path", Event: "*events.APIGatewayV2HTTPRequest"},
		},
		{
			file: "lambda-urls-request.json",
			want: seen{
				Method: "POST", Path: "/my/path", Body: "Hello from client!", Remote: "123.123.123.123",
				Query: map[string][]string{"parameter1": {"value1", "value2"}, "parameter2": {"value"}},
				Event: "*events.LambdaFunctionURLRequest",
			},
			header: map[string]string{"Header2": "value1,value2", "Cookie": "cookie1; cookie2"},
		},
	}
	a := echoApp(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			status, got := invokeRaw(t, a, fixture(t, tt.file))
			if status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			w := tt.want
			check := func(name, got, want string) {
				t.Helper()
				if want != "" && got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			check("method", got.Method, w.Method)
			check("path", got.Path, w.Path)
			check("proxy", got.Proxy, w.Proxy)
			check("body", got.Body, w.Body)
			check("host", got.Host, w.Host)
			check("remote", got.Remote, w.Remote)
			check("requestId", got.RequestID, w.RequestID)
			check("event", got.Event, w.Event)
			if w.Query != nil && !reflect.DeepEqual(got.Query, w.Query) {
				t.Errorf("query = %v, want %v", got.Query, w.Query)
			}
			for k, v := range tt.header {
				if g := strings.Join(got.Header[k], "|"); g != v {
					t.Errorf("header %s = %q, want %q", k, g, v)
				}
			}
			if _, ok := got.Header["Host"]; ok {
				t.Errorf("Host left in the header map; net/http moves it to r.Host")
			}
		})
	}
}

// TestPaths covers where the routed path comes from: stages, custom
// domains, base path mappings, encodings.
func TestPaths(t *testing.T) {
	v1 := func(resource, path string, params map[string]string, stagePath string) events.APIGatewayProxyRequest {
		return events.APIGatewayProxyRequest{
			Resource: resource, Path: path, HTTPMethod: "GET", PathParameters: params,
			RequestContext: events.APIGatewayProxyRequestContext{Stage: "prod", Path: stagePath, ResourcePath: resource},
		}
	}
	v2 := func(routeKey, rawPath, stage, domain string, params map[string]string) events.APIGatewayV2HTTPRequest {
		return events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: routeKey, RawPath: rawPath, PathParameters: params,
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				Stage: stage, DomainName: domain, RouteKey: routeKey,
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: rawPath},
			},
		}
	}
	const execAPI = "abc.execute-api.eu-west-1.amazonaws.com"
	tests := []struct {
		name    string
		ev      any
		opts    []lambda.Option
		path    string
		rawPath string
		proxy   string
	}{
		{name: "v1 execute-api", ev: v1("/{proxy+}", "/items/1", map[string]string{"proxy": "items/1"}, "/prod/items/1"), path: "/items/1", proxy: "items/1"},
		{name: "v1 custom domain base path", ev: v1("/{proxy+}", "/api/items/1", map[string]string{"proxy": "items/1"}, "/api/items/1"), path: "/items/1", proxy: "items/1"},
		{name: "v1 explicit resource", ev: v1("/items/{id}", "/v1/items/7", map[string]string{"id": "7"}, "/v1/items/7"), path: "/items/7"},
		{name: "v1 static resource", ev: v1("/health", "/base/health", nil, "/base/health"), path: "/health"},
		{name: "v1 encoded param", ev: v1("/files/{proxy+}", "/files/a%20b/c%2Fd", map[string]string{"proxy": "a%20b/c%2Fd"}, ""), path: "/files/a b/c/d", rawPath: "/files/a%20b/c%2Fd", proxy: "files/a b/c/d"},
		{name: "v1 payload 1.0 from an HTTP API", ev: v1("$default", "/prod/items/1", nil, "/prod/items/1"), path: "/items/1", proxy: "items/1"},
		{name: "v1 no resource, base path option", ev: v1("", "/api/items/1", nil, ""), opts: []lambda.Option{lambda.WithBasePath("/api")}, path: "/items/1", proxy: "items/1"},
		{name: "v2 stage prefix stripped", ev: v2("$default", "/prod/items/1", "prod", execAPI, nil), path: "/items/1", proxy: "items/1"},
		{name: "v2 $default stage kept", ev: v2("$default", "/prod/items/1", "$default", execAPI, nil), path: "/prod/items/1", proxy: "prod/items/1"},
		{name: "v2 custom domain keeps path", ev: v2("$default", "/prod/items/1", "prod", "api.example.com", nil), path: "/prod/items/1", proxy: "prod/items/1"},
		{name: "v2 route key with params", ev: v2("GET /items/{id}", "/mapping/items/9", "prod", "api.example.com", map[string]string{"id": "9"}), path: "/items/9"},
		{name: "v2 greedy route key", ev: v2("ANY /{proxy+}", "/prod/a/b", "prod", execAPI, map[string]string{"proxy": "a/b"}), path: "/a/b", proxy: "a/b"},
		{name: "v2 decoded path with space", ev: v2("$default", "/files/a b", "$default", execAPI, nil), path: "/files/a b", proxy: "files/a b"},
		{name: "v2 decoded path with percent", ev: v2("$default", "/files/100%", "$default", execAPI, nil), path: "/files/100%", proxy: "files/100%"},
		{name: "v2 base path option", ev: v2("$default", "/api/x", "$default", "api.example.com", nil), opts: []lambda.Option{lambda.WithBasePath("api/")}, path: "/x", proxy: "x"},
		{name: "url escaped path", ev: events.LambdaFunctionURLRequest{Version: "2.0", RawPath: "/files/%E2%82%AC%2Fx", RequestContext: events.LambdaFunctionURLRequestContext{
			DomainName: "x.lambda-url.us-east-1.on.aws", HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "GET"}}},
			path: "/files/€/x", rawPath: "/files/%E2%82%AC%2Fx", proxy: "files/€/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, _ := json.Marshal(tt.ev)
			status, got := invokeRaw(t, echoApp(t, tt.opts...), payload)
			if status != 200 {
				t.Fatalf("status %d", status)
			}
			if got.Path != tt.path || got.RawPath != tt.rawPath {
				t.Errorf("path %q raw %q, want %q raw %q", got.Path, got.RawPath, tt.path, tt.rawPath)
			}
			if tt.proxy != "" && got.Proxy != tt.proxy {
				t.Errorf("proxy = %q, want %q", got.Proxy, tt.proxy)
			}
		})
	}
}

// TestRoundTrip sends the same requests through every transport and
// expects the handler to see, and the client to get, the same thing.
func TestRoundTrip(t *testing.T) {
	a := lambda.New(quiet(t))
	a.Route("POST /echo/{name}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var cookies []string
		for _, c := range r.Cookies() {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
		w.Header().Set("X-Name", r.PathValue("name"))
		w.Header().Set("X-Tags", strings.Join(r.URL.Query()["tag"], "+"))
		w.Header().Set("X-Cookies", strings.Join(cookies, "+"))
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		http.SetCookie(w, &http.Cookie{Name: "s1", Value: "v1", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "s2", Value: "v2", HttpOnly: true})
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		w.WriteHeader(http.StatusCreated)
		w.Write(b)
	}))
	binary := []byte{0xff, 0x00, 0xfe, 'x', 0x80}
	tests := []struct {
		name        string
		contentType string
		body        []byte
		sendBinary  bool
	}{
		{"json", "application/json", []byte(`{"a":"é"}`), false},
		{"text sent base64", "text/plain; charset=utf-8", []byte("plain text"), true},
		{"binary", "application/octet-stream", binary, true},
		{"image", "image/png", binary, true},
		{"invalid utf-8 labelled text", "text/plain", binary, true},
	}
	for _, tr := range transports {
		for _, tt := range tests {
			t.Run(tr.name+"/"+tt.name, func(t *testing.T) {
				r := req{
					method: "POST", path: "/echo/n%C3%A9", query: "tag=a&tag=b&x=%26",
					header: http.Header{"Content-Type": {tt.contentType}, "Cookie": {"c1=1; c2=2"}},
					body:   tt.body, binary: tt.sendBinary,
				}
				got := tr.do(t, a, r)
				if got.status != http.StatusCreated {
					t.Fatalf("status %d, body %s", got.status, got.body)
				}
				if string(got.body) != string(tt.body) {
					t.Errorf("body %q, want %q", got.body, tt.body)
				}
				want := map[string]string{"X-Name": "né", "X-Tags": "a+b", "X-Cookies": "c1=1+c2=2", "Content-Type": tt.contentType}
				for k, v := range want {
					if g := got.header.Get(k); g != v {
						t.Errorf("%s = %q, want %q", k, g, v)
					}
				}
				if g := strings.Join(got.header.Values("X-Multi"), ","); g != "a,b" && g != "a, b" {
					t.Errorf("X-Multi = %q", g)
				}
				if g := got.header.Values("Set-Cookie"); len(g) != 2 || g[0] != "s1=v1; Path=/" || g[1] != "s2=v2; HttpOnly" {
					t.Errorf("Set-Cookie = %q", g)
				}
			})
		}
	}
}

// TestResponseEncoding checks the text/base64 decision on the raw
// response of each event shape.
func TestResponseEncoding(t *testing.T) {
	tests := []struct {
		name, contentType, encoding string
		body                        []byte
		b64                         bool
	}{
		{"json", "application/json", "", []byte(`{}`), false},
		{"problem", "application/problem+json", "", []byte(`{}`), false},
		{"svg", "image/svg+xml", "", []byte(`<svg/>`), false},
		{"text", "text/csv", "", []byte("a,b"), false},
		{"gzip json", "application/json", "gzip", []byte{0x1f, 0x8b, 0}, true},
		{"octet", "application/octet-stream", "", []byte("abc"), true},
		{"sniffed text", "", "", []byte("hello"), false},
		{"sniffed binary", "", "", []byte{0, 1, 2, 0xff}, true},
		{"bad utf-8 text", "text/plain", "", []byte{0xff}, true},
	}
	for _, tt := range tests {
		a := lambda.New(quiet(t))
		a.Route("GET /x", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.contentType != "" {
				w.Header().Set("Content-Type", tt.contentType)
			}
			if tt.encoding != "" {
				w.Header().Set("Content-Encoding", tt.encoding)
			}
			w.Write(tt.body)
		}))
		t.Run(tt.name, func(t *testing.T) {
			out, _ := a.ServeV1(lambdaCtx(), events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/x"})
			if out.IsBase64Encoded != tt.b64 {
				t.Errorf("v1 base64 = %v, want %v", out.IsBase64Encoded, tt.b64)
			}
			if got := string(body(out.Body, out.IsBase64Encoded)); got != string(tt.body) {
				t.Errorf("v1 body %q", got)
			}
			out2, _ := a.ServeV2(lambdaCtx(), events.APIGatewayV2HTTPRequest{RawPath: "/x",
				RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}}})
			if out2.IsBase64Encoded != tt.b64 {
				t.Errorf("v2 base64 = %v, want %v", out2.IsBase64Encoded, tt.b64)
			}
		})
	}
}

// TestEdgeRequests covers hand-written events that real sources can send.
func TestEdgeRequests(t *testing.T) {
	a := echoApp(t)
	t.Run("v1 single-value maps only", func(t *testing.T) {
		ev := events.APIGatewayProxyRequest{HTTPMethod: "get", Path: "/x",
			Headers:               map[string]string{"x-one": "1"},
			QueryStringParameters: map[string]string{"q": "a b&c"}}
		payload, _ := json.Marshal(ev)
		_, got := invokeRaw(t, a, payload)
		if got.Method != "GET" || got.Header.Get("X-One") != "1" || got.Query["q"][0] != "a b&c" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("v1 multi-value headers win", func(t *testing.T) {
		ev := events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/x",
			Headers:           map[string]string{"X-A": "2"},
			MultiValueHeaders: map[string][]string{"X-A": {"1", "2"}}}
		payload, _ := json.Marshal(ev)
		_, got := invokeRaw(t, a, payload)
		if g := got.Header["X-A"]; !reflect.DeepEqual(g, []string{"1", "2"}) {
			t.Errorf("X-A = %q", g)
		}
	})
	t.Run("v2 query from parameters when raw is empty", func(t *testing.T) {
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/x", QueryStringParameters: map[string]string{"a": "1"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}}}
		payload, _ := json.Marshal(ev)
		_, got := invokeRaw(t, a, payload)
		if got.Query["a"][0] != "1" {
			t.Errorf("query %v", got.Query)
		}
	})
	t.Run("bad base64 body", func(t *testing.T) {
		out, _ := a.ServeV2(lambdaCtx(), events.APIGatewayV2HTTPRequest{RawPath: "/x", Body: "!!!", IsBase64Encoded: true,
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST"}}})
		if out.StatusCode != 400 || !strings.Contains(out.Body, "base64") {
			t.Errorf("got %d %s", out.StatusCode, out.Body)
		}
	})
	t.Run("unpadded base64 body", func(t *testing.T) {
		out, _ := a.ServeV2(lambdaCtx(), events.APIGatewayV2HTTPRequest{RawPath: "/x", Body: "aGk", IsBase64Encoded: true,
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST"}}})
		var s seen
		json.Unmarshal([]byte(out.Body), &s)
		if s.Body != "hi" {
			t.Errorf("body %q", s.Body)
		}
	})
	t.Run("HEAD has no body", func(t *testing.T) {
		out, _ := a.ServeV1(lambdaCtx(), events.APIGatewayProxyRequest{HTTPMethod: "HEAD", Path: "/x"})
		if out.StatusCode != 200 || out.Body != "" || out.MultiValueHeaders["Content-Type"][0] != "application/json" {
			t.Errorf("got %+v", out)
		}
	})
}
