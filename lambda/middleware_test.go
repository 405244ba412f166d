package lambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/monotable/monotable/lambda"
)

func TestCORS(t *testing.T) {
	a := lambda.New(quiet(t))
	a.Use(lambda.CORS(lambda.CORSConfig{
		AllowOrigins:     []string{"https://app.example.com"},
		ExposeHeaders:    []string{"X-Total"},
		AllowCredentials: true,
		MaxAge:           10 * time.Minute,
	}))
	a.Route("GET /items", named("list"))
	preflight := http.Header{
		"Origin":                         {"https://app.example.com"},
		"Access-Control-Request-Method":  {"DELETE"},
		"Access-Control-Request-Headers": {"authorization, content-type"},
	}
	for _, tr := range transports {
		t.Run(tr.name+"/preflight", func(t *testing.T) {
			got := tr.do(t, a, req{method: "OPTIONS", path: "/items", header: preflight})
			want := map[string]string{
				"Access-Control-Allow-Origin":      "https://app.example.com",
				"Access-Control-Allow-Credentials": "true",
				"Access-Control-Allow-Methods":     "GET, HEAD, POST, PUT, PATCH, DELETE",
				"Access-Control-Allow-Headers":     "authorization, content-type",
				"Access-Control-Max-Age":           "600",
			}
			if got.status != http.StatusNoContent {
				t.Fatalf("status %d", got.status)
			}
			for k, v := range want {
				if g := got.header.Get(k); g != v {
					t.Errorf("%s = %q, want %q", k, g, v)
				}
			}
		})
		t.Run(tr.name+"/simple", func(t *testing.T) {
			got := tr.do(t, a, req{method: "GET", path: "/items", header: http.Header{"Origin": {"https://app.example.com"}}})
			if got.status != 200 || got.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
				got.header.Get("Access-Control-Expose-Headers") != "X-Total" || !strings.Contains(strings.Join(got.header.Values("Vary"), ","), "Origin") {
				t.Errorf("got %d %v", got.status, got.header)
			}
		})
		t.Run(tr.name+"/foreign origin", func(t *testing.T) {
			got := tr.do(t, a, req{method: "GET", path: "/items", header: http.Header{"Origin": {"https://evil.example"}}})
			if got.status != 200 || got.header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("got %d %v", got.status, got.header)
			}
		})
	}
	t.Run("wildcard without credentials", func(t *testing.T) {
		a := lambda.New(quiet(t))
		a.Use(lambda.CORS(lambda.CORSConfig{AllowOrigins: []string{"*"}}))
		a.Route("GET /x", named("x"))
		got := doV2(t, a, req{method: "GET", path: "/x", header: http.Header{"Origin": {"https://any.example"}}})
		if got.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("got %v", got.header)
		}
	})
}

func whoami(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(lambda.Auth(r.Context()))
}

func TestAuthFixtures(t *testing.T) {
	tests := []struct {
		file string
		want lambda.Identity
	}{
		{"apigw-v2-request-jwt-authorizer.json", lambda.Identity{
			Claims: map[string]string{"claim1": "value1", "claim2": "value2"}, Scopes: []string{"scope1", "scope2"}}},
		{"apigw-v2-request-lambda-authorizer.json", lambda.Identity{Context: map[string]any{"key": "value"}}},
		{"apigw-v2-request-iam.json", lambda.Identity{Subject: "arn:aws:iam::1234567890:user/Admin", IAM: &lambda.IAM{
			AccessKey: "ARIA2ZJZYVUEREEIHAKY", AccountID: "1234567890", CallerID: "AROA7ZJZYVRE7C3DUXHH6:CognitoIdentityCredentials",
			UserARN: "arn:aws:iam::1234567890:user/Admin", UserID: "AROA2ZJZYVRE7Y3TUXHH6", PrincipalOrgID: "AwsOrgId",
			CognitoIdentityID: "us-east-1:3f291106-8703-466b-8f2b-3ecee1ca56ce", CognitoIdentityPoolID: "us-east-1:4f291106-8703-466b-8f2b-3ecee1ca56ce"}}},
		{"apigw-v2-request-no-authorizer.json", lambda.Identity{}},
		{"lambda-urls-request.json", lambda.Identity{Subject: "arn:aws:iam::111122223333:user/example-user", IAM: &lambda.IAM{
			AccessKey: "AKIA...", AccountID: "111122223333", CallerID: "AIDA...", UserARN: "arn:aws:iam::111122223333:user/example-user", UserID: "AIDA..."}}},
		{"apigw-request.json", lambda.Identity{Subject: "admin",
			Context: map[string]any{"principalId": "admin", "clientId": float64(1), "clientName": "Exata"},
			IAM: &lambda.IAM{AccessKey: "ANEXAMPLEOFACCESSKEY", AccountID: "theAccountId", CallerID: "theCaller", UserARN: "theUserArn", UserID: "theUser",
				CognitoIdentityID: "theCognitoIdentityId", CognitoIdentityPoolID: "theCognitoIdentityPoolId"}}},
	}
	a := lambda.New(quiet(t))
	a.Route("/{proxy+}", http.HandlerFunc(whoami))
	a.Route("/", http.HandlerFunc(whoami))
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out, err := a.Invoke(lambdaCtx(), fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var r struct{ Body string }
			json.Unmarshal(out, &r)
			var got lambda.Identity
			if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
				t.Fatalf("%s: %v", r.Body, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("identity\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestRequireScopes(t *testing.T) {
	a := lambda.New(quiet(t))
	a.Route("DELETE /items/{id}", named("deleted"), lambda.RequireScopes("items:write"))
	jwt := func(claims map[string]string, scopes []string) events.APIGatewayV2HTTPRequest {
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/items/1",
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "DELETE"}}}
		if claims != nil {
			ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims, Scopes: scopes}}
		}
		return ev
	}
	tests := []struct {
		name   string
		ev     any
		status int
	}{
		{"no authorizer", jwt(nil, nil), 401},
		{"scopes list", jwt(map[string]string{"sub": "u1"}, []string{"items:read", "items:write"}), 200},
		{"scope claim", jwt(map[string]string{"sub": "u1", "scope": "openid items:write"}, nil), 200},
		{"scp list claim", jwt(map[string]string{"sub": "u1", "scp": "[items:read items:write]"}, nil), 200},
		{"missing scope", jwt(map[string]string{"sub": "u1", "scope": "items:read"}, nil), 403},
		{"v1 cognito claims", events.APIGatewayProxyRequest{HTTPMethod: "DELETE", Path: "/items/1", RequestContext: events.APIGatewayProxyRequestContext{
			Authorizer: map[string]any{"claims": map[string]any{"sub": "u2", "scope": "items:write"}}}}, 200},
		{"v1 lambda authorizer has no scopes", events.APIGatewayProxyRequest{HTTPMethod: "DELETE", Path: "/items/1", RequestContext: events.APIGatewayProxyRequestContext{
			Authorizer: map[string]any{"principalId": "u3"}}}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, _ := json.Marshal(tt.ev)
			out, err := a.Invoke(lambdaCtx(), payload)
			if err != nil {
				t.Fatal(err)
			}
			var r struct {
				StatusCode        int
				Headers           map[string]string
				MultiValueHeaders map[string][]string
			}
			json.Unmarshal(out, &r)
			if r.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tt.status, out)
			}
			if tt.status == 403 {
				chal := r.Headers["Www-Authenticate"] + strings.Join(r.MultiValueHeaders["Www-Authenticate"], "")
				if !strings.Contains(chal, `error="insufficient_scope"`) {
					t.Errorf("challenge %q", chal)
				}
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	var deadline time.Time
	var hasDeadline bool
	a := lambda.New(quiet(t), lambda.WithTimeoutMargin(300*time.Millisecond))
	a.Route("GET /slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		deadline, hasDeadline = r.Context().Deadline()
		<-r.Context().Done()
		lambda.WriteError(w, r, r.Context().Err())
	}))
	ev := events.APIGatewayV2HTTPRequest{RawPath: "/slow",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}}}

	lambdaDeadline := time.Now().Add(2 * time.Second)
	ctx, cancel := context.WithDeadline(lambdaCtx(), lambdaDeadline)
	defer cancel()
	out, _ := a.ServeV2(ctx, ev)
	if !hasDeadline || lambdaDeadline.Sub(deadline) != 300*time.Millisecond {
		t.Errorf("handler deadline %v before Lambda's, want the 300ms margin", lambdaDeadline.Sub(deadline))
	}
	if out.StatusCode != http.StatusGatewayTimeout || time.Now().After(lambdaDeadline) {
		t.Errorf("status %d, answered after the Lambda deadline: %v", out.StatusCode, time.Now().After(lambdaDeadline))
	}

	// Less than twice the margin left: the handler gets half of what is left.
	lambdaDeadline = time.Now().Add(200 * time.Millisecond)
	ctx2, cancel2 := context.WithDeadline(lambdaCtx(), lambdaDeadline)
	defer cancel2()
	a.ServeV2(ctx2, ev)
	if cut := lambdaDeadline.Sub(deadline); cut > 100*time.Millisecond || cut <= 0 {
		t.Errorf("short invocation: margin %v, want at most half of 200ms", cut)
	}
}

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	a := lambda.New(lambda.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	a.Route("GET /items/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lambda.Logger(r.Context()).Info("inside", "id", r.PathValue("id"))
		lambda.WriteError(w, r, context.Canceled) // any internal error
	}))
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-77"})
	a.ServeV1(ctx, events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/items/5",
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "apigw-9"}})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log:\n%s", buf.String())
	}
	var inside, access map[string]any
	json.Unmarshal([]byte(lines[0]), &inside)
	json.Unmarshal([]byte(lines[1]), &access)
	if inside["requestId"] != "req-77" || inside["route"] != "GET /items/{id}" || inside["id"] != "5" {
		t.Errorf("handler line %v", inside)
	}
	want := map[string]any{"msg": "request", "level": "ERROR", "requestId": "req-77", "apiRequestId": "apigw-9", "source": "rest",
		"method": "GET", "path": "/items/5", "route": "GET /items/{id}", "status": float64(500), "error": "context canceled"}
	for k, v := range want {
		if access[k] != v {
			t.Errorf("%s = %v, want %v", k, access[k], v)
		}
	}
	if _, ok := access["latencyMs"].(float64); !ok {
		t.Errorf("no latency in %v", access)
	}
}
