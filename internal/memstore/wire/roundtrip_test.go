package wire

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestRoundTripEveryOperation sends a fully populated input of every
// operation through a real SDK client, the in-process transport and the
// handler, and checks the backend decoded exactly what the client sent; then
// that a fully populated output comes back to the client unchanged.
func TestRoundTripEveryOperation(t *testing.T) {
	outputs := map[string]reflect.Value{}
	for op, typ := range outputTypes {
		outputs[op] = filled(typ, 100_000)
	}
	f, _, ddb, streams := newTestHandler(t, func(op string, _ any) (any, error) {
		return outputs[op].Interface(), nil
	})
	ops := discover(f)
	if len(ops) != len(outputTypes) {
		t.Fatalf("discovered %d operations, the SDK clients have %d", len(ops), len(outputTypes))
	}
	targets := make([]string, 0, len(ops))
	for target := range ops {
		targets = append(targets, target)
	}
	slices.Sort(targets)
	for _, target := range targets {
		op := ops[target]
		t.Run(op.name, func(t *testing.T) {
			client := reflect.ValueOf(ddb)
			if strings.HasPrefix(target, streamsTarget) {
				client = reflect.ValueOf(streams)
			}
			in := filled(op.in.typ, 0)
			res := client.MethodByName(op.name).Call([]reflect.Value{reflect.ValueOf(context.Background()), in})
			if err, _ := res[1].Interface().(error); err != nil {
				t.Fatalf("call: %v", err)
			}
			if got := f.input(op.name); !reflect.DeepEqual(got, in.Interface()) {
				t.Errorf("decoded input differs\n got %s\nwant %s", dump(got), dump(in.Interface()))
			}
			out := res[0]
			out.Elem().FieldByName("ResultMetadata").Set(reflect.Zero(metadataType))
			if want := outputs[op.name]; !reflect.DeepEqual(out.Interface(), want.Interface()) {
				t.Errorf("output differs\n got %s\nwant %s", dump(out.Interface()), dump(want.Interface()))
			}
		})
	}
}

// dump renders v for a failure message, with its AttributeValue types.
func dump(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// TestRoundTripItem checks the values that the filler does not produce:
// empty strings and sets, escapes, Unicode, nested documents, numbers kept
// as the client wrote them.
func TestRoundTripItem(t *testing.T) {
	item := map[string]types.AttributeValue{
		"pk":      &types.AttributeValueMemberS{Value: "user#1"},
		"empty":   &types.AttributeValueMemberS{Value: ""},
		"escapes": &types.AttributeValueMemberS{Value: "quote\" backslash\\ newline\n tab\t nul\x00 \u2028 é 日本 🎉"},
		"n":       &types.AttributeValueMemberN{Value: "-12.3400e5"},
		"big":     &types.AttributeValueMemberN{Value: "12345678901234567890123456789012345678"},
		"b":       &types.AttributeValueMemberB{Value: []byte{0, 1, 2, 0xff}},
		"emptyB":  &types.AttributeValueMemberB{Value: []byte{}},
		"t":       &types.AttributeValueMemberBOOL{Value: true},
		"f":       &types.AttributeValueMemberBOOL{Value: false},
		"null":    &types.AttributeValueMemberNULL{Value: true},
		"ss":      &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"ns":      &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"bs":      &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: "x"},
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				"deep": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: "1"}}},
			}},
		}},
		"weird key \"☃\"": &types.AttributeValueMemberS{Value: "v"},
	}
	f, _, ddb, _ := newTestHandler(t, func(op string, in any) (any, error) {
		if op == "GetItem" {
			return &dynamodb.GetItemOutput{Item: item}, nil
		}
		return emptyOutput(op), nil
	})
	in := &dynamodb.PutItemInput{TableName: aws.String("t"), Item: item}
	if _, err := ddb.PutItem(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if got := f.input("PutItem").(*dynamodb.PutItemInput); !reflect.DeepEqual(got.Item, item) {
		t.Errorf("PutItem decoded\n%s\nwant\n%s", dump(got.Item), dump(item))
	}
	out, err := ddb.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("t"), Key: item})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.Item, item) {
		t.Errorf("GetItem returned\n%s\nwant\n%s", dump(out.Item), dump(item))
	}
}

// echoBackend returns the key it is given as the item, so concurrent
// clients can each check they got their own answer.
type echoBackend struct{}

func (echoBackend) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{Item: in.Key}, nil
}

// TestConcurrentClients runs many clients at once on one handler, so the
// race detector sees the pooled buffers and the plan cache shared.
func TestConcurrentClients(t *testing.T) {
	ddb := NewClient(NewHandler(echoBackend{}), "us-east-1")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				key := map[string]types.AttributeValue{
					"pk": &types.AttributeValueMemberS{Value: strings.Repeat("x", i*37) + fmt.Sprint(g, "/", i)},
					"n":  &types.AttributeValueMemberN{Value: fmt.Sprint(i)},
				}
				out, err := ddb.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("t"), Key: key})
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(out.Item, key) {
					t.Errorf("goroutine %d call %d: got %s", g, i, dump(out.Item))
					return
				}
			}
		})
	}
	wg.Wait()
}
