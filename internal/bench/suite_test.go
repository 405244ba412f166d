package bench

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore"
)

var tiny = Scale{
	Table: 200, Partition: 100, Load: 300, Top: []int{50, 200}, Mixed: 200, Txn: []int{100, 200},
	LoadBudget: time.Second,
}

// TestSuiteChecksEveryAnswer runs every workload once, tiny, against the
// store, minidyn and a store that corrupts its answers: the store must be
// right everywhere, and the liar caught everywhere.
func TestSuiteChecksEveryAnswer(t *testing.T) {
	liarC := Contender{Name: "liar", New: func() Client { return liar{memstore.New()} }}
	ws := Suite(tiny)
	opt := Options{Rounds: 1, Budget: 20 * time.Millisecond, MaxOps: 40, Warmup: time.Millisecond, Logf: t.Logf}
	rs := Run(context.Background(), []Contender{Monotable(), Minidyn(), liarC}, ws, opt)
	if len(rs) != len(ws) {
		t.Fatalf("%d results for %d workloads", len(rs), len(ws))
	}
	for _, r := range rs {
		id := r.Workload.FullID()
		mono, mini, lie := r.Stats[0], r.Stats[1], r.Stats[2]
		if mono.Wrong != "" {
			t.Errorf("%s: monotable answered wrong: %s", id, mono.Wrong)
		} else if mono.Ops == 0 || mono.Checked < mono.Ops || len(mono.Rounds) != 1 {
			t.Errorf("%s: monotable sent %d requests in %d rounds, %d answers checked", id, mono.Ops, len(mono.Rounds), mono.Checked)
		}
		if mini.Wrong == "" && mini.Checked < mini.Ops+1 {
			t.Errorf("%s: minidyn: %d requests, only %d answers checked", id, mini.Ops, mini.Checked)
		}
		if lie.Wrong == "" {
			t.Errorf("%s: a store that corrupts every answer went unnoticed", id)
		}
		if mono.Wrong == "" && mini.Wrong == "" && !(r.Ratio > 0) {
			t.Errorf("%s: ratio %v", id, r.Ratio)
		}
	}

	md := Report{Command: "test", Machine: ThisMachine(), Options: opt, Results: rs}.Markdown()
	for _, want := range []string{"| workload | size | monotable ops/s |", "### The bar", "GetItem ≥ 3x minidyn", "Scaling, top-10"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestWriteSectionKeepsOtherSections(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := WriteSection(path, "memstore", "one\n"); err != nil {
		t.Fatal(err)
	}
	if err := WriteSection(path, "http", "http numbers\n"); err != nil {
		t.Fatal(err)
	}
	if err := WriteSection(path, "memstore", "two\n"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		"# Benchmarks",
		"<!-- section:memstore -->\ntwo\n<!-- /section:memstore -->",
		"<!-- section:http -->\nhttp numbers\n<!-- /section:http -->",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("file lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "one") || strings.Index(got, "memstore") > strings.Index(got, "http") {
		t.Errorf("section not replaced in place:\n%s", got)
	}
}

// liar is a store whose every answer is slightly wrong.
type liar struct{ *memstore.Store }

func corrupt(it item) item {
	if it == nil {
		return nil
	}
	c := maps.Clone(it)
	for k, v := range c {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			c[k] = str(v.Value + "~")
		case *types.AttributeValueMemberN:
			c[k] = &types.AttributeValueMemberN{Value: v.Value + "1"}
		}
	}
	return c
}

func (l liar) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out, err := l.Store.GetItem(ctx, in, o...)
	if out != nil {
		out.Item = corrupt(out.Item)
	}
	return out, err
}

func (l liar) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := l.Store.Query(ctx, in, o...)
	if out != nil {
		for i, it := range out.Items {
			out.Items[i] = corrupt(it)
		}
	}
	return out, err
}

func (l liar) Scan(ctx context.Context, in *dynamodb.ScanInput, o ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	out, err := l.Store.Scan(ctx, in, o...)
	if out != nil {
		if len(out.Items) > 0 {
			out.Items = out.Items[:len(out.Items)-1]
		}
		out.Count++
	}
	return out, err
}

func (l liar) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	out, err := l.Store.UpdateItem(ctx, in, o...)
	if out != nil {
		out.Attributes = corrupt(out.Attributes)
	}
	return out, err
}

// TestMinidynFastSeed checks that deferring minidyn's re-sorts while seeding
// leaves the table it would have had after plain PutItem calls.
func TestMinidynFastSeed(t *testing.T) {
	ctx := context.Background()
	for _, f := range []Fixture{{Kind: Users, N: 300}, {Kind: Partition, N: 300}} {
		fast, plain := Minidyn().New(), Minidyn().New()
		if err := seed(ctx, fast, f, nil); err != nil {
			t.Fatal(err)
		}
		if err := createTable(ctx, plain); err != nil {
			t.Fatal(err)
		}
		for i := range f.N {
			it := partItem(i)
			if f.Kind == Users {
				it = userItem(Users, f.N, i)
			}
			if _, err := plain.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tableName), Item: it}); err != nil {
				t.Fatal(err)
			}
		}
		a, okA := sortedKeys(fast, tableName)
		b, okB := sortedKeys(plain, tableName)
		if !okA || !okB {
			t.Fatalf("%v: cannot reach minidyn's sorted keys (did its internals change?)", f)
		}
		if len(a) != 2 || len(b) != 2 {
			t.Fatalf("%v: %d and %d sorted slices, want 2 (table + GSI)", f, len(a), len(b))
		}
		for i := range a {
			if !slices.Equal(*a[i], *b[i]) {
				t.Errorf("%v: sorted slice %d differs: %d keys vs %d", f, i, len(*a[i]), len(*b[i]))
			}
		}
		if f.Kind == Users && len(*a[1]) != f.N {
			t.Errorf("%v: GSI holds %d keys", f, len(*a[1]))
		}
	}
}
