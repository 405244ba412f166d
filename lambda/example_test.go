package lambda_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monotable/monotable/lambda"
)

type GetScore struct {
	Game   string `path:"game" validate:"required"`
	Player string `path:"player" validate:"required"`
	Limit  int    `query:"limit" validate:"omitempty,max=100"`
}

type ScoreView struct {
	Game   string `json:"game"`
	Player string `json:"player"`
	Points int    `json:"points"`
}

func getScore(ctx context.Context, in GetScore) (ScoreView, error) {
	if in.Player == "nobody" {
		return ScoreView{}, lambda.Error(http.StatusNotFound, "no score for nobody")
	}
	return ScoreView{Game: in.Game, Player: in.Player, Points: 42}, nil
}

// The same app serves an HTTP API event, a REST API event and net/http.
func Example() {
	app := lambda.New()
	app.Route("GET /games/{game}/scores/{player}", lambda.Handle(getScore))

	v2, _ := app.ServeV2(context.Background(), events.APIGatewayV2HTTPRequest{
		Version: "2.0", RawPath: "/prod/games/chess/scores/ann",
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			Stage: "prod", DomainName: "abc.execute-api.us-east-1.amazonaws.com",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"},
		},
	})
	fmt.Println(v2.StatusCode, v2.Body)

	v1, _ := app.ServeV1(context.Background(), events.APIGatewayProxyRequest{
		HTTPMethod: "GET", Resource: "/{proxy+}", Path: "/api/games/chess/scores/bo",
		PathParameters: map[string]string{"proxy": "games/chess/scores/bo"},
	})
	fmt.Println(v1.StatusCode, v1.Body)

	srv := httptest.NewServer(app)
	defer srv.Close()
	res, _ := http.Get(srv.URL + "/games/go/scores/cy")
	b, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, string(b))
	// Output:
	// 200 {"game":"chess","player":"ann","points":42}
	// 200 {"game":"chess","player":"bo","points":42}
	// 200 {"game":"go","player":"cy","points":42}
}

// Bad input and handler errors come back as RFC 9457 problems.
func ExampleHandle() {
	app := lambda.New()
	app.Route("GET /games/{game}/scores/{player}", lambda.Handle(getScore))
	srv := httptest.NewServer(app)
	defer srv.Close()

	for _, path := range []string{"/games/chess/scores/nobody", "/games/chess/scores/ann?limit=many", "/games/chess/scores/ann?limit=1000"} {
		res, _ := http.Get(srv.URL + path)
		b, _ := io.ReadAll(res.Body)
		fmt.Println(res.StatusCode, res.Header.Get("Content-Type"))
		fmt.Println(stripRequestID(string(b)))
	}
	// Output:
	// 404 application/problem+json
	// {"title":"Not Found","status":404,"detail":"no score for nobody","instance":"/games/chess/scores/nobody"}
	// 400 application/problem+json
	// {"title":"Bad Request","status":400,"detail":"invalid request","instance":"/games/chess/scores/ann","errors":[{"name":"limit","in":"query","reason":"must be an integer"}]}
	// 400 application/problem+json
	// {"title":"Bad Request","status":400,"detail":"invalid request","instance":"/games/chess/scores/ann","errors":[{"name":"limit","in":"query","reason":"must be at most 100","rule":"max"}]}
}

// stripRequestID drops the generated request id, which differs per run.
func stripRequestID(s string) string {
	i := strings.Index(s, `,"requestId":"`)
	if i < 0 {
		return s
	}
	j := strings.Index(s[i+14:], `"`)
	return s[:i] + s[i+14+j+1:]
}

// Handlers return Error for the failures they expect; other errors are
// served as a bare 500 with the request id.
func ExampleError() {
	app := lambda.New()
	app.Route("DELETE /games/{game}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lambda.WriteError(w, r, lambda.Error(http.StatusConflict, "the game is still running"))
	}))
	resp, _ := app.ServeURL(context.Background(), events.LambdaFunctionURLRequest{
		RawPath: "/games/chess",
		RequestContext: events.LambdaFunctionURLRequestContext{RequestID: "req-1",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "DELETE"}},
	})
	fmt.Println(resp.StatusCode, resp.Body)
	// Output:
	// 409 {"title":"Conflict","status":409,"detail":"the game is still running","instance":"/games/chess","requestId":"req-1"}
}

// Stream records are routed by entity type and decoded; a failure is
// reported so that Lambda resumes from it.
func ExampleOnChange() {
	app := lambda.New()
	lambda.OnChange(app, lambda.Entity[Score]("score"), func(ctx context.Context, c lambda.Change[Score]) error {
		switch {
		case c.Expired:
			fmt.Println("expired:", c.Old.Player)
		case c.New != nil:
			fmt.Println(c.Event, c.New.Player, c.New.Points)
		}
		if c.New != nil && c.New.Points < 0 {
			return fmt.Errorf("negative score")
		}
		return nil
	})
	expired := record("3", "REMOVE", scoreImage("cy", 1), nil)
	expired.UserIdentity = &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	resp, _ := app.ServeStream(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record("1", "INSERT", nil, scoreImage("ann", 10)),
		record("2", "MODIFY", scoreImage("bo", 1), scoreImage("bo", 5)),
		expired,
		record("4", "INSERT", nil, scoreImage("dee", -1)),
		record("5", "INSERT", nil, scoreImage("eve", 3)),
	}})
	fmt.Println("retry from", resp.BatchItemFailures[0].ItemIdentifier)
	// Output:
	// INSERT ann 10
	// MODIFY bo 5
	// expired: cy
	// INSERT dee -1
	// retry from 4
}

// RequireScopes checks the OAuth scopes of the JWT that an HTTP API
// authorizer validated.
func ExampleRequireScopes() {
	app := lambda.New()
	app.Route("DELETE /games/{game}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("deleted by", lambda.Auth(r.Context()).Subject)
		w.WriteHeader(http.StatusNoContent)
	}), lambda.RequireScopes("games:write"))
	for _, scope := range []string{"games:read", "games:read games:write"} {
		resp, _ := app.ServeV2(context.Background(), events.APIGatewayV2HTTPRequest{
			RawPath: "/games/chess",
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "DELETE"},
				Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
					JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
						Claims: map[string]string{"sub": "user-1", "scope": scope}}},
			},
		})
		fmt.Println(resp.StatusCode)
	}
	// Output:
	// 403
	// deleted by user-1
	// 204
}

// CORS answers preflights before routing, so routes need no OPTIONS.
func ExampleCORS() {
	app := lambda.New()
	app.Use(lambda.CORS(lambda.CORSConfig{AllowOrigins: []string{"https://app.example.com"}}))
	app.Route("PUT /games/{game}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	resp, _ := app.ServeV2(context.Background(), events.APIGatewayV2HTTPRequest{
		RawPath: "/games/chess",
		Headers: map[string]string{"origin": "https://app.example.com", "access-control-request-method": "PUT"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "OPTIONS"}},
	})
	fmt.Println(resp.StatusCode, resp.Headers["Access-Control-Allow-Origin"], resp.Headers["Access-Control-Allow-Methods"])
	// Output:
	// 204 https://app.example.com GET, HEAD, POST, PUT, PATCH, DELETE
}

// Invoke takes the raw payload Lambda delivers and tells the event type
// from it.
func ExampleApp_Invoke() {
	app := lambda.New()
	app.Route("GET /hello/{name}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: "en"})
		fmt.Fprintf(w, "hello %s", r.PathValue("name"))
	}))
	out, _ := app.Invoke(context.Background(), []byte(`{
		"version": "2.0", "rawPath": "/hello/world",
		"requestContext": {"domainName": "abc.lambda-url.eu-west-1.on.aws", "http": {"method": "GET"}}
	}`))
	fmt.Println(string(out))
	// Output:
	// {"statusCode":200,"headers":{"Content-Type":"text/plain; charset=utf-8"},"body":"hello world","isBase64Encoded":false,"cookies":["seen=1","lang=en"]}
}
