package wire

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/smithy-go/middleware"
)

// The fields of fakeBackend are named by these aliases: two embedded types
// both called Client would collide.
type (
	dynamoClient  = dynamodb.Client
	streamsClient = dynamodbstreams.Client
)

// fakeBackend is the test double for the codec and the transport: real SDK
// clients whose middleware stack stops at its first step, recording the
// input the handler decoded and returning a canned output or error. Being
// SDK clients, they have every operation with the SDK's signature, and wrap
// errors exactly as the SDK does (*smithy.OperationError around the API
// error).
type fakeBackend struct {
	*dynamoClient
	*streamsClient

	mu      sync.Mutex
	calls   map[string]any // operation -> last decoded input
	respond func(op string, in any) (any, error)
}

func newFakeBackend(respond func(op string, in any) (any, error)) *fakeBackend {
	f := &fakeBackend{calls: map[string]any{}, respond: respond}
	f.dynamoClient = dynamodb.New(dynamodb.Options{Region: "us-east-1", APIOptions: []func(*middleware.Stack) error{f.stop}})
	f.streamsClient = dynamodbstreams.New(dynamodbstreams.Options{Region: "us-east-1", APIOptions: []func(*middleware.Stack) error{f.stop}})
	return f
}

func (f *fakeBackend) stop(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("wireFakeBackend",
		func(ctx context.Context, in middleware.InitializeInput, _ middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := middleware.GetOperationName(ctx)
			f.mu.Lock()
			f.calls[op] = in.Parameters
			f.mu.Unlock()
			out, err := f.respond(op, in.Parameters)
			return middleware.InitializeOutput{Result: out}, middleware.Metadata{}, err
		}), middleware.Before)
}

func (f *fakeBackend) input(op string) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// outputTypes maps each operation to its output struct type.
var outputTypes = func() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for _, c := range []reflect.Type{reflect.TypeFor[*dynamodb.Client](), reflect.TypeFor[*dynamodbstreams.Client]()} {
		for i := range c.NumMethod() {
			if mt := c.Method(i); isOperation(mt.Type) {
				m[mt.Name] = mt.Type.Out(0).Elem()
			}
		}
	}
	return m
}()

// emptyOutput returns an empty output of op: the client asserts the type.
func emptyOutput(op string) any { return reflect.New(outputTypes[op]).Interface() }

// newTestHandler serves a fake backend with the given responses, and
// returns the in-process clients on it.
func newTestHandler(t testing.TB, respond func(op string, in any) (any, error), opts ...Option) (*fakeBackend, http.Handler, *dynamodb.Client, *dynamodbstreams.Client) {
	t.Helper()
	if respond == nil {
		respond = func(op string, _ any) (any, error) { return emptyOutput(op), nil }
	}
	f := newFakeBackend(respond)
	h := NewHandler(f, opts...)
	return f, h, NewClient(h, "us-east-1"), NewStreamsClient(h, "us-east-1")
}

// filler sets every member of an SDK value to a distinct non-zero value, so
// a round trip that loses or renames any member shows.
type filler struct{ n int }

func (f *filler) next() int { f.n++; return f.n }

func (f *filler) fill(v reflect.Value, depth int) {
	t := v.Type()
	switch {
	case t == timeType:
		v.Set(reflect.ValueOf(time.UnixMilli(1_700_000_000_000 + int64(f.next())*1001).UTC()))
		return
	case t.Kind() == reflect.Interface:
		members := unionMembers[t]
		m := reflect.TypeOf(members[f.next()%len(members)]).Elem()
		if depth > 3 { // keep nested M and L finite
			m = reflect.TypeOf(members[8]).Elem() // S
		}
		mv := reflect.New(m)
		f.fill(mv.Elem().FieldByName("Value"), depth+1)
		v.Set(mv)
		return
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", f.next()))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.next()))
	case reflect.Float64:
		v.SetFloat(float64(f.next()) + 0.25)
	case reflect.Pointer:
		v.Set(reflect.New(t.Elem()))
		f.fill(v.Elem(), depth)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(fmt.Sprintf("bytes %d", f.next())))
			return
		}
		v.Set(reflect.MakeSlice(t, 2, 2))
		for i := range 2 {
			f.fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(t))
		for range 2 {
			e := reflect.New(t.Elem()).Elem()
			f.fill(e, depth+1)
			v.SetMapIndex(reflect.ValueOf(fmt.Sprintf("k%d", f.next())).Convert(t.Key()), e)
		}
	case reflect.Struct:
		for i := range t.NumField() {
			sf := t.Field(i)
			if sf.IsExported() && sf.Type != metadataType && sf.Name != "ErrorCodeOverride" {
				f.fill(v.Field(i), depth)
			}
		}
	default:
		panic(fmt.Sprintf("filler: %v", t))
	}
}

// filled returns a new *T of type t with every member set.
func filled(t reflect.Type, seed int) reflect.Value {
	v := reflect.New(t)
	(&filler{n: seed}).fill(v.Elem(), 0)
	return v
}
