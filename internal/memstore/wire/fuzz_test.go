package wire

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

// fuzzInputs are the input plans of every operation, in a stable order so a
// corpus entry always means the same operation.
var fuzzInputs = func() []*plan {
	var names []string
	byName := map[string]*plan{}
	for target, op := range discover(newFakeBackend(nil)) {
		names = append(names, target)
		byName[target] = op.in
	}
	slices.Sort(names)
	ps := make([]*plan, len(names))
	for i, n := range names {
		ps[i] = byName[n]
	}
	return ps
}()

// FuzzDecode feeds arbitrary bodies to the decoder of every operation's
// input: it must never panic, must fail only with the service's errors,
// and what it accepts must survive encode and decode unchanged.
func FuzzDecode(f *testing.F) {
	for i, p := range fuzzInputs {
		e := &encoder{}
		e.structure(p, filled(p.typ, 0).UnsafePointer())
		f.Add(uint16(i), e.b)
	}
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"TableName":"t","Key":{"a":{"S":"x"}}}`,
		`{"Item":{"a":{"L":[{"M":{"b":{"NULL":true}}},{"BS":["AA==",null]}]}}}`,
		`{"Limit":5.5,"ConsistentRead":"TRUE","ExclusiveStartKey":{"k":null}}`,
		`{"TableName":"\ud800\u00e9\n","Item":{"x":{"S":"y","N":null}}}`,
		`{"RestoreDateTime":1.5E9,"ProvisionedThroughput":{"ReadCapacityUnits":1e30}}`,
	} {
		for i := range fuzzInputs {
			f.Add(uint16(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, op uint16, data []byte) {
		p := fuzzInputs[int(op)%len(fuzzInputs)]
		first := reflect.New(p.typ)
		if err := decodeInto(p, first.UnsafePointer(), data); err != nil {
			var pe *protoError
			if !errors.As(err, &pe) || pe.code != "SerializationException" && pe.code != "ValidationException" {
				t.Fatalf("decode %s: unexpected error %#v", p.typ, err)
			}
			return
		}
		e := &encoder{}
		e.structure(p, first.UnsafePointer())
		second := reflect.New(p.typ)
		if err := decodeInto(p, second.UnsafePointer(), e.b); err != nil {
			t.Fatalf("decode of the encoding of %s failed: %v\ninput: %q\nencoding: %s", p.typ, err, data, e.b)
		}
		if !reflect.DeepEqual(first.Interface(), second.Interface()) {
			t.Fatalf("%s changed through encode and decode\ninput: %q\nencoding: %s\nfirst: %s\nsecond: %s",
				p.typ, data, e.b, dump(first.Interface()), dump(second.Interface()))
		}
	})
}
