package memstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newSessions(t *testing.T, s *Store, view types.StreamViewType) {
	t.Helper()
	ctx := context.Background()
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String("sessions"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	}
	if view != "" {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: view}
	}
	if _, err := s.CreateTable(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String("sessions"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)},
	}); err != nil {
		t.Fatal(err)
	}
}

func putSession(t *testing.T, s *Store, id string, exp types.AttributeValue) {
	t.Helper()
	item := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}}
	if exp != nil {
		item["exp"] = exp
	}
	if _, err := s.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("sessions"), Item: item}); err != nil {
		t.Fatal(err)
	}
}

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func TestTTLSweep(t *testing.T) {
	clock := &testClock{now: time.Unix(1_700_000_000, 0)}
	s := New(WithClock(clock.Now))
	newSessions(t, s, types.StreamViewTypeNewAndOldImages)
	now := clock.Now().Unix()
	putSession(t, s, "live", num(now+3600))
	putSession(t, s, "soon", num(now+60))
	putSession(t, s, "past", num(now-10))
	putSession(t, s, "ancient", num(now-6*365*24*3600))                  // more than five years ago: never deleted
	putSession(t, s, "string", &types.AttributeValueMemberS{Value: "1"}) // not a number: ignored
	putSession(t, s, "none", nil)

	// Expired items are still readable until the sweep runs.
	out, err := s.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("sessions"), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "past"}}})
	if err != nil || out.Item == nil {
		t.Fatalf("expired item not readable before the sweep: %v", err)
	}
	if n := s.SweepExpired(); n != 1 {
		t.Fatalf("first sweep deleted %d, want 1", n)
	}
	clock.Advance(2 * time.Minute)
	if n := s.SweepExpired(); n != 1 {
		t.Fatalf("second sweep deleted %d, want 1 (soon)", n)
	}
	scan, err := s.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String("sessions")})
	if err != nil {
		t.Fatal(err)
	}
	if scan.Count != 4 {
		t.Fatalf("%d items left, want 4 (live, ancient, string, none)", scan.Count)
	}

	// The stream shows the TTL deletions as the service's.
	r, err := s.SubscribeStream("sessions", false)
	if err != nil {
		t.Fatal(err)
	}
	recs := r.TryRead(100)
	if len(recs) != 8 {
		t.Fatalf("%d stream records, want 6 inserts + 2 removes", len(recs))
	}
	for _, rec := range recs[6:] {
		if rec.EventName != streamtypes.OperationTypeRemove || rec.UserIdentity == nil ||
			aws.ToString(rec.UserIdentity.PrincipalId) != "dynamodb.amazonaws.com" || aws.ToString(rec.UserIdentity.Type) != "Service" {
			t.Fatalf("TTL delete record = %+v", rec)
		}
		if rec.Dynamodb.OldImage == nil || rec.Dynamodb.NewImage != nil {
			t.Fatal("REMOVE record must carry the old image only")
		}
	}
}

func TestStreamRecords(t *testing.T) {
	s := New()
	newSessions(t, s, types.StreamViewTypeKeysOnly)
	ctx := context.Background()
	latest, err := s.SubscribeStream("sessions", true)
	if err != nil {
		t.Fatal(err)
	}
	putSession(t, s, "a", num(1))
	putSession(t, s, "a", num(1)) // changes nothing: no record
	putSession(t, s, "a", num(2)) // MODIFY
	if _, err := s.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("sessions"), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("sessions"), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a"}}}); err != nil {
		t.Fatal(err) // deleting a missing item: no record
	}
	recs, err := latest.Read(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var lastSeq string
	for _, r := range recs {
		names = append(names, string(r.EventName))
		if r.Dynamodb.NewImage != nil || r.Dynamodb.OldImage != nil {
			t.Fatal("KEYS_ONLY record carries an image")
		}
		if seq := aws.ToString(r.Dynamodb.SequenceNumber); seq <= lastSeq {
			t.Fatalf("sequence numbers not increasing: %s after %s", seq, lastSeq)
		} else {
			lastSeq = seq
		}
	}
	if got := names; len(got) != 3 || got[0] != "INSERT" || got[1] != "MODIFY" || got[2] != "REMOVE" {
		t.Fatalf("events = %v, want [INSERT MODIFY REMOVE]", got)
	}

	// The same records through the Streams API.
	desc, err := s.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("sessions")})
	if err != nil {
		t.Fatal(err)
	}
	arn := desc.Table.LatestStreamArn
	ds, err := s.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	it, err := s.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn: arn, ShardId: ds.StreamDescription.Shards[0].ShardId, ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != 2 || got.NextShardIterator == nil {
		t.Fatalf("first page: %d records", len(got.Records))
	}
	rest, err := s.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: got.NextShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(rest.Records) != 1 || rest.Records[0].EventName != streamtypes.OperationTypeRemove {
		t.Fatalf("second page: %+v", rest.Records)
	}
}

// TestStreamRequestChecks: a sequence number goes only with AT_ and
// AFTER_SEQUENCE_NUMBER, and DescribeStream lists the shards after
// ExclusiveStartShardId whether that shard exists or not.
func TestStreamRequestChecks(t *testing.T) {
	s := New()
	defer s.Close()
	newSessions(t, s, types.StreamViewTypeKeysOnly)
	ctx := context.Background()
	streams, err := s.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{})
	if err != nil || len(streams.Streams) != 1 {
		t.Fatalf("ListStreams: %v %v", streams, err)
	}
	arn := streams.Streams[0].StreamArn
	desc, err := s.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	shard := desc.StreamDescription.Shards[0]
	for _, typ := range []streamtypes.ShardIteratorType{streamtypes.ShardIteratorTypeTrimHorizon, streamtypes.ShardIteratorTypeLatest} {
		_, err := s.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: arn, ShardId: shard.ShardId,
			ShardIteratorType: typ, SequenceNumber: shard.SequenceNumberRange.StartingSequenceNumber})
		if !strings.Contains(fmt.Sprint(err), "ValidationException") {
			t.Errorf("%s with a sequence number: %v, want a ValidationException", typ, err)
		}
	}
	for start, want := range map[string]int{"zzzz": 0, "shardId-0": 1} {
		out, err := s.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn, ExclusiveStartShardId: aws.String(start)})
		if err != nil || len(out.StreamDescription.Shards) != want {
			t.Errorf("ExclusiveStartShardId %q: %v shards, %v; want %d", start, len(out.StreamDescription.Shards), err, want)
		}
	}
}
