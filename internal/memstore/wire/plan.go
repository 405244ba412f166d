package wire

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// kind is the wire shape of a Go type, decided once per type so the codec
// dispatches on a small integer instead of reflecting on every value.
type kind uint8

const (
	kString     kind = iota // string and the SDK's string enums
	kStringPtr              // *string
	kBool                   // bool
	kBoolPtr                // *bool
	kInt32                  // int32
	kInt32Ptr               // *int32
	kInt64                  // int64
	kInt64Ptr               // *int64
	kFloat64                // float64
	kFloat64Ptr             // *float64
	kTime                   // time.Time, epoch seconds on the wire
	kTimePtr                // *time.Time
	kBytes                  // []byte, base64 on the wire
	kStrings                // []string or a slice of a string enum
	kSlice                  // any other slice
	kMap                    // map[string]T
	kStruct                 // struct value (slice elements, map values)
	kStructPtr              // *struct (struct members)
	kUnion                  // a union interface such as the streams AttributeValue
	kAV                     // dynamodb types.AttributeValue: the hot path, hand-written
	kAVMap                  // map[string]types.AttributeValue
	kAVMaps                 // []map[string]types.AttributeValue
)

// plan is the compiled wire mapping of one Go type of the SDK. Member names
// are the exported field names, which the SDK generates from the Smithy
// member names the service uses on the wire.
type plan struct {
	typ    reflect.Type
	kind   kind
	elem   *plan   // slice and map elements, pointer targets
	fields []field // struct members, in declaration order
	byName map[string]*field
	union  *union
	// java is the service's (Java) type name and short its simple name; they
	// appear in the SerializationException messages the service returns.
	java  string
	short string
}

type field struct {
	name   string
	offset uintptr
	plan   *plan
}

// union maps the members of an SDK union interface to their wire tags.
type union struct {
	byTag  map[string]*unionMember
	byType map[reflect.Type]*unionMember
}

type unionMember struct {
	tag    string
	bit    uint8        // index among the union's members
	typ    reflect.Type // the member struct (not the pointer)
	offset uintptr      // of its Value field
	value  *plan
}

var (
	avType       = reflect.TypeFor[types.AttributeValue]()
	timeType     = reflect.TypeFor[time.Time]()
	metadataType = reflect.TypeFor[middleware.Metadata]()
)

// unionMembers lists the members of each SDK union: Go cannot enumerate the
// implementations of an interface, and these are the only unions the two
// services have.
var unionMembers = map[reflect.Type][]any{
	avType: {
		(*types.AttributeValueMemberB)(nil), (*types.AttributeValueMemberBOOL)(nil),
		(*types.AttributeValueMemberBS)(nil), (*types.AttributeValueMemberL)(nil),
		(*types.AttributeValueMemberM)(nil), (*types.AttributeValueMemberN)(nil),
		(*types.AttributeValueMemberNS)(nil), (*types.AttributeValueMemberNULL)(nil),
		(*types.AttributeValueMemberS)(nil), (*types.AttributeValueMemberSS)(nil),
	},
	reflect.TypeFor[streamtypes.AttributeValue](): {
		(*streamtypes.AttributeValueMemberB)(nil), (*streamtypes.AttributeValueMemberBOOL)(nil),
		(*streamtypes.AttributeValueMemberBS)(nil), (*streamtypes.AttributeValueMemberL)(nil),
		(*streamtypes.AttributeValueMemberM)(nil), (*streamtypes.AttributeValueMemberN)(nil),
		(*streamtypes.AttributeValueMemberNS)(nil), (*streamtypes.AttributeValueMemberNULL)(nil),
		(*streamtypes.AttributeValueMemberS)(nil), (*streamtypes.AttributeValueMemberSS)(nil),
	},
}

// javaPackage prefixes structure names in the service's messages.
const javaPackage = "com.amazonaws.dynamodb.v20120810."

var (
	plans  sync.Map // reflect.Type -> *plan
	planMu sync.Mutex
)

// planFor returns the compiled plan of t, compiling it (and every type it
// reaches) on first use. Like encoding/json's cachedTypeFields, compiled
// plans are shared by all goroutines and never change.
func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	planMu.Lock()
	defer planMu.Unlock()
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	building := map[reflect.Type]*plan{}
	p := compile(t, building)
	for t, p := range building {
		plans.Store(t, p)
	}
	return p
}

// compile builds the plan of t. building holds the plans under construction,
// so recursive types (an AttributeValue map holds AttributeValues) resolve to
// the same, later completed, plan.
func compile(t reflect.Type, building map[reflect.Type]*plan) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	if p, ok := building[t]; ok {
		return p
	}
	p := &plan{typ: t}
	building[t] = p
	switch {
	case t == avType:
		p.kind, p.java, p.short = kAV, javaPackage+"AttributeValue", "AttributeValue"
	case t == timeType:
		p.kind, p.java, p.short = kTime, "java.util.Date", "Date"
	case t.Kind() == reflect.Interface:
		members, ok := unionMembers[t]
		if !ok {
			panic(fmt.Sprintf("wire: no union members registered for %v", t))
		}
		p.kind, p.java, p.short = kUnion, javaPackage+t.Name(), t.Name()
		p.union = compileUnion(members, building)
	case t.Kind() == reflect.String:
		p.kind, p.java, p.short = kString, "java.lang.String", "String"
	case t.Kind() == reflect.Bool:
		p.kind, p.java, p.short = kBool, "java.lang.Boolean", "Boolean"
	case t.Kind() == reflect.Int32:
		p.kind, p.java, p.short = kInt32, "java.lang.Integer", "Integer"
	case t.Kind() == reflect.Int64:
		p.kind, p.java, p.short = kInt64, "java.lang.Long", "Long"
	case t.Kind() == reflect.Float64:
		p.kind, p.java, p.short = kFloat64, "java.lang.Double", "Double"
	case t.Kind() == reflect.Pointer:
		p.elem = compile(t.Elem(), building)
		switch p.elem.kind {
		case kString:
			p.kind = kStringPtr
		case kBool:
			p.kind = kBoolPtr
		case kInt32:
			p.kind = kInt32Ptr
		case kInt64:
			p.kind = kInt64Ptr
		case kFloat64:
			p.kind = kFloat64Ptr
		case kTime:
			p.kind = kTimePtr
		case kStruct:
			p.kind = kStructPtr
		default:
			panic(fmt.Sprintf("wire: unsupported pointer type %v", t))
		}
		p.java, p.short = p.elem.java, p.elem.short
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		p.kind, p.java, p.short = kBytes, "java.nio.ByteBuffer", "ByteBuffer"
	case t.Kind() == reflect.Slice:
		p.elem = compile(t.Elem(), building)
		switch {
		case p.elem.kind == kString:
			p.kind = kStrings
		case t == reflect.TypeFor[[]map[string]types.AttributeValue]():
			p.kind = kAVMaps
		default:
			p.kind = kSlice
		}
		p.java = "java.util.List<" + p.elem.java + ">"
		p.short = "List"
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		p.elem = compile(t.Elem(), building)
		p.kind = kMap
		if t == reflect.TypeFor[map[string]types.AttributeValue]() {
			p.kind = kAVMap
		}
		p.java = "java.util.Map<java.lang.String, " + p.elem.java + ">"
		p.short = "Map"
	case t.Kind() == reflect.Struct:
		p.kind, p.java, p.short = kStruct, javaPackage+t.Name(), t.Name()
		p.byName = map[string]*field{}
		members := memberNames(t)
		for i := range t.NumField() {
			f := t.Field(i)
			name := f.Name
			if members != nil {
				name = members[strings.ToLower(f.Name)]
			}
			if !f.IsExported() || f.Type == metadataType || name == "" {
				continue // noSmithyDocumentSerde, ResultMetadata, ErrorCodeOverride
			}
			p.fields = append(p.fields, field{name: name, offset: f.Offset, plan: compile(f.Type, building)})
		}
		for i := range p.fields {
			p.byName[p.fields[i].name] = &p.fields[i]
		}
	default:
		panic(fmt.Sprintf("wire: unsupported type %v", t))
	}
	return p
}

// memberNames maps the lower-cased Go field names of an SDK structure to
// its wire member names, or returns nil for a type without a schema. The
// names mostly differ only in the case of the first letter, but not always:
// a stream record's EventID is "eventID" on the wire.
func memberNames(t reflect.Type) map[string]string {
	s := schemaOf(t)
	if s == nil {
		return nil
	}
	names := map[string]string{}
	for name := range s.Members() {
		names[strings.ToLower(name)] = name
	}
	return names
}

// schemaOf returns the Smithy schema of an SDK structure type: its
// generated Serialize method hands it to the serializer first.
func schemaOf(t reflect.Type) (schema *smithy.Schema) {
	v, ok := reflect.New(t).Interface().(interface{ Serialize(smithy.ShapeSerializer) })
	if !ok {
		return nil
	}
	c := &schemaCatcher{}
	defer func() {
		if recover() == errSchemaCaught {
			schema = c.schema
		}
	}()
	v.Serialize(c)
	return nil
}

var errSchemaCaught = new(int)

// schemaCatcher is a smithy.ShapeSerializer that stops at the first
// structure: only WriteStruct is ever called on it.
type schemaCatcher struct {
	smithy.ShapeSerializer
	schema *smithy.Schema
}

func (c *schemaCatcher) WriteStruct(s *smithy.Schema) {
	c.schema = s
	panic(errSchemaCaught)
}

func compileUnion(members []any, building map[reflect.Type]*plan) *union {
	u := &union{byTag: map[string]*unionMember{}, byType: map[reflect.Type]*unionMember{}}
	for i, m := range members {
		pt := reflect.TypeOf(m)
		st := pt.Elem()
		_, tag, ok := strings.Cut(st.Name(), "Member")
		vf, hasValue := st.FieldByName("Value")
		if !ok || !hasValue {
			panic(fmt.Sprintf("wire: %v is not a union member", pt))
		}
		um := &unionMember{tag: tag, bit: uint8(i), typ: st, offset: vf.Offset, value: compile(vf.Type, building)}
		u.byTag[tag] = um
		u.byType[pt] = um
	}
	return u
}

// isEmpty reports whether the value at ptr is absent on the wire: the
// service omits null members, and the SDK marks them with nil.
func (p *plan) isEmpty(ptr unsafe.Pointer) bool {
	switch p.kind {
	case kString:
		return *(*string)(ptr) == ""
	case kStringPtr, kBoolPtr, kInt32Ptr, kInt64Ptr, kFloat64Ptr, kTimePtr, kStructPtr, kMap, kAVMap:
		return *(*unsafe.Pointer)(ptr) == nil
	case kBytes, kStrings, kSlice, kAVMaps:
		return *(*unsafe.Pointer)(ptr) == nil // the data word of a nil slice
	case kAV:
		return *(*types.AttributeValue)(ptr) == nil
	case kUnion:
		return reflect.NewAt(p.typ, ptr).Elem().IsNil()
	}
	return false // numbers, booleans and times are always sent
}
