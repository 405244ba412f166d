package wire

import (
	"encoding/json"
	"reflect"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The DynamoDB AttributeValue is most of every item-carrying request and
// response, so it is coded by hand here rather than through the generic
// union code in codec_decode.go and codec_encode.go.

// Plans of the AttributeValue member types, for SerializationException
// messages.
var (
	avPlan      = planFor(avType)
	avMapPlan   = planFor(reflect.TypeFor[map[string]types.AttributeValue]())
	avListPlan  = planFor(reflect.TypeFor[[]types.AttributeValue]())
	stringPlan  = planFor(reflect.TypeFor[string]())
	stringsPlan = planFor(reflect.TypeFor[[]string]())
	boolPlan    = planFor(reflect.TypeFor[bool]())
	bytesPlan   = planFor(reflect.TypeFor[[]byte]())
	blobsPlan   = planFor(reflect.TypeFor[[][]byte]())
)

// Bits of the AttributeValue members seen while decoding one value.
const (
	avS = 1 << iota
	avN
	avB
	avBOOL
	avNULL
	avSS
	avNS
	avBS
	avM
	avL
)

// attributeValue decodes one AttributeValue. An empty value or one with
// several types decodes as nil and records the service's ValidationException.
func (d *decoder) attributeValue(elem bool) (types.AttributeValue, error) {
	if d.peek() != '{' {
		return nil, d.mismatch(avPlan, elem)
	}
	var (
		v    types.AttributeValue
		seen uint16
	)
	more, err := d.open('}')
	for err == nil && more {
		var k []byte
		if k, err = d.key(); err != nil {
			return nil, err
		}
		c := d.peek()
		if c == 'n' {
			if err = d.literal("null"); err == nil {
				more, err = d.next('}')
			}
			continue
		}
		switch string(k) {
		case "S":
			var s string
			s, err = d.str(stringPlan, c)
			v, seen = &types.AttributeValueMemberS{Value: s}, seen|avS
		case "N":
			var s string
			s, err = d.str(stringPlan, c)
			v, seen = &types.AttributeValueMemberN{Value: s}, seen|avN
		case "B":
			var b []byte
			b, err = d.blob(bytesPlan, c)
			v, seen = &types.AttributeValueMemberB{Value: b}, seen|avB
		case "BOOL":
			m := &types.AttributeValueMemberBOOL{}
			err = d.value(boolPlan, unsafe.Pointer(&m.Value), false)
			v, seen = m, seen|avBOOL
		case "NULL":
			m := &types.AttributeValueMemberNULL{}
			err = d.value(boolPlan, unsafe.Pointer(&m.Value), false)
			v, seen = m, seen|avNULL
		case "SS":
			var s []string
			s, err = d.strings(stringsPlan, false)
			v, seen = &types.AttributeValueMemberSS{Value: s}, seen|avSS
		case "NS":
			var s []string
			s, err = d.strings(stringsPlan, false)
			v, seen = &types.AttributeValueMemberNS{Value: s}, seen|avNS
		case "BS":
			var bs [][]byte
			bs, err = d.blobs()
			v, seen = &types.AttributeValueMemberBS{Value: bs}, seen|avBS
		case "M":
			var m map[string]types.AttributeValue
			m, err = d.attributeMap(avMapPlan, false)
			v, seen = &types.AttributeValueMemberM{Value: m}, seen|avM
		case "L":
			var l []types.AttributeValue
			l, err = d.attributeList()
			v, seen = &types.AttributeValueMemberL{Value: l}, seen|avL
		default:
			err = d.skip()
		}
		if err == nil {
			more, err = d.next('}')
		}
	}
	if err != nil {
		return nil, err
	}
	if seen == 0 || seen&(seen-1) != 0 {
		n := 2
		if seen == 0 {
			n = 0
		}
		d.invalidAttributeValue(n)
		return nil, nil
	}
	return v, nil
}

// attributeMap decodes an item, a key or any other map of AttributeValues.
func (d *decoder) attributeMap(p *plan, elem bool) (map[string]types.AttributeValue, error) {
	if d.peek() != '{' {
		return nil, d.mismatch(p, elem)
	}
	m := make(map[string]types.AttributeValue, 8)
	more, err := d.open('}')
	for err == nil && more {
		var k []byte
		if k, err = d.key(); err != nil {
			return nil, err
		}
		name := string(k)
		var v types.AttributeValue
		if d.peek() == 'n' {
			err = d.literal("null")
		} else {
			v, err = d.attributeValue(true)
		}
		m[name] = v
		if err == nil {
			more, err = d.next('}')
		}
	}
	return m, err
}

func (d *decoder) attributeList() ([]types.AttributeValue, error) {
	if d.peek() != '[' {
		return nil, d.mismatch(avListPlan, false)
	}
	l := []types.AttributeValue{}
	more, err := d.open(']')
	for err == nil && more {
		var v types.AttributeValue
		if d.peek() == 'n' {
			err = d.literal("null")
		} else {
			v, err = d.attributeValue(true)
		}
		l = append(l, v)
		if err == nil {
			more, err = d.next(']')
		}
	}
	return l, err
}

func (d *decoder) blobs() ([][]byte, error) {
	if d.peek() != '[' {
		return nil, d.mismatch(blobsPlan, false)
	}
	l := [][]byte{}
	more, err := d.open(']')
	for err == nil && more {
		var b []byte
		if c := d.peek(); c == 'n' {
			err = d.literal("null")
		} else {
			b, err = d.blob(bytesPlan, c)
		}
		l = append(l, b)
		if err == nil {
			more, err = d.next(']')
		}
	}
	return l, err
}

// attributeMaps decodes the items of a Query, Scan or BatchGetItem, and the
// keys of a KeysAndAttributes.
func (d *decoder) attributeMaps(p *plan, ptr unsafe.Pointer, elem bool) error {
	if d.peek() != '[' {
		return d.mismatch(p, elem)
	}
	l := []map[string]types.AttributeValue{}
	more, err := d.open(']')
	for err == nil && more {
		var m map[string]types.AttributeValue
		if d.peek() == 'n' {
			err = d.literal("null")
		} else {
			m, err = d.attributeMap(p.elem, true)
		}
		l = append(l, m)
		if err == nil {
			more, err = d.next(']')
		}
	}
	*(*[]map[string]types.AttributeValue)(ptr) = l
	return err
}

// attributeValue appends v as {"<type>": value}. A nil value, which only a
// list or map element can hold, is null.
func (e *encoder) attributeValue(v types.AttributeValue) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		e.b = append(e.b, `{"S":`...)
		e.str(v.Value)
	case *types.AttributeValueMemberN:
		e.b = append(e.b, `{"N":`...)
		e.str(v.Value)
	case *types.AttributeValueMemberB:
		e.b = append(e.b, `{"B":`...)
		e.bytes(v.Value)
	case *types.AttributeValueMemberBOOL:
		e.b = append(e.b, `{"BOOL":`...)
		e.bool(v.Value)
	case *types.AttributeValueMemberNULL:
		e.b = append(e.b, `{"NULL":`...)
		e.bool(v.Value)
	case *types.AttributeValueMemberM:
		e.b = append(e.b, `{"M":`...)
		if v.Value == nil {
			e.b = append(e.b, "{}"...)
		} else {
			e.attributeMap(v.Value)
		}
	case *types.AttributeValueMemberL:
		e.b = append(e.b, `{"L":[`...)
		for i, x := range v.Value {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.attributeValue(x)
		}
		e.b = append(e.b, ']')
	case *types.AttributeValueMemberSS:
		e.b = append(e.b, `{"SS":`...)
		e.setOf(v.Value)
	case *types.AttributeValueMemberNS:
		e.b = append(e.b, `{"NS":`...)
		e.setOf(v.Value)
	case *types.AttributeValueMemberBS:
		e.b = append(e.b, `{"BS":[`...)
		for i, x := range v.Value {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.bytes(x)
		}
		e.b = append(e.b, ']')
	case *types.UnknownUnionMember:
		// Only a client decoding a newer service sees these; pass the raw
		// value through if it is JSON.
		if !json.Valid(v.Value) {
			e.null()
			return
		}
		e.b = append(e.b, '{')
		e.str(v.Tag)
		e.b = append(e.b, ':')
		e.b = append(e.b, v.Value...)
	default: // nil, or a member of another package's union
		e.null()
		return
	}
	e.b = append(e.b, '}')
}

// setOf appends the strings of an SS or NS; a nil set is still a set.
func (e *encoder) setOf(s []string) {
	if s == nil {
		s = []string{}
	}
	e.strings(s)
}

func (e *encoder) attributeMap(m map[string]types.AttributeValue) {
	if m == nil {
		e.null()
		return
	}
	e.b = append(e.b, '{')
	i := 0
	for k, v := range m {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		i++
		e.str(k)
		e.b = append(e.b, ':')
		e.attributeValue(v)
	}
	e.b = append(e.b, '}')
}

func (e *encoder) attributeMaps(l []map[string]types.AttributeValue) {
	if l == nil {
		e.null()
		return
	}
	e.b = append(e.b, '[')
	for i, m := range l {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.attributeMap(m)
	}
	e.b = append(e.b, ']')
}
