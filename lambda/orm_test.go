package lambda_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/monotable/monotable/lambda"
	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

type GameScore struct {
	_       orm.Entity `entity:"score" pk:"GAME#{Game}" sk:"PLAYER#{Player}"`
	Game    string     `dynamo:"game" json:"game" path:"game" validate:"required,max=64"`
	Player  string     `dynamo:"player" json:"player" path:"player" validate:"required"`
	Points  int64      `dynamo:"points" json:"points" validate:"gte=0"`
	Expires time.Time  `dynamo:"expires,unixtime" json:"-" orm:"ttl"`
	Version int64      `dynamo:"v" json:"version" orm:"version"`
}

type ormFixture struct {
	db     *ormtest.DB
	clock  *ormtest.Clock
	table  *orm.Table
	scores *orm.Model[GameScore]
}

func newORM(t *testing.T) *ormFixture {
	clock := ormtest.NewClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	db := ormtest.New(t, ormtest.WithClock(clock))
	table := orm.NewTable(db, "app", orm.WithClock(clock.Now), orm.WithStream(types.StreamViewTypeNewAndOldImages))
	scores := orm.MustRegister[GameScore](table)
	if err := table.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &ormFixture{db, clock, table, scores}
}

// TestORMErrors serves the orm's real errors from handlers.
func TestORMErrors(t *testing.T) {
	f := newORM(t)
	a := lambda.New(quiet(t))
	a.Route("GET /games/{game}/scores/{player}", lambda.Handle(func(ctx context.Context, in GameScore) (GameScore, error) {
		return f.scores.Get(ctx, in)
	}))
	a.Route("PUT /games/{game}/scores/{player}", lambda.Handle(func(ctx context.Context, in GameScore) (GameScore, error) {
		err := f.scores.Put(ctx, &in)
		return in, err
	}))
	a.Route("POST /games/{game}/scores/{player}", lambda.Handle(func(ctx context.Context, in GameScore) (GameScore, error) {
		in.Points = -5 // the handler breaks the model: the orm refuses to write it
		err := f.scores.Put(ctx, &in)
		return in, err
	}))
	put := func(body string) resp {
		return doV2(t, a, req{method: "PUT", path: "/games/chess/scores/ann", header: http.Header{"Content-Type": {"application/json"}}, body: []byte(body)})
	}
	if got := doV2(t, a, req{method: "GET", path: "/games/chess/scores/ann"}); got.status != 404 {
		t.Errorf("missing item: %d %s", got.status, got.body)
	}
	if got := put(`{"points":10}`); got.status != 200 || string(got.body) != `{"game":"chess","player":"ann","points":10,"version":1}` {
		t.Errorf("create: %d %s", got.status, got.body)
	}
	if got := put(`{"points":20,"version":1}`); got.status != 200 {
		t.Errorf("update: %d %s", got.status, got.body)
	}
	got := put(`{"points":30,"version":1}`)
	if got.status != 409 {
		t.Errorf("stale version: %d %s", got.status, got.body)
	} else if p := got.problem(t); p.Detail != "the item was changed by another request; reload it and retry" {
		t.Errorf("stale version problem %+v", p)
	}
	got = doV2(t, a, req{method: "POST", path: "/games/chess/scores/bo", body: []byte(`{}`)})
	if got.status != 422 {
		t.Fatalf("invalid model: %d %s", got.status, got.body)
	}
	p := got.problem(t)
	want := []lambda.FieldError{{Name: "points", In: "body", Reason: "must be at least 0", Rule: "gte"}}
	if !reflect.DeepEqual(p.Errors, want) {
		t.Errorf("errors %+v, want %+v", p.Errors, want)
	}
}

func TestORMErrorMapping(t *testing.T) {
	tests := []struct {
		err    error
		status int
	}{
		{&orm.ConditionError{Op: "put", Entity: "score", Kind: orm.KindVersion}, 409},
		{&orm.ConditionError{Op: "put", Entity: "score", Kind: orm.KindExists}, 409},
		{&orm.ConditionError{Op: "update", Entity: "score", Kind: orm.KindNotFound}, 404},
		{&orm.ConditionError{Op: "put", Entity: "score", Kind: orm.KindUnique}, 409},
		{&orm.TxError{Reasons: []orm.Reason{{Kind: orm.KindNone}, {Kind: orm.KindConflict}}}, 409},
		{&orm.TxError{Reasons: []orm.Reason{{Kind: orm.KindVersion}, {Kind: orm.KindThrottled}}}, 503},
		{&orm.TxError{Reasons: []orm.Reason{{Kind: orm.KindNotFound}, {Kind: orm.KindVersion}}}, 409},
		{fmt.Errorf("get: %w", orm.ErrNotFound), 404},
		{orm.ErrInvalidCursor, 400},
		{orm.ErrIncompleteKey, 500},
	}
	for _, tt := range tests {
		a := lambda.New(quiet(t))
		a.Route("GET /x", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { lambda.WriteError(w, r, tt.err) }))
		if got := doV1(t, a, req{method: "GET", path: "/x"}); got.status != tt.status {
			t.Errorf("%v: status %d, want %d", tt.err, got.status, tt.status)
		}
	}
}

// TestORMStream runs the store's own change log through the app: records
// as DynamoDB Streams delivers them, decoded by the orm's model, the TTL
// deletions made by the store's sweeper marked as expired.
func TestORMStream(t *testing.T) {
	ctx := context.Background()
	f := newORM(t)
	reader, err := f.db.SubscribeStream("app", false)
	if err != nil {
		t.Fatal(err)
	}
	a := lambda.New(quiet(t))
	var seen []string
	lambda.OnChange(a, f.scores, func(ctx context.Context, c lambda.Change[GameScore]) error {
		line := c.Event
		if c.Old != nil {
			line += fmt.Sprintf(" old=%s:%d", c.Old.Player, c.Old.Points)
		}
		if c.New != nil {
			line += fmt.Sprintf(" new=%s:%d", c.New.Player, c.New.Points)
		}
		if c.Expired {
			line += " expired"
		}
		seen = append(seen, line)
		return nil
	})
	ann := GameScore{Game: "chess", Player: "ann", Points: 10}
	must(t, f.scores.Put(ctx, &ann))
	ann.Points = 15
	must(t, f.scores.Put(ctx, &ann))
	bo := GameScore{Game: "chess", Player: "bo", Points: 3, Expires: f.clock.Now().Add(time.Hour)}
	must(t, f.scores.Put(ctx, &bo))
	must(t, f.scores.Delete(ctx, GameScore{Game: "chess", Player: "ann"}))
	f.clock.Advance(2 * time.Hour)
	f.db.SweepExpired()

	ev := eventOf(t, reader.TryRead(100))
	resp, err := a.ServeStream(ctx, ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("resp %+v, err %v", resp, err)
	}
	want := []string{
		"INSERT new=ann:10",
		"MODIFY old=ann:10 new=ann:15",
		"INSERT new=bo:3",
		"REMOVE old=ann:15",
		"REMOVE old=bo:3 expired",
	}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("seen\n %q\nwant\n %q", seen, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// eventOf turns DynamoDB Streams API records into the event Lambda's
// event source mapping delivers, through its JSON form, as Lambda does.
func eventOf(t *testing.T, recs []streamtypes.Record) events.DynamoDBEvent {
	type rec struct {
		EventID      string                `json:"eventID"`
		EventName    string                `json:"eventName"`
		EventSource  string                `json:"eventSource"`
		EventVersion string                `json:"eventVersion"`
		AWSRegion    string                `json:"awsRegion"`
		UserIdentity *streamtypes.Identity `json:"userIdentity,omitempty"`
		Dynamodb     map[string]any        `json:"dynamodb"`
	}
	var out struct {
		Records []rec `json:"Records"`
	}
	for _, r := range recs {
		d := map[string]any{
			"SequenceNumber": aws.ToString(r.Dynamodb.SequenceNumber),
			"StreamViewType": string(r.Dynamodb.StreamViewType),
			"Keys":           jsonItem(r.Dynamodb.Keys),
		}
		if r.Dynamodb.NewImage != nil {
			d["NewImage"] = jsonItem(r.Dynamodb.NewImage)
		}
		if r.Dynamodb.OldImage != nil {
			d["OldImage"] = jsonItem(r.Dynamodb.OldImage)
		}
		out.Records = append(out.Records, rec{
			EventID: aws.ToString(r.EventID), EventName: string(r.EventName), EventSource: aws.ToString(r.EventSource),
			EventVersion: aws.ToString(r.EventVersion), AWSRegion: aws.ToString(r.AwsRegion), UserIdentity: r.UserIdentity, Dynamodb: d,
		})
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(jsonIdentity.Replace(string(b)))
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// The SDK's Identity marshals with Go field names.
var jsonIdentity = strings.NewReplacer(`"PrincipalId":`, `"principalId":`, `"Type":`, `"type":`)

func jsonItem(item map[string]streamtypes.AttributeValue) map[string]any {
	out := make(map[string]any, len(item))
	for k, v := range item {
		out[k] = jsonValue(v)
	}
	return out
}

func jsonValue(v streamtypes.AttributeValue) map[string]any {
	switch x := v.(type) {
	case *streamtypes.AttributeValueMemberS:
		return map[string]any{"S": x.Value}
	case *streamtypes.AttributeValueMemberN:
		return map[string]any{"N": x.Value}
	case *streamtypes.AttributeValueMemberB:
		return map[string]any{"B": x.Value}
	case *streamtypes.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": x.Value}
	case *streamtypes.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}
	case *streamtypes.AttributeValueMemberSS:
		return map[string]any{"SS": x.Value}
	case *streamtypes.AttributeValueMemberNS:
		return map[string]any{"NS": x.Value}
	case *streamtypes.AttributeValueMemberBS:
		return map[string]any{"BS": x.Value}
	case *streamtypes.AttributeValueMemberL:
		l := make([]any, len(x.Value))
		for i, e := range x.Value {
			l[i] = jsonValue(e)
		}
		return map[string]any{"L": l}
	case *streamtypes.AttributeValueMemberM:
		return map[string]any{"M": jsonItem(x.Value)}
	}
	panic(fmt.Sprintf("unknown attribute value %T", v))
}

// TestORMThrottled drives a provisioned table past its capacity: the
// store throttles, the orm says so, the client is told to come back.
func TestORMThrottled(t *testing.T) {
	ctx := context.Background()
	clock := ormtest.NewClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) // stopped: capacity never refills
	db := ormtest.New(t, ormtest.WithThrottling(time.Millisecond), ormtest.WithClock(clock))
	table := orm.NewTable(db, "app", orm.WithClock(clock.Now))
	scores := orm.MustRegister[GameScore](table)
	in := table.CreateTableInput()
	in.BillingMode = types.BillingModeProvisioned
	in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}
	if _, err := db.CreateTable(ctx, in); err != nil {
		t.Fatal(err)
	}
	a := lambda.New(quiet(t))
	a.Route("PUT /games/{game}/scores/{player}", lambda.Handle(func(ctx context.Context, in GameScore) (GameScore, error) {
		err := scores.Put(ctx, &in)
		return in, err
	}))
	for i := range 50 {
		got := doV2(t, a, req{method: "PUT", path: fmt.Sprintf("/games/chess/scores/p%d", i), body: []byte(`{"points":1}`)})
		if got.status == http.StatusOK {
			continue
		}
		if got.status != http.StatusServiceUnavailable || got.header.Get("Retry-After") != "1" {
			t.Fatalf("status %d, Retry-After %q: %s", got.status, got.header.Get("Retry-After"), got.body)
		}
		return
	}
	t.Fatal("the table never throttled")
}
