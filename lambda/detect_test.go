package lambda_test

import (
	"encoding/json"
	"testing"

	"github.com/monotable/monotable/lambda"
)

// The quick walk over an event's keys must never disagree with the probe
// (a whole decode): wherever the walk is sure and the payload is JSON, the
// probe gives the same kind.

var kindCases = []struct {
	payload string
	quick   bool // the walk decides alone
}{
	{`{"version":"2.0","rawPath":"/x","requestContext":{"http":{"method":"GET"}}}`, true},
	{`{"version":"2.0","requestContext":{"domainName":"abc.lambda-url.us-east-1.on.aws","http":{"method":"GET"}}}`, true},
	{`{"httpMethod":"GET","path":"/x","requestContext":{"httpMethod":"GET"}}`, true},
	{` { "httpMethod" : "GET" , "headers" : {"a":"}"} } `, true},
	{`{"version":"1.0","httpMethod":"GET","requestContext":{"http":{"method":"GET"}}}`, false},
	{`{"Records":[{"eventSource":"aws:dynamodb"}]}`, false},
	{`{"HTTPMETHOD":"GET"}`, false},
	{`{"httpMethod":"GET","httpMethod":"POST"}`, false},
	{`{"http\u004dethod":"GET"}`, false},
	{`{"httpMethod":null}`, false},
	{`{"httpMethod":"GET"} x`, false},
	{`{"requestContext":{"http":{"method":"GET"}},"requestContext":{}}`, false},
	{`[]`, false},
	{``, false},
}

func TestQuickKindAgreesWithProbe(t *testing.T) {
	for _, c := range kindCases {
		kind, ok := lambda.QuickKind([]byte(c.payload))
		if ok != c.quick {
			t.Errorf("%s: walk sure = %v, want %v", c.payload, ok, c.quick)
		}
		if ok {
			checkAgrees(t, []byte(c.payload), kind)
		}
	}
	for _, name := range eventFixtures {
		p := fixture(t, name)
		kind, ok := lambda.QuickKind(p)
		if name != "dynamodb-event.json" && !ok {
			t.Errorf("%s: the walk is unsure of a real event", name)
		}
		if ok {
			checkAgrees(t, p, kind)
		}
	}
}

var eventFixtures = []string{
	"apigw-request.json", "apigw-restapi-openapi-request.json", "apigw-v2-request-iam.json",
	"apigw-v2-request-jwt-authorizer.json", "apigw-v2-request-lambda-authorizer.json",
	"apigw-v2-request-no-authorizer.json", "lambda-urls-request.json", "dynamodb-event.json",
}

func checkAgrees(t *testing.T, payload []byte, kind string) {
	t.Helper()
	if !json.Valid(payload) {
		return // the real decode rejects it, with the probe's error
	}
	want, err := lambda.ProbeKind(payload)
	if err != nil || want != kind {
		t.Fatalf("%q: walk says %q, probe says %q (%v)", payload, kind, want, err)
	}
}

func FuzzQuickKind(f *testing.F) {
	for _, c := range kindCases {
		f.Add([]byte(c.payload))
	}
	for _, name := range eventFixtures {
		f.Add(fixture(f, name))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if kind, ok := lambda.QuickKind(payload); ok {
			checkAgrees(t, payload, kind)
		}
	})
}
