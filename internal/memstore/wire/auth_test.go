package wire

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
)

const (
	msgMissingToken = "Request is missing Authentication Token"
	msgBadSignature = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgBadToken     = "The security token included in the request is invalid."
)

type authCase struct {
	name     string
	req      rawRequest
	tamper   func(*http.Request) // after signing
	wantCode string              // "" for success
	wantMsg  string
}

func runAuthCases(t *testing.T, h http.Handler, tests []authCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.target == "" {
				tt.req.target = dynamoDBTarget + "ListTables"
			}
			if tt.req.body == "" {
				tt.req.body = "{}"
			}
			req := tt.req.build(t)
			if tt.tamper != nil {
				tt.tamper(req)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if tt.wantCode == "" {
				if w.Code != 200 {
					t.Errorf("got %d %s, want success", w.Code, w.Body)
				}
				return
			}
			want := `{"__type":"` + nsService + tt.wantCode + `","message":` + quote(tt.wantMsg) + `}`
			if w.Code != 400 || !jsonEqual(t, w.Body.String(), want) {
				t.Errorf("got %d %s\nwant 400 %s", w.Code, w.Body, want)
			}
		})
	}
}

func setHeader(k, v string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set(k, v) }
}

// TestAuthWellFormed checks the default mode: like DynamoDB Local, any key
// is accepted but the signature must be well formed, with the service's
// messages when it is not.
func TestAuthWellFormed(t *testing.T) {
	_, h, _, _ := newTestHandler(t, nil)
	now := time.Now().UTC().Format(amzDateFormat)
	tests := []authCase{
		{name: "signed with any key", req: rawRequest{creds: &aws.Credentials{AccessKeyID: "anything", SecretAccessKey: "x"}}},
		{name: "signature not checked", req: rawRequest{}, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=", "Signature=00", 1))
		}},
		{name: "no Authorization", req: rawRequest{unsigned: true}, wantCode: "MissingAuthenticationTokenException", wantMsg: msgMissingToken},
		{name: "not AWS4-", req: rawRequest{unsigned: true, header: map[string]string{"Authorization": "AWS4"}},
			wantCode: "MissingAuthenticationTokenException", wantMsg: msgMissingToken},
		{name: "only AWS4-", req: rawRequest{unsigned: true, header: map[string]string{"Authorization": "AWS4-"}},
			wantCode: "IncompleteSignatureException",
			wantMsg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-"},
		{name: "no SignedHeaders, space separated", req: rawRequest{unsigned: true, header: map[string]string{"Authorization": "AWS4- Signature=b Credential=a", "Date": "a"}},
			wantCode: "IncompleteSignatureException", wantMsg: "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b Credential=a"},
		{name: "no SignedHeaders, comma separated", req: rawRequest{unsigned: true, header: map[string]string{"Authorization": "AWS4- Signature=b, Credential=a", "Date": "a"}},
			wantCode: "IncompleteSignatureException", wantMsg: "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a"},
		{name: "both header and query", req: rawRequest{path: "/?X-Amz-Algorithm", unsigned: true, header: map[string]string{"Authorization": "X"}},
			wantCode: "InvalidSignatureException", wantMsg: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."},
		{name: "empty query signature", req: rawRequest{path: "/?X-Amz-Algorithm", unsigned: true},
			wantCode: "IncompleteSignatureException",
			wantMsg: "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. " +
				"AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{name: "query signature without SignedHeaders", req: rawRequest{path: "/?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d", unsigned: true},
			wantCode: "IncompleteSignatureException", wantMsg: "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."},
		{name: "bad date", req: rawRequest{}, tamper: setHeader("X-Amz-Date", "201"),
			wantCode: "IncompleteSignatureException", wantMsg: "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "host not signed", req: rawRequest{unsigned: true, header: map[string]string{
			"X-Amz-Date":    now,
			"Authorization": "AWS4-HMAC-SHA256 Credential=a/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=x-amz-date, Signature=ab",
		}}, wantCode: "InvalidSignatureException", wantMsg: "'Host' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "unsupported algorithm", req: rawRequest{unsigned: true, header: map[string]string{
			"X-Amz-Date":    now,
			"Authorization": "AWS4-HMAC-SHA25 Credential=a/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=ab",
		}}, wantCode: "IncompleteSignatureException", wantMsg: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). "},
		{name: "short credential", req: rawRequest{unsigned: true, header: map[string]string{
			"X-Amz-Date":    now,
			"Authorization": "AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=ab",
		}}, wantCode: "IncompleteSignatureException", wantMsg: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'"},
	}
	runAuthCases(t, h, tests)
}

// TestAuthVerified checks WithCredentials: the signature is recomputed
// with the SDK's signer and compared.
func TestAuthVerified(t *testing.T) {
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	_, h, _, _ := newTestHandler(t, nil, WithCredentials("AKID", "SECRET"), withClock(func() time.Time { return at.Add(time.Minute) }))
	good := &aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}
	tests := []authCase{
		{name: "good signature", req: rawRequest{creds: good, at: at}},
		{name: "good signature with a session token", req: rawRequest{creds: &aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "tok"}, at: at}},
		{name: "good signature, streams", req: rawRequest{creds: good, at: at, target: streamsTarget + "ListStreams"}},
		{name: "tampered body", req: rawRequest{creds: good, at: at, body: `{"Limit":1}`}, tamper: func(r *http.Request) {
			r.Body = bodyOf(`{"Limit":2}`)
		}, wantCode: "InvalidSignatureException", wantMsg: msgBadSignature},
		{name: "tampered signed header", req: rawRequest{creds: good, at: at}, tamper: setHeader("X-Amz-Target", dynamoDBTarget+"DescribeLimits"),
			wantCode: "InvalidSignatureException", wantMsg: msgBadSignature},
		{name: "unknown key", req: rawRequest{creds: &aws.Credentials{AccessKeyID: "OTHER", SecretAccessKey: "SECRET"}, at: at},
			wantCode: "UnrecognizedClientException", wantMsg: msgBadToken},
		{name: "wrong secret", req: rawRequest{creds: &aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "WRONG"}, at: at},
			wantCode: "InvalidSignatureException", wantMsg: msgBadSignature},
		{name: "wrong region", req: rawRequest{creds: good, at: at, region: "eu-west-1"},
			wantCode: "InvalidSignatureException", wantMsg: "Credential should be scoped to a valid region, not 'eu-west-1'."},
		{name: "expired", req: rawRequest{creds: good, at: at.Add(-20 * time.Minute)},
			wantCode: "InvalidSignatureException", wantMsg: "Signature expired: 20250601T114000Z is now earlier than 20250601T114600Z (20250601T120100Z - 15 min.)"},
		{name: "from the future", req: rawRequest{creds: good, at: at.Add(20 * time.Minute)},
			wantCode: "InvalidSignatureException", wantMsg: "Signature not yet current: 20250601T122000Z is still later than 20250601T121600Z (20250601T120100Z + 15 min.)"},
		{name: "presigned", req: rawRequest{unsigned: true}, tamper: presign(t, good, at, "")},
		{name: "presigned, tampered", req: rawRequest{unsigned: true}, tamper: presign(t, good, at, "00"),
			wantCode: "InvalidSignatureException", wantMsg: msgBadSignature},
	}
	runAuthCases(t, h, tests)
}

// presign replaces the request URL with one presigned by the SDK's
// signer, optionally corrupting its signature.
func presign(t *testing.T, creds *aws.Credentials, at time.Time, corrupt string) func(*http.Request) {
	return func(r *http.Request) {
		body := `{}`
		sum := sha256.Sum256([]byte(body))
		req, _ := http.NewRequest(http.MethodPost, "http://"+r.Host+"/?X-Amz-Expires=300", nil)
		signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), *creds, req, hex.EncodeToString(sum[:]), "dynamodb", "us-east-1", at)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(signed)
		if corrupt != "" {
			q := u.Query()
			q.Set("X-Amz-Signature", corrupt+q.Get("X-Amz-Signature")[2:])
			u.RawQuery = q.Encode()
		}
		r.URL = &url.URL{Path: u.Path, RawQuery: u.RawQuery}
	}
}

// TestAuthThroughSDK checks pinned credentials with the real client: the
// in-process client's default key is refused, the pinned one accepted.
func TestAuthThroughSDK(t *testing.T) {
	_, _, ddb, _ := newTestHandler(t, nil, WithCredentials("AKID", "SECRET"))
	ctx := context.Background()
	_, err := ddb.ListTables(ctx, nil)
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "UnrecognizedClientException" || api.ErrorMessage() != msgBadToken {
		t.Errorf("default key: %v", err)
	}
	_, err = ddb.ListTables(ctx, nil, func(o *dynamodb.Options) {
		o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}, nil
		})
	})
	if err != nil {
		t.Errorf("pinned key: %v", err)
	}
}
