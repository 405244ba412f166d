package httpbench

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/bench"
)

// A Workload is one row of the report: one kind of request, sent by
// concurrent workers against the seeded table.
type Workload struct {
	ID   string // for -run
	Name string // the row label
	// New returns worker w of workers, bound to one contender's client. A
	// worker's state lasts the whole run, across rounds.
	New func(c *dynamodb.Client, size, w, workers int) Worker
}

// A Worker sends one request at a time, from one goroutine.
type Worker interface {
	// Begin starts round r (-1: the warm-up). Both contenders get the same
	// request sequence per worker and round.
	Begin(r int)
	// Next prepares the next request (untimed).
	Next()
	// Do sends it (timed).
	Do(ctx context.Context) (any, error)
	// Check reports whether the answer was right (untimed).
	Check(out any, err error) error
	// End reads back the round's effects (untimed).
	End(ctx context.Context) error
}

// Workloads are the suite, in report order.
func Workloads() []Workload {
	return []Workload{getItem(), putItem(), query(), updateItem()}
}

// worker is a Worker of one request type.
type worker[In, Out any] struct {
	g     *rand.Rand
	seed  uint64
	in    *In
	next  func(g *rand.Rand) *In
	call  func(context.Context, *In) (*Out, error)
	check func(in *In, out *Out) error
	end   func(ctx context.Context) error
}

func (k *worker[In, Out]) Begin(r int) { k.g = rand.New(rand.NewPCG(k.seed, uint64(r+2))) }
func (k *worker[In, Out]) Next()       { k.in = k.next(k.g) }

func (k *worker[In, Out]) Do(ctx context.Context) (any, error) { return k.call(ctx, k.in) }

func (k *worker[In, Out]) Check(out any, err error) error {
	if err != nil {
		return err
	}
	res, _ := out.(*Out)
	if res == nil {
		return fmt.Errorf("nil output and no error")
	}
	return k.check(k.in, res)
}

func (k *worker[In, Out]) End(ctx context.Context) error {
	if k.end == nil {
		return nil
	}
	return k.end(ctx)
}

func workerSeed(id string, w int) uint64 {
	var h uint64 = 0x6d6f6e6f
	for _, c := range id {
		h = h*31 + uint64(c)
	}
	return h*1000 + uint64(w)
}

// ownUser picks a random user of worker w's: those with u%workers == w.
// Writers touch only their own users, so each user's history is one
// worker's, and every answer has one right value.
func ownUser(g *rand.Rand, size, w, workers int) int {
	return w + workers*g.IntN((size-w+workers-1)/workers)
}

// recent remembers the last k distinct users a worker wrote this round.
type recent struct {
	k     int
	users []int
}

func (r *recent) add(u int) {
	for i, x := range r.users {
		if x == u {
			r.users = append(r.users[:i], r.users[i+1:]...)
			break
		}
	}
	r.users = append(r.users, u)
	if len(r.users) > r.k {
		r.users = r.users[1:]
	}
}

func readUser(ctx context.Context, c *dynamodb.Client, u int) (item, error) {
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: userKey(u), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read-back GetItem user %d: %w", u, err)
	}
	return out.Item, nil
}

func getItem() Workload {
	return Workload{
		ID: "GetItem", Name: "GetItem",
		New: func(c *dynamodb.Client, size, w, workers int) Worker {
			var u int
			return &worker[dynamodb.GetItemInput, dynamodb.GetItemOutput]{
				seed: workerSeed("GetItem", w),
				next: func(g *rand.Rand) *dynamodb.GetItemInput {
					u = g.IntN(size)
					return &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: userKey(u)}
				},
				call: func(ctx context.Context, in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
					return c.GetItem(ctx, in)
				},
				check: func(_ *dynamodb.GetItemInput, out *dynamodb.GetItemOutput) error {
					return checkUser(out.Item, u)
				},
			}
		},
	}
}

// putItem overwrites the worker's own users with a new version each time;
// the last versions written are read back after the round.
func putItem() Workload {
	return Workload{
		ID: "PutItem", Name: "PutItem (overwrite)",
		New: func(c *dynamodb.Client, size, w, workers int) Worker {
			var u int
			var seq int64
			version := map[int]int64{}
			last := &recent{k: 8}
			return &worker[dynamodb.PutItemInput, dynamodb.PutItemOutput]{
				seed: workerSeed("PutItem", w),
				next: func(g *rand.Rand) *dynamodb.PutItemInput {
					u = ownUser(g, size, w, workers)
					seq++
					return &dynamodb.PutItemInput{TableName: aws.String(tableName), Item: userItem(u, seq)}
				},
				call: func(ctx context.Context, in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
					return c.PutItem(ctx, in)
				},
				check: func(_ *dynamodb.PutItemInput, out *dynamodb.PutItemOutput) error {
					if len(out.Attributes) != 0 {
						return fmt.Errorf("user %d: %d attributes returned, want none", u, len(out.Attributes))
					}
					version[u] = seq
					last.add(u)
					return nil
				},
				end: func(ctx context.Context) error {
					defer func() { last.users = last.users[:0] }()
					for _, u := range last.users {
						it, err := readUser(ctx, c, u)
						if err != nil {
							return err
						}
						if err := bench.WantAll(checkUser(it, u), wantN(it, "v", version[u])); err != nil {
							return fmt.Errorf("read-back after PutItem: %w", err)
						}
					}
					return nil
				},
			}
		},
	}
}

// query reads 25 items from a random position of the size-item partition.
func query() Workload {
	const limit = 25
	return Workload{
		ID: "Query", Name: "Query, Limit 25, in one partition",
		New: func(c *dynamodb.Client, size, w, workers int) Worker {
			var s int
			return &worker[dynamodb.QueryInput, dynamodb.QueryOutput]{
				seed: workerSeed("Query", w),
				next: func(g *rand.Rand) *dynamodb.QueryInput {
					s = g.IntN(size - limit + 1)
					return &dynamodb.QueryInput{
						TableName:                 aws.String(tableName),
						KeyConditionExpression:    aws.String("pk = :p AND sk >= :s"),
						ExpressionAttributeValues: item{":p": str(partPK), ":s": str(partSK(s))},
						Limit:                     aws.Int32(limit),
					}
				},
				call: func(ctx context.Context, in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
					return c.Query(ctx, in)
				},
				check: func(_ *dynamodb.QueryInput, out *dynamodb.QueryOutput) error {
					if len(out.Items) != limit || out.Count != limit {
						return fmt.Errorf("from %s: %d items (Count %d), want %d", partSK(s), len(out.Items), out.Count, limit)
					}
					for j, it := range out.Items {
						if err := bench.WantAll(bench.WantS(it, "pk", partPK), bench.WantS(it, "sk", partSK(s+j)), wantN(it, "n", int64(s+j))); err != nil {
							return fmt.Errorf("from %s, item %d: %w", partSK(s), j, err)
						}
					}
					if err := bench.WantAll(bench.WantS(out.LastEvaluatedKey, "pk", partPK), bench.WantS(out.LastEvaluatedKey, "sk", partSK(s+limit-1))); err != nil {
						return fmt.Errorf("from %s, LastEvaluatedKey: %w", partSK(s), err)
					}
					return nil
				},
			}
		},
	}
}

// updateItem renames one of the worker's users and counts the visit (SET and
// ADD in one update, ALL_NEW): the counter it returns must be the worker's
// own count.
func updateItem() Workload {
	return Workload{
		ID: "UpdateItem", Name: "UpdateItem (SET + ADD)",
		New: func(c *dynamodb.Client, size, w, workers int) Worker {
			var u int
			var nick string
			var seq int
			cnt, nicks := map[int]int64{}, map[int]string{}
			last := &recent{k: 8}
			return &worker[dynamodb.UpdateItemInput, dynamodb.UpdateItemOutput]{
				seed: workerSeed("UpdateItem", w),
				next: func(g *rand.Rand) *dynamodb.UpdateItemInput {
					u = ownUser(g, size, w, workers)
					seq++
					nick = fmt.Sprintf("nick-%d-%d", w, seq)
					return &dynamodb.UpdateItemInput{
						TableName:                 aws.String(tableName),
						Key:                       userKey(u),
						UpdateExpression:          aws.String("SET #n = :n ADD cnt :one"),
						ExpressionAttributeNames:  map[string]string{"#n": "nick"},
						ExpressionAttributeValues: item{":n": str(nick), ":one": num(1)},
						ReturnValues:              types.ReturnValueAllNew,
					}
				},
				call: func(ctx context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
					return c.UpdateItem(ctx, in)
				},
				check: func(_ *dynamodb.UpdateItemInput, out *dynamodb.UpdateItemOutput) error {
					if err := bench.WantAll(checkUser(out.Attributes, u), bench.WantS(out.Attributes, "nick", nick), wantN(out.Attributes, "cnt", cnt[u]+1)); err != nil {
						return fmt.Errorf("ALL_NEW: %w", err)
					}
					cnt[u]++
					nicks[u] = nick
					last.add(u)
					return nil
				},
				end: func(ctx context.Context) error {
					defer func() { last.users = last.users[:0] }()
					for _, u := range last.users {
						it, err := readUser(ctx, c, u)
						if err != nil {
							return err
						}
						if err := bench.WantAll(checkUser(it, u), bench.WantS(it, "nick", nicks[u]), wantN(it, "cnt", cnt[u])); err != nil {
							return fmt.Errorf("read-back after UpdateItem: %w", err)
						}
					}
					return nil
				},
			}
		},
	}
}
