package bench

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Every workload uses one table layout: pk/sk strings, and a GSI "board"
// whose sort key gsk is a number (a leaderboard: top-N by score).
const (
	tableName  = "bench"
	boardIndex = "board"
	boardPK    = "BOARD"
	partPK     = "P#0"
	startBal   = 1_000_000
)

func createTable(ctx context.Context, c Client) error {
	s := func(name string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
	}
	key := func(hash, rng string) []types.KeySchemaElement {
		return []types.KeySchemaElement{
			{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange},
		}
	}
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(tableName),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			s("pk"), s("sk"), s("gpk"),
			{AttributeName: aws.String("gsk"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: key("pk", "sk"),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String(boardIndex),
			KeySchema:  key("gpk", "gsk"),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	return err
}

// Kind is the shape of a seeded table.
type Kind int

const (
	// Empty is a table with no items.
	Empty Kind = iota
	// Users is N profiles, one partition each, all on one leaderboard whose
	// scores are distinct 6-digit numbers (100000…), so that string order and
	// numeric order agree.
	Users
	// MixedUsers is Users with scores that straddle 10,000 (4 and 5 digits),
	// where string order and numeric order disagree.
	MixedUsers
	// Partition is N items in one partition, sort keys S#000000, S#000001, ….
	Partition
)

// A Fixture names the data a workload runs on. Workloads with equal fixtures
// share one seeded table per contender; Copy gives a workload its own.
type Fixture struct {
	Kind Kind
	N    int
	Copy string
}

func (f Fixture) String() string {
	name := [...]string{"empty", "users", "mixed-users", "partition"}[f.Kind]
	s := fmt.Sprintf("%s(%d)", name, f.N)
	if f.Copy != "" {
		s += "#" + f.Copy
	}
	return s
}

// stride permutes 0…n-1 (i*stride mod n) so scores are not in key order.
func stride(n int) int {
	for _, p := range []int{7919, 7927, 7933} {
		if n%p != 0 {
			return p
		}
	}
	return 1
}

func perm(n, i int) int { return int(int64(i) * int64(stride(n)) % int64(n)) }

// score is user i's leaderboard score in a table of n users.
func score(k Kind, n, i int) int64 {
	if k == MixedUsers {
		return int64(10000 - n/2 + perm(n, i))
	}
	return int64(100000 + perm(n, i))
}

// topUsers returns the users with the k highest scores, highest first.
func topUsers(n, k int) []int {
	byRank := make([]int, n)
	for i := range n {
		byRank[perm(n, i)] = i
	}
	top := make([]int, 0, k)
	for r := n - 1; r >= 0 && len(top) < k; r-- {
		top = append(top, byRank[r])
	}
	return top
}

func userPK(i int) string                       { return fmt.Sprintf("U#%07d", i) }
func userName(i int) string                     { return "user-" + strconv.Itoa(i) }
func partSK(i int) string                       { return fmt.Sprintf("S#%06d", i) }
func userActive(i int) bool                     { return i%10 == 0 }
func activeUsers(n int) int                     { return (n + 9) / 10 }
func userKey(i int) item                        { return item{"pk": str(userPK(i)), "sk": str("PROFILE")} }
func str(s string) *types.AttributeValueMemberS { return &types.AttributeValueMemberS{Value: s} }
func num(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

type item = map[string]types.AttributeValue

func userItem(k Kind, n, i int) item {
	status := "idle"
	if userActive(i) {
		status = "active"
	}
	return item{
		"pk":     str(userPK(i)),
		"sk":     str("PROFILE"),
		"gpk":    str(boardPK),
		"gsk":    num(score(k, n, i)),
		"name":   str(userName(i)),
		"status": str(status),
		"cnt":    num(0),
		"bal":    num(startBal),
		"v":      num(0),
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

// seed creates the table and puts the fixture's items through PutItem, the
// way a test suite would (minidyn's with its re-sorts deferred: see
// deferSorts). logf, if not nil, reports progress on big tables.
func seed(ctx context.Context, c Client, f Fixture, logf func(string, ...any)) error {
	if err := createTable(ctx, c); err != nil {
		return fmt.Errorf("CreateTable: %w", err)
	}
	fast := newDeferSorts(c)
	if fast != nil {
		defer fast.done()
	}
	start, last := time.Now(), time.Now()
	for i := range f.N {
		var it item
		switch f.Kind {
		case Users, MixedUsers:
			it = userItem(f.Kind, f.N, i)
		case Partition:
			it = partItem(i)
		}
		if fast != nil {
			fast.before()
		}
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tableName), Item: it})
		if fast != nil {
			fast.after()
		}
		if err != nil {
			return fmt.Errorf("PutItem %d: %w", i, err)
		}
		if logf != nil && time.Since(last) > 10*time.Second {
			logf("  … %d/%d items in %v", i+1, f.N, time.Since(start).Round(time.Millisecond))
			last = time.Now()
		}
	}
	return nil
}

// Answer checking helpers: each returns a description of the difference.

func getS(it item, name string) (string, bool) {
	v, ok := it[name].(*types.AttributeValueMemberS)
	if !ok {
		return "", false
	}
	return v.Value, true
}

func getN(it item, name string) (int64, bool) {
	v, ok := it[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	if n, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
		return n, true
	}
	r, ok := new(big.Rat).SetString(v.Value)
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

func wantS(it item, name, want string) error {
	if got, ok := getS(it, name); !ok || got != want {
		return fmt.Errorf("%s = %s, want %q", name, show(it[name]), want)
	}
	return nil
}

func wantN(it item, name string, want int64) error {
	if got, ok := getN(it, name); !ok || got != want {
		return fmt.Errorf("%s = %s, want %d", name, show(it[name]), want)
	}
	return nil
}

// wantAll returns the first error among errs.
func wantAll(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func show(v types.AttributeValue) string {
	switch v := v.(type) {
	case nil:
		return "<missing>"
	case *types.AttributeValueMemberS:
		return strconv.Quote(v.Value)
	case *types.AttributeValueMemberN:
		return v.Value
	default:
		return fmt.Sprintf("%T", v)
	}
}
