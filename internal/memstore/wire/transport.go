package wire

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
)

// Endpoint is the base endpoint of the clients of [NewClient] and
// [NewStreamsClient]. No name resolution happens: their transport never
// dials.
const Endpoint = "http://memstore.local"

// NewTransport returns an http.RoundTripper that serves each request with h
// in the calling goroutine, with no socket, so that a real SDK client runs
// against the handler with all of its behaviour: serialisation, signing,
// retries, checksums, waiters and error wrapping.
func NewTransport(h http.Handler) http.RoundTripper { return transport{h} }

type transport struct{ h http.Handler }

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		defer req.Body.Close() // a RoundTripper must close the body
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	// The handler sees what a server would: Host set, a body even if
	// empty, and an unknown length as -1.
	sr := *req
	if sr.Host == "" {
		sr.Host = req.URL.Host
	}
	sr.RequestURI = req.URL.RequestURI()
	switch {
	case sr.Body == nil:
		sr.Body = http.NoBody
	case sr.ContentLength == 0 && sr.Body != http.NoBody:
		sr.ContentLength = -1
	}
	rec := &recorder{header: make(http.Header, 8)}
	t.h.ServeHTTP(rec, &sr)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return &http.Response{
		Status:        strconv.Itoa(rec.status) + " " + http.StatusText(rec.status),
		StatusCode:    rec.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.header,
		Body:          &responseBody{Reader: bytes.NewReader(rec.body)},
		ContentLength: int64(len(rec.body)),
		Request:       req,
	}, nil
}

// recorder is the http.ResponseWriter of the in-process transport: a
// minimal httptest.ResponseRecorder.
type recorder struct {
	header http.Header
	status int
	body   []byte
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	r.body = append(r.body, p...)
	return len(p), nil
}

type responseBody struct{ *bytes.Reader }

func (*responseBody) Close() error { return nil }

// staticCredentials are what the in-process clients sign with; the handler
// accepts any key unless [WithCredentials] pins one.
var staticCredentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "memstore", SecretAccessKey: "memstore", Source: "wire"}, nil
})

// NewClient returns a real DynamoDB client whose requests h serves in
// process. It signs with the static key pair memstore/memstore and keeps
// the SDK's default retries; override either per call with optFns.
func NewClient(h http.Handler, region string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       region,
		BaseEndpoint: aws.String(Endpoint),
		Credentials:  staticCredentials,
		HTTPClient:   &http.Client{Transport: NewTransport(h)},
	})
}

// NewStreamsClient is [NewClient] for DynamoDB Streams.
func NewStreamsClient(h http.Handler, region string) *dynamodbstreams.Client {
	return dynamodbstreams.New(dynamodbstreams.Options{
		Region:       region,
		BaseEndpoint: aws.String(Endpoint),
		Credentials:  staticCredentials,
		HTTPClient:   &http.Client{Transport: NewTransport(h)},
	})
}
