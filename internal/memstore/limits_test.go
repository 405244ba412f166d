package memstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// TestPageLimit: a Query or Scan stops once it has read 1 MB and says where
// to go on, whatever the Limit.
func TestPageLimit(t *testing.T) {
	s := New()
	newSessions(t, s, "")
	ctx := context.Background()
	blob := strings.Repeat("x", 100_000)
	for i := 0; i < 25; i++ {
		if _, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("sessions"), Item: map[string]types.AttributeValue{
			"id": &types.AttributeValueMemberS{Value: fmt.Sprintf("s%02d", i)}, "blob": &types.AttributeValueMemberS{Value: blob},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	in := &dynamodb.ScanInput{TableName: aws.String("sessions"), Limit: aws.Int32(1000)}
	var pages []int32
	total := 0
	for {
		out, err := s.Scan(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, out.Count)
		total += int(out.Count)
		if out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	// Each item is 100,010 bytes: the 11th crosses 1 MB.
	if total != 25 || pages[0] != 11 || pages[1] != 11 || pages[2] != 3 {
		t.Fatalf("pages %v (total %d), want [11 11 3]", pages, total)
	}
}

func TestItemSizeLimit(t *testing.T) {
	s := New()
	newSessions(t, s, "")
	ctx := context.Background()
	// Name lengths count: "id"(2) + "s1"(2) + "blob"(4) + value.
	fits := strings.Repeat("x", 400*1024-8)
	if _, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("sessions"), Item: map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: "s1"}, "blob": &types.AttributeValueMemberS{Value: fits},
	}}); err != nil {
		t.Fatalf("item of exactly 400 KB: %v", err)
	}
	_, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("sessions"), Item: map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: "s1"}, "blob": &types.AttributeValueMemberS{Value: fits + "x"},
	}})
	if !containsMsg(err, "Item size has exceeded the maximum allowed size") {
		t.Fatalf("item one byte over: %v", err)
	}
	// An update that grows an item past the limit fails the same way.
	_, err = s.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("sessions"),
		Key:                       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "s1"}},
		UpdateExpression:          aws.String("SET more = :m"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":m": &types.AttributeValueMemberS{Value: "y"}},
	})
	if !containsMsg(err, "Item size to update has exceeded the maximum allowed size") {
		t.Fatalf("update past the limit: %v", err)
	}
}

// TestTransactItemSizeLimit: a transacted Put over 400 KB is refused before
// the transaction runs (its size is known from the request); a transacted
// Update that grows an item past it can only fail while running, so it
// cancels the transaction, with the update's wording.
func TestTransactItemSizeLimit(t *testing.T) {
	s := New()
	newSessions(t, s, "")
	ctx := context.Background()
	fits := strings.Repeat("x", 400*1024-8) // "id" + "s1" + "blob" + value
	put := func(blob string) error {
		_, err := s.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Put: &types.Put{
			TableName: aws.String("sessions"),
			Item:      map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "s1"}, "blob": &types.AttributeValueMemberS{Value: blob}},
		}}}})
		return err
	}
	if err := put(fits); err != nil {
		t.Fatalf("transacted Put of exactly 400 KB: %v", err)
	}
	var api smithy.APIError
	if err := put(fits + "x"); !errors.As(err, &api) || api.ErrorCode() != "ValidationException" || !containsMsg(err, msgItemTooLarge) {
		t.Fatalf("transacted Put one byte over: %v, want ValidationException", err)
	}
	_, err := s.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Update: &types.Update{
		TableName:                 aws.String("sessions"),
		Key:                       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "s1"}},
		UpdateExpression:          aws.String("SET more = :m"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":m": &types.AttributeValueMemberS{Value: "y"}},
	}}}})
	var tc *types.TransactionCanceledException
	if !errors.As(err, &tc) || len(tc.CancellationReasons) != 1 ||
		aws.ToString(tc.CancellationReasons[0].Code) != "ValidationError" ||
		aws.ToString(tc.CancellationReasons[0].Message) != msgUpdateTooLarge {
		t.Fatalf("transacted Update past the limit: %v, want a ValidationError cancellation", err)
	}
}

// TestUpdateStatementSize: UpdateItem is also sized by what its statement
// writes (the attributes it sets, name and value) plus 3 for the update,
// 19 per SET or ADD (20 through a list index) and 2 per REMOVE or DELETE,
// leaving out the key and the attributes it does not touch. The figures
// are the ones measured against the service (us-east-1 rule, 2026-09).
func TestUpdateStatementSize(t *testing.T) {
	s := New()
	defer s.Close()
	newSessions(t, s, "")
	ctx := context.Background()
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	seed := func(item map[string]types.AttributeValue) {
		t.Helper()
		if _, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("sessions"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	update := func(id, expr string, values map[string]types.AttributeValue) error {
		_, err := s.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String("sessions"), Key: map[string]types.AttributeValue{"id": str(id)},
			UpdateExpression: aws.String(expr), ExpressionAttributeValues: values,
		})
		return err
	}
	pad := func(n int) types.AttributeValue { return str(strings.Repeat("x", n)) }
	// ceiling checks that padding p is stored and p+1 refused, on two keys
	// of the same length.
	ceiling := func(name string, keys [2]string, p int, expr string, extra map[string]types.AttributeValue) {
		t.Helper()
		for i, id := range keys {
			values := map[string]types.AttributeValue{":pad": pad(p + i)}
			for k, v := range extra {
				values[k] = v
			}
			err := update(id, expr, values)
			if i == 0 && err != nil {
				t.Errorf("%s: padding %d refused: %v", name, p, err)
			}
			if i == 1 && !strings.Contains(fmt.Sprint(err), msgUpdateTooLarge) {
				t.Errorf("%s: padding %d: %v, want %q", name, p+1, err, msgUpdateTooLarge)
			}
		}
	}
	// Key "id"+"K" is 3 bytes; one SET: 409,600 - 1 ("b") - 22 = 409,577
	// of padding, a finished item of 409,581.
	ceiling("one SET at a one-byte key", [2]string{"K", "L"}, 409_577, "SET b = :pad", nil)
	// A second SET costs 19 more, whatever it writes beyond its 2 bytes.
	ceiling("two SETs", [2]string{"A2", "B2"}, 409_556, "SET b = :pad, c = :c", map[string]types.AttributeValue{":c": str("y")})
	// A REMOVE costs 2.
	seed(map[string]types.AttributeValue{"id": str("A4"), "r": str("z")})
	seed(map[string]types.AttributeValue{"id": str("B4"), "r": str("z")})
	ceiling("SET and REMOVE", [2]string{"A4", "B4"}, 409_575, "SET b = :pad REMOVE r", nil)
	// An attribute the statement leaves alone is not charged.
	seed(map[string]types.AttributeValue{"id": str("Aa"), "u": pad(10)})
	seed(map[string]types.AttributeValue{"id": str("Ba"), "u": pad(10)})
	ceiling("beside an untouched attribute", [2]string{"Aa", "Ba"}, 409_577, "SET b = :pad", nil)

	// The finished item still caps everything: at a long key the statement
	// rule does not bind and 400 KB is the limit.
	long := strings.Repeat("k", 100)
	if err := update(long, "SET b = :pad", map[string]types.AttributeValue{":pad": pad(409_600 - 2 - 100 - 1)}); err != nil {
		t.Errorf("finished item of exactly 400 KB at a long key: %v", err)
	}
	// A transacted Update is sized by its finished item alone.
	seed(map[string]types.AttributeValue{"id": str("Y")})
	_, err := s.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{{Update: &types.Update{
		TableName: aws.String("sessions"), Key: map[string]types.AttributeValue{"id": str("Y")},
		UpdateExpression: aws.String("SET p = :p"), ExpressionAttributeValues: map[string]types.AttributeValue{":p": pad(409_600 - 3 - 1)},
	}}}})
	if err != nil {
		t.Errorf("transacted Update to exactly 400 KB: %v", err)
	}
}
