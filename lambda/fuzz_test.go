package lambda_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/monotable/monotable/lambda"
)

func fuzzApp(t testing.TB) *lambda.App {
	a := typedApp(t)
	a.Route("/echo/{proxy+}", http.HandlerFunc(echo))
	a.Route("GET /auth", http.HandlerFunc(whoami))
	a.Use(lambda.CORS(lambda.CORSConfig{AllowOrigins: []string{"*"}}))
	lambda.OnChange(a, lambda.Entity[Score]("score"), func(ctx context.Context, c lambda.Change[Score]) error { return nil })
	lambda.OnChange(a, lambda.Entity[lambda.Item](""), func(ctx context.Context, c lambda.Change[lambda.Item]) error { return nil })
	return a
}

// FuzzDecodeEvent feeds arbitrary payloads to Invoke: it must never
// panic, and whatever it answers must be JSON.
func FuzzDecodeEvent(f *testing.F) {
	for _, name := range []string{
		"apigw-request.json", "apigw-restapi-openapi-request.json", "apigw-v2-request-iam.json",
		"apigw-v2-request-jwt-authorizer.json", "apigw-v2-request-lambda-authorizer.json",
		"apigw-v2-request-no-authorizer.json", "lambda-urls-request.json", "dynamodb-event.json",
		"dynamodb-event-malformed.2.json",
	} {
		f.Add(fixture(f, name))
	}
	for _, s := range []string{
		`{"httpMethod":"POST","path":"/games/x/scores","body":"eyJwbGF5ZXIiOiJhIn0=","isBase64Encoded":true}`,
		`{"version":"2.0","rawPath":"/games/%zz/scores","rawQueryString":"limit=%%","requestContext":{"http":{"method":"POST"}},"body":"{\"points\":1e99}"}`,
		`{"version":"2.0","routeKey":"GET /{a}/{b+}","pathParameters":{"a":"x"},"requestContext":{"http":{"method":"GET"},"stage":"s"}}`,
		`{"resource":"/{proxy+}","pathParameters":{"proxy":"../../etc"},"httpMethod":"GET","requestContext":{"authorizer":{"claims":7}}}`,
		`{"Records":[{"eventSource":"aws:dynamodb","eventName":"REMOVE","dynamodb":{"OldImage":{"type":{"S":"score"},"points":{"L":[]}},"SequenceNumber":"9"}}]}`,
		`{"Records":[{"eventSource":"aws:dynamodb","dynamodb":{"NewImage":{"x":{"BS":[1]}}}}]}`,
	} {
		f.Add([]byte(s))
	}
	a := fuzzApp(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := a.Invoke(lambdaCtx(), payload)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("response is not JSON: %q", out)
		}
	})
}
