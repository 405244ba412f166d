package bench

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Scale sets the suite's data sizes.
type Scale struct {
	Table      int           // GetItem, PutItem, UpdateItem, the GSI move and Scan (main size)
	Partition  int           // the partition Query (Limit 25) reads
	Load       int           // items per bulk load
	Top        []int         // table sizes for the top-10 GSI query
	Mixed      int           // table size for the top-10 GSI query on mixed-width scores
	Txn        []int         // table sizes for the 2-item transaction
	Scaled     []int         // more sizes for the Table workloads and the partition Query: how cost grows
	LoadBudget time.Duration // per contender per round, for the bulk load
}

// DefaultScale is the scale BENCHMARKS.md reports.
func DefaultScale() Scale {
	return Scale{
		Table:      10_000,
		Partition:  10_000,
		Load:       100_000,
		Top:        []int{1_000, 10_000, 100_000},
		Mixed:      1_000,
		Txn:        []int{10_000, 100_000},
		Scaled:     []int{1_000, 100_000},
		LoadBudget: 2 * time.Second,
	}
}

// Suite returns the workloads at scale s, in report order. Read-only
// workloads share a seeded table; the transactions touch only the balance
// attribute no other workload checks, so they share it too.
func Suite(s Scale) []Workload {
	var ws []Workload
	for _, n := range withScaled(s.Table, s.Scaled) {
		ws = append(ws, getItem(n))
	}
	for _, n := range withScaled(s.Table, s.Scaled) {
		ws = append(ws, putItem(n))
	}
	ws = append(ws, load(s.Load, s.LoadBudget))
	for _, n := range withScaled(s.Partition, s.Scaled) {
		ws = append(ws, queryPartition(n))
	}
	for _, n := range s.Top {
		ws = append(ws, top10(Users, n))
	}
	if s.Mixed > 0 {
		ws = append(ws, top10(MixedUsers, s.Mixed))
	}
	for _, n := range withScaled(s.Table, s.Scaled) {
		ws = append(ws, updateItem(n))
	}
	for _, n := range withScaled(s.Table, s.Scaled) {
		ws = append(ws, moveGSIKey(n))
	}
	for _, n := range s.Txn {
		ws = append(ws, transact2(n))
	}
	for _, n := range withScaled(s.Table, s.Scaled) {
		ws = append(ws, scanFilter(n))
	}
	return ws
}

// withScaled is main plus the scaled sizes, ascending, without repeats.
func withScaled(main int, scaled []int) []int {
	out := append([]int{main}, scaled...)
	slices.Sort(out)
	return slices.Compact(out)
}

// FullID names the workload and its size, as in "Top10GSI/100k" (just
// the ID when the size does not apply).
func (w Workload) FullID() string {
	if w.Size == 0 {
		return w.ID
	}
	return w.ID + "/" + SizeLabel(w.Size)
}

// SizeLabel writes 1000 as 1k and 100000 as 100k.
func SizeLabel(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n >= 1000 && n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

func checkUser(it item, k Kind, n, u int) error {
	if it == nil {
		return fmt.Errorf("user %d: no item", u)
	}
	return wantAll(wantS(it, "pk", userPK(u)), wantS(it, "sk", "PROFILE"),
		wantS(it, "name", userName(u)), wantN(it, "gsk", score(k, n, u)))
}

func getUser(ctx context.Context, c Client, u int) (item, error) {
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: userKey(u), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read-back GetItem user %d: %w", u, err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("read-back: user %d not found", u)
	}
	return out.Item, nil
}

func getItem(n int) Workload {
	return Workload{
		ID: "GetItem", Name: "GetItem", Size: n, Data: Fixture{Kind: Users, N: n},
		New: func(env Env) Instance {
			var users []int
			return &op[dynamodb.GetItemInput, dynamodb.GetItemOutput]{
				begin: func(r int) []*dynamodb.GetItemInput {
					g := rng(r)
					users = make([]int, ring)
					ins := make([]*dynamodb.GetItemInput, ring)
					for j := range ins {
						users[j] = g.IntN(n)
						ins[j] = &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: userKey(users[j])}
					}
					return ins
				},
				call: func(ctx context.Context, in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
					return env.Client.GetItem(ctx, in)
				},
				check: func(i int, _ *dynamodb.GetItemInput, out *dynamodb.GetItemOutput) error {
					return checkUser(out.Item, Users, n, users[i%ring])
				},
			}
		},
	}
}

// putItem overwrites existing users with a new version, so the table stays
// at n items; the last versions written are read back after each round.
func putItem(n int) Workload {
	return Workload{
		ID: "PutItem", Name: "PutItem (overwrite)", Size: n, Data: Fixture{Kind: Users, N: n, Copy: "put"},
		New: func(env Env) Instance {
			var users []int
			var o *op[dynamodb.PutItemInput, dynamodb.PutItemOutput]
			o = &op[dynamodb.PutItemInput, dynamodb.PutItemOutput]{
				begin: func(r int) []*dynamodb.PutItemInput {
					users = distinct(rng(r), n, ring)
					ins := make([]*dynamodb.PutItemInput, len(users))
					for j, u := range users {
						it := userItem(Users, n, u)
						it["v"] = num(version(r, j))
						ins[j] = &dynamodb.PutItemInput{TableName: aws.String(tableName), Item: it}
					}
					return ins
				},
				call: func(ctx context.Context, in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
					return env.Client.PutItem(ctx, in)
				},
				end: func(ctx context.Context, ops int) error {
					for j := range lastSlots(ops, len(users), 64) {
						it, err := getUser(ctx, env.Client, users[j])
						if err != nil {
							return err
						}
						v, _ := getN(o.ins[j].Item, "v")
						if err := wantAll(checkUser(it, Users, n, users[j]), wantN(it, "v", v)); err != nil {
							return fmt.Errorf("read-back after PutItem: %w", err)
						}
					}
					return nil
				},
			}
			return o
		},
	}
}

func version(r, j int) int64 { return int64(r+2)*1_000_000 + int64(j) }

// load puts n users into a fresh table, one PutItem each, per round.
func load(n int, budget time.Duration) Workload {
	var once sync.Once
	var ins []*dynamodb.PutItemInput // shared by every round and contender: read-only
	return Workload{
		ID: "Load", Name: "bulk load (PutItem)", Size: n, Data: Fixture{Kind: Empty},
		Budget: budget, MaxOps: n,
		New: func(env Env) Instance {
			once.Do(func() {
				ins = make([]*dynamodb.PutItemInput, n)
				for i := range ins {
					ins[i] = &dynamodb.PutItemInput{TableName: aws.String(tableName), Item: userItem(Users, n, i)}
				}
			})
			return &loader{env: env, ins: ins, n: n}
		},
	}
}

type loader struct {
	env Env
	ins []*dynamodb.PutItemInput
	n   int
	c   Client
}

func (l *loader) Begin(ctx context.Context, r int) error {
	l.c = l.env.New()
	return createTable(ctx, l.c)
}

func (l *loader) Do(ctx context.Context, i int) (any, error) {
	out, err := l.c.PutItem(ctx, l.ins[i])
	return out, err
}

func (l *loader) Check(i int, out any, err error) error { return err }

// End counts the table with a paginated Scan and reads back the first and
// last items loaded, then drops the instance.
func (l *loader) End(ctx context.Context, ops int) error {
	defer func() { release(l.c); l.c = nil }()
	in := &dynamodb.ScanInput{TableName: aws.String(tableName), Select: types.SelectCount}
	total := 0
	for {
		out, err := l.c.Scan(ctx, in)
		if err != nil {
			return fmt.Errorf("read-back Scan: %w", err)
		}
		total += int(out.Count)
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if total != ops {
		return fmt.Errorf("read-back: table holds %d items after %d puts", total, ops)
	}
	for _, u := range []int{0, ops - 1} {
		it, err := getUser(ctx, l.c, u)
		if err != nil {
			return err
		}
		if err := checkUser(it, Users, l.n, u); err != nil {
			return fmt.Errorf("read-back after load: %w", err)
		}
	}
	return nil
}

// queryPartition reads 25 items from a random position in an n-item partition.
func queryPartition(n int) Workload {
	const limit = 25
	return Workload{
		ID: "QueryLimit25", Name: "Query, Limit 25, in one partition", Size: n, Data: Fixture{Kind: Partition, N: n},
		New: func(env Env) Instance {
			var starts []int
			return &op[dynamodb.QueryInput, dynamodb.QueryOutput]{
				begin: func(r int) []*dynamodb.QueryInput {
					g := rng(r)
					starts = make([]int, ring)
					ins := make([]*dynamodb.QueryInput, ring)
					for j := range ins {
						starts[j] = g.IntN(n - limit + 1)
						ins[j] = &dynamodb.QueryInput{
							TableName:              aws.String(tableName),
							KeyConditionExpression: aws.String("pk = :p AND sk >= :s"),
							ExpressionAttributeValues: item{
								":p": str(partPK), ":s": str(partSK(starts[j])),
							},
							Limit: aws.Int32(limit),
						}
					}
					return ins
				},
				call: func(ctx context.Context, in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
					return env.Client.Query(ctx, in)
				},
				check: func(i int, _ *dynamodb.QueryInput, out *dynamodb.QueryOutput) error {
					s := starts[i%ring]
					if len(out.Items) != limit || out.Count != limit {
						return fmt.Errorf("from %s: %d items (Count %d), want %d", partSK(s), len(out.Items), out.Count, limit)
					}
					for j, it := range out.Items {
						if err := wantAll(wantS(it, "pk", partPK), wantS(it, "sk", partSK(s+j)), wantN(it, "n", int64(s+j))); err != nil {
							return fmt.Errorf("from %s, item %d: %w", partSK(s), j, err)
						}
					}
					if err := wantAll(wantS(out.LastEvaluatedKey, "pk", partPK), wantS(out.LastEvaluatedKey, "sk", partSK(s+limit-1))); err != nil {
						return fmt.Errorf("from %s, LastEvaluatedKey: %w", partSK(s), err)
					}
					return nil
				},
			}
		},
	}
}

// top10 reads the 10 highest scores of an n-user leaderboard from the GSI.
func top10(k Kind, n int) Workload {
	const limit = 10
	w := Workload{
		ID: "Top10GSI", Name: "top-10 on a GSI (numeric sort key, descending)", Size: n, Data: Fixture{Kind: k, N: n},
	}
	if k == MixedUsers {
		w.ID, w.Name = "Top10GSIMixedWidth", "top-10 on a GSI, scores 4 and 5 digits wide"
	}
	top := topUsers(n, limit)
	w.New = func(env Env) Instance {
		return &op[dynamodb.QueryInput, dynamodb.QueryOutput]{
			begin: func(int) []*dynamodb.QueryInput {
				return []*dynamodb.QueryInput{{
					TableName:                 aws.String(tableName),
					IndexName:                 aws.String(boardIndex),
					KeyConditionExpression:    aws.String("gpk = :b"),
					ExpressionAttributeValues: item{":b": str(boardPK)},
					ScanIndexForward:          aws.Bool(false),
					Limit:                     aws.Int32(limit),
				}}
			},
			call: func(ctx context.Context, in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
				return env.Client.Query(ctx, in)
			},
			check: func(_ int, _ *dynamodb.QueryInput, out *dynamodb.QueryOutput) error {
				if len(out.Items) != limit || out.Count != limit {
					return fmt.Errorf("%d items (Count %d), want %d", len(out.Items), out.Count, limit)
				}
				for j, it := range out.Items {
					if err := wantAll(wantN(it, "gsk", score(k, n, top[j])), wantS(it, "pk", userPK(top[j]))); err != nil {
						return fmt.Errorf("rank %d: %w", j+1, err)
					}
				}
				last := top[limit-1]
				if err := wantAll(wantN(out.LastEvaluatedKey, "gsk", score(k, n, last)), wantS(out.LastEvaluatedKey, "pk", userPK(last))); err != nil {
					return fmt.Errorf("LastEvaluatedKey: %w", err)
				}
				return nil
			},
		}
	}
	return w
}

// updateItem renames a user and counts the visit: SET and ADD in one update.
func updateItem(n int) Workload {
	return Workload{
		ID: "UpdateItem", Name: "UpdateItem (SET + ADD)", Size: n, Data: Fixture{Kind: Users, N: n, Copy: "update"},
		New: func(env Env) Instance {
			var users []int
			var names []string
			cnt := map[int]int64{}
			return &op[dynamodb.UpdateItemInput, dynamodb.UpdateItemOutput]{
				begin: func(r int) []*dynamodb.UpdateItemInput {
					users = distinct(rng(r), n, ring)
					names = make([]string, len(users))
					ins := make([]*dynamodb.UpdateItemInput, len(users))
					for j, u := range users {
						names[j] = fmt.Sprintf("name-%d-%d", r+1, j)
						ins[j] = &dynamodb.UpdateItemInput{
							TableName:                 aws.String(tableName),
							Key:                       userKey(u),
							UpdateExpression:          aws.String("SET #n = :n ADD cnt :one"),
							ExpressionAttributeNames:  map[string]string{"#n": "name"},
							ExpressionAttributeValues: item{":n": str(names[j]), ":one": num(1)},
							ReturnValues:              types.ReturnValueAllNew,
						}
					}
					return ins
				},
				call: func(ctx context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
					return env.Client.UpdateItem(ctx, in)
				},
				check: func(i int, _ *dynamodb.UpdateItemInput, out *dynamodb.UpdateItemOutput) error {
					j := i % len(users)
					u := users[j]
					if err := wantAll(wantS(out.Attributes, "pk", userPK(u)), wantS(out.Attributes, "name", names[j]), wantN(out.Attributes, "cnt", cnt[u]+1)); err != nil {
						return fmt.Errorf("user %d, ALL_NEW: %w", u, err)
					}
					cnt[u]++
					return nil
				},
				end: func(ctx context.Context, ops int) error {
					for j := range lastSlots(ops, len(users), 32) {
						it, err := getUser(ctx, env.Client, users[j])
						if err != nil {
							return err
						}
						if err := wantAll(wantS(it, "name", names[j]), wantN(it, "cnt", cnt[users[j]])); err != nil {
							return fmt.Errorf("read-back after UpdateItem, user %d: %w", users[j], err)
						}
					}
					return nil
				},
			}
		},
	}
}

// moveGSIKey changes users' scores, so each update moves an item in the GSI.
// Each user of the round alternates between two new scores, so every
// request is a real move; the GSI is read back after the round.
func moveGSIKey(n int) Workload {
	return Workload{
		ID: "UpdateGSIKey", Name: "UpdateItem moving a GSI key", Size: n, Data: Fixture{Kind: Users, N: n, Copy: "gsi"},
		New: func(env Env) Instance {
			var users []int
			var scores []int64 // per ring slot
			return &op[dynamodb.UpdateItemInput, dynamodb.UpdateItemOutput]{
				begin: func(r int) []*dynamodb.UpdateItemInput {
					users = distinct(rng(r), n, ring)
					m := len(users)
					base := int64(500_000 + 4096*(r+1)) // above every seeded score, 6 digits
					ins := make([]*dynamodb.UpdateItemInput, 2*m)
					scores = make([]int64, 2*m)
					for s := range ins {
						scores[s] = base + int64(2*(s%m)+s/m)
						ins[s] = &dynamodb.UpdateItemInput{
							TableName:                 aws.String(tableName),
							Key:                       userKey(users[s%m]),
							UpdateExpression:          aws.String("SET gsk = :g"),
							ExpressionAttributeValues: item{":g": num(scores[s])},
							ReturnValues:              types.ReturnValueAllNew,
						}
					}
					return ins
				},
				call: func(ctx context.Context, in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
					return env.Client.UpdateItem(ctx, in)
				},
				check: func(i int, _ *dynamodb.UpdateItemInput, out *dynamodb.UpdateItemOutput) error {
					s := i % len(scores)
					u := users[s%len(users)]
					if err := wantAll(wantS(out.Attributes, "pk", userPK(u)), wantN(out.Attributes, "gsk", scores[s])); err != nil {
						return fmt.Errorf("user %d, ALL_NEW: %w", u, err)
					}
					return nil
				},
				end: func(ctx context.Context, ops int) error {
					m := len(users)
					// A peer whose GSI reads take a long time at 100k items gets
					// fewer users read back: at least two, then as many of 16 as
					// fit in a second.
					deadline, checked := time.Now().Add(time.Second), 0
					for j, i := range lastSlots(ops, m, 16) {
						if checked >= 2 && time.Now().After(deadline) {
							break
						}
						checked++
						u, s := users[j], i%(2*m)
						it, err := getUser(ctx, env.Client, u)
						if err != nil {
							return err
						}
						if err := wantN(it, "gsk", scores[s]); err != nil {
							return fmt.Errorf("read-back after GSI move, user %d: %w", u, err)
						}
						if err := wantOnGSI(ctx, env.Client, scores[s], u); err != nil {
							return err
						}
						if i >= m { // the user also held its other new score this round
							if err := wantOnGSI(ctx, env.Client, scores[(s+m)%(2*m)], -1); err != nil {
								return err
							}
						}
					}
					return nil
				},
			}
		},
	}
}

// wantOnGSI checks that exactly user u (or nobody, for u < 0) holds score g.
func wantOnGSI(ctx context.Context, c Client, g int64, u int) error {
	out, err := c.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(tableName),
		IndexName:                 aws.String(boardIndex),
		KeyConditionExpression:    aws.String("gpk = :b AND gsk = :g"),
		ExpressionAttributeValues: item{":b": str(boardPK), ":g": num(g)},
	})
	if err != nil {
		return fmt.Errorf("read-back GSI Query: %w", err)
	}
	switch {
	case u < 0 && len(out.Items) != 0:
		return fmt.Errorf("read-back: GSI still holds %s at old score %d", show(out.Items[0]["pk"]), g)
	case u >= 0 && len(out.Items) != 1:
		return fmt.Errorf("read-back: GSI holds %d items at score %d, want user %d", len(out.Items), g, u)
	case u >= 0:
		if err := wantS(out.Items[0], "pk", userPK(u)); err != nil {
			return fmt.Errorf("read-back: GSI at score %d: %w", g, err)
		}
	}
	return nil
}

// transact2 moves an amount between two users' balances in one transaction,
// the debit conditional on the balance.
func transact2(n int) Workload {
	return Workload{
		ID: "TransactWrite2", Name: "TransactWriteItems, 2 updates", Size: n, Data: Fixture{Kind: Users, N: n},
		New: func(env Env) Instance {
			type transfer struct{ from, to, amt int }
			var ts []transfer
			bal := map[int]int64{}
			balance := func(u int) int64 {
				if b, ok := bal[u]; ok {
					return b
				}
				return startBal
			}
			return &op[dynamodb.TransactWriteItemsInput, dynamodb.TransactWriteItemsOutput]{
				begin: func(r int) []*dynamodb.TransactWriteItemsInput {
					g := rng(r)
					ts = make([]transfer, ring)
					ins := make([]*dynamodb.TransactWriteItemsInput, ring)
					for j := range ins {
						p := distinct(g, n, 2)
						t := transfer{p[0], p[1], 1 + g.IntN(100)}
						ts[j] = t
						amt := item{":a": num(int64(t.amt))}
						ins[j] = &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
							{Update: &types.Update{
								TableName: aws.String(tableName), Key: userKey(t.from),
								UpdateExpression:          aws.String("SET bal = bal - :a"),
								ConditionExpression:       aws.String("bal >= :a"),
								ExpressionAttributeValues: amt,
							}},
							{Update: &types.Update{
								TableName: aws.String(tableName), Key: userKey(t.to),
								UpdateExpression:          aws.String("SET bal = bal + :a"),
								ExpressionAttributeValues: amt,
							}},
						}}
					}
					return ins
				},
				call: func(ctx context.Context, in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
					return env.Client.TransactWriteItems(ctx, in)
				},
				check: func(i int, _ *dynamodb.TransactWriteItemsInput, _ *dynamodb.TransactWriteItemsOutput) error {
					t := ts[i%ring]
					bal[t.from] = balance(t.from) - int64(t.amt)
					bal[t.to] = balance(t.to) + int64(t.amt)
					return nil
				},
				end: func(ctx context.Context, ops int) error {
					for j := range lastSlots(ops, ring, 16) {
						for _, u := range []int{ts[j].from, ts[j].to} {
							it, err := getUser(ctx, env.Client, u)
							if err != nil {
								return err
							}
							if err := wantN(it, "bal", balance(u)); err != nil {
								return fmt.Errorf("read-back after transactions, user %d: %w", u, err)
							}
						}
					}
					return nil
				},
			}
		},
	}
}

// scanFilter scans the whole table (every page) for the active users.
func scanFilter(n int) Workload {
	want := activeUsers(n)
	return Workload{
		ID: "ScanFilter", Name: "Scan with a filter (all pages)", Size: n, Data: Fixture{Kind: Users, N: n},
		New: func(env Env) Instance {
			return &op[dynamodb.ScanInput, []item]{
				begin: func(int) []*dynamodb.ScanInput {
					return []*dynamodb.ScanInput{{
						TableName:                 aws.String(tableName),
						FilterExpression:          aws.String("#s = :s"),
						ExpressionAttributeNames:  map[string]string{"#s": "status"},
						ExpressionAttributeValues: item{":s": str("active")},
					}}
				},
				call: func(ctx context.Context, in *dynamodb.ScanInput) (*[]item, error) {
					var items []item
					page := *in
					for {
						out, err := env.Client.Scan(ctx, &page)
						if err != nil {
							return nil, err
						}
						items = append(items, out.Items...)
						if len(out.LastEvaluatedKey) == 0 {
							return &items, nil
						}
						page.ExclusiveStartKey = out.LastEvaluatedKey
					}
				},
				check: func(_ int, _ *dynamodb.ScanInput, out *[]item) error {
					if len(*out) != want {
						return fmt.Errorf("%d items, want %d", len(*out), want)
					}
					seen := make(map[string]bool, want)
					for _, it := range *out {
						pk, _ := getS(it, "pk")
						u, err := strconv.Atoi(pk[min(2, len(pk)):])
						if err != nil || !userActive(u) || seen[pk] {
							return fmt.Errorf("unexpected or repeated item %s", show(it["pk"]))
						}
						seen[pk] = true
						if err := wantS(it, "status", "active"); err != nil {
							return fmt.Errorf("user %d: %w", u, err)
						}
					}
					return nil
				},
			}
		},
	}
}
