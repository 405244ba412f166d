package apptest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/monotable/monotable/lambda"
)

// Request is a request in transport-neutral terms: each transport makes
// its own event of it, as API Gateway or Lambda would.
type Request struct {
	Method string
	Route  string            // the route's path, as template.yaml has it: "/sessions/{id}"
	Params map[string]string // its parameters' values
	Query  url.Values
	Header http.Header
	Body   string
}

// Pattern is the route as lambda.App.Route and the HTTP API name it:
// "GET /sessions/{id}".
func (r Request) Pattern() string { return r.Method + " " + r.Route }

// Path is the request's path, its parameters filled in and escaped.
func (r Request) Path() string {
	segs := strings.Split(r.Route, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = url.PathEscape(r.Params[strings.Trim(s, "{}+")])
		}
	}
	return strings.Join(segs, "/")
}

// Invented but well-formed identifiers of the events' context.
const (
	accountID = "123456789012"
	region    = "us-east-1"
	restAPIID = "r3st4p1x9z"
	httpAPIID = "h77p4p1x9z"
	urlID     = "f6u7rl2nqbq3pmgtf6bvyp5rze0kyxvb"
	sourceIP  = "203.0.113.7"
	userAgent = "curl/8.5.0"
	reqTime   = "09/Apr/2025:12:00:00 +0000"
	reqEpoch  = 1744200000000
)

// headers are what the client sent, plus what API Gateway adds.
func (r Request) headers(host string) http.Header {
	h := http.Header{}
	h.Set("Accept", "*/*")
	h.Set("Host", host)
	h.Set("User-Agent", userAgent)
	h.Set("X-Forwarded-For", sourceIP)
	h.Set("X-Forwarded-Port", "443")
	h.Set("X-Forwarded-Proto", "https")
	if r.Body != "" {
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(r.Body)))
	}
	for k, vs := range r.Header {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	return h
}

// V1 is the request as a REST API proxy integration sends it (payload 1.0),
// through stage "prod" of the execute-api domain.
func (r Request) V1() events.APIGatewayProxyRequest {
	host := restAPIID + ".execute-api." + region + ".amazonaws.com"
	h := r.headers(host)
	ev := events.APIGatewayProxyRequest{
		Resource:          r.Route,
		Path:              r.Path(),
		HTTPMethod:        r.Method,
		Headers:           map[string]string{},
		MultiValueHeaders: map[string][]string(h),
		Body:              r.Body,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:         accountID,
			ResourceID:        "a1b2c3",
			Stage:             "prod",
			RequestID:         "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
			ExtendedRequestID: "LgxKBGQ2IAMFeHg=",
			Identity:          events.APIGatewayRequestIdentity{SourceIP: sourceIP, UserAgent: userAgent},
			ResourcePath:      r.Route,
			HTTPMethod:        r.Method,
			APIID:             restAPIID,
			Path:              "/prod" + r.Path(),
			Protocol:          "HTTP/1.1",
			RequestTime:       reqTime,
			RequestTimeEpoch:  reqEpoch,
			DomainName:        host,
			DomainPrefix:      restAPIID,
		},
	}
	for k, vs := range h {
		ev.Headers[k] = vs[len(vs)-1] // REST APIs keep the last value
	}
	if len(r.Params) > 0 {
		ev.PathParameters = maps.Clone(r.Params)
	}
	if len(r.Query) > 0 {
		ev.QueryStringParameters = map[string]string{}
		ev.MultiValueQueryStringParameters = map[string][]string(r.Query)
		for k, vs := range r.Query {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
		}
	}
	return ev
}

// v2Headers are lower-case, repeated values joined by commas.
func v2Headers(h http.Header) map[string]string {
	out := map[string]string{}
	for k, vs := range h {
		out[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	return out
}

func v2Query(q url.Values) map[string]string {
	if len(q) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, vs := range q {
		out[k] = strings.Join(vs, ",")
	}
	return out
}

// V2 is the request as an HTTP API sends it (payload 2.0), on its
// $default stage.
func (r Request) V2() events.APIGatewayV2HTTPRequest {
	host := httpAPIID + ".execute-api." + region + ".amazonaws.com"
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              r.Pattern(),
		RawPath:               r.Path(),
		RawQueryString:        r.Query.Encode(),
		Headers:               v2Headers(r.headers(host)),
		QueryStringParameters: v2Query(r.Query),
		Body:                  r.Body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     r.Pattern(),
			AccountID:    accountID,
			Stage:        "$default",
			RequestID:    "JKJaXmPLvHcESHA=",
			APIID:        httpAPIID,
			DomainName:   host,
			DomainPrefix: httpAPIID,
			Time:         reqTime,
			TimeEpoch:    reqEpoch,
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.Path(), Protocol: "HTTP/1.1", SourceIP: sourceIP, UserAgent: userAgent,
			},
		},
	}
	if len(r.Params) > 0 {
		ev.PathParameters = maps.Clone(r.Params)
	}
	return ev
}

// URL is the request as a function URL sends it.
func (r Request) URL() events.LambdaFunctionURLRequest {
	host := urlID + ".lambda-url." + region + ".on.aws"
	return events.LambdaFunctionURLRequest{
		Version:               "2.0",
		RawPath:               r.Path(),
		RawQueryString:        r.Query.Encode(),
		Headers:               v2Headers(r.headers(host)),
		QueryStringParameters: v2Query(r.Query),
		Body:                  r.Body,
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID: accountID, RequestID: "a2b3c4d5-0000-4000-8000-00000000url1", APIID: urlID,
			DomainName: host, DomainPrefix: urlID, Time: reqTime, TimeEpoch: reqEpoch,
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method: r.Method, Path: r.Path(), Protocol: "HTTP/1.1", SourceIP: sourceIP, UserAgent: userAgent,
			},
		},
	}
}

// Response is what came back, whatever the transport.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Transport serves a Request to an App one way.
type Transport struct {
	Name string
	Do   func(t testing.TB, app *lambda.App, r Request) Response
}

// Transports are the four ways an App is reached: a REST API event, an
// HTTP API event and a function URL event, each through App.Invoke from
// raw JSON as Lambda delivers them, and a real net/http server.
var Transports = []Transport{
	{"v1", func(t testing.TB, app *lambda.App, r Request) Response {
		var res events.APIGatewayProxyResponse
		Invoke(t, app, r.V1(), &res)
		h := http.Header{}
		for k, v := range res.Headers {
			h.Set(k, v)
		}
		for k, vs := range res.MultiValueHeaders {
			h[http.CanonicalHeaderKey(k)] = vs
		}
		return Response{res.StatusCode, h, body(t, res.Body, res.IsBase64Encoded)}
	}},
	{"v2", func(t testing.TB, app *lambda.App, r Request) Response {
		var res events.APIGatewayV2HTTPResponse
		Invoke(t, app, r.V2(), &res)
		return Response{res.StatusCode, v2Response(res.Headers, res.Cookies), body(t, res.Body, res.IsBase64Encoded)}
	}},
	{"url", func(t testing.TB, app *lambda.App, r Request) Response {
		var res events.LambdaFunctionURLResponse
		Invoke(t, app, r.URL(), &res)
		return Response{res.StatusCode, v2Response(res.Headers, res.Cookies), body(t, res.Body, res.IsBase64Encoded)}
	}},
	{"net/http", func(t testing.TB, app *lambda.App, r Request) Response {
		srv := httptest.NewServer(app)
		defer srv.Close()
		u := srv.URL + r.Path()
		if len(r.Query) > 0 {
			u += "?" + r.Query.Encode()
		}
		req, err := http.NewRequest(r.Method, u, strings.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range r.Header {
			req.Header[http.CanonicalHeaderKey(k)] = vs
		}
		if r.Body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return Response{res.StatusCode, res.Header, b}
	}},
}

// Invoke sends event to app as Lambda would, as a raw JSON payload, and
// decodes the response into out.
func Invoke(t testing.TB, app *lambda.App, event, out any) {
	t.Helper()
	payload, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	InvokeRaw(t, app, payload, out)
}

// InvokeRaw sends a raw payload, such as a fixture's, to app.
func InvokeRaw(t testing.TB, app *lambda.App, payload []byte, out any) {
	t.Helper()
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd"})
	res, err := app.Invoke(ctx, payload)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("response %s: %v", res, err)
	}
}

func v2Response(headers map[string]string, cookies []string) http.Header {
	h := http.Header{}
	for k, v := range headers {
		h.Set(k, v)
	}
	for _, c := range cookies {
		h.Add("Set-Cookie", c)
	}
	return h
}

func body(t testing.TB, s string, b64 bool) []byte {
	if !b64 {
		return []byte(s)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Problem is an error response's body.
type Problem struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Name string `json:"name"`
		In   string `json:"in"`
		Rule string `json:"rule"`
	} `json:"errors"`
}

// Problem decodes an error response, checking its media type.
func (r Response) Problem(t testing.TB) Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p Problem
	r.JSON(t, &p)
	return p
}
