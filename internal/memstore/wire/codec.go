package wire

import (
	"errors"
	"fmt"
	"reflect"
)

// Unmarshal decodes a DynamoDB JSON 1.0 body into v, a pointer to an SDK
// input or output struct, with the same strictness as the endpoint. Tests
// and tools use it to read requests written as the service's JSON.
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("wire: Unmarshal needs a non-nil pointer to a struct, got %T", v)
	}
	return decodeInto(planFor(rv.Elem().Type()), rv.UnsafePointer(), data)
}

// Marshal encodes v, a pointer to an SDK struct, as the service would send
// it.
func Marshal(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("wire: Marshal needs a pointer to a struct, got %T", v)
	}
	if rv.IsNil() {
		return []byte("{}"), nil
	}
	e := getEncoder()
	defer putEncoder(e)
	e.structure(planFor(rv.Elem().Type()), rv.UnsafePointer())
	return append([]byte(nil), e.b...), nil
}

// MarshalError renders err as the service's error response: its HTTP
// status and JSON body (with __type and the message).
func MarshalError(err error) (int, []byte) {
	if err == nil {
		err = errors.New("nil error")
	}
	e := getEncoder()
	defer putEncoder(e)
	status, _ := encodeError(e, err)
	return status, append([]byte(nil), e.b...)
}
