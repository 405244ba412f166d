package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/monotable/monotable/lambda"
)

// TestInvokeDetect checks that Invoke tells every event shape apart by
// the response shape it answers with.
func TestInvokeDetect(t *testing.T) {
	a := lambda.New(quiet(t))
	a.Route("/{proxy+}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
	}))
	a.Route("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	lambda.OnChange(a, lambda.Entity[lambda.Item](""), func(context.Context, lambda.Change[lambda.Item]) error { return nil })
	tests := []struct {
		file string
		keys []string // keys the response must have
	}{
		{"apigw-request.json", []string{"statusCode", "multiValueHeaders"}},
		{"apigw-restapi-openapi-request.json", []string{"statusCode", "multiValueHeaders"}},
		{"apigw-v2-request-no-authorizer.json", []string{"statusCode", "headers", "cookies"}},
		{"apigw-v2-request-jwt-authorizer.json", []string{"statusCode", "headers", "cookies"}},
		{"lambda-urls-request.json", []string{"statusCode", "headers", "cookies"}},
		{"dynamodb-event.json", []string{"batchItemFailures"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out, err := a.Invoke(context.Background(), fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatal(err)
			}
			for _, k := range tt.keys {
				if _, ok := m[k]; !ok {
					t.Errorf("response %s lacks %q", out, k)
				}
			}
			if mv, ok := m["multiValueHeaders"]; ok && len(tt.keys) == 3 && string(mv) != "null" {
				t.Errorf("payload 2.0 response %s has multiValueHeaders", out)
			}
		})
	}
	for _, p := range []string{``, `[]`, `"x"`, `{}`, `{"Records":[]}`, `{"Records":[{"eventSource":"aws:sqs"}]}`, `{"version":"2.0"}`, `{"httpMethod":1}`} {
		if _, err := a.Invoke(context.Background(), []byte(p)); !errors.Is(err, lambda.ErrUnsupportedEvent) {
			t.Errorf("%q: error %v, want ErrUnsupportedEvent", p, err)
		}
	}
}
