package memstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestParallelScan: the segments of a parallel scan are disjoint and
// together return every item exactly once, whatever the segment count.
func TestParallelScan(t *testing.T) {
	s := New()
	newSessions(t, s, "")
	ctx := context.Background()
	const n = 500
	for i := 0; i < n; i++ {
		putSession(t, s, fmt.Sprint("s", i), nil)
	}
	for _, total := range []int32{1, 2, 3, 7, 64} {
		seen := map[string]int{}
		for seg := int32(0); seg < total; seg++ {
			in := &dynamodb.ScanInput{TableName: aws.String("sessions"), Segment: aws.Int32(seg), TotalSegments: aws.Int32(total), Limit: aws.Int32(37)}
			for {
				out, err := s.Scan(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range out.Items {
					seen[it["id"].(*types.AttributeValueMemberS).Value]++
				}
				if out.LastEvaluatedKey == nil {
					break
				}
				in.ExclusiveStartKey = out.LastEvaluatedKey
			}
		}
		if len(seen) != n {
			t.Fatalf("TotalSegments=%d: %d distinct items, want %d", total, len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Fatalf("TotalSegments=%d: %s returned %d times", total, id, c)
			}
		}
	}
}

// TestReturnedItemsAreCopies: a caller that mutates what it got (or what it
// sent) never changes the store.
func TestReturnedItemsAreCopies(t *testing.T) {
	s := New()
	newSessions(t, s, "")
	ctx := context.Background()
	list := &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "a"}}}
	in := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "x"}, "l": list}
	if _, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("sessions"), Item: in}); err != nil {
		t.Fatal(err)
	}
	list.Value[0] = &types.AttributeValueMemberS{Value: "changed after put"}
	key := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "x"}}
	out, err := s.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("sessions"), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	got := out.Item["l"].(*types.AttributeValueMemberL)
	if v := got.Value[0].(*types.AttributeValueMemberS).Value; v != "a" {
		t.Fatalf("store kept the caller's list: %q", v)
	}
	got.Value[0].(*types.AttributeValueMemberS).Value = "changed after get"
	out.Item["id"].(*types.AttributeValueMemberS).Value = "y"
	again, _ := s.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("sessions"), Key: key})
	if again.Item == nil || again.Item["l"].(*types.AttributeValueMemberL).Value[0].(*types.AttributeValueMemberS).Value != "a" {
		t.Fatalf("mutating a returned item changed the store: %v", again.Item)
	}
}

// TestParallelScanStartKeyInSegment: a parallel Scan's ExclusiveStartKey
// must lie in the segment scanned.
func TestParallelScanStartKeyInSegment(t *testing.T) {
	s := New()
	defer s.Close()
	newSessions(t, s, "")
	ctx := context.Background()
	for i := range 20 {
		if _, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("sessions"), Item: map[string]types.AttributeValue{
			"id": &types.AttributeValueMemberS{Value: fmt.Sprint("s", i)}}}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("sessions"), Segment: aws.Int32(1), TotalSegments: aws.Int32(2)})
	if err != nil || len(out.Items) == 0 {
		t.Fatalf("segment 1: %v, %d items", err, len(out.Items))
	}
	inOne := map[string]types.AttributeValue{"id": out.Items[0]["id"]}
	if _, err := s.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("sessions"), Segment: aws.Int32(1), TotalSegments: aws.Int32(2), ExclusiveStartKey: inOne}); err != nil {
		t.Errorf("start key in its own segment: %v", err)
	}
	_, err = s.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("sessions"), Segment: aws.Int32(0), TotalSegments: aws.Int32(2), ExclusiveStartKey: inOne})
	if want := "The provided Exclusive start key does not map to the provided Segment and TotalSegments values."; !strings.Contains(fmt.Sprint(err), want) {
		t.Errorf("start key of segment 1 in segment 0: %v, want %q", err, want)
	}
}
