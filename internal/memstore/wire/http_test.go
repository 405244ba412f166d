package wire

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// rawRequest is one HTTP request to the handler, built by hand the way a
// client other than the Go SDK might send it.
type rawRequest struct {
	method   string            // POST if empty
	path     string            // "/" if empty
	target   string            // X-Amz-Target
	ct       string            // Content-Type; application/x-amz-json-1.0 if empty, none if "-"
	body     string            //
	header   map[string]string // extra headers, set before signing
	unsigned bool              // no Authorization header
	creds    *aws.Credentials  // signing key; any key if nil
	region   string            // signing region; us-east-1 if empty
	at       time.Time         // signing time; now if zero
}

func (r rawRequest) build(t testing.TB) *http.Request {
	t.Helper()
	method, path := r.method, r.path
	if method == "" {
		method = http.MethodPost
	}
	if path == "" {
		path = "/"
	}
	req := httptest.NewRequest(method, path, strings.NewReader(r.body))
	req.Host = "dynamodb.us-east-1.amazonaws.com"
	switch r.ct {
	case "":
		req.Header.Set("Content-Type", contentJSON10)
	case "-":
	default:
		req.Header.Set("Content-Type", r.ct)
	}
	if r.target != "" {
		req.Header.Set("X-Amz-Target", r.target)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if !r.unsigned {
		creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}
		if r.creds != nil {
			creds = *r.creds
		}
		region, at := r.region, r.at
		if region == "" {
			region = "us-east-1"
		}
		if at.IsZero() {
			at = time.Now()
		}
		sum := sha256.Sum256([]byte(r.body))
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "dynamodb", region, at); err != nil {
			t.Fatal(err)
		}
	}
	return req
}

func bodyOf(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

var requestIDPattern = regexp.MustCompile(`^[0-9A-Z]{52}$`)

// serve sends r to h and checks what every response carries: a request id
// shaped like the service's, and the CRC32 of the body the SDKs verify.
func serve(t testing.TB, h http.Handler, r rawRequest) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r.build(t))
	if id := w.Header().Get("X-Amzn-Requestid"); !requestIDPattern.MatchString(id) {
		t.Errorf("x-amzn-RequestId = %q", id)
	}
	if got, want := w.Header().Get("X-Amz-Crc32"), strconv.FormatUint(uint64(crc32.ChecksumIEEE(w.Body.Bytes())), 10); got != want {
		t.Errorf("x-amz-crc32 = %s, want %s", got, want)
	}
	if got, want := w.Header().Get("Content-Length"), strconv.Itoa(w.Body.Len()); got != want {
		t.Errorf("Content-Length = %s, want %s", got, want)
	}
	return w
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(t testing.TB, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Errorf("response is not JSON: %q", got)
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

func TestProtocol(t *testing.T) {
	_, h, _, _ := newTestHandler(t, nil, WithMaxBodySize(1024))
	const getItem = dynamoDBTarget + "GetItem"
	tests := []struct {
		name       string
		req        rawRequest
		wantStatus int
		wantCT     string // "-" for none
		wantBody   string // exact if not JSON, else compared as JSON
		wantHeader map[string]string
	}{
		{
			name:       "health check",
			req:        rawRequest{method: http.MethodGet, unsigned: true, ct: "-"},
			wantStatus: 200, wantCT: "-",
			wantBody: "healthy: dynamodb.us-east-1.amazonaws.com ",
		},
		{
			name:       "health check on any path",
			req:        rawRequest{method: http.MethodGet, path: "/ping", unsigned: true, ct: "-"},
			wantStatus: 200, wantCT: "-",
			wantBody: "healthy: dynamodb.us-east-1.amazonaws.com ",
		},
		{
			name:       "PUT",
			req:        rawRequest{method: http.MethodPut, unsigned: true},
			wantStatus: 404, wantCT: "-", wantBody: "<UnknownOperationException/>\n",
			wantHeader: map[string]string{"X-Amz-Crc32": "3552371480"},
		},
		{
			name:       "OPTIONS without Origin",
			req:        rawRequest{method: http.MethodOptions, unsigned: true},
			wantStatus: 404, wantCT: "-", wantBody: "<UnknownOperationException/>\n",
		},
		{
			name:       "body without content type",
			req:        rawRequest{body: "hi", ct: "-", unsigned: true},
			wantStatus: 404, wantCT: "-", wantBody: "<UnknownOperationException/>\n",
		},
		{
			name:       "body with another content type",
			req:        rawRequest{body: "hi", ct: "application/jsonasdf", unsigned: true},
			wantStatus: 404, wantCT: "-", wantBody: "<UnknownOperationException/>\n",
		},
		{
			name:       "not JSON as application/json",
			req:        rawRequest{body: "hi", ct: "application/json", unsigned: true},
			wantStatus: 400, wantCT: contentJSON,
			wantBody: `{"__type":"com.amazon.coral.service#SerializationException"}`,
		},
		{
			name:       "not JSON, content type with parameters",
			req:        rawRequest{body: "hi", ct: "  application/x-amz-json-1.0  ;   charset=utf-8", unsigned: true},
			wantStatus: 400, wantCT: contentJSON10,
			wantBody: `{"__type":"com.amazon.coral.service#SerializationException"}`,
		},
		{
			name:       "not JSON wins over an unknown operation",
			req:        rawRequest{body: "{", target: "DynamoDB_20120810.Nope", unsigned: true},
			wantStatus: 400, wantCT: contentJSON10,
			wantBody: `{"__type":"com.amazon.coral.service#SerializationException"}`,
		},
		{
			name:       "no target",
			req:        rawRequest{body: "{}", unsigned: true},
			wantStatus: 400, wantCT: contentJSON10,
			wantBody: `{"__type":"com.amazon.coral.service#UnknownOperationException"}`,
		},
		{
			name:       "no target nor body",
			req:        rawRequest{ct: "-", unsigned: true},
			wantStatus: 400, wantCT: contentJSON,
			wantBody: `{"__type":"com.amazon.coral.service#UnknownOperationException"}`,
		},
		{
			name:       "unknown operation",
			req:        rawRequest{body: "{}", target: "DynamoDB_20120810.ListTable"},
			wantStatus: 400, wantCT: contentJSON10,
			wantBody: `{"__type":"com.amazon.coral.service#UnknownOperationException"}`,
		},
		{
			name:       "other API version",
			req:        rawRequest{body: "{}", target: "DynamoDB_20111205.GetItem"},
			wantStatus: 400, wantCT: contentJSON10,
			wantBody: `{"__type":"com.amazon.coral.service#UnknownOperationException"}`,
		},
		{
			name:       "streams operation with the DynamoDB prefix",
			req:        rawRequest{body: "{}", target: "DynamoDB_20120810.GetRecords"},
			wantStatus: 400, wantCT: contentJSON10,
			wantBody: `{"__type":"com.amazon.coral.service#UnknownOperationException"}`,
		},
		{
			name:       "empty body",
			req:        rawRequest{target: getItem},
			wantStatus: 400, wantCT: contentJSON10,
			wantBody: `{"__type":"com.amazon.coral.service#SerializationException"}`,
		},
		{
			name:       "ok",
			req:        rawRequest{body: `{"TableName":"t"}`, target: getItem},
			wantStatus: 200, wantCT: contentJSON10, wantBody: `{}`,
		},
		{
			name:       "ok as application/json",
			req:        rawRequest{body: `{"TableName":"t"}`, target: getItem, ct: "application/json"},
			wantStatus: 200, wantCT: contentJSON, wantBody: `{}`,
		},
		{
			name:       "ok as application/x-amz-json-1.1",
			req:        rawRequest{body: `{"TableName":"t"}`, target: getItem, ct: contentJSON11},
			wantStatus: 200, wantCT: contentJSON11, wantBody: `{}`,
		},
		{
			name:       "streams operation",
			req:        rawRequest{body: `{}`, target: streamsTarget + "ListStreams"},
			wantStatus: 200, wantCT: contentJSON10, wantBody: `{}`,
		},
		{
			name:       "body too large",
			req:        rawRequest{body: `{"TableName":"` + strings.Repeat("t", 1024) + `"}`, target: getItem},
			wantStatus: 413, wantCT: "-", wantBody: "",
		},
		{
			name:       "CORS preflight",
			req:        rawRequest{method: http.MethodOptions, unsigned: true, header: map[string]string{"Origin": "http://x", "Access-Control-Request-Headers": "a, b", "Access-Control-Request-Method": "POST"}},
			wantStatus: 200, wantCT: "-", wantBody: "",
			wantHeader: map[string]string{
				"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "a, b",
				"Access-Control-Allow-Methods": "POST", "Access-Control-Max-Age": "172800",
			},
		},
		{
			name:       "CORS on a request",
			req:        rawRequest{body: "{}", unsigned: true, header: map[string]string{"Origin": "http://x"}},
			wantStatus: 400, wantCT: contentJSON10,
			wantBody:   `{"__type":"com.amazon.coral.service#UnknownOperationException"}`,
			wantHeader: map[string]string{"Access-Control-Allow-Origin": "*"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(t, h, tt.req)
			if w.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d (body %s)", w.Code, tt.wantStatus, w.Body)
			}
			ct, hasCT := w.Header()["Content-Type"]
			switch {
			case tt.wantCT == "-" && hasCT && len(ct) > 0:
				t.Errorf("Content-Type = %q, want none", ct)
			case tt.wantCT != "-" && w.Header().Get("Content-Type") != tt.wantCT:
				t.Errorf("Content-Type = %q, want %q", w.Header().Get("Content-Type"), tt.wantCT)
			}
			if strings.HasPrefix(tt.wantBody, "{") {
				if !jsonEqual(t, w.Body.String(), tt.wantBody) {
					t.Errorf("body = %s, want %s", w.Body, tt.wantBody)
				}
			} else if w.Body.String() != tt.wantBody {
				t.Errorf("body = %q, want %q", w.Body, tt.wantBody)
			}
			for k, v := range tt.wantHeader {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestHealthCheckRegion(t *testing.T) {
	_, h, _, _ := newTestHandler(t, nil, WithRegion("eu-west-1"))
	w := serve(t, h, rawRequest{method: http.MethodGet, unsigned: true})
	if got, want := w.Body.String(), "healthy: dynamodb.eu-west-1.amazonaws.com "; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
}

// TestTransport checks the in-process transport: the SDK's own checks of
// every response pass (a wrong CRC32 would fail the call), and the
// response carries the request id the SDK reports.
func TestTransport(t *testing.T) {
	_, h, ddb, _ := newTestHandler(t, nil)
	out, err := ddb.ListTables(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); !ok || !requestIDPattern.MatchString(id) {
		t.Errorf("request id = %q", id)
	}

	resp, err := NewTransport(h).RoundTrip(rawRequest{method: http.MethodGet, unsigned: true}.build(t))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Status != "200 OK" || resp.ContentLength != int64(len("healthy: dynamodb.us-east-1.amazonaws.com ")) {
		t.Errorf("response = %d %q length %d", resp.StatusCode, resp.Status, resp.ContentLength)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewTransport(h).RoundTrip(rawRequest{}.build(t).WithContext(ctx)); err != context.Canceled {
		t.Errorf("canceled request: err = %v", err)
	}
}

// TestPartialBackend checks that only the operations a backend has are
// served.
func TestPartialBackend(t *testing.T) {
	h := NewHandler(&benchBackend{item: benchItem(1)})
	w := serve(t, h, rawRequest{target: dynamoDBTarget + "GetItem", body: `{"TableName":"t"}`})
	if w.Code != 200 {
		t.Errorf("GetItem: %d %s", w.Code, w.Body)
	}
	for _, target := range []string{dynamoDBTarget + "DescribeTable", streamsTarget + "ListStreams"} {
		w := serve(t, h, rawRequest{target: target, body: `{}`})
		if want := `{"__type":"com.amazon.coral.service#UnknownOperationException"}`; w.Code != 400 || !jsonEqual(t, w.Body.String(), want) {
			t.Errorf("%s: %d %s", target, w.Code, w.Body)
		}
	}
	if w := serve(t, NewHandler(nil), rawRequest{target: dynamoDBTarget + "GetItem", body: `{}`}); w.Code != 400 {
		t.Errorf("nil backend: %d %s", w.Code, w.Body)
	}
}

// wrongSignature has GetItem, but not with the SDK's signature.
type wrongSignature struct{}

func (wrongSignature) GetItem(context.Context, *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{}, nil
}

func TestWrongSignatureNotServed(t *testing.T) {
	w := serve(t, NewHandler(wrongSignature{}), rawRequest{target: dynamoDBTarget + "GetItem", body: `{}`})
	if want := `{"__type":"com.amazon.coral.service#UnknownOperationException"}`; w.Code != 400 || !jsonEqual(t, w.Body.String(), want) {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}

// TestDebugLog checks the one debug line per request.
func TestDebugLog(t *testing.T) {
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := NewHandler(&benchBackend{item: benchItem(1)}, WithLogger(logger))
	serve(t, h, rawRequest{target: dynamoDBTarget + "GetItem", body: `{"TableName":"t"}`})
	line := logs.String()
	if strings.Count(line, "\n") != 1 || !strings.Contains(line, "op=GetItem") || !strings.Contains(line, "status=200") || !strings.Contains(line, "duration=") {
		t.Errorf("log = %q", line)
	}
}

// TestTagResourceEmptyBody: the service answers a successful TagResource
// and UntagResource with no body at all, not "{}".
func TestTagResourceEmptyBody(t *testing.T) {
	_, h, _, _ := newTestHandler(t, nil)
	for _, op := range []string{"TagResource", "UntagResource"} {
		w := serve(t, h, rawRequest{target: dynamoDBTarget + op, body: `{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/t"}`})
		if w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Errorf("%s: status %d, body %q; want 200 and no body", op, w.Code, w.Body.String())
		}
	}
}

// TestDescribeEndpointsAddress: endpoint discovery points back at the
// address the request came to, not at AWS.
func TestDescribeEndpointsAddress(t *testing.T) {
	_, h, _, _ := newTestHandler(t, func(op string, _ any) (any, error) {
		return &dynamodb.DescribeEndpointsOutput{Endpoints: []types.Endpoint{{Address: aws.String("dynamodb.us-east-1.amazonaws.com"), CachePeriodInMinutes: 1440}}}, nil
	})
	req := rawRequest{target: dynamoDBTarget + "DescribeEndpoints", body: `{}`}.build(t)
	req.Host = "127.0.0.1:8000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if !jsonEqual(t, w.Body.String(), `{"Endpoints":[{"Address":"127.0.0.1:8000","CachePeriodInMinutes":1440}]}`) {
		t.Errorf("DescribeEndpoints: %s", w.Body.String())
	}
}
