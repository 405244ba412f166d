package wire

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/smithy-go"
)

var conditionItem = map[string]types.AttributeValue{
	"pk": &types.AttributeValueMemberS{Value: "a"},
	"n":  &types.AttributeValueMemberN{Value: "1"},
}

// TestErrors returns each kind of error from the backend and checks it
// twice: on the wire (the __type namespace and message spelling the
// service uses) and through the SDK, as the typed error with its members.
func TestErrors(t *testing.T) {
	tests := []struct {
		name       string
		streams    bool // call GetRecords on the streams client, not GetItem
		err        error
		wantStatus int
		wantBody   string
		check      func(t *testing.T, err error)
	}{
		{
			name:       "ConditionalCheckFailedException with Item",
			err:        &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed"), Item: conditionItem},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"pk":{"S":"a"},"n":{"N":"1"}}}`,
			check: func(t *testing.T, err error) {
				var e *types.ConditionalCheckFailedException
				if !errors.As(err, &e) || e.ErrorMessage() != "The conditional request failed" || !reflect.DeepEqual(e.Item, conditionItem) {
					t.Errorf("got %#v", err)
				}
			},
		},
		{
			name: "TransactionCanceledException with CancellationReasons",
			err: &types.TransactionCanceledException{
				Message: aws.String("Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]"),
				CancellationReasons: []types.CancellationReason{
					{Code: aws.String("None")},
					{Code: aws.String("ConditionalCheckFailed"), Message: aws.String("The conditional request failed"), Item: conditionItem},
				},
			},
			wantStatus: 400,
			wantBody: `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",` +
				`"Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",` +
				`"CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Item":{"pk":{"S":"a"},"n":{"N":"1"}},"Message":"The conditional request failed"}]}`,
			check: func(t *testing.T, err error) {
				var e *types.TransactionCanceledException
				if !errors.As(err, &e) || len(e.CancellationReasons) != 2 ||
					aws.ToString(e.CancellationReasons[1].Code) != "ConditionalCheckFailed" ||
					!reflect.DeepEqual(e.CancellationReasons[1].Item, conditionItem) ||
					!strings.HasPrefix(e.ErrorMessage(), "Transaction cancelled") {
					t.Errorf("got %#v", err)
				}
			},
		},
		{
			name:       "ValidationException",
			err:        &smithy.GenericAPIError{Code: "ValidationException", Message: "One or more parameter values were invalid: Missing the key pk in the item"},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazon.coral.validate#ValidationException","message":"One or more parameter values were invalid: Missing the key pk in the item"}`,
			check: func(t *testing.T, err error) {
				var e smithy.APIError
				if !errors.As(err, &e) || e.ErrorCode() != "ValidationException" ||
					e.ErrorMessage() != "One or more parameter values were invalid: Missing the key pk in the item" {
					t.Errorf("got %#v", err)
				}
			},
		},
		{
			name:       "ResourceNotFoundException",
			err:        &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}`,
			check:      wantTyped[*types.ResourceNotFoundException]("Requested resource not found"),
		},
		{
			name:       "ProvisionedThroughputExceededException",
			err:        &types.ProvisionedThroughputExceededException{Message: aws.String("The level of configured provisioned throughput for the table was exceeded.")},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}`,
			check:      wantTyped[*types.ProvisionedThroughputExceededException]("The level of configured provisioned throughput for the table was exceeded."),
		},
		{
			name:       "ThrottlingException with lower-case members",
			err:        &types.ThrottlingException{Message: aws.String("slow down"), ThrottlingReasons: []types.ThrottlingReason{{Reason: aws.String("r"), Resource: aws.String("t")}}},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow down","throttlingReasons":[{"reason":"r","resource":"t"}]}`,
			check: func(t *testing.T, err error) {
				var e *types.ThrottlingException
				if !errors.As(err, &e) || len(e.ThrottlingReasons) != 1 || aws.ToString(e.ThrottlingReasons[0].Resource) != "t" {
					t.Errorf("got %#v", err)
				}
			},
		},
		{
			name:       "ResourceInUseException",
			err:        &types.ResourceInUseException{Message: aws.String("Table already exists: t")},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceInUseException","message":"Table already exists: t"}`,
			check:      wantTyped[*types.ResourceInUseException]("Table already exists: t"),
		},
		{
			name:       "LimitExceededException",
			err:        &types.LimitExceededException{Message: aws.String("too many")},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#LimitExceededException","message":"too many"}`,
			check:      wantTyped[*types.LimitExceededException]("too many"),
		},
		{
			name:       "IdempotentParameterMismatchException spells Message",
			err:        &types.IdempotentParameterMismatchException{Message: aws.String("token reused")},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException","Message":"token reused"}`,
			check:      wantTyped[*types.IdempotentParameterMismatchException]("token reused"),
		},
		{
			name:       "TransactionConflictException",
			err:        &types.TransactionConflictException{Message: aws.String("conflict")},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionConflictException","message":"conflict"}`,
			check:      wantTyped[*types.TransactionConflictException]("conflict"),
		},
		{
			name:       "ItemCollectionSizeLimitExceededException",
			err:        &types.ItemCollectionSizeLimitExceededException{Message: aws.String("Item collection size limit exceeded")},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#ItemCollectionSizeLimitExceededException","message":"Item collection size limit exceeded"}`,
			check:      wantTyped[*types.ItemCollectionSizeLimitExceededException]("Item collection size limit exceeded"),
		},
		{
			name:       "RequestLimitExceeded",
			err:        &types.RequestLimitExceeded{Message: aws.String("throughput exceeds the current throughput limit")},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#RequestLimitExceeded","message":"throughput exceeds the current throughput limit"}`,
			check:      wantTyped[*types.RequestLimitExceeded]("throughput exceeds the current throughput limit"),
		},
		{
			name:       "modeled InternalServerError",
			err:        &types.InternalServerError{Message: aws.String("Internal server error")},
			wantStatus: 500,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}`,
			check:      wantTyped[*types.InternalServerError]("Internal server error"),
		},
		{
			name:       "an error code of the framework",
			err:        &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"no"}`,
			check:      wantCode("AccessDeniedException", "no"),
		},
		{
			name:       "an error that is not an API error",
			err:        errors.New("btree: secret internal detail"),
			wantStatus: 500,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}`,
			check:      wantTyped[*types.InternalServerError]("Internal server error"),
		},
		{
			name:       "ExpiredIteratorException",
			streams:    true,
			err:        &streamtypes.ExpiredIteratorException{Message: aws.String("Iterator expired")},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#ExpiredIteratorException","message":"Iterator expired"}`,
			check:      wantTyped[*streamtypes.ExpiredIteratorException]("Iterator expired"),
		},
		{
			name:       "TrimmedDataAccessException",
			streams:    true,
			err:        &streamtypes.TrimmedDataAccessException{Message: aws.String("trimmed")},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException","message":"trimmed"}`,
			check:      wantTyped[*streamtypes.TrimmedDataAccessException]("trimmed"),
		},
		{
			name:       "streams ResourceNotFoundException",
			streams:    true,
			err:        &streamtypes.ResourceNotFoundException{Message: aws.String("Requested resource not found: Stream: s not found")},
			wantStatus: 400,
			wantBody:   `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found: Stream: s not found"}`,
			check:      wantTyped[*streamtypes.ResourceNotFoundException]("Requested resource not found: Stream: s not found"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			_, h, ddb, streams := newTestHandler(t, func(string, any) (any, error) { return nil, tt.err }, WithLogger(logger))

			target, body := dynamoDBTarget+"GetItem", `{"TableName":"t"}`
			if tt.streams {
				target, body = streamsTarget+"GetRecords", `{"ShardIterator":"i"}`
			}
			w := serve(t, h, rawRequest{target: target, body: body})
			if w.Code != tt.wantStatus || !jsonEqual(t, w.Body.String(), tt.wantBody) {
				t.Errorf("wire: %d %s\nwant %d %s", w.Code, w.Body, tt.wantStatus, tt.wantBody)
			}

			var err error
			if tt.streams {
				_, err = streams.GetRecords(context.Background(), &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String("i")},
					func(o *dynamodbstreams.Options) { o.RetryMaxAttempts = 1 })
			} else {
				_, err = ddb.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("t"), Key: conditionItem},
					func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
			}
			var op *smithy.OperationError
			if !errors.As(err, &op) {
				t.Fatalf("not wrapped as the SDK wraps errors: %#v", err)
			}
			tt.check(t, err)

			if strings.Contains(w.Body.String(), "secret") {
				t.Errorf("internal detail leaked: %s", w.Body)
			}
			if tt.wantStatus == 500 && tt.err.Error() != "InternalServerError: Internal server error" && !strings.Contains(logs.String(), "secret internal detail") {
				t.Errorf("internal error not logged: %q", logs.String())
			}
		})
	}
}

func wantTyped[E smithy.APIError](msg string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e E
		if !errors.As(err, &e) || e.ErrorMessage() != msg {
			t.Errorf("got %#v, want %T with message %q", err, e, msg)
		}
	}
}

func wantCode(code, msg string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e smithy.APIError
		if !errors.As(err, &e) || e.ErrorCode() != code || e.ErrorMessage() != msg {
			t.Errorf("got %#v, want %s: %s", err, code, msg)
		}
	}
}

// TestBackendPanic checks that a panic in a backend call is a 500, logged
// with its stack, and that the endpoint keeps serving.
func TestBackendPanic(t *testing.T) {
	var (
		mu   sync.Mutex
		logs bytes.Buffer
	)
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	_, h, ddb, _ := newTestHandler(t, func(op string, _ any) (any, error) {
		if op == "GetItem" {
			panic("engine bug")
		}
		return emptyOutput(op), nil
	}, WithLogger(logger))

	w := serve(t, h, rawRequest{target: dynamoDBTarget + "GetItem", body: `{"TableName":"t"}`})
	if want := `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}`; w.Code != 500 || !jsonEqual(t, w.Body.String(), want) {
		t.Errorf("got %d %s", w.Code, w.Body)
	}
	mu.Lock()
	if !strings.Contains(logs.String(), "engine bug") {
		t.Errorf("panic not logged: %s", logs.String())
	}
	mu.Unlock()
	if _, err := ddb.ListTables(context.Background(), nil); err != nil {
		t.Errorf("after a panic: %v", err)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
