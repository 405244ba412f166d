package memstore

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestEventualConsistency(t *testing.T) {
	clock := &testClock{now: time.Unix(1_700_000_000, 0)}
	s := New(WithClock(clock.Now), WithEventualConsistency(EventualConsistency{Lag: time.Second, Probability: 1, Seed: 7}))
	newModelTable(t, s)
	ctx := context.Background()
	put := func(score int) {
		t.Helper()
		m := modelItem{pk: "p", sk: 1, g: "x", score: score, note: "n"}
		if _, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("model"), Item: m.av()}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(consistent bool) string {
		t.Helper()
		out, err := s.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("model"), Key: keyAV(modelKey{"p", 1}), ConsistentRead: aws.Bool(consistent)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Item == nil {
			return "none"
		}
		return out.Item["score"].(*types.AttributeValueMemberN).Value
	}
	gsi := func() int32 {
		t.Helper()
		out, err := s.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String("model"), IndexName: aws.String("byScore"),
			KeyConditionExpression:    aws.String("g = :g AND score > :z"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":g": &types.AttributeValueMemberS{Value: "x"}, ":z": &types.AttributeValueMemberN{Value: "5"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.Count
	}

	put(1)
	// Right after the write, an eventually consistent read misses it.
	if got := get(false); got != "none" {
		t.Fatalf("stale read right after the first write = %s, want none", got)
	}
	if got := get(true); got != "1" {
		t.Fatalf("strong read = %s, want 1", got)
	}
	clock.Advance(2 * time.Second)
	put(10)
	if got := get(false); got != "1" {
		t.Fatalf("stale read = %s, want the old 1", got)
	}
	if n := gsi(); n != 0 {
		t.Fatalf("stale GSI read sees %d items with score > 5, want 0", n)
	}
	if got := get(true); got != "10" {
		t.Fatalf("strong read = %s, want 10", got)
	}
	clock.Advance(1500 * time.Millisecond)
	if got := get(false); got != "10" {
		t.Fatalf("read after the lag = %s, want 10", got)
	}
	if n := gsi(); n != 1 {
		t.Fatalf("GSI after the lag sees %d, want 1", n)
	}

	// An overwrite that keeps every index key: the past must still show
	// the old item, in the table and in an index.
	m := modelItem{pk: "p", sk: 1, g: "x", score: 10, note: "new"}
	if _, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("model"), Item: m.av()}); err != nil {
		t.Fatal(err)
	}
	note := func(index string) string {
		t.Helper()
		in := &dynamodb.QueryInput{
			TableName:                 aws.String("model"),
			KeyConditionExpression:    aws.String("pk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "p"}},
		}
		if index != "" {
			in.IndexName = aws.String(index)
		}
		out, err := s.Query(ctx, in)
		if err != nil || len(out.Items) != 1 {
			t.Fatalf("query %q: %v %v", index, out, err)
		}
		return out.Items[0]["note"].(*types.AttributeValueMemberS).Value
	}
	if got, lsi := note(""), note("pkScore"); got != "n" || lsi != "n" {
		t.Fatalf("stale reads after an in-place overwrite: table %q, LSI %q, want the old n", got, lsi)
	}
	clock.Advance(1500 * time.Millisecond)
	if got, lsi := note(""), note("pkScore"); got != "new" || lsi != "new" {
		t.Fatalf("reads after the lag: table %q, LSI %q, want new", got, lsi)
	}
}

// TestEventualConsistencyOff: by default every read is current.
func TestEventualConsistencyOff(t *testing.T) {
	s := New()
	newModelTable(t, s)
	m := modelItem{pk: "p", sk: 1, g: "x", score: 3}
	if _, err := s.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("model"), Item: m.av()}); err != nil {
		t.Fatal(err)
	}
	out, err := s.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("model"), Key: keyAV(modelKey{"p", 1})})
	if err != nil || out.Item == nil {
		t.Fatalf("read after write: %v %v", out, err)
	}
}
