package httpbench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/bench"
)

// One table holds every workload's data: Size users (one partition each)
// and a Size-item partition for the Query.
const (
	tableName = "httpbench"
	partPK    = "P#0"
)

type item = map[string]types.AttributeValue

func userPK(u int) string   { return fmt.Sprintf("U#%07d", u) }
func userName(u int) string { return "user-" + strconv.Itoa(u) }
func partSK(i int) string   { return fmt.Sprintf("S#%06d", i) }
func userKey(u int) item    { return item{"pk": str(userPK(u)), "sk": str("PROFILE")} }

// score is user u's score: a number that is not its key.
func score(u int) int64 { return 100_000 + int64(u)*7919%1_000_003 }

func str(s string) *types.AttributeValueMemberS { return &types.AttributeValueMemberS{Value: s} }
func num(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// userItem is user u as seeded, and as PutItem rewrites it with version v.
func userItem(u int, v int64) item {
	return item{
		"pk":     str(userPK(u)),
		"sk":     str("PROFILE"),
		"name":   str(userName(u)),
		"score":  num(score(u)),
		"status": str([]string{"active", "idle"}[min(u%10, 1)]),
		"email":  str(userName(u) + "@example.com"),
		"cnt":    num(0),
		"v":      num(v),
	}
}

func partItem(i int) item {
	return item{
		"pk":   str(partPK),
		"sk":   str(partSK(i)),
		"n":    num(int64(i)),
		"data": str("payload-" + strconv.Itoa(i)),
	}
}

// createTable creates the table and waits until it is ACTIVE (dynalite
// keeps a new table CREATING for half a second).
func createTable(ctx context.Context, c *dynamodb.Client) error {
	s := func(name string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
	}
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(tableName),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{s("pk"), s("sk")},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		return fmt.Errorf("CreateTable: %w", err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tableName)})
		if err != nil {
			return fmt.Errorf("DescribeTable: %w", err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("table still %s after 30s", out.Table.TableStatus)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// seed creates the table and writes size users and a size-item partition
// through BatchWriteItem (25 items a request, 4 at a time), resending
// unprocessed items.
func seed(ctx context.Context, c *dynamodb.Client, size int) error {
	if err := createTable(ctx, c); err != nil {
		return err
	}
	batches := make(chan []types.WriteRequest)
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for b := range batches {
				if err := writeBatch(ctx, c, b); err != nil {
					errs <- err
					for range batches { // drain: the sender must not block
					}
					return
				}
			}
		})
	}
	var batch []types.WriteRequest
	put := func(it item) {
		batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		if len(batch) == 25 {
			batches <- batch
			batch = nil
		}
	}
	for u := range size {
		put(userItem(u, 0))
	}
	for i := range size {
		put(partItem(i))
	}
	if len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	wg.Wait()
	close(errs)
	return <-errs // nil if none
}

func writeBatch(ctx context.Context, c *dynamodb.Client, reqs []types.WriteRequest) error {
	for try := 0; len(reqs) > 0; try++ {
		if try == 20 {
			return fmt.Errorf("BatchWriteItem: %d items still unprocessed after %d tries", len(reqs), try)
		}
		out, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{tableName: reqs}})
		if err != nil {
			return fmt.Errorf("BatchWriteItem: %w", err)
		}
		reqs = out.UnprocessedItems[tableName]
	}
	return nil
}

// Answer checks: each returns a description of the difference. Numbers
// must come back as plain integers (the service's canonical form), so
// getN is stricter than the in-process suite's; the rest is bench's.

func getN(it item, name string) (int64, bool) {
	v, ok := it[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	return n, err == nil
}

func wantN(it item, name string, want int64) error {
	if got, ok := getN(it, name); !ok || got != want {
		return fmt.Errorf("%s = %s, want %d", name, bench.Show(it[name]), want)
	}
	return nil
}

// checkUser checks the attributes no workload changes.
func checkUser(it item, u int) error {
	if it == nil {
		return fmt.Errorf("user %d: no item", u)
	}
	if err := bench.WantAll(bench.WantS(it, "pk", userPK(u)), bench.WantS(it, "sk", "PROFILE"),
		bench.WantS(it, "name", userName(u)), wantN(it, "score", score(u))); err != nil {
		return fmt.Errorf("user %d: %w", u, err)
	}
	return nil
}
