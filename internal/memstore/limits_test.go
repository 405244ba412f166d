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
