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

// newTable creates the app's single table in a fresh in-memory DynamoDB,
// with a Store on it: the Store registers its model before the table is
// created, as an app registers its models before rendering its schema.
func newTable(t testing.TB, clock *ormtest.Clock, layout orm.Layout, opts ...idempotency.Option) (*idempotency.Store, *ormtest.DB) {
	t.Helper()
	db := ormtest.New(t, ormtest.WithClock(clock))
	table := orm.NewTable(db, "app", layout, orm.WithClock(clock.Now))
	s, err := idempotency.New(table, append([]idempotency.Option{idempotency.WithClock(clock.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := table.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, db
}

type order struct {
	ID    string `json:"id"`
	Total int    `json:"total"`
}

func setup(t testing.TB, opts ...idempotency.Option) (*idempotency.Store, *ormtest.Clock) {
	clock := ormtest.NewClock(time.Now().Truncate(time.Second))
	s, _ := newTable(t, clock, orm.Layout{}, opts...)
	return s, clock
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

// TestHashOnlyTable: the table's layout names the attributes, here a
// table without a sort key and with its own TTL attribute.
func TestHashOnlyTable(t *testing.T) {
	clock := ormtest.NewClock(time.Now())
	s, db := newTable(t, clock, orm.Layout{SK: "-", TTL: "expires_at"})
	for range 2 {
		if v, err := idempotency.Do(context.Background(), s, "k", nil, func(context.Context) (int, error) { return 1, nil }); v != 1 || err != nil {
			t.Fatalf("%v %v", v, err)
		}
	}
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("app"),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "IDEMPOTENCY#k"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := out.Item["expires_at"]; !ok || out.Item["type"].(*types.AttributeValueMemberS).Value != "idempotency" {
		t.Errorf("record %v", out.Item)
	}
}

// TestExpiredNotSwept: a record past its TTL that DynamoDB has not
// deleted yet is replaced by the next claim, completed or in progress.
func TestExpiredNotSwept(t *testing.T) {
	ctx := context.Background()
	s, clock := setup(t, idempotency.WithExpiry(time.Minute), idempotency.WithInProgressTimeout(time.Hour))
	n := 0
	run := func(context.Context) (int, error) { n++; return n, nil }
	if v, _ := idempotency.Do(ctx, s, "k", "a", run); v != 1 {
		t.Fatalf("first: %d", v)
	}
	clock.Advance(time.Minute) // TTL reached: expired from this second on
	if v, err := idempotency.Do(ctx, s, "k", "b", run); v != 2 || err != nil {
		t.Errorf("after expiry, other payload: %d %v", v, err)
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
	table := orm.NewTable(ormtest.NewDB(), "app")
	store, err := idempotency.New(table) // registers its model on the app's table
	if err != nil {
		panic(err)
	}
	table.Create(context.Background())

	charge := func(ctx context.Context, requestID string, amount int) (string, error) {
		return idempotency.Do(ctx, store, requestID, amount, func(ctx context.Context) (string, error) {
			fmt.Println("charging", amount)
			return "receipt-1", nil
		})
	}
	for range 3 {
		fmt.Println(charge(context.Background(), "req-42", 100))
	}
	_, err = charge(context.Background(), "req-42", 200)
	fmt.Println(err)
	// Output:
	// charging 100
	// receipt-1 <nil>
	// receipt-1 <nil>
	// receipt-1 <nil>
	// idempotency: the key was used with a different payload
}

// countingDB counts the reads an operation makes.
type countingDB struct {
	*ormtest.DB
	gets atomic.Int32
}

func (c *countingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.gets.Add(1)
	return c.DB.GetItem(ctx, in, opts...)
}

// TestNoExtraRead: a refused claim reads the record from the refusal, so
// a replay, a mismatch and an in-progress answer each cost one request.
func TestNoExtraRead(t *testing.T) {
	ctx := context.Background()
	db := &countingDB{DB: ormtest.New(t)}
	table := orm.NewTable(db, "app")
	s, err := idempotency.New(table)
	if err != nil {
		t.Fatal(err)
	}
	if err := table.Create(ctx); err != nil {
		t.Fatal(err)
	}
	run := func(context.Context) (int, error) { return 1, nil }
	idempotency.Do(ctx, s, "k", "a", run)
	if v, err := idempotency.Do(ctx, s, "k", "a", run); v != 1 || err != nil {
		t.Fatalf("replay: %v %v", v, err)
	}
	if _, err := idempotency.Do(ctx, s, "k", "b", run); !errors.Is(err, idempotency.ErrPayloadMismatch) {
		t.Fatalf("mismatch: %v", err)
	}
	if n := db.gets.Load(); n != 0 {
		t.Errorf("%d GetItem requests, want 0", n)
	}
}
