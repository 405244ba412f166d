package memstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestProvisionedThrottling(t *testing.T) {
	clock := &testClock{now: time.Unix(1_700_000_000, 0)}
	s := New(WithClock(clock.Now), WithThrottling(Throttling{}))
	ctx := context.Background()
	_, err := s.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:             aws.String("slow"),
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(2), WriteCapacityUnits: aws.Int64(3)},
		AttributeDefinitions:  []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	put := func(i int) error {
		_, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("slow"), Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: fmt.Sprint(i)}}})
		return err
	}
	for i := 0; i < 3; i++ {
		if err := put(i); err != nil {
			t.Fatalf("write %d within capacity: %v", i, err)
		}
	}
	var pte *types.ProvisionedThroughputExceededException
	if err := put(3); !errors.As(err, &pte) {
		t.Fatalf("4th write in one second: got %v, want ProvisionedThroughputExceededException", err)
	}
	clock.Advance(time.Second)
	if err := put(3); err != nil {
		t.Fatalf("write after refill: %v", err)
	}
	// Reads: 2 units/s, 4 eventually consistent reads of a small item.
	for i := 0; i < 4; i++ {
		if _, err := s.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("slow"), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "1"}}}); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	if _, err := s.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("slow"), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "1"}}}); !errors.As(err, &pte) {
		t.Fatalf("5th read: got %v, want throttling", err)
	}
	// A batch past capacity returns the rest as unprocessed.
	clock.Advance(time.Second)
	var reqs []types.WriteRequest
	for i := 10; i < 15; i++ {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: fmt.Sprint(i)}}}})
	}
	out, err := s.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"slow": reqs}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(out.UnprocessedItems["slow"]); n != 2 {
		t.Fatalf("%d unprocessed, want 2", n)
	}
}
