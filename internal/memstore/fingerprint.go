package memstore

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// fingerprintWrite renders a TransactWriteItems request deterministically,
// so a retried ClientRequestToken can be matched to the original request.
func fingerprintWrite(in *dynamodb.TransactWriteItemsInput) string {
	var b strings.Builder
	writeValue(&b, reflect.ValueOf(in.TransactItems))
	return b.String()
}

// writeValue prints any SDK shape with sorted map keys and the concrete
// type of every interface value (so S "1" and N "1" differ).
func writeValue(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Invalid:
		b.WriteString("nil")
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if v.Kind() == reflect.Interface {
			b.WriteString(v.Elem().Type().String())
		}
		writeValue(b, v.Elem())
	case reflect.Struct:
		b.WriteByte('{')
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if !t.Field(i).IsExported() {
				continue
			}
			b.WriteString(t.Field(i).Name)
			b.WriteByte(':')
			writeValue(b, v.Field(i))
			b.WriteByte(',')
		}
		b.WriteByte('}')
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		b.WriteByte('[')
		for _, k := range keys {
			fmt.Fprintf(b, "%q=", fmt.Sprint(k))
			writeValue(b, v.MapIndex(k))
			b.WriteByte(',')
		}
		b.WriteByte(']')
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			fmt.Fprintf(b, "%x", v.Bytes())
			return
		}
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			writeValue(b, v.Index(i))
			b.WriteByte(',')
		}
		b.WriteByte(']')
	case reflect.String:
		fmt.Fprintf(b, "%q", v.String())
	default:
		fmt.Fprint(b, v.Interface())
	}
}
