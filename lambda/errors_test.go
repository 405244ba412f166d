package lambda_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/monotable/monotable/lambda"
)

type teapot struct{}

func (teapot) Error() string   { return "short and stout" }
func (teapot) HTTPStatus() int { return http.StatusTeapot }

type brokenDep struct{}

func (brokenDep) Error() string   { return "upstream 10.0.0.7 refused" }
func (brokenDep) HTTPStatus() int { return http.StatusBadGateway }

// sdkErr wraps an API error the way the AWS SDK does.
func sdkErr(op string, err error) error {
	return &smithy.OperationError{ServiceID: "DynamoDB", OperationName: op, Err: err}
}

func TestErrorMapping(t *testing.T) {
	code := func(s string) *string { return &s }
	tests := []struct {
		name       string
		err        error
		status     int
		detail     string // substring; "" means none expected
		retryAfter string
	}{
		{"problem", lambda.Error(http.StatusNotFound, "no such game"), 404, "no such game", ""},
		{"wrapped problem", fmt.Errorf("get: %w", lambda.Error(http.StatusGone, "gone")), 410, "gone", ""},
		{"HTTPStatus 4xx keeps message", teapot{}, 418, "short and stout", ""},
		{"HTTPStatus 5xx hides message", brokenDep{}, 502, "", ""},
		{"condition failed", sdkErr("PutItem", &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}), 409, "not in the expected state", ""},
		{"transaction conflict reason", sdkErr("TransactWriteItems", &types.TransactionCanceledException{
			CancellationReasons: []types.CancellationReason{{Code: code("None")}, {Code: code("TransactionConflict")}}}), 409, "", ""},
		{"transaction condition reason", sdkErr("TransactWriteItems", &types.TransactionCanceledException{
			CancellationReasons: []types.CancellationReason{{Code: code("ConditionalCheckFailed")}, {Code: code("None")}}}), 409, "", ""},
		{"transaction throttled reason", sdkErr("TransactWriteItems", &types.TransactionCanceledException{
			CancellationReasons: []types.CancellationReason{{Code: code("ConditionalCheckFailed")}, {Code: code("ThrottlingError")}}}), 503, "", "1"},
		{"transaction validation reason", sdkErr("TransactWriteItems", &types.TransactionCanceledException{
			CancellationReasons: []types.CancellationReason{{Code: code("ValidationError")}}}), 500, "", ""},
		{"transaction conflict exception", sdkErr("PutItem", &types.TransactionConflictException{}), 409, "", ""},
		{"provisioned throughput", sdkErr("Query", &types.ProvisionedThroughputExceededException{}), 503, "retry later", "1"},
		{"request limit", sdkErr("Query", &types.RequestLimitExceeded{}), 503, "", "1"},
		{"throttling exception type", sdkErr("Query", &types.ThrottlingException{}), 503, "", "1"},
		{"throttling by code after retries", &retry.MaxAttemptsError{Attempt: 3, Err: sdkErr("GetItem", &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"})}, 503, "", "1"},
		{"table missing is ours", sdkErr("GetItem", &types.ResourceNotFoundException{Message: aws.String("Requested resource not found: Table: secret")}), 500, "", ""},
		{"validation exception is ours", sdkErr("Query", &smithy.GenericAPIError{Code: "ValidationException", Message: "bad key secret"}), 500, "", ""},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), 504, "ran out of time", ""},
		{"too large", &http.MaxBytesError{Limit: 10}, 413, "", ""},
		{"anything else", errors.New("secret"), 500, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := lambda.New(quiet(t))
			a.Route("GET /x", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				lambda.WriteError(w, r, tt.err)
			}))
			for _, tr := range transports {
				got := tr.do(t, a, req{method: "GET", path: "/x"})
				if got.status != tt.status {
					t.Fatalf("%s: status %d, want %d", tr.name, got.status, tt.status)
				}
				p := got.problem(t)
				if tt.detail != "" && !strings.Contains(p.Detail, tt.detail) {
					t.Errorf("%s: detail %q, want %q", tr.name, p.Detail, tt.detail)
				}
				if tt.status >= 500 && tt.status != 503 && tt.status != 504 && p.Detail != "" {
					t.Errorf("%s: 5xx detail %q leaks", tr.name, p.Detail)
				}
				if strings.Contains(string(got.body), "secret") || strings.Contains(string(got.body), "10.0.0.7") {
					t.Errorf("%s: body leaks internals: %s", tr.name, got.body)
				}
				if g := got.header.Get("Retry-After"); g != tt.retryAfter {
					t.Errorf("%s: Retry-After %q, want %q", tr.name, g, tt.retryAfter)
				}
				if p.Title != http.StatusText(tt.status) || p.Instance != "/x" || p.RequestID == "" {
					t.Errorf("%s: problem %+v", tr.name, p)
				}
			}
		})
	}
}

func TestPanics(t *testing.T) {
	a := lambda.New(quiet(t))
	a.Route("GET /panic", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("secret internal state")
	}))
	a.Route("GET /panic-late", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Partial", "1")
		w.Write([]byte("partial"))
		panic("late")
	}))
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			got := tr.do(t, a, req{method: "GET", path: "/panic"})
			if got.status != 500 {
				t.Fatalf("status %d", got.status)
			}
			p := got.problem(t)
			if p.RequestID == "" || strings.Contains(string(got.body), "secret") {
				t.Errorf("problem %s", got.body)
			}
		})
	}
	// In Lambda the response is still in memory: a late panic is a clean 500.
	for _, tr := range transports[:3] {
		t.Run(tr.name+"/late", func(t *testing.T) {
			got := tr.do(t, a, req{method: "GET", path: "/panic-late"})
			if got.status != 500 || got.header.Get("X-Partial") != "" || strings.Contains(string(got.body), "partial") {
				t.Errorf("got %d %v %s", got.status, got.header, got.body)
			}
		})
	}
}
