package memstore

import (
	"context"
	"reflect"
	"testing"
)

// TestNilInputs: every operation given a nil input answers with an error
// (as the service does for an empty request), never a panic.
func TestNilInputs(t *testing.T) {
	s := New()
	v := reflect.ValueOf(s)
	ctx := reflect.ValueOf(context.Background())
	n := 0
	for i := 0; i < v.NumMethod(); i++ {
		m := v.Method(i)
		mt := m.Type()
		if mt.NumIn() != 3 || mt.NumOut() != 2 || !mt.IsVariadic() || mt.In(1).Kind() != reflect.Pointer {
			continue
		}
		name := v.Type().Method(i).Name
		n++
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s(nil) panicked: %v", name, r)
				}
			}()
			m.Call([]reflect.Value{ctx, reflect.Zero(mt.In(1))})
		}()
	}
	if n < 20 {
		t.Fatalf("only %d operations found", n)
	}
}
