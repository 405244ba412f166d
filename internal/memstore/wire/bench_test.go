package wire

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// benchItem is a typical item: keys, a few scalars, a set, a small map and
// list, about 400 bytes of JSON.
func benchItem(i int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk":      &types.AttributeValueMemberS{Value: "USER#1234567"},
		"sk":      &types.AttributeValueMemberS{Value: fmt.Sprintf("ORDER#%08d", i)},
		"gsi1pk":  &types.AttributeValueMemberS{Value: "STATUS#shipped"},
		"total":   &types.AttributeValueMemberN{Value: "1234.56"},
		"count":   &types.AttributeValueMemberN{Value: "3"},
		"paid":    &types.AttributeValueMemberBOOL{Value: true},
		"note":    &types.AttributeValueMemberNULL{Value: true},
		"tags":    &types.AttributeValueMemberSS{Value: []string{"gift", "express"}},
		"expires": &types.AttributeValueMemberN{Value: "1735689600"},
		"address": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"street": &types.AttributeValueMemberS{Value: "1 Main St"},
			"city":   &types.AttributeValueMemberS{Value: "Springfield"},
			"zip":    &types.AttributeValueMemberS{Value: "12345"},
		}},
		"lines": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				"sku": &types.AttributeValueMemberS{Value: "A-1"}, "qty": &types.AttributeValueMemberN{Value: "2"},
			}},
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				"sku": &types.AttributeValueMemberS{Value: "B-7"}, "qty": &types.AttributeValueMemberN{Value: "1"},
			}},
		}},
	}
}

var benchKey = map[string]types.AttributeValue{
	"pk": &types.AttributeValueMemberS{Value: "USER#1234567"},
	"sk": &types.AttributeValueMemberS{Value: "ORDER#00000001"},
}

func benchQueryOutput() *dynamodb.QueryOutput {
	out := &dynamodb.QueryOutput{Count: 25, ScannedCount: 25, LastEvaluatedKey: benchKey,
		ConsumedCapacity: &types.ConsumedCapacity{TableName: aws.String("orders"), CapacityUnits: aws.Float64(2.5)}}
	for i := range 25 {
		out.Items = append(out.Items, benchItem(i))
	}
	return out
}

// benchValues are typical requests and responses of the hot operations.
var benchValues = []struct {
	name string
	v    any
}{
	{"PutItemInput", &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: benchItem(1),
		ConditionExpression: aws.String("attribute_not_exists(pk)"), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}},
	{"GetItemInput", &dynamodb.GetItemInput{TableName: aws.String("orders"), Key: benchKey, ConsistentRead: aws.Bool(true)}},
	{"GetItemOutput", &dynamodb.GetItemOutput{Item: benchItem(1)}},
	{"QueryInput", &dynamodb.QueryInput{TableName: aws.String("orders"), KeyConditionExpression: aws.String("#pk = :pk AND begins_with(#sk, :sk)"),
		ExpressionAttributeNames:  map[string]string{"#pk": "pk", "#sk": "sk"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "USER#1234567"}, ":sk": &types.AttributeValueMemberS{Value: "ORDER#"}},
		Limit:                     aws.Int32(25), ScanIndexForward: aws.Bool(false), ExclusiveStartKey: benchKey}},
	{"QueryOutput25", benchQueryOutput()},
}

func encodeValue(v any) []byte {
	rv := reflect.ValueOf(v)
	e := &encoder{}
	e.structure(planFor(rv.Type().Elem()), rv.UnsafePointer())
	return e.b
}

func BenchmarkEncode(b *testing.B) {
	for _, bv := range benchValues {
		b.Run(bv.name, func(b *testing.B) {
			rv := reflect.ValueOf(bv.v)
			p := planFor(rv.Type().Elem())
			b.SetBytes(int64(len(encodeValue(bv.v))))
			b.ReportAllocs()
			for b.Loop() {
				e := getEncoder()
				e.structure(p, rv.UnsafePointer())
				putEncoder(e)
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, bv := range benchValues {
		b.Run(bv.name, func(b *testing.B) {
			data := encodeValue(bv.v)
			p := planFor(reflect.TypeOf(bv.v).Elem())
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				v := reflect.New(p.typ)
				if err := decodeInto(p, v.UnsafePointer(), data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeBaseline decodes the same bodies with encoding/json into
// generic values, for scale: a typed decoder should not be slower.
func BenchmarkDecodeBaseline(b *testing.B) {
	for _, bv := range benchValues {
		b.Run(bv.name, func(b *testing.B) {
			data := encodeValue(bv.v)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var v any
				if err := json.Unmarshal(data, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchBackend answers the hot operations directly, so that BenchmarkHandler
// measures the handler and not a backend.
type benchBackend struct {
	item  map[string]types.AttributeValue
	query *dynamodb.QueryOutput
}

func (b *benchBackend) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{Item: b.item}, nil
}

func (b *benchBackend) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return &dynamodb.PutItemOutput{}, nil
}

func (b *benchBackend) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return b.query, nil
}

// BenchmarkHandler serves whole requests: body read, signature check,
// decode, backend call, encode, CRC32.
func BenchmarkHandler(b *testing.B) {
	h := NewHandler(&benchBackend{item: benchItem(1), query: benchQueryOutput()})
	for _, c := range []struct{ op, in string }{{"PutItem", "PutItemInput"}, {"GetItem", "GetItemInput"}, {"Query", "QueryInput"}} {
		var body []byte
		for _, bv := range benchValues {
			if bv.name == c.in {
				body = encodeValue(bv.v)
			}
		}
		req := rawRequest{target: dynamoDBTarget + c.op, body: string(body)}.build(b)
		b.Run(c.op, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := req.Clone(context.Background())
				r.Body = bodyOf(string(body))
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatal(w.Body)
				}
			}
		})
	}
}

// BenchmarkClient is the in-process path of the tests: a real SDK client
// over NewTransport.
func BenchmarkClient(b *testing.B) {
	_, _, ddb, _ := newTestHandler(b, func(op string, _ any) (any, error) {
		if op == "GetItem" {
			return &dynamodb.GetItemOutput{Item: benchItem(1)}, nil
		}
		return emptyOutput(op), nil
	})
	ctx := context.Background()
	in := benchValues[1].v.(*dynamodb.GetItemInput)
	b.Run("GetItem", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ddb.GetItem(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
