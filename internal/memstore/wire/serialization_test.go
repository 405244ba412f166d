package wire

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const (
	wantObject       = "Start of structure or map found where not expected"
	wantField        = "Unexpected field type"
	wantValue        = "Unexpected value type in payload"
	wantParamterized = msgParameterized
	avMapJava        = "java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"
)

// TestSerializationException sends members of the wrong JSON type and
// checks the service's SerializationException for each, as the service
// words it (see the package's open questions for the cases not observed).
func TestSerializationException(t *testing.T) {
	_, h, _, _ := newTestHandler(t, nil)
	tests := []struct {
		name string
		op   string
		body string
		want string // the message; "" for the bare exception
	}{
		{"string member gets an integer", "GetItem", `{"TableName":1}`, "NUMBER_VALUE cannot be converted to String"},
		{"string member gets a decimal", "GetItem", `{"TableName":-1.5e3}`, "DECIMAL_VALUE cannot be converted to String"},
		{"string member gets true", "GetItem", `{"TableName":true}`, "TRUE_VALUE cannot be converted to String"},
		{"string member gets false", "GetItem", `{"TableName":false}`, "FALSE_VALUE cannot be converted to String"},
		{"string member gets a list", "GetItem", `{"TableName":[]}`, "Unrecognized collection type class java.lang.String"},
		{"string member gets an object", "GetItem", `{"TableName":{}}`, wantObject},
		{"enum member gets a number", "GetItem", `{"ReturnConsumedCapacity":1}`, "NUMBER_VALUE cannot be converted to String"},
		{"integer member gets a string", "Query", `{"Limit":"5"}`, "STRING_VALUE cannot be converted to Integer"},
		{"integer member gets false", "Query", `{"Limit":false}`, "FALSE_VALUE cannot be converted to Integer"},
		{"integer member gets a list", "Query", `{"Limit":[1]}`, "Unrecognized collection type class java.lang.Integer"},
		{"integer member gets an object", "Query", `{"Limit":{}}`, wantObject},
		{"long member gets a string", "CreateTable", `{"ProvisionedThroughput":{"ReadCapacityUnits":"5"}}`, "STRING_VALUE cannot be converted to Long"},
		{"boolean member gets a number", "GetItem", `{"ConsistentRead":1}`, "NUMBER_VALUE cannot be converted to Boolean"},
		{"boolean member gets a decimal", "GetItem", `{"ConsistentRead":0.5}`, "DECIMAL_VALUE cannot be converted to Boolean"},
		{"boolean member gets another string", "GetItem", `{"ConsistentRead":"yes"}`, "Unexpected token received from parser"},
		{"boolean member gets a list", "GetItem", `{"ConsistentRead":[]}`, "Unrecognized collection type class java.lang.Boolean"},
		{"timestamp member gets a string", "RestoreTableToPointInTime", `{"RestoreDateTime":"2020-01-01"}`, "STRING_VALUE cannot be converted to Date"},
		{"map member gets a string", "GetItem", `{"Key":"x"}`, wantField},
		{"map member gets a number", "GetItem", `{"Key":2147483648}`, wantField},
		{"map member gets a list", "GetItem", `{"Key":[]}`, "Unrecognized collection type " + avMapJava},
		{"string map gets a list", "GetItem", `{"ExpressionAttributeNames":[]}`, "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>"},
		{"string map value gets a number", "GetItem", `{"ExpressionAttributeNames":{"#a":1}}`, "NUMBER_VALUE cannot be converted to String"},
		{"attribute value gets a string", "GetItem", `{"Key":{"a":"x"}}`, wantValue},
		{"attribute value gets a list", "GetItem", `{"Key":{"a":[]}}`, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"},
		{"S gets a number", "GetItem", `{"Key":{"a":{"S":1}}}`, "NUMBER_VALUE cannot be converted to String"},
		{"N gets a number", "PutItem", `{"Item":{"a":{"N":1}}}`, "NUMBER_VALUE cannot be converted to String"},
		{"B gets a number", "PutItem", `{"Item":{"a":{"B":1}}}`, "only base-64-encoded strings are convertible to bytes"},
		{"B gets a list", "PutItem", `{"Item":{"a":{"B":[]}}}`, "Unrecognized collection type class java.nio.ByteBuffer"},
		{"B of a bad length", "PutItem", `{"Item":{"a":{"B":"23456"}}}`, "Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
		{"B with misplaced padding", "PutItem", `{"Item":{"a":{"B":"=+/="}}}`, "Invalid last non-pad Base64 character dectected"},
		{"B with a bad last character", "PutItem", `{"Item":{"a":{"B":"+/+="}}}`, "Invalid last non-pad Base64 character dectected"},
		{"B with a bad character", "PutItem", `{"Item":{"a":{"B":"ab!="}}}`, "Invalid Base64 character: '!'"},
		{"BOOL gets a string", "PutItem", `{"Item":{"a":{"BOOL":"maybe"}}}`, "Unexpected token received from parser"},
		{"NULL gets a number", "PutItem", `{"Item":{"a":{"NULL":1}}}`, "NUMBER_VALUE cannot be converted to Boolean"},
		{"SS gets a string", "PutItem", `{"Item":{"a":{"SS":"x"}}}`, wantField},
		{"SS gets an object", "PutItem", `{"Item":{"a":{"SS":{}}}}`, wantObject},
		{"SS element gets a number", "PutItem", `{"Item":{"a":{"SS":[1]}}}`, "NUMBER_VALUE cannot be converted to String"},
		{"SS element gets a list", "PutItem", `{"Item":{"a":{"SS":[[]]}}}`, "Unrecognized collection type class java.lang.String"},
		{"BS element gets a number", "PutItem", `{"Item":{"a":{"BS":[1]}}}`, "only base-64-encoded strings are convertible to bytes"},
		{"L gets a number", "PutItem", `{"Item":{"a":{"L":1}}}`, wantField},
		{"L element gets a number", "PutItem", `{"Item":{"a":{"L":[1]}}}`, wantValue},
		{"M gets a list", "PutItem", `{"Item":{"a":{"M":[]}}}`, "Unrecognized collection type " + avMapJava},
		{"M value gets true", "PutItem", `{"Item":{"a":{"M":{"b":true}}}}`, wantValue},
		{"structure member gets a string", "CreateTable", `{"ProvisionedThroughput":"x"}`, wantField},
		{"structure member gets a list", "CreateTable", `{"ProvisionedThroughput":[]}`, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput"},
		{"list member gets an object", "CreateTable", `{"KeySchema":{}}`, wantObject},
		{"list member gets a string", "CreateTable", `{"KeySchema":"x"}`, wantField},
		{"list element structure gets a string", "CreateTable", `{"KeySchema":["x"]}`, wantValue},
		{"list element structure gets a list", "CreateTable", `{"KeySchema":[[]]}`, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.KeySchemaElement"},
		{"map of lists gets a list", "BatchWriteItem", `{"RequestItems":[]}`, "Unrecognized collection type java.util.Map<java.lang.String, java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>>"},
		{"list inside a map gets a string", "BatchWriteItem", `{"RequestItems":{"t":"x"}}`, wantParamterized},
		{"list inside a map gets an object", "BatchWriteItem", `{"RequestItems":{"t":{}}}`, wantObject},
		{"map inside a list gets a string", "BatchGetItem", `{"RequestItems":{"t":{"Keys":["x"]}}}`, wantParamterized},
		{"map inside a list gets a list", "BatchGetItem", `{"RequestItems":{"t":{"Keys":[[]]}}}`, "Unrecognized collection type " + avMapJava},
		{"first bad member wins", "Query", `{"TableName":1,"Limit":"x"}`, "NUMBER_VALUE cannot be converted to String"},
		{"body that is a list", "GetItem", `[]`, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.GetItemInput"},
		{"body that is a number", "GetItem", `1`, wantField},
		{"not JSON after a bad member", "GetItem", `{"TableName":1,`, ""},
		{"trailing garbage", "GetItem", `{"TableName":"t"} x`, ""},
		{"bad escape", "GetItem", `{"TableName":"\x"}`, ""},
		{"control character in a string", "GetItem", "{\"TableName\":\"a\tb\"}", ""},
		{"invalid UTF-8", "GetItem", "{\"TableName\":\"\xff\"}", ""},
		{"leading zero", "Query", `{"Limit":01}`, ""},
		{"bare fraction", "Query", `{"Limit":1.}`, ""},
		{"too deep", "PutItem", `{"Item":{"a":` + repeat(`{"L":[`, 600) + repeat(`]}`, 600) + `}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(t, h, rawRequest{target: dynamoDBTarget + tt.op, body: tt.body})
			want := `{"__type":"com.amazon.coral.service#SerializationException"}`
			if tt.want != "" {
				want = `{"__type":"com.amazon.coral.service#SerializationException","Message":` + quote(tt.want) + `}`
			}
			if w.Code != 400 || !jsonEqual(t, w.Body.String(), want) {
				t.Errorf("got %d %s\nwant 400 %s", w.Code, w.Body, want)
			}
		})
	}
}

// TestAttributeValueValidation checks the ValidationExceptions the
// protocol layer raises itself, for AttributeValues the SDK types cannot
// carry.
func TestAttributeValueValidation(t *testing.T) {
	_, h, _, _ := newTestHandler(t, nil)
	const (
		empty = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
		many  = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	)
	tests := []struct {
		name string
		body string
		want string
	}{
		{"no type", `{"Item":{"a":{}}}`, empty},
		{"only null types", `{"Item":{"a":{"S":null,"N":null}}}`, empty},
		{"only unknown types", `{"Item":{"a":{"X":"1"}}}`, empty},
		{"two types", `{"Item":{"a":{"S":"x","N":"1"}}}`, many},
		{"nested", `{"Item":{"a":{"L":[{"M":{"b":{}}}]}}}`, empty},
		{"type errors come first", `{"Item":{"a":{}},"TableName":1}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(t, h, rawRequest{target: dynamoDBTarget + "PutItem", body: tt.body})
			want := `{"__type":"com.amazon.coral.validate#ValidationException","message":` + quote(tt.want) + `}`
			if tt.want == "" {
				want = `{"__type":"com.amazon.coral.service#SerializationException","Message":"NUMBER_VALUE cannot be converted to String"}`
			}
			if w.Code != 400 || !jsonEqual(t, w.Body.String(), want) {
				t.Errorf("got %d %s\nwant 400 %s", w.Code, w.Body, want)
			}
		})
	}
}

// TestLenientDecoding checks what the service accepts although a strict
// reading of the model would not.
func TestLenientDecoding(t *testing.T) {
	f, h, _, _ := newTestHandler(t, nil)
	tests := []struct {
		name string
		op   string
		body string
		want any
	}{
		{"unknown members are ignored", "GetItem", `{"TableName":"t","Bogus":[1,{"x":null}],"tablename":1}`,
			&dynamodb.GetItemInput{TableName: aws.String("t")}},
		{"null members are absent", "GetItem", `{"TableName":null,"Key":null,"ConsistentRead":null}`,
			&dynamodb.GetItemInput{}},
		{"null body is an empty input", "GetItem", `null`, &dynamodb.GetItemInput{}},
		{"booleans as strings", "GetItem", `{"ConsistentRead":"TRUE"}`, &dynamodb.GetItemInput{ConsistentRead: aws.Bool(true)}},
		{"integers drop their fraction", "Query", `{"Limit":5.9}`, &dynamodb.QueryInput{Limit: aws.Int32(5)}},
		{"integers saturate", "Query", `{"Limit":99999999999}`, &dynamodb.QueryInput{Limit: aws.Int32(2147483647)}},
		{"longs in exponent form", "CreateTable", `{"ProvisionedThroughput":{"ReadCapacityUnits":1e3}}`,
			&dynamodb.CreateTableInput{ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1000)}}},
		{"a type given twice is one type", "PutItem", `{"Item":{"a":{"S":"x","S":"y"}}}`,
			&dynamodb.PutItemInput{Item: map[string]types.AttributeValue{"a": &types.AttributeValueMemberS{Value: "y"}}}},
		{"null beside a type", "PutItem", `{"Item":{"a":{"S":null,"N":"1"}}}`,
			&dynamodb.PutItemInput{Item: map[string]types.AttributeValue{"a": &types.AttributeValueMemberN{Value: "1"}}}},
		{"escapes", "GetItem", `{"TableName":"\u00e9\ud83c\udf89\/\"\\\n"}`,
			&dynamodb.GetItemInput{TableName: aws.String("é🎉/\"\\\n")}},
		{"lone surrogate", "GetItem", `{"TableName":"\ud800x"}`, &dynamodb.GetItemInput{TableName: aws.String("\uFFFDx")}},
		{"escaped base64", "PutItem", `{"Item":{"a":{"B":"AQ\/\/"}}}`,
			&dynamodb.PutItemInput{Item: map[string]types.AttributeValue{"a": &types.AttributeValueMemberB{Value: []byte{1, 15, 255}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(t, h, rawRequest{target: dynamoDBTarget + tt.op, body: tt.body})
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if got := f.input(tt.op); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decoded %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}

func quote(s string) string {
	e := &encoder{}
	e.str(s)
	return string(e.b)
}
