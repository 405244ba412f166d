package runtimeapi

import (
	"encoding/json"
	"errors"
	"time"
)

// Errors of the invoking side. A function that fails is not one of them: its
// failure is a [FunctionError] in the [Result], as Lambda reports it.
var (
	// ErrClosed is returned by Invoke once the Function is closed.
	ErrClosed = errors.New("runtimeapi: function closed")
	// ErrRequestTooLarge is Lambda's RequestTooLargeException: the event is
	// over MaxRequestSize.
	ErrRequestTooLarge = errors.New("runtimeapi: Request must be smaller than 6291456 bytes for the InvokeFunction operation")
	// ErrInvalidPayload is Lambda's InvalidRequestContentException: the
	// event is not JSON.
	ErrInvalidPayload = errors.New("runtimeapi: Could not parse request body into json")
)

// Request is one invocation's event and the context Lambda passes with it.
// Only Payload is needed; [Function.Invoke] fills in the rest.
type Request struct {
	Payload []byte // the event, JSON; empty means {}
	// RequestID is the invocation's id; a random UUID when empty.
	RequestID string
	// TraceID is the X-Ray header passed in Lambda-Runtime-Trace-Id and
	// _X_AMZN_TRACE_ID; a fresh unsampled one when empty.
	TraceID string
	// ClientContext and CognitoIdentity are passed as JSON, unchanged, in
	// Lambda-Runtime-Client-Context and Lambda-Runtime-Cognito-Identity.
	ClientContext   string
	CognitoIdentity string
}

// Result is the outcome of one invocation, as Lambda's Invoke API and its
// log stream report it.
type Result struct {
	RequestID string
	// Payload is the response, or for a failed invocation the error
	// document Lambda returns with X-Amz-Function-Error: Unhandled.
	Payload []byte
	// FunctionError is nil when the invocation succeeded.
	FunctionError *FunctionError
	// Logs is the invocation's log text: on a cold start the runtime's init
	// output first, then START, the function's stdout and stderr, and the
	// END and REPORT lines.
	Logs string
	// InitDuration is the time from process start to the runtime's first
	// request for an event; zero when the environment was warm.
	InitDuration time.Duration
	// Duration is the time from handing the event over to the runtime
	// asking for the next one (or failing), the Duration of the REPORT line.
	Duration time.Duration
	// MaxMemoryUsed is the runtime process's peak resident set, in bytes.
	MaxMemoryUsed int64
}

// FunctionError is a failed invocation: an error the function returned or
// panicked with, or one Lambda raises itself, such as Sandbox.Timedout,
// Runtime.ExitError or Function.ResponseSizeTooLarge.
type FunctionError struct {
	Type       string          // errorType
	Message    string          // errorMessage
	StackTrace json.RawMessage // stackTrace as the runtime sent it, if any
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

func (r reply) functionError() *FunctionError {
	if !r.failed {
		return nil
	}
	fe := &FunctionError{Type: r.errorType, Message: r.message}
	var doc errorDoc
	if json.Unmarshal(r.payload, &doc) == nil {
		fe.StackTrace = doc.StackTrace
	}
	return fe
}
