package lambda_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monotable/monotable/lambda"
)

// benchApp has the routes of a small service, so lookups walk a real tree.
func benchApp(b *testing.B) *lambda.App {
	a := lambda.New(quiet(b))
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	})
	for _, res := range []string{"games", "players", "sessions", "boards", "devices"} {
		a.Route("GET /"+res, ok)
		a.Route("POST /"+res, ok)
		a.Route("GET /"+res+"/{id}", ok)
		a.Route("PUT /"+res+"/{id}", ok)
		a.Route("DELETE /"+res+"/{id}", ok)
	}
	a.Route("GET /games/{game}/scores/{player}", ok)
	a.Route("POST /games/{game}/scores", lambda.Handle(func(ctx context.Context, in CreateScore) (ScoreOut, error) {
		return ScoreOut{Game: in.Game, Player: in.Player, Points: in.Points}, nil
	}))
	a.Route("GET /static/{path+}", ok)
	return a
}

// BenchmarkRouteV2 is the cost of one HTTP API request through the app:
// event to *http.Request, routing, a handler writing JSON, the response
// event. The JSON decoding of the event itself is aws-lambda-go's.
func BenchmarkRouteV2(b *testing.B) {
	a := benchApp(b)
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: "/games/chess/scores/ann", RawQueryString: "limit=10",
		Headers: map[string]string{"accept": "application/json", "user-agent": "bench", "x-forwarded-for": "203.0.113.1"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "$default", RequestID: "r",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/games/chess/scores/ann"}},
	}
	ctx := lambdaCtx()
	b.ReportAllocs()
	for b.Loop() {
		resp, _ := a.ServeV2(ctx, ev)
		if resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode)
		}
	}
}

// BenchmarkRouteV1 is the same for a REST API event.
func BenchmarkRouteV1(b *testing.B) {
	a := benchApp(b)
	ev := events.APIGatewayProxyRequest{
		Resource: "/{proxy+}", Path: "/games/chess/scores/ann", HTTPMethod: "GET",
		PathParameters:                  map[string]string{"proxy": "games/chess/scores/ann"},
		MultiValueHeaders:               map[string][]string{"Accept": {"application/json"}, "User-Agent": {"bench"}, "X-Forwarded-For": {"203.0.113.1"}},
		MultiValueQueryStringParameters: map[string][]string{"limit": {"10"}},
		RequestContext:                  events.APIGatewayProxyRequestContext{Stage: "prod", RequestID: "r"},
	}
	ctx := lambdaCtx()
	b.ReportAllocs()
	for b.Loop() {
		resp, _ := a.ServeV1(ctx, ev)
		if resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode)
		}
	}
}

// BenchmarkBindJSON adds a typed handler: path, query, header and cookie
// binding, a JSON body, validation, a JSON result.
func BenchmarkBindJSON(b *testing.B) {
	a := benchApp(b)
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: "/games/chess/scores", RawQueryString: "limit=10&tag=a&tag=b",
		Cookies: []string{"session=abc"},
		Headers: map[string]string{"content-type": "application/json", "x-req": "r1"},
		Body:    `{"player":"ann","points":7,"items":[{"name":"x","qty":1},{"name":"y","qty":2}]}`,
		RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "$default", RequestID: "r",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST"}},
	}
	ctx := lambdaCtx()
	b.ReportAllocs()
	for b.Loop() {
		resp, _ := a.ServeV2(ctx, ev)
		if resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode, resp.Body)
		}
	}
}

// BenchmarkInvokeV2 is a whole invocation from the raw payload, event
// detection and JSON both ways included: what Lambda's runtime loop calls.
func BenchmarkInvokeV2(b *testing.B) {
	a := benchApp(b)
	payload, _ := json.Marshal(events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: "/games/chess/scores/ann",
		Headers: map[string]string{"accept": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "$default", RequestID: "r", DomainName: "x.execute-api.us-east-1.amazonaws.com",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/games/chess/scores/ann"}},
	})
	ctx := lambdaCtx()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServeHTTP is the net/http path without a network: routing and
// the app's wrapping around a handler.
func BenchmarkServeHTTP(b *testing.B) {
	a := benchApp(b)
	r := httptest.NewRequest("GET", "/games/chess/scores/ann", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		w.Body.Reset()
		a.ServeHTTP(w, r)
	}
}

// BenchmarkStream is a batch of ten typed records.
func BenchmarkStream(b *testing.B) {
	a := lambda.New(quiet(b))
	lambda.OnChange(a, lambda.Entity[Score]("score"), func(ctx context.Context, c lambda.Change[Score]) error { return nil })
	var ev events.DynamoDBEvent
	for i := range 10 {
		ev.Records = append(ev.Records, record(fmt.Sprint(i), "MODIFY", scoreImage("ann", i), scoreImage("ann", i+1)))
	}
	ctx := lambdaCtx()
	b.ReportAllocs()
	for b.Loop() {
		resp, _ := a.ServeStream(ctx, ev)
		if len(resp.BatchItemFailures) > 0 {
			b.Fatal(resp)
		}
	}
}
