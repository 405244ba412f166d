package wire

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
)

// Target prefixes of the X-Amz-Target header.
const (
	dynamoDBTarget = "DynamoDB_20120810."
	streamsTarget  = "DynamoDBStreams_20120810."
)

// operation is one API operation the backend serves.
type operation struct {
	name   string
	in     *plan // the input struct (not the pointer)
	out    *plan // the output struct
	method reflect.Value
}

var contextType = reflect.TypeFor[context.Context]()

// discover finds the operations of the SDK clients that b implements with
// the clients' own signatures, keyed by X-Amz-Target. Reading the method
// set of the clients, not a list kept here, means every operation of the
// SDK in use is served as soon as the backend has it.
func discover(b Backend) map[string]*operation {
	ops := map[string]*operation{}
	bv := reflect.ValueOf(b)
	if !bv.IsValid() {
		return ops
	}
	add := func(client reflect.Type, prefix string) {
		for i := range client.NumMethod() {
			cm := client.Method(i)
			if !isOperation(cm.Type) {
				continue
			}
			bm := bv.MethodByName(cm.Name)
			if !bm.IsValid() || !sameSignature(cm.Type, bm.Type()) {
				continue
			}
			ops[prefix+cm.Name] = &operation{
				name:   cm.Name,
				in:     planFor(cm.Type.In(2).Elem()),
				out:    planFor(cm.Type.Out(0).Elem()),
				method: bm,
			}
		}
	}
	add(reflect.TypeFor[*dynamodb.Client](), dynamoDBTarget)
	add(reflect.TypeFor[*dynamodbstreams.Client](), streamsTarget)
	return ops
}

// isOperation matches func(*Client, context.Context, *XInput,
// ...func(*Options)) (*XOutput, error).
func isOperation(t reflect.Type) bool {
	return t.NumIn() == 4 && t.IsVariadic() && t.In(1) == contextType &&
		t.In(2).Kind() == reflect.Pointer && t.In(2).Elem().Kind() == reflect.Struct &&
		t.NumOut() == 2 && t.Out(0).Kind() == reflect.Pointer && t.Out(0).Elem().Kind() == reflect.Struct &&
		t.Out(1) == reflect.TypeFor[error]()
}

// sameSignature compares a client method (with its receiver) to a method
// value of the backend (without one).
func sameSignature(client, backend reflect.Type) bool {
	if backend.NumIn() != client.NumIn()-1 || backend.NumOut() != client.NumOut() || !backend.IsVariadic() {
		return false
	}
	for i := range backend.NumIn() {
		if backend.In(i) != client.In(i+1) {
			return false
		}
	}
	for i := range backend.NumOut() {
		if backend.Out(i) != client.Out(i) {
			return false
		}
	}
	return true
}

// call runs the operation on its decoded input. A panic in the backend is
// returned as an error so one bad request cannot take the endpoint down.
func (op *operation) call(ctx context.Context, in reflect.Value) (out reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{op: op.name, value: r, stack: debug.Stack()}
		}
	}()
	// A Value of the interface type itself spares Call the check that the
	// concrete context implements context.Context.
	res := op.method.Call([]reflect.Value{reflect.ValueOf(&ctx).Elem(), in})
	if e := res[1].Interface(); e != nil {
		return reflect.Value{}, e.(error)
	}
	return res[0], nil
}

// panicError carries a recovered panic to the log, never to the client.
type panicError struct {
	op    string
	value any
	stack []byte
}

func (e *panicError) Error() string {
	return fmt.Sprintf("panic in %s: %v\n%s", e.op, e.value, e.stack)
}
