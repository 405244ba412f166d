package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/lambda"
	"github.com/monotable/monotable/lambda/idempotency"
	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

// newTable creates the app's single table (pk, sk) in a fresh in-memory
// DynamoDB.
func newTable(t testing.TB, clock *ormtest.Clock, hashOnly bool) *ormtest.DB {
	t.Helper()
	db := ormtest.New(t, ormtest.WithClock(clock))
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String("app"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	}
	if !hashOnly {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange})
	}
	if _, err := db.CreateTable(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return db
}

type order struct {
	ID    string `json:"id"`
	Total int    `json:"total"`
}

func setup(t testing.TB, opts ...idempotency.Option) (*idempotency.Store, *ormtest.Clock) {
	clock := ormtest.NewClock(time.Now().Truncate(time.Second))
	db := newTable(t, clock, false)
	return idempotency.New(db, "app", append([]idempotency.Option{idempotency.WithClock(clock.Now)}, opts...)...), clock
}

func TestDo(t *testing.T) {
	ctx := context.Background()
	s, clock := setup(t, idempotency.WithExpiry(10*time.Minute))
	var runs atomic.Int32
	place := func(ctx context.Context) (order, error) {
		n := runs.Add(1)
		return order{ID: fmt.Sprint("o", n), Total: 30}, nil
	}
	payload := map[string]int{"total": 30}

	first, err := idempotency.Do(ctx, s, "k1", payload, place)
	if err != nil || first.ID != "o1" {
		t.Fatalf("first: %v %v", first, err)
	}
	again, err := idempotency.Do(ctx, s, "k1", payload, place)
	if err != nil || again != first || runs.Load() != 1 {
		t.Errorf("replay: %v %v, runs %d", again, err, runs.Load())
	}
	if _, err := idempotency.Do(ctx, s, "k1", map[string]int{"total": 31}, place); !errors.Is(err, idempotency.ErrPayloadMismatch) {
		t.Errorf("other payload: %v", err)
	}
	if other, _ := idempotency.Do(ctx, s, "k2", payload, place); other.ID != "o2" {
		t.Errorf("other key: %v", other)
	}
	clock.Advance(11 * time.Minute) // expired, even before DynamoDB's TTL deletes it
	if later, _ := idempotency.Do(ctx, s, "k1", payload, place); later.ID != "o3" {
		t.Errorf("after expiry: %v", later)
	}
}

func TestFailuresAreNotStored(t *testing.T) {
	ctx := context.Background()
	s, _ := setup(t)
	boom := errors.New("payment declined")
	if _, err := idempotency.Do(ctx, s, "k", nil, func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	func() {
		defer func() { recover() }()
		idempotency.Do(ctx, s, "k", nil, func(context.Context) (int, error) { panic("crash") })
	}()
	v, err := idempotency.Do(ctx, s, "k", nil, func(context.Context) (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Errorf("retry: %v %v", v, err)
	}
	if _, err := idempotency.Do(ctx, s, "", nil, func(context.Context) (int, error) { return 0, nil }); err == nil {
		t.Error("empty key accepted")
	}
}

// TestConcurrentDuplicates starts the same operation many times at once:
// one runs, the others are told it is in progress, and once it is done
// every caller gets its result.
func TestConcurrentDuplicates(t *testing.T) {
	ctx := context.Background()
	s, _ := setup(t)
	const n = 16
	var runs atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{})
	op := func(context.Context) (string, error) {
		runs.Add(1)
		close(started)
		<-release
		return "done", nil
	}
	var wg sync.WaitGroup
	results := make(chan error, n)
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err := idempotency.Do(ctx, s, "dup", "p", op)
		results <- err
	}()
	<-started
	var inProgress atomic.Int32
	for range n - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := idempotency.Do(ctx, s, "dup", "p", op)
			if errors.Is(err, idempotency.ErrInProgress) {
				inProgress.Add(1)
				return
			}
			results <- err
		}()
	}
	for inProgress.Load() < n-1 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(results)
	for err := range results {
		if err != nil {
			t.Error(err)
		}
	}
	if v, err := idempotency.Do(ctx, s, "dup", "p", op); v != "done" || err != nil || runs.Load() != 1 {
		t.Errorf("after: %q %v, runs %d", v, err, runs.Load())
	}
}

// TestInProgressExpiry: a claim lasts until the Lambda deadline of the
// invocation that made it; after that another invocation takes over, and
// the first one's late result does not overwrite the new owner's.
func TestInProgressExpiry(t *testing.T) {
	s, clock := setup(t)
	deadline := clock.Now().Add(3 * time.Second)
	ctx1, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	hold, holding := make(chan struct{}), make(chan struct{})
	first := make(chan string)
	go func() {
		v, _ := idempotency.Do(ctx1, s, "k", nil, func(context.Context) (string, error) {
			close(holding)
			<-hold
			return "first", nil
		})
		first <- v
	}()
	<-holding
	ctx := context.Background()
	run := func(context.Context) (string, error) { return "second", nil }
	if _, err := idempotency.Do(ctx, s, "k", nil, run); !errors.Is(err, idempotency.ErrInProgress) {
		t.Fatalf("before the deadline: %v", err)
	}
	clock.Advance(4 * time.Second)
	if v, err := idempotency.Do(ctx, s, "k", nil, run); v != "second" || err != nil {
		t.Fatalf("after the deadline: %q %v", v, err)
	}
	close(hold)
	if v := <-first; v != "first" {
		t.Errorf("first caller got %q", v)
	}
	if v, _ := idempotency.Do(ctx, s, "k", nil, run); v != "second" {
		t.Errorf("stored %q, want the new owner's result", v)
	}
}

func TestHashOnlyTable(t *testing.T) {
	clock := ormtest.NewClock(time.Now())
	db := newTable(t, clock, true)
	s := idempotency.New(db, "app", idempotency.WithAttributes(idempotency.Attributes{SK: "-", TTL: "expires"}))
	for range 2 {
		if v, err := idempotency.Do(context.Background(), s, "k", nil, func(context.Context) (int, error) { return 1, nil }); v != 1 || err != nil {
			t.Fatalf("%v %v", v, err)
		}
	}
	out, _ := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("app"),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "IDEMPOTENCY#k"}}})
	if _, ok := out.Item["expires"]; !ok || out.Item["type"].(*types.AttributeValueMemberS).Value != "idempotency" {
		t.Errorf("record %v", out.Item)
	}
}

func TestMiddleware(t *testing.T) {
	s, _ := setup(t)
	var runs atomic.Int32
	app := lambda.New(lambda.WithLogger(slog.New(slog.DiscardHandler)))
	app.Use(s.Middleware())
	app.Route("POST /orders", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) == "fail" {
			runs.Add(1)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		n := runs.Add(1)
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "secret"})
		w.Header().Set("Location", fmt.Sprint("/orders/", n))
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "order %d for %s", n, b)
	}))
	post := func(key, body string) events.APIGatewayV2HTTPResponse {
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/orders", Body: body, Headers: map[string]string{},
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST"}}}
		if key != "" {
			ev.Headers["idempotency-key"] = key
		}
		resp, _ := app.ServeV2(context.Background(), ev)
		return resp
	}
	first := post("a", "book")
	if first.StatusCode != 201 || first.Body != "order 1 for book" || len(first.Cookies) != 1 || first.Headers["Idempotent-Replayed"] != "" {
		t.Fatalf("first %+v", first)
	}
	replay := post("a", "book")
	if replay.StatusCode != 201 || replay.Body != first.Body || replay.Headers["Location"] != "/orders/1" ||
		replay.Headers["Idempotent-Replayed"] != "true" || len(replay.Cookies) != 0 {
		t.Errorf("replay %+v", replay)
	}
	if r := post("a", "pen"); r.StatusCode != 422 {
		t.Errorf("other body: %d %s", r.StatusCode, r.Body)
	}
	if r := post("", "book"); r.Body != "order 2 for book" {
		t.Errorf("no key: %s", r.Body)
	}
	for i := range 2 {
		if r := post("b", "fail"); r.StatusCode != 503 {
			t.Errorf("failure %d: %d", i, r.StatusCode)
		}
	}
	if runs.Load() != 4 {
		t.Errorf("%d runs, want 4: failures are not stored", runs.Load())
	}
	if r := post(strings.Repeat("k", 256), "book"); r.StatusCode != 400 {
		t.Errorf("long key: %d", r.StatusCode)
	}
}

// Do runs an operation once per key; retries get the first result.
func ExampleDo() {
	db := ormtest.NewDB()
	db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String("app"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
	})
	store := idempotency.New(db, "app")

	charge := func(ctx context.Context, requestID string, amount int) (string, error) {
		return idempotency.Do(ctx, store, requestID, amount, func(ctx context.Context) (string, error) {
			fmt.Println("charging", amount)
			return "receipt-1", nil
		})
	}
	for range 3 {
		fmt.Println(charge(context.Background(), "req-42", 100))
	}
	_, err := charge(context.Background(), "req-42", 200)
	fmt.Println(err)
	// Output:
	// charging 100
	// receipt-1 <nil>
	// receipt-1 <nil>
	// receipt-1 <nil>
	// idempotency: the key was used with a different payload
}

// The orm's client contract is a superset of the Store's: a Store runs on
// whatever an orm.Table runs on.
var _ idempotency.Client = orm.Client(nil)
