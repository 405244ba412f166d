package samlocal

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/monotable/monotable/internal/runtimeapi"
)

func TestFilter(t *testing.T) {
	rec := map[string]any{
		"eventName": "REMOVE",
		"dynamodb": map[string]any{
			"OldImage": map[string]any{"type": map[string]any{"S": "session"}, "n": map[string]any{"N": "12"}},
		},
		"tags": []any{"a", "b"},
	}
	for pattern, want := range map[string]bool{
		`{"eventName": ["REMOVE"], "dynamodb": {"OldImage": {"type": {"S": ["session"]}}}}`: true,
		`{"eventName": ["INSERT", "MODIFY"]}`:                                               false,
		`{"dynamodb": {"NewImage": {"type": {"S": ["session"]}}}}`:                          false,
		`{"dynamodb": {"NewImage": [{"exists": false}]}}`:                                   true,
		`{"dynamodb": {"OldImage": {"type": {"S": [{"prefix": "sess"}]}}}}`:                 true,
		`{"dynamodb": {"OldImage": {"n": {"N": [{"numeric": [">", 10, "<=", 12]}]}}}}`:      true,
		`{"eventName": [{"anything-but": ["REMOVE"]}]}`:                                     false,
		`{"eventName": [{"equals-ignore-case": "remove"}]}`:                                 true,
		`{"tags": ["b"]}`: true,
		`{"$or": [{"eventName": ["INSERT"]}, {"tags": ["a"]}]}`: true,
	} {
		f, err := ParseFilter(pattern)
		if err != nil {
			t.Fatalf("%s: %v", pattern, err)
		}
		if got := f.Match(rec); got != want {
			t.Errorf("%s: %v, want %v", pattern, got, want)
		}
	}
	for _, bad := range []string{`{"a": "x"}`, `{"a": [{"wildcard": "x*"}]}`, `[1]`} {
		if _, err := ParseFilter(bad); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}

func streamRec(seq int, name, entity string) st.Record {
	s := fmt.Sprintf("%021d", seq)
	at := time.Unix(1744200120, 5e8)
	return st.Record{
		EventName: st.OperationType(name), EventID: &s, EventSource: ptr("aws:dynamodb"), EventVersion: ptr("1.1"), AwsRegion: ptr("us-east-1"),
		Dynamodb: &st.StreamRecord{
			SequenceNumber: &s, ApproximateCreationDateTime: &at, StreamViewType: st.StreamViewTypeNewAndOldImages,
			Keys:     map[string]st.AttributeValue{"pk": &st.AttributeValueMemberS{Value: s}},
			OldImage: map[string]st.AttributeValue{"type": &st.AttributeValueMemberS{Value: entity}},
		},
		UserIdentity: &st.Identity{Type: ptr("Service"), PrincipalId: ptr("dynamodb.amazonaws.com")},
	}
}

func ptr(s string) *string { return &s }

// TestPoller checks batching, filtering, and redelivery from the failed
// sequence number of a partial batch response.
func TestPoller(t *testing.T) {
	defer func(d func(int) time.Duration) { retryDelay = d }(retryDelay)
	retryDelay = func(int) time.Duration { return time.Millisecond }

	var recs []st.Record
	for i := 1; i <= 5; i++ {
		entity := "session"
		if i == 2 {
			entity = "score" // filtered out
		}
		recs = append(recs, streamRec(i, "REMOVE", entity))
	}
	feed := make(chan []st.Record, 1)
	feed <- recs
	read := func(ctx context.Context, max int) ([]st.Record, error) {
		select {
		case r := <-feed:
			return r, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	failOnce := true
	fn := &fakeFn{reply: func(p []byte) runtimeapi.Result {
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(p, &ev); err != nil {
			t.Error(err)
		}
		if last := ev.Records[len(ev.Records)-1].Change.SequenceNumber; failOnce && last == fmt.Sprintf("%021d", 5) {
			failOnce = false // record 4 succeeded, record 5 is retried
			return runtimeapi.Result{Payload: []byte(`{"batchItemFailures":[{"itemIdentifier":"` + last + `"}]}`)}
		}
		return runtimeapi.Result{Payload: []byte(`{"batchItemFailures":[]}`)}
	}}
	filter, _ := ParseFilter(`{"eventName": ["REMOVE"], "dynamodb": {"OldImage": {"type": {"S": ["session"]}}}}`)
	deliveries := make(chan Delivery, 10)
	p := &poller{
		src: StreamSource{Function: "F", BatchSize: 3, MaxRetries: 2, ReportBatchItemFailures: true, Filters: []Filter{filter}},
		fn:  fn, read: read, arn: "arn:stream", log: slog.New(slog.DiscardHandler),
		notify: func(d Delivery) { deliveries <- d },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.run(ctx); close(done) }()
	var got [][]string
	for len(got) < 3 {
		select {
		case d := <-deliveries:
			got = append(got, d.Sequences)
		case <-time.After(5 * time.Second):
			t.Fatalf("deliveries so far: %v", got)
		}
	}
	cancel()
	<-done
	seq := func(i int) string { return fmt.Sprintf("%021d", i) }
	// Batches of 3: records 1-3, of which 2 is filtered out; then 4-5,
	// which fails from 5; then 5 again.
	want := [][]string{{seq(1), seq(3)}, {seq(4), seq(5)}, {seq(5)}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("deliveries %v, want %v", got, want)
	}

	var ev events.DynamoDBEvent
	json.Unmarshal(fn.payloads[0], &ev)
	r := ev.Records[0]
	if r.EventSourceArn != "arn:stream" || r.UserIdentity == nil || r.UserIdentity.Type != "Service" ||
		r.Change.ApproximateCreationDateTime.Unix() != 1744200120 || r.EventSource != "aws:dynamodb" {
		t.Errorf("record %+v", r)
	}
}

func TestBatchFailure(t *testing.T) {
	seqs := []string{"10", "9", "100"}
	for payload, want := range map[string]string{
		`null`: "", `{}`: "", `{"batchItemFailures":[]}`: "",
		`{"batchItemFailures":[{"itemIdentifier":"100"},{"itemIdentifier":"9"}]}`: "9",
		`{"batchItemFailures":[{"itemIdentifier":""}]}`:                           "error",
		`{"batchItemFailures":[{"itemIdentifier":"7"}]}`:                          "error",
	} {
		got, err := batchFailure([]byte(payload), seqs)
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("%s: %q, want %q", payload, got, want)
		}
	}
}
