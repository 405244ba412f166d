package wire

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/smithy-go"
)

// The namespaces of "__type" in the service's error bodies. DynamoDB and
// DynamoDB Streams errors share the first; the framework in front of both
// (authentication, the JSON protocol) raises the coral ones.
const (
	nsDynamoDB = "com.amazonaws.dynamodb.v20120810#"
	nsService  = "com.amazon.coral.service#"
	nsValidate = "com.amazon.coral.validate#"
)

// protoError is an error this package raises itself: it has the method set
// of smithy.APIError so it is written like the backend's errors.
type protoError struct {
	code    string
	message string
}

func (e *protoError) Error() string {
	if e.message == "" {
		return e.code
	}
	return e.code + ": " + e.message
}
func (e *protoError) ErrorCode() string             { return e.code }
func (e *protoError) ErrorMessage() string          { return e.message }
func (e *protoError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// errSyntax is the service's answer to a body that is not JSON: a
// SerializationException without a message.
var errSyntax error = &protoError{code: "SerializationException"}

func serializationError(msg string) error {
	return &protoError{code: "SerializationException", message: msg}
}

func validationError(msg string) error {
	return &protoError{code: "ValidationException", message: msg}
}

// errorShape is how one error code is written: its namespace and the
// spelling of its message member.
type errorShape struct {
	namespace string
	message   string // "message" or "Message", as the service spells it
}

// coralShapes are the framework's errors, which the SDK models do not
// describe. Their message spellings are the service's.
var coralShapes = map[string]*errorShape{
	"SerializationException":              {namespace: nsService, message: "Message"},
	"AccessDeniedException":               {namespace: nsService, message: "Message"},
	"UnknownOperationException":           {namespace: nsService, message: "message"},
	"UnrecognizedClientException":         {namespace: nsService, message: "message"},
	"InvalidSignatureException":           {namespace: nsService, message: "message"},
	"MissingAuthenticationTokenException": {namespace: nsService, message: "message"},
	"IncompleteSignatureException":        {namespace: nsService, message: "message"},
	"ValidationException":                 {namespace: nsValidate, message: "message"},
}

var shapes sync.Map // error code -> *errorShape

// shapeOf finds how code is written. Modeled errors take the spelling of
// their message member from the SDK's schemas: TransactionCanceledException
// has "Message", most others "message".
func shapeOf(code string) *errorShape {
	if s, ok := coralShapes[code]; ok {
		return s
	}
	if s, ok := shapes.Load(code); ok {
		return s.(*errorShape)
	}
	s := &errorShape{namespace: nsDynamoDB, message: "message"}
	entry, ok := dynamodb.TypeRegistry.LookupEntry(code)
	if !ok {
		entry, ok = dynamodbstreams.TypeRegistry.LookupEntry(code)
	}
	if ok {
		for name := range entry.Schema.Members() {
			if strings.EqualFold(name, "message") {
				s.message = name
			}
		}
	}
	shapes.Store(code, s)
	return s
}

// encodeError writes the body of err and returns its HTTP status. Errors
// that are not API errors are the store's own failures: they become the
// service's 500 without their text, which the caller logs.
func encodeError(e *encoder, err error) (status int, internal bool) {
	var api smithy.APIError
	if !errors.As(err, &api) {
		e.b = append(e.b, `{"__type":"`+nsDynamoDB+`InternalServerError","message":"Internal server error"}`...)
		return http.StatusInternalServerError, true
	}
	code := api.ErrorCode()
	s := shapeOf(code)
	e.b = append(e.b, `{"__type":`...)
	e.str(s.namespace + code)
	if msg := api.ErrorMessage(); msg != "" {
		e.b = append(e.b, ',')
		e.key(s.message)
		e.str(msg)
	}
	encodeErrorMembers(e, api)
	e.b = append(e.b, '}')
	if api.ErrorFault() == smithy.FaultServer {
		return http.StatusInternalServerError, false
	}
	return http.StatusBadRequest, false
}

// encodeErrorMembers writes the members an SDK error type carries besides
// its message, such as ConditionalCheckFailedException.Item and
// TransactionCanceledException.CancellationReasons.
func encodeErrorMembers(e *encoder, api smithy.APIError) {
	v := reflect.ValueOf(api)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return
	}
	ptr := v.UnsafePointer()
	for _, f := range errorMembersOf(v.Type().Elem()) {
		fp := unsafe.Add(ptr, f.offset)
		if f.plan.isEmpty(fp) {
			continue
		}
		e.b = append(e.b, ',')
		e.key(f.name)
		e.value(f.plan, fp)
	}
}

var errorMembers sync.Map // reflect.Type -> []field

// errorMembersOf lists the modeled members of an SDK error type other than
// its message. Error types from outside the SDK, which have no schema,
// have none: only their code and message are written.
func errorMembersOf(t reflect.Type) []field {
	if fs, ok := errorMembers.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	if schemaOf(t) != nil {
		for _, f := range planFor(t).fields {
			if !strings.EqualFold(f.name, "message") {
				fs = append(fs, f)
			}
		}
	}
	errorMembers.Store(t, fs)
	return fs
}
