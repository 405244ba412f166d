package ormtest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/orm/ormtest"
)

// register writes a new user and reads it back to build its welcome page:
// a read-your-write pattern that works on every emulator but not always on
// DynamoDB, because the read is eventually consistent.
func register(ctx context.Context, db *ormtest.DB, id string, consistent bool) (string, error) {
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("users"), Item: map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: id}, "name": &types.AttributeValueMemberS{Value: "Ann"},
	}})
	if err != nil {
		return "", err
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("users"), ConsistentRead: aws.Bool(consistent),
		Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}}})
	if err != nil {
		return "", err
	}
	if out.Item == nil {
		return "", fmt.Errorf("user %s not found right after registering", id)
	}
	return "welcome " + out.Item["name"].(*types.AttributeValueMemberS).Value, nil
}

func newUsers(t *testing.T, opts ...ormtest.Option) *ormtest.DB {
	db := ormtest.New(t, opts...)
	_, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String("users"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// TestReadYourWriteBug shows the bug the eventual-consistency mode exists
// to catch: the default store hides it, the mode exposes it, and the fix (a
// strongly consistent read) passes in both.
func TestReadYourWriteBug(t *testing.T) {
	ctx := context.Background()
	clock := ormtest.NewClock(time.Unix(1_700_000_000, 0))

	if _, err := register(ctx, newUsers(t), "u1", false); err != nil {
		t.Fatalf("default store: %v", err)
	}
	eventual := newUsers(t, ormtest.WithClock(clock), ormtest.WithEventualConsistency(time.Second, 1, 42))
	if _, err := register(ctx, eventual, "u1", false); err == nil {
		t.Fatal("eventual mode did not expose the read-your-write bug")
	}
	if got, err := register(ctx, eventual, "u2", true); err != nil || got != "welcome Ann" {
		t.Fatalf("consistent read in eventual mode: %q, %v", got, err)
	}
}
