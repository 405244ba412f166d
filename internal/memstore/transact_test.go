package memstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func newAccounts(t *testing.T, s *Store, n, balance int) {
	t.Helper()
	ctx := context.Background()
	_, err := s.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("accounts"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		_, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("accounts"), Item: map[string]types.AttributeValue{
			"id":      &types.AttributeValueMemberS{Value: fmt.Sprint("acct", i)},
			"balance": &types.AttributeValueMemberN{Value: strconv.Itoa(balance)},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func transfer(from, to string, amount int) *dynamodb.TransactWriteItemsInput {
	amt := &types.AttributeValueMemberN{Value: strconv.Itoa(amount)}
	return &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{
			TableName:                 aws.String("accounts"),
			Key:                       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: from}},
			UpdateExpression:          aws.String("SET balance = balance - :a"),
			ConditionExpression:       aws.String("balance >= :a"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":a": amt},
		}},
		{Update: &types.Update{
			TableName:                 aws.String("accounts"),
			Key:                       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: to}},
			UpdateExpression:          aws.String("SET balance = balance + :a"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":a": amt},
		}},
	}}
}

// TestConcurrentTransfers moves money between accounts from many goroutines
// while readers take transactional snapshots: the total never changes and
// no balance goes negative, at any moment.
func TestConcurrentTransfers(t *testing.T) {
	const accounts, start, workers, transfers = 8, 100, 8, 300
	s := New()
	newAccounts(t, s, accounts, start)
	ctx := context.Background()

	var get dynamodb.TransactGetItemsInput
	for i := 0; i < accounts; i++ {
		get.TransactItems = append(get.TransactItems, types.TransactGetItem{Get: &types.Get{
			TableName: aws.String("accounts"),
			Key:       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: fmt.Sprint("acct", i)}},
		}})
	}
	check := func() error {
		out, err := s.TransactGetItems(ctx, &get)
		var tce *types.TransactionCanceledException
		for errors.As(err, &tce) && hasCode(tce, "TransactionConflict") {
			out, err = s.TransactGetItems(ctx, &get)
		}
		if err != nil {
			return err
		}
		total := 0
		for _, r := range out.Responses {
			n, _ := strconv.Atoi(r.Item["balance"].(*types.AttributeValueMemberN).Value)
			if n < 0 {
				return fmt.Errorf("negative balance %d", n)
			}
			total += n
		}
		if total != accounts*start {
			return fmt.Errorf("total %d, want %d", total, accounts*start)
		}
		return nil
	}

	var wg sync.WaitGroup
	errc := make(chan error, workers+2)
	done := make(chan struct{})
	var cancels, commits sync.Map
	var conflicts atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 99))
			for i := 0; i < transfers; i++ {
				from, to := r.IntN(accounts), r.IntN(accounts)
				if from == to {
					continue
				}
				in := transfer(fmt.Sprint("acct", from), fmt.Sprint("acct", to), 1+r.IntN(60))
			retry:
				_, err := s.TransactWriteItems(ctx, in)
				var tce *types.TransactionCanceledException
				switch {
				case err == nil:
					commits.Store(fmt.Sprint(w, i), true)
				case errors.As(err, &tce) && hasCode(tce, "TransactionConflict"):
					conflicts.Add(1)
					runtime.Gosched()
					goto retry // as a client retries a conflict
				case errors.As(err, &tce):
					if aws.ToString(tce.CancellationReasons[0].Code) != "ConditionalCheckFailed" || aws.ToString(tce.CancellationReasons[1].Code) != "None" {
						errc <- fmt.Errorf("unexpected reasons %v", tce.CancellationReasons)
						return
					}
					cancels.Store(fmt.Sprint(w, i), true)
				default:
					errc <- err
					return
				}
			}
		}(w)
	}
	var readers sync.WaitGroup
	for rd := 0; rd < 2; rd++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if err := check(); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if err := check(); err != nil {
		t.Fatal(err)
	}
	n := 0
	cancels.Range(func(any, any) bool { n++; return true })
	if n == 0 {
		t.Fatal("no transfer was ever cancelled: the condition was not exercised")
	}
	t.Logf("%d condition cancellations, %d conflicts retried", n, conflicts.Load())
}

func TestTransactWriteCancellation(t *testing.T) {
	s := New()
	newAccounts(t, s, 2, 10)
	ctx := context.Background()
	in := transfer("acct0", "acct1", 50)
	in.TransactItems[0].Update.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	_, err := s.TransactWriteItems(ctx, in)
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("got %v, want TransactionCanceledException", err)
	}
	want := "operation error DynamoDB: TransactWriteItems, https response error StatusCode: 400, RequestID: "
	if got := err.Error(); len(got) < len(want) || got[:len(want)] != want {
		t.Fatalf("error string %q does not look like the SDK's", got)
	}
	if msg := aws.ToString(tce.Message); msg != "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]" {
		t.Fatalf("message %q", msg)
	}
	if got := tce.CancellationReasons[0].Item["balance"].(*types.AttributeValueMemberN).Value; got != "10" {
		t.Fatalf("reason item balance %s, want 10", got)
	}
	if tce.CancellationReasons[1].Item != nil {
		t.Fatal("second reason carries an item")
	}

	// Two actions on one item.
	dup := transfer("acct0", "acct0", 1)
	_, err = s.TransactWriteItems(ctx, dup)
	if err == nil || !containsMsg(err, "Transaction request cannot include multiple operations on one item") {
		t.Fatalf("got %v", err)
	}
}

func TestTransactIdempotency(t *testing.T) {
	s := New()
	newAccounts(t, s, 2, 10)
	ctx := context.Background()
	in := transfer("acct0", "acct1", 3)
	in.ClientRequestToken = aws.String("token-1")
	for i := 0; i < 3; i++ {
		if _, err := s.TransactWriteItems(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("accounts"), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "acct0"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Item["balance"].(*types.AttributeValueMemberN).Value; got != "7" {
		t.Fatalf("balance after 3 retries of one token = %s, want 7 (applied once)", got)
	}
	other := transfer("acct0", "acct1", 4)
	other.ClientRequestToken = aws.String("token-1")
	_, err = s.TransactWriteItems(ctx, other)
	var mismatch *types.IdempotentParameterMismatchException
	if !errors.As(err, &mismatch) {
		t.Fatalf("got %v, want IdempotentParameterMismatchException", err)
	}
}

func hasCode(e *types.TransactionCanceledException, code string) bool {
	for _, r := range e.CancellationReasons {
		if aws.ToString(r.Code) == code {
			return true
		}
	}
	return false
}

func containsMsg(err error, msg string) bool {
	return err != nil && errorMessage(err) == msg
}

// TestTransactionConflict: while a transaction holds an item, another
// transaction on it is cancelled with TransactionConflict and a plain write
// gets TransactionConflictException, as on DynamoDB.
func TestTransactionConflict(t *testing.T) {
	s := New()
	newAccounts(t, s, 2, 10)
	tb, _ := s.table(aws.String("accounts"))
	key := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "acct0"}}
	owner := new(txOwner)
	ref := []itemRef{{t: tb, key: string(tb.keys.rowKey(nil, key))}}
	if busy := s.claims.claim(owner, ref); busy != nil {
		t.Fatal("claim failed")
	}
	ctx := context.Background()
	_, err := s.TransactWriteItems(ctx, transfer("acct1", "acct0", 1))
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || aws.ToString(tce.CancellationReasons[0].Code) != "None" ||
		aws.ToString(tce.CancellationReasons[1].Code) != "TransactionConflict" ||
		aws.ToString(tce.CancellationReasons[1].Message) != "Transaction is ongoing for the item" {
		t.Fatalf("got %v", err)
	}
	if msg := aws.ToString(tce.Message); msg != "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]" {
		t.Fatalf("message %q", msg)
	}
	_, err = s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("accounts"), Item: key})
	var conflict *types.TransactionConflictException
	if !errors.As(err, &conflict) {
		t.Fatalf("put on a claimed item: %v", err)
	}
	s.claims.release(owner, ref)
	if _, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("accounts"), Item: key}); err != nil {
		t.Fatalf("put after release: %v", err)
	}
}
