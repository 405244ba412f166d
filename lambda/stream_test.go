package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/monotable/monotable/lambda"
)

type Score struct {
	Game   string `dynamo:"game"`
	Player string `dynamo:"player"`
	Points int64  `dynamo:"points"`
}

type Player struct {
	Name string `dynamo:"name"`
}

func S(s string) events.DynamoDBAttributeValue { return events.NewStringAttribute(s) }
func N(s string) events.DynamoDBAttributeValue { return events.NewNumberAttribute(s) }

func scoreImage(player string, points int) map[string]events.DynamoDBAttributeValue {
	return map[string]events.DynamoDBAttributeValue{
		"pk": S("GAME#chess"), "sk": S("PLAYER#" + player), "type": S("score"),
		"game": S("chess"), "player": S(player), "points": N(fmt.Sprint(points)),
	}
}

func record(seq, name string, old, new map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
	keys := map[string]events.DynamoDBAttributeValue{}
	for _, img := range []map[string]events.DynamoDBAttributeValue{old, new} {
		for _, k := range []string{"pk", "sk"} {
			if v, ok := img[k]; ok {
				keys[k] = v
			}
		}
	}
	return events.DynamoDBEventRecord{
		EventID: "ev" + seq, EventName: name, EventSource: "aws:dynamodb",
		Change: events.DynamoDBStreamRecord{SequenceNumber: seq, Keys: keys, OldImage: old, NewImage: new, StreamViewType: "NEW_AND_OLD_IMAGES"},
	}
}

// log collects what stream handlers saw.
type streamLog struct{ lines []string }

func (l *streamLog) add(format string, args ...any) {
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func streamApp(t testing.TB, l *streamLog) *lambda.App {
	a := lambda.New(quiet(t))
	lambda.OnChange(a, lambda.Entity[Score]("score"), func(ctx context.Context, c lambda.Change[Score]) error {
		var old, new string
		if c.Old != nil {
			old = fmt.Sprintf("%s:%d", c.Old.Player, c.Old.Points)
		}
		if c.New != nil {
			new = fmt.Sprintf("%s:%d", c.New.Player, c.New.Points)
		}
		l.add("score %s %s -> %s expired=%v", c.Event, old, new, c.Expired)
		switch {
		case c.New != nil && c.New.Player == "fail":
			return errors.New("cannot process")
		case c.New != nil && c.New.Player == "panic":
			panic("boom")
		}
		return nil
	})
	lambda.OnChange(a, lambda.Entity[Player]("player"), func(ctx context.Context, c lambda.Change[Player]) error {
		l.add("player %s %s", c.Event, c.New.Name)
		return nil
	})
	lambda.OnChange(a, lambda.Entity[lambda.Item](""), func(ctx context.Context, c lambda.Change[lambda.Item]) error {
		l.add("other %s entity=%q keys=%d", c.Event, c.Entity, len(c.Keys))
		return nil
	})
	return a
}

func TestStream(t *testing.T) {
	ttl := record("400", "REMOVE", scoreImage("cat", 3), nil)
	ttl.UserIdentity = &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	userDelete := record("401", "REMOVE", scoreImage("dog", 4), nil)
	keysOnly := record("402", "MODIFY", nil, nil)
	keysOnly.Change.Keys = map[string]events.DynamoDBAttributeValue{"pk": S("X")}
	tests := []struct {
		name     string
		records  []events.DynamoDBEventRecord
		log      []string
		failures []string
	}{
		{
			name: "typed routing",
			records: []events.DynamoDBEventRecord{
				record("100", "INSERT", nil, scoreImage("ann", 10)),
				record("101", "MODIFY", scoreImage("ann", 10), scoreImage("ann", 20)),
				record("102", "INSERT", nil, map[string]events.DynamoDBAttributeValue{"type": S("player"), "name": S("bo")}),
				record("103", "INSERT", nil, map[string]events.DynamoDBAttributeValue{"type": S("badge"), "pk": S("B")}),
			},
			log: []string{
				"score INSERT  -> ann:10 expired=false",
				"score MODIFY ann:10 -> ann:20 expired=false",
				"player INSERT bo",
				`other INSERT entity="badge" keys=1`,
			},
		},
		{
			name:     "first failure stops the batch and alone is reported",
			records:  []events.DynamoDBEventRecord{record("200", "INSERT", nil, scoreImage("ann", 1)), record("201", "INSERT", nil, scoreImage("fail", 1)), record("202", "INSERT", nil, scoreImage("fail", 2)), record("203", "INSERT", nil, scoreImage("bo", 1))},
			log:      []string{"score INSERT  -> ann:1 expired=false", "score INSERT  -> fail:1 expired=false"},
			failures: []string{"201"},
		},
		{
			name:     "panic is a failure",
			records:  []events.DynamoDBEventRecord{record("300", "INSERT", nil, scoreImage("panic", 1)), record("301", "INSERT", nil, scoreImage("ann", 1))},
			log:      []string{"score INSERT  -> panic:1 expired=false"},
			failures: []string{"300"},
		},
		{
			name:     "undecodable image is a failure",
			records:  []events.DynamoDBEventRecord{record("310", "INSERT", nil, map[string]events.DynamoDBAttributeValue{"type": S("score"), "points": S("many")})},
			failures: []string{"310"},
		},
		{
			name:    "TTL deletions are told apart",
			records: []events.DynamoDBEventRecord{ttl, userDelete, keysOnly},
			log:     []string{"score REMOVE cat:3 ->  expired=true", "score REMOVE dog:4 ->  expired=false", `other MODIFY entity="" keys=1`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l streamLog
			a := streamApp(t, &l)
			resp, err := a.ServeStream(lambdaCtx(), events.DynamoDBEvent{Records: tt.records})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(l.lines, tt.log) && (len(l.lines) > 0 || len(tt.log) > 0) {
				t.Errorf("handled\n got %q\nwant %q", l.lines, tt.log)
			}
			var failed []string
			for _, f := range resp.BatchItemFailures {
				failed = append(failed, f.ItemIdentifier)
			}
			if !reflect.DeepEqual(failed, tt.failures) {
				t.Errorf("failures %v, want %v", failed, tt.failures)
			}
		})
	}
}

func TestStreamEdges(t *testing.T) {
	t.Run("failure without a sequence number fails the batch", func(t *testing.T) {
		a := streamApp(t, &streamLog{})
		_, err := a.ServeStream(lambdaCtx(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{record("", "INSERT", nil, scoreImage("fail", 1))}})
		if err == nil {
			t.Error("no error")
		}
	})
	t.Run("near the deadline the next record is reported", func(t *testing.T) {
		a := lambda.New(quiet(t), lambda.WithTimeoutMargin(100*time.Millisecond))
		n := 0
		lambda.OnChange(a, lambda.Entity[lambda.Item](""), func(ctx context.Context, c lambda.Change[lambda.Item]) error {
			n++
			time.Sleep(60 * time.Millisecond)
			return nil
		})
		ctx, cancel := context.WithTimeout(lambdaCtx(), 250*time.Millisecond)
		defer cancel()
		var recs []events.DynamoDBEventRecord
		for i := range 10 {
			recs = append(recs, record(fmt.Sprint(500+i), "INSERT", nil, scoreImage("x", i)))
		}
		resp, err := a.ServeStream(ctx, events.DynamoDBEvent{Records: recs})
		if err != nil {
			t.Fatal(err)
		}
		if n < 1 || n >= 10 || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != fmt.Sprint(500+n) {
			t.Errorf("processed %d, failures %+v", n, resp.BatchItemFailures)
		}
	})
	t.Run("duplicate entity handler panics", func(t *testing.T) {
		a := lambda.New(quiet(t))
		lambda.OnChange(a, lambda.Entity[Score]("score"), func(context.Context, lambda.Change[Score]) error { return nil })
		defer func() {
			if recover() == nil {
				t.Error("no panic")
			}
		}()
		lambda.OnChange(a, lambda.Entity[Score]("score"), func(context.Context, lambda.Change[Score]) error { return nil })
	})
	t.Run("WithEntityAttribute", func(t *testing.T) {
		a := lambda.New(quiet(t), lambda.WithEntityAttribute("kind"))
		var got string
		lambda.OnChange(a, lambda.Entity[Player]("player"), func(ctx context.Context, c lambda.Change[Player]) error {
			got = c.New.Name
			return nil
		})
		a.ServeStream(lambdaCtx(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
			record("1", "INSERT", nil, map[string]events.DynamoDBAttributeValue{"kind": S("player"), "name": S("cy")})}})
		if got != "cy" {
			t.Errorf("got %q", got)
		}
	})
}

// TestStreamFixture decodes aws-lambda-go's stream event through Invoke
// and checks every attribute type converts to the SDK's.
func TestStreamFixture(t *testing.T) {
	a := lambda.New(quiet(t))
	var items []lambda.Item
	lambda.OnChange(a, lambda.Entity[lambda.Item](""), func(ctx context.Context, c lambda.Change[lambda.Item]) error {
		items = append(items, *c.New)
		return nil
	})
	out, err := a.Invoke(lambdaCtx(), fixture(t, "dynamodb-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"batchItemFailures":null}` {
		t.Errorf("response %s", out)
	}
	if len(items) != 2 {
		t.Fatalf("%d items", len(items))
	}
	bs, ok := items[0]["asdf2"].(*types.AttributeValueMemberBS)
	if !ok || len(bs.Value) != 2 || string(bs.Value[1]) != "A*\x01\x00" {
		t.Errorf("asdf2 = %#v", items[0]["asdf2"])
	}
	if b, ok := items[0]["asdf1"].(*types.AttributeValueMemberB); !ok || string(b.Value) != "\x00\x01*A" {
		t.Errorf("asdf1 = %#v", items[0]["asdf1"])
	}
	if s, ok := items[0]["val"].(*types.AttributeValueMemberS); !ok || s.Value != "data" {
		t.Errorf("val = %#v", items[0]["val"])
	}
}

func TestAttributeTypes(t *testing.T) {
	var got lambda.Item
	a := lambda.New(quiet(t))
	lambda.OnChange(a, lambda.Entity[lambda.Item](""), func(ctx context.Context, c lambda.Change[lambda.Item]) error {
		got = *c.New
		return nil
	})
	payload := `{"Records":[{"eventSource":"aws:dynamodb","eventName":"INSERT","dynamodb":{"SequenceNumber":"1","NewImage":{
		"s":{"S":"x"},"n":{"N":"1.5"},"b":{"B":"AQI="},"t":{"BOOL":true},"z":{"NULL":true},
		"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},"bs":{"BS":["AQ=="]},
		"l":{"L":[{"S":"a"},{"N":"2"}]},"m":{"M":{"k":{"S":"v"},"e":{"M":{}}}}}}}]}`
	if _, err := a.Invoke(lambdaCtx(), []byte(payload)); err != nil {
		t.Fatal(err)
	}
	want := lambda.Item{
		"s": &types.AttributeValueMemberS{Value: "x"}, "n": &types.AttributeValueMemberN{Value: "1.5"},
		"b": &types.AttributeValueMemberB{Value: []byte{1, 2}}, "t": &types.AttributeValueMemberBOOL{Value: true},
		"z": &types.AttributeValueMemberNULL{Value: true}, "ss": &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"ns": &types.AttributeValueMemberNS{Value: []string{"1", "2"}}, "bs": &types.AttributeValueMemberBS{Value: [][]byte{{1}}},
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "a"}, &types.AttributeValueMemberN{Value: "2"}}},
		"m": &types.AttributeValueMemberM{Value: lambda.Item{"k": &types.AttributeValueMemberS{Value: "v"}, "e": &types.AttributeValueMemberM{Value: lambda.Item{}}}},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		t.Errorf("got %s", g)
	}
}

func TestMalformedStreamEvents(t *testing.T) {
	a := streamApp(t, &streamLog{})
	for _, p := range []string{
		`{"Records":[{"eventSource":"aws:dynamodb","dynamodb":{"NewImage":{"x":{"BS":[1]}}}}]}`,
		`{"Records":[{"eventSource":"aws:dynamodb","dynamodb":{"NewImage":{"x":{"Q":"1"}}}}]}`,
		`{"Records":[{"eventSource":"aws:dynamodb","dynamodb":{"NewImage":{"x":null}}}]}`,
		`{"Records":[{"eventSource":"aws:sqs"}]}`,
	} {
		if _, err := a.Invoke(lambdaCtx(), []byte(p)); err == nil {
			t.Errorf("%s: no error", p)
		} else if !strings.Contains(err.Error(), "lambda:") {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func TestStreamEventFromStreamsAPI(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC)
	rec := streamtypes.Record{
		AwsRegion: aws.String("us-east-1"), EventID: aws.String("e1"), EventName: streamtypes.OperationTypeRemove,
		EventSource: aws.String("aws:dynamodb"), EventVersion: aws.String("1.1"),
		Dynamodb: &streamtypes.StreamRecord{
			ApproximateCreationDateTime: &at,
			Keys:                        map[string]streamtypes.AttributeValue{"pk": &streamtypes.AttributeValueMemberS{Value: "a"}},
			OldImage: map[string]streamtypes.AttributeValue{
				"pk": &streamtypes.AttributeValueMemberS{Value: "a"},
				"l":  &streamtypes.AttributeValueMemberL{Value: []streamtypes.AttributeValue{&streamtypes.AttributeValueMemberN{Value: "1"}, &streamtypes.AttributeValueMemberNULL{Value: true}}},
			},
			SequenceNumber: aws.String("000000000000000000001"), SizeBytes: aws.Int64(12), StreamViewType: streamtypes.StreamViewTypeOldImage,
		},
		UserIdentity: &streamtypes.Identity{PrincipalId: aws.String("dynamodb.amazonaws.com"), Type: aws.String("Service")},
	}
	ev := lambda.StreamEvent("arn:stream", []streamtypes.Record{rec})
	if len(ev.Records) != 1 {
		t.Fatalf("%d records", len(ev.Records))
	}
	r := ev.Records[0]
	if r.EventSourceArn != "arn:stream" || r.EventName != "REMOVE" || r.Change.SequenceNumber != "000000000000000000001" ||
		r.Change.SizeBytes != 12 || r.UserIdentity == nil || r.UserIdentity.Type != "Service" {
		t.Fatalf("record %+v", r)
	}
	if got := r.Change.ApproximateCreationDateTime.Time; !got.Equal(at.Truncate(time.Second)) {
		t.Fatalf("time %v, want whole seconds", got)
	}
	l := r.Change.OldImage["l"].List()
	if len(l) != 2 || l[0].Number() != "1" || !l[1].IsNull() {
		t.Fatalf("list %v", l)
	}
}
