package memstore

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/monotable/monotable/internal/memstore/attr"
	"github.com/monotable/monotable/internal/memstore/expr"
)

// The engine builds bare API errors internally; the exported methods wrap
// them exactly as the SDK wraps a service response, so errors.As, errors.Is
// and Error() behave the same against the store and against AWS.

func validation(format string, args ...any) error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return validationMsg(msg)
}

// validationMsg is a ValidationException with a message used verbatim.
func validationMsg(msg string) error {
	return &smithy.GenericAPIError{Code: "ValidationException", Message: msg, Fault: smithy.FaultClient}
}

// enveloped puts a request-validation failure of an item write inside the
// constraint envelope ("1 validation error detected: ..."), as the service
// reports those for PutItem, UpdateItem and DeleteItem; a message already
// in the envelope, and any other error, passes through.
func enveloped(err error) error {
	err = currentLayer(err)
	var api *smithy.GenericAPIError
	if !errors.As(err, &api) || api.Code != "ValidationException" || strings.Contains(api.Message, " detected: ") {
		return err
	}
	return validationMsg("1 validation error detected: " + api.Message)
}

// asValidation turns a plain error from attr or expr (whose text is
// DynamoDB's message) into a ValidationException; API errors pass through.
func asValidation(err error) error {
	if err == nil {
		return nil
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return err
	}
	var ve *attr.ValueError
	if errors.As(err, &ve) || errors.As(err, new(*expr.Error)) {
		// Keep what was wrong with the value, for currentLayer.
		return &valueFailure{GenericAPIError: validationMsg(err.Error()).(*smithy.GenericAPIError), cause: err}
	}
	return validationMsg(err.Error())
}

// valueFailure is a ValidationException about a request's value that keeps
// the error behind it, so that an operation in the current validation
// layer can word it its own way (see currentLayer).
type valueFailure struct {
	*smithy.GenericAPIError
	cause error
}

func (e *valueFailure) Unwrap() []error { return []error{e.GenericAPIError, e.cause} }

// currentLayer words a value failure as the current validation layer does
// (PutItem, UpdateItem, DeleteItem, GetItem, BatchGetItem, Query): the
// value's own message in its current form, without the
// "ExpressionAttributeValues contains invalid value: … for key :v"
// wrapper the older layer puts around an expression value. Other errors
// pass through.
func currentLayer(err error) error {
	if err == nil {
		return nil // the common case, before errors.As's allocation
	}
	var vf *valueFailure
	if !errors.As(err, &vf) {
		return err
	}
	cause := vf.cause
	var ee *expr.Error
	if errors.As(cause, &ee) {
		if inner := errors.Unwrap(ee); inner != nil && strings.HasPrefix(ee.Error(), "ExpressionAttributeValues contains invalid value: ") {
			cause = inner
		}
	}
	var ve *attr.ValueError
	if errors.As(cause, &ve) {
		return validationMsg(attr.CurrentWording(ve).Error())
	}
	if cause != vf.cause {
		return validationMsg(cause.Error())
	}
	return err
}

func notFound() error {
	return &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")}
}

func resourceInUse(msg string) error {
	return &types.ResourceInUseException{Message: aws.String(msg)}
}

func conditionFailed(item map[string]types.AttributeValue) error {
	return &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed"), Item: item}
}

// wrap decorates an engine error the way the SDK's middleware stack does.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	status := http.StatusBadRequest
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorFault() == smithy.FaultServer {
		status = http.StatusInternalServerError
	}
	reqID := requestID()
	return &smithy.OperationError{
		ServiceID:     "DynamoDB",
		OperationName: op,
		Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{
				Response: &smithyhttp.Response{Response: &http.Response{
					StatusCode: status,
					Header:     http.Header{"X-Amzn-Requestid": []string{reqID}},
				}},
				Err: err,
			},
			RequestID: reqID,
		},
	}
}

// requestID makes an ID in the service's format: 52 upper-case base32-ish
// characters. Only its shape matters to clients.
func requestID() string {
	var b [26]byte
	_, _ = rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	out := make([]byte, 52)
	for i := range out {
		c := s[i]
		if c >= 'a' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}

// errorMessage returns an API error's message, or the error text.
func errorMessage(err error) string {
	if err == nil {
		return ""
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorMessage()
	}
	return err.Error()
}
