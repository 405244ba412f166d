package persist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/memstore/wire"
)

var ctx = context.Background()

func open(t *testing.T, dir string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(dir, memstore.New(), opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func must[O any](t *testing.T) func(O, error) O {
	return func(out O, err error) O {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

// state renders everything a store holds that persistence must keep: each
// table's schema and TTL, and its items, as text to compare.
func state(t *testing.T, st interface {
	ListTables(context.Context, *dynamodb.ListTablesInput, ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	DescribeTimeToLive(context.Context, *dynamodb.DescribeTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	ListTagsOfResource(context.Context, *dynamodb.ListTagsOfResourceInput, ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error)
	DescribeContinuousBackups(context.Context, *dynamodb.DescribeContinuousBackupsInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeContinuousBackupsOutput, error)
	ListContributorInsights(context.Context, *dynamodb.ListContributorInsightsInput, ...func(*dynamodb.Options)) (*dynamodb.ListContributorInsightsOutput, error)
	GetResourcePolicy(context.Context, *dynamodb.GetResourcePolicyInput, ...func(*dynamodb.Options)) (*dynamodb.GetResourcePolicyOutput, error)
}) string {
	t.Helper()
	var b strings.Builder
	for _, name := range must[*dynamodb.ListTablesOutput](t)(st.ListTables(ctx, &dynamodb.ListTablesInput{})).TableNames {
		d := must[*dynamodb.DescribeTableOutput](t)(st.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})).Table
		in := createInput(d)
		slices.SortFunc(in.AttributeDefinitions, func(a, b types.AttributeDefinition) int {
			return strings.Compare(*a.AttributeName, *b.AttributeName)
		})
		schema := canonical(t, in)
		ttl := must[*dynamodb.DescribeTimeToLiveOutput](t)(st.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)}))
		fmt.Fprintf(&b, "table %s\n  %s\n  ttl %s %s\n", name, schema, ttl.TimeToLiveDescription.TimeToLiveStatus, aws.ToString(ttl.TimeToLiveDescription.AttributeName))
		tags := must[*dynamodb.ListTagsOfResourceOutput](t)(st.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: d.TableArn}))
		backups := must[*dynamodb.DescribeContinuousBackupsOutput](t)(st.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(name)}))
		fmt.Fprintf(&b, "  tags %s\n  pitr %s\n", canonical(t, tags), backups.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus)
		insights := must[*dynamodb.ListContributorInsightsOutput](t)(st.ListContributorInsights(ctx, &dynamodb.ListContributorInsightsInput{TableName: aws.String(name)}))
		fmt.Fprintf(&b, "  insights %s\n", canonical(t, insights))
		if policy, err := st.GetResourcePolicy(ctx, &dynamodb.GetResourcePolicyInput{ResourceArn: d.TableArn}); err == nil {
			fmt.Fprintf(&b, "  policy %s\n", aws.ToString(policy.Policy)) // revisions are renumbered on replay
		}
		var items []string
		for in := (&dynamodb.ScanInput{TableName: aws.String(name)}); ; {
			out := must[*dynamodb.ScanOutput](t)(st.Scan(ctx, in))
			for _, it := range out.Items {
				items = append(items, canonical(t, &types.PutRequest{Item: it}))
			}
			if out.LastEvaluatedKey == nil {
				break
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
		slices.Sort(items)
		for _, it := range items {
			fmt.Fprintf(&b, "  %s\n", it)
		}
	}
	return b.String()
}

// canonical renders an SDK value as JSON with sorted keys.
func canonical(t *testing.T, v any) string {
	t.Helper()
	b, err := wire.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(x)
	return string(b)
}

// workload exercises every logged operation, including ones that fail.
func workload(t *testing.T, st *Store) {
	t.Helper()
	m := must[any](t)
	call := func(out any, err error) { t.Helper(); m(out, err) }
	call(st.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("games"),
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("g1"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("pts"), AttributeType: types.ScalarAttributeTypeN},
		},
		BillingMode: types.BillingModePayPerRequest,
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("byPoints"), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("g1"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("pts"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"name"}},
		}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName: aws.String("byPts"), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("pts"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
	}))
	call(st.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:             aws.String("prov"),
		KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions:  []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeN}, {AttributeName: aws.String("x"), AttributeType: types.ScalarAttributeTypeB}},
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(7)},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("byX"), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("x"), KeyType: types.KeyTypeHash}},
			Projection:            &types.Projection{ProjectionType: types.ProjectionTypeAll},
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(2), WriteCapacityUnits: aws.Int64(3)},
		}},
		TableClass:                types.TableClassStandardInfrequentAccess,
		DeletionProtectionEnabled: aws.Bool(true),
		SSESpecification:          &types.SSESpecification{Enabled: aws.Bool(true)},
	}))
	call(st.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("doomed"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest,
	}))
	call(st.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("games"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}}))
	// A GSI added then one dropped: its key's definition lingers.
	call(st.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("games"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("name"), AttributeType: types.ScalarAttributeTypeS}},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName: aws.String("byName"), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("name"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}}}}))
	call(st.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("games"),
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("byPoints")}}}}))
	call(st.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("prov"),
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(9), WriteCapacityUnits: aws.Int64(9)}}))
	gamesARN := "arn:aws:dynamodb:us-east-1:000000000000:table/games"
	call(st.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String(gamesARN),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("games")}, {Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("tmp"), Value: aws.String("x")}}}))
	call(st.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: aws.String(gamesARN), TagKeys: []string{"tmp"}}))
	call(st.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("games"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}}))
	call(st.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("prov"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}}))
	call(st.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("prov"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(false)}}))
	call(st.UpdateContributorInsights(ctx, &dynamodb.UpdateContributorInsightsInput{TableName: aws.String("games"), ContributorInsightsAction: types.ContributorInsightsActionEnable}))
	call(st.UpdateContributorInsights(ctx, &dynamodb.UpdateContributorInsightsInput{TableName: aws.String("games"), IndexName: aws.String("byName"), ContributorInsightsAction: types.ContributorInsightsActionEnable}))
	call(st.UpdateContributorInsights(ctx, &dynamodb.UpdateContributorInsightsInput{TableName: aws.String("games"), IndexName: aws.String("byName"), ContributorInsightsAction: types.ContributorInsightsActionDisable}))
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"dynamodb:GetItem","Resource":"*"}]}`
	call(st.PutResourcePolicy(ctx, &dynamodb.PutResourcePolicyInput{ResourceArn: aws.String(gamesARN), Policy: aws.String(policy)}))
	provARN := "arn:aws:dynamodb:us-east-1:000000000000:table/prov"
	call(st.PutResourcePolicy(ctx, &dynamodb.PutResourcePolicyInput{ResourceArn: aws.String(provARN), Policy: aws.String(policy)}))
	call(st.DeleteResourcePolicy(ctx, &dynamodb.DeleteResourcePolicyInput{ResourceArn: aws.String(provARN)}))

	for i := range 30 {
		call(st.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("games"), Item: map[string]types.AttributeValue{
			"pk": s("chess"), "sk": s(fmt.Sprintf("p%02d", i)), "pts": n(fmt.Sprint(i * 10)), "name": s(fmt.Sprint("player ", i)),
			"tags": &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
			"m":    &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{n("1.50"), &types.AttributeValueMemberNULL{Value: true}}}}},
		}}))
	}
	call(st.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/prov"),
		Item: map[string]types.AttributeValue{"id": n("1"), "x": &types.AttributeValueMemberB{Value: []byte{0, 1, 2}}}}))
	call(st.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("games"),
		Key:              map[string]types.AttributeValue{"pk": s("chess"), "sk": s("p01")},
		UpdateExpression: aws.String("ADD pts :d REMOVE tags SET m.l[0] = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":d": n("5"), ":v": s("x")}}))
	call(st.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("games"),
		Key:              map[string]types.AttributeValue{"pk": s("chess"), "sk": s("new")},
		UpdateExpression: aws.String("SET pts = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": n("7")}, ReturnValues: types.ReturnValueAllNew}))
	call(st.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("games"), Key: map[string]types.AttributeValue{"pk": s("chess"), "sk": s("p02")}}))
	call(st.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"games": {
			{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"pk": s("go"), "sk": s("a"), "exp": n("1")}}},
			{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"pk": s("chess"), "sk": s("p03")}}},
		},
		"doomed": {{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": s("x")}}}},
	}}))
	tx := &dynamodb.TransactWriteItemsInput{ClientRequestToken: aws.String("tok-1"), TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("games"), Item: map[string]types.AttributeValue{"pk": s("tx"), "sk": s("1")}, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Update: &types.Update{TableName: aws.String("games"), Key: map[string]types.AttributeValue{"pk": s("chess"), "sk": s("p04")}, UpdateExpression: aws.String("SET won = :t"), ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}}}},
		{Delete: &types.Delete{TableName: aws.String("games"), Key: map[string]types.AttributeValue{"pk": s("chess"), "sk": s("p05")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("prov"), Key: map[string]types.AttributeValue{"id": n("1")}, ConditionExpression: aws.String("attribute_exists(id)")}},
	}}
	call(st.TransactWriteItems(ctx, tx))
	// The item changes; the retried token writes nothing, and the log must
	// not put the old image back.
	call(st.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("games"), Item: map[string]types.AttributeValue{"pk": s("tx"), "sk": s("1"), "v": n("2")}}))
	call(st.TransactWriteItems(ctx, tx))

	// Failures change nothing and log nothing.
	size := st.w.bytes()
	var ccf *types.ConditionalCheckFailedException
	if _, err := st.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("games"), Item: map[string]types.AttributeValue{"pk": s("chess"), "sk": s("p00")},
		ConditionExpression: aws.String("attribute_not_exists(pk)")}); !errors.As(err, &ccf) {
		t.Fatalf("conditional put: %v", err)
	}
	var tce *types.TransactionCanceledException
	if _, err := st.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("games"), Item: map[string]types.AttributeValue{"pk": s("tx"), "sk": s("2")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("prov"), Key: map[string]types.AttributeValue{"id": n("2")}, ConditionExpression: aws.String("attribute_exists(id)")}},
	}}); !errors.As(err, &tce) {
		t.Fatalf("cancelled transaction: %v", err)
	}
	if _, err := st.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("prov")}); err == nil {
		t.Fatal("deleted a protected table")
	}
	if got := st.w.bytes(); got != size {
		t.Fatalf("failed writes grew the log from %d to %d bytes", size, got)
	}
	call(st.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("doomed")}))
	// A table deleted and created again with another key.
	call(st.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("doomed"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("other"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("other"), AttributeType: types.ScalarAttributeTypeN}},
		BillingMode:          types.BillingModePayPerRequest,
	}))
	call(st.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("doomed"), Item: map[string]types.AttributeValue{"other": n("3"), "v": s("new schema")}}},
	}}))
}

func TestReopen(t *testing.T) {
	for _, tc := range []struct {
		name    string
		compact bool
	}{{"log only", false}, {"snapshot then log", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			st := open(t, dir)
			if tc.compact {
				workload(t, st)
				if err := st.Compact(); err != nil {
					t.Fatal(err)
				}
				must[*dynamodb.PutItemOutput](t)(st.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("games"),
					Item: map[string]types.AttributeValue{"pk": s("after"), "sk": s("snapshot")}}))
			} else {
				workload(t, st)
			}
			want := state(t, st)
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			for round := range 2 { // the second load reads what the first left
				st = open(t, dir)
				if got := state(t, st); got != want {
					t.Fatalf("round %d: state after reopening:\n%s\nwant:\n%s", round, got, want)
				}
				if err := st.Close(); err != nil {
					t.Fatal(err)
				}
			}
			files := dirFiles(t, dir)
			if tc.compact && !slices.Contains(files, snapshotFile) {
				t.Fatalf("no snapshot in %v", files)
			}
		})
	}
}

func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func lastLog(t *testing.T, dir string) string {
	t.Helper()
	gens, err := listLogs(dir)
	if err != nil || len(gens) == 0 {
		t.Fatalf("no logs in %s: %v", dir, err)
	}
	return filepath.Join(dir, logName(gens[len(gens)-1]))
}

func simpleTable(t *testing.T, st *Store) {
	t.Helper()
	must[*dynamodb.CreateTableOutput](t)(st.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("tbl"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest,
	}))
}

func put(t *testing.T, st *Store, id string) {
	t.Helper()
	must[*dynamodb.PutItemOutput](t)(st.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"),
		Item: map[string]types.AttributeValue{"id": s(id), "pad": s(strings.Repeat("x", 50))}}))
}

func ids(t *testing.T, st *Store) []string {
	t.Helper()
	out := must[*dynamodb.ScanOutput](t)(st.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("tbl")}))
	var got []string
	for _, it := range out.Items {
		got = append(got, it["id"].(*types.AttributeValueMemberS).Value)
	}
	slices.Sort(got)
	return got
}

// TestTornTail: whatever a crash leaves at the end of the last log, the
// records before it load, the rest is cut off, and later writes append
// after the cut where the next load finds them.
func TestTornTail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(data []byte) []byte
		want   []string
	}{
		{"clean", func(b []byte) []byte { return b }, []string{"a", "b", "c"}},
		{"last record cut", func(b []byte) []byte { return b[:len(b)-10] }, []string{"a", "b"}},
		{"last frame header cut", func(b []byte) []byte { return append(b, 40, 0, 0) }, []string{"a", "b", "c"}},
		{"last record bad CRC", func(b []byte) []byte { b[len(b)-3] ^= 1; return b }, []string{"a", "b"}},
		{"zeros after", func(b []byte) []byte { return append(b, make([]byte, 4096)...) }, []string{"a", "b", "c"}},
		{"garbage after", func(b []byte) []byte { return append(b, "\xff\xff\xff\xff garbage"...) }, []string{"a", "b", "c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			st := open(t, dir)
			simpleTable(t, st)
			for _, id := range []string{"a", "b", "c"} {
				put(t, st, id)
			}
			st.Close()
			path := lastLog(t, dir)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.damage(data), 0o644); err != nil {
				t.Fatal(err)
			}
			st = open(t, dir)
			if got := ids(t, st); !slices.Equal(got, tc.want) {
				t.Fatalf("after the crash: %v, want %v", got, tc.want)
			}
			put(t, st, "d")
			st.Close()
			st = open(t, dir)
			defer st.Close()
			if got, want := ids(t, st), append(slices.Clone(tc.want), "d"); !slices.Equal(got, want) {
				t.Fatalf("after writing past the cut: %v, want %v", got, want)
			}
		})
	}
}

// TestCorruption: damage that no crash can cause, inside what was
// acknowledged, stops the load instead of dropping writes.
func TestCorruption(t *testing.T) {
	setup := func(t *testing.T, compact bool) string {
		dir := t.TempDir()
		st := open(t, dir)
		simpleTable(t, st)
		for _, id := range []string{"a", "b", "c"} {
			put(t, st, id)
		}
		if compact {
			if err := st.Compact(); err != nil {
				t.Fatal(err)
			}
			put(t, st, "d")
		}
		st.Close()
		return dir
	}
	flip := func(t *testing.T, path string, at func(n int) int) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		data[at(len(data))] ^= 0x10
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("bad CRC mid-log", func(t *testing.T) {
		dir := setup(t, false)
		flip(t, lastLog(t, dir), func(n int) int { return len(magic) + frameHeader + 5 })
		if _, err := Open(dir, memstore.New()); err == nil || !strings.Contains(err.Error(), "corrupt") {
			t.Fatalf("Open: %v, want a corruption error", err)
		}
	})
	t.Run("bad snapshot", func(t *testing.T) {
		dir := setup(t, true)
		flip(t, filepath.Join(dir, snapshotFile), func(n int) int { return n - 20 })
		if _, err := Open(dir, memstore.New()); err == nil || !strings.Contains(err.Error(), "corrupt") {
			t.Fatalf("Open: %v, want a corruption error", err)
		}
	})
	t.Run("truncated snapshot", func(t *testing.T) {
		dir := setup(t, true)
		path := filepath.Join(dir, snapshotFile)
		data, _ := os.ReadFile(path)
		os.WriteFile(path, data[:len(data)-len(frames(record{kindEnd, nil}))+len(magic)], 0o644)
		if _, err := Open(dir, memstore.New()); err == nil {
			t.Fatal("Open accepted a snapshot without its trailer")
		}
	})
	t.Run("missing log", func(t *testing.T) {
		dir := setup(t, false)
		// Generations 1 and 3: whatever 2 held is lost.
		if err := os.WriteFile(filepath.Join(dir, logName(3)), []byte(magic), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(dir, memstore.New()); err == nil || !strings.Contains(err.Error(), "missing") {
			t.Fatalf("Open: %v, want a missing log", err)
		}
	})
}

// TestEmptyFiles: the states a crash during creation can leave.
func TestEmptyFiles(t *testing.T) {
	t.Run("empty directory", func(t *testing.T) {
		dir := t.TempDir()
		st := open(t, dir)
		defer st.Close()
		if got := dirFiles(t, dir); !slices.Contains(got, logName(1)) {
			t.Fatalf("files %v", got)
		}
	})
	for _, content := range []string{"", magic[:4]} {
		t.Run(fmt.Sprintf("log of %d bytes", len(content)), func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, logName(1)), []byte(content), 0o644)
			st := open(t, dir)
			simpleTable(t, st)
			put(t, st, "a")
			st.Close()
			st = open(t, dir)
			defer st.Close()
			if got := ids(t, st); !slices.Equal(got, []string{"a"}) {
				t.Fatalf("got %v", got)
			}
		})
	}
	t.Run("new log empty after a compaction", func(t *testing.T) {
		// The crash came after the new generation's file was created but
		// before its header reached the disk, and before the snapshot.
		dir := t.TempDir()
		st := open(t, dir)
		simpleTable(t, st)
		put(t, st, "a")
		st.Close()
		os.WriteFile(filepath.Join(dir, logName(2)), nil, 0o644)
		os.WriteFile(filepath.Join(dir, snapshotTemp), []byte("half a snapshot"), 0o644)
		st = open(t, dir)
		put(t, st, "b")
		st.Close()
		st = open(t, dir)
		defer st.Close()
		if got := ids(t, st); !slices.Equal(got, []string{"a", "b"}) {
			t.Fatalf("got %v", got)
		}
		if slices.Contains(dirFiles(t, dir), snapshotTemp) {
			t.Fatal("the partial snapshot was left behind")
		}
	})
	t.Run("empty snapshot", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, snapshotFile), nil, 0o644)
		if _, err := Open(dir, memstore.New()); err == nil {
			t.Fatal("Open accepted an empty snapshot")
		}
	})
}

// TestSnapshotLeftovers: a compaction that crashed after installing its
// snapshot but before removing the old logs.
func TestSnapshotLeftovers(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir)
	simpleTable(t, st)
	put(t, st, "a")
	st.Close()
	old, _ := os.ReadFile(lastLog(t, dir))
	st = open(t, dir)
	put(t, st, "b")
	if err := st.Compact(); err != nil {
		t.Fatal(err)
	}
	put(t, st, "c")
	st.Close()
	// Put generation 1 back, as if its removal never happened: it must
	// not be replayed (its CreateTable would fail) and must go.
	os.WriteFile(filepath.Join(dir, logName(1)), old, 0o644)
	st = open(t, dir)
	defer st.Close()
	if got := ids(t, st); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("got %v", got)
	}
	if slices.Contains(dirFiles(t, dir), logName(1)) {
		t.Fatal("the covered log was left behind")
	}
}

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir)
	if _, err := Open(dir, memstore.New()); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Open: %v", err)
	}
	st.Close()
	open(t, dir).Close()
	if _, err := st.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl")}); !errors.Is(err, errClosed) {
		t.Fatalf("write after Close: %v", err)
	}
}

// TestConcurrent runs writers against continuous compactions: every
// acknowledged write must load back, with the race detector watching.
func TestConcurrent(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir, WithCompactSize(16<<10))
	simpleTable(t, st)
	var wg sync.WaitGroup
	const writers, each = 8, 150
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("w%d-%03d", w, i)
				switch i % 3 {
				case 0, 1:
					put(t, st, id)
				case 2:
					must[*dynamodb.TransactWriteItemsOutput](t)(st.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
						{Put: &types.Put{TableName: aws.String("tbl"), Item: map[string]types.AttributeValue{"id": s(id)}}},
						{Delete: &types.Delete{TableName: aws.String("tbl"), Key: map[string]types.AttributeValue{"id": s(fmt.Sprintf("w%d-%03d", w, i-1))}}},
					}}))
				}
			}
		}()
	}
	wg.Wait()
	want := state(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = open(t, dir)
	defer st.Close()
	if got := state(t, st); got != want {
		t.Fatal("state differs after reopening")
	}
	if n := len(ids(t, st)); n != writers*each*2/3 {
		t.Fatalf("%d items, want %d", n, writers*each*2/3)
	}
}

// TestServed: the wrapper is a wire backend like the store itself.
func TestServed(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir)
	client := wire.NewClient(wire.NewHandler(st, wire.WithLogger(nil)), "us-east-1")
	must[*dynamodb.CreateTableOutput](t)(client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("tbl"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest,
	}))
	must[*dynamodb.PutItemOutput](t)(client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: map[string]types.AttributeValue{"id": s("a")}}))
	_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: map[string]types.AttributeValue{"id": s("a")},
		ConditionExpression: aws.String("attribute_not_exists(id)")})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("conditional put over the wire: %v", err)
	}
	st.Close()
	st = open(t, dir)
	defer st.Close()
	if got := ids(t, st); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("got %v", got)
	}
}

// TestDiskFailure: once the log cannot be written, the failing write and
// every later one are refused (as internal errors, over the wire), reads go
// on, and a restart has every acknowledged write.
func TestDiskFailure(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir)
	simpleTable(t, st)
	put(t, st, "a")
	st.w.mu.Lock()
	st.w.f.Close() // the disk goes away
	st.w.mu.Unlock()

	client := wire.NewClient(wire.NewHandler(st, wire.WithLogger(nil)), "us-east-1")
	item := func(id string) *dynamodb.PutItemInput {
		return &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: map[string]types.AttributeValue{"id": s(id)}}
	}
	var api smithyAPIError
	if _, err := client.PutItem(ctx, item("b"), func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }); !errors.As(err, &api) || api.ErrorCode() != "InternalServerError" {
		t.Fatalf("write to a dead disk: %v, want InternalServerError", err)
	}
	if _, err := st.PutItem(ctx, item("c")); err == nil || !strings.Contains(err.Error(), "writing") {
		t.Fatalf("write after the failure: %v", err)
	}
	if got := ids(t, st); !slices.Equal(got, []string{"a", "b"}) { // b applied, never acknowledged
		t.Fatalf("reads after the failure: %v", got)
	}
	st.Close()
	st = open(t, dir)
	defer st.Close()
	if got := ids(t, st); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("after restart: %v", got)
	}
}

type smithyAPIError interface {
	error
	ErrorCode() string
}

// TestEveryOperationClassified guards the embedding: a write operation
// added to the memstore would be served through *Store unlogged. Each
// operation must be a known read or one of the writes this package
// overrides.
func TestEveryOperationClassified(t *testing.T) {
	reads := []string{"BatchGetItem", "DescribeTable", "DescribeTimeToLive", "GetItem", "ListGlobalTables", "ListTables",
		"Query", "Scan", "TransactGetItems", "DescribeStream", "GetRecords", "GetShardIterator", "ListStreams",
		"ListTagsOfResource", "DescribeContinuousBackups", "DescribeEndpoints", "DescribeLimits",
		"DescribeContributorInsights", "ListContributorInsights", "GetResourcePolicy"}
	writes := []string{"CreateTable", "UpdateTable", "DeleteTable", "UpdateTimeToLive",
		"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
		"TagResource", "UntagResource", "UpdateContinuousBackups",
		"UpdateContributorInsights", "PutResourcePolicy", "DeleteResourcePolicy"}
	ctxType := reflect.TypeFor[context.Context]()
	store := reflect.TypeFor[*memstore.Store]()
	for i := range store.NumMethod() {
		m := store.Method(i)
		if m.Type.NumIn() < 3 || m.Type.In(1) != ctxType {
			continue
		}
		if !slices.Contains(reads, m.Name) && !slices.Contains(writes, m.Name) {
			t.Errorf("memstore.Store.%s is neither a known read nor a logged write: log it in persist (or list it as a read)", m.Name)
		}
	}
	// That each write is logged, TestReopen shows: its workload makes
	// every one of them and checks the state survives.
	src, err := os.ReadFile("store_test.go")
	if err != nil {
		t.Fatal(err)
	}
	workload := string(src[strings.Index(string(src), "func workload("):])
	workload = workload[:strings.Index(workload, "\n}\n")]
	for _, name := range writes {
		if !strings.Contains(workload, "st."+name+"(") {
			t.Errorf("the workload of TestReopen never calls %s", name)
		}
	}
}

// TestRegionChange: table ARNs in the log name the region of the run that
// wrote them; a restart with another --region still applies them.
func TestRegionChange(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir)
	simpleTable(t, st)
	must[*dynamodb.TagResourceOutput](t)(st.TagResource(ctx, &dynamodb.TagResourceInput{
		ResourceArn: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/tbl"),
		Tags:        []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	}))
	st.Close()
	st, err := Open(dir, memstore.New(memstore.WithRegion("eu-west-1")))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := must[*dynamodb.ListTagsOfResourceOutput](t)(st.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{
		ResourceArn: aws.String("arn:aws:dynamodb:eu-west-1:000000000000:table/tbl"),
	}))
	if len(out.Tags) != 1 || aws.ToString(out.Tags[0].Value) != "v" {
		t.Fatalf("tags after a region change: %+v", out.Tags)
	}
}

// TestReopenStreamsStartEmpty: reloading a table from disk replays its
// items, but a stream consumer must not see the reload as new writes.
func TestReopenStreamsStartEmpty(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir)
	must[*dynamodb.CreateTableOutput](t)(st.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("tbl"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest,
		StreamSpecification:  &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage},
	}))
	put(t, st, "a")
	put(t, st, "b")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = open(t, dir)
	defer st.Close()
	if got := ids(t, st); len(got) != 2 {
		t.Fatalf("items after reopen: %v", got)
	}
	r, err := st.SubscribeStream("tbl", false)
	if err != nil {
		t.Fatal(err)
	}
	if recs := r.TryRead(100); len(recs) != 0 {
		t.Fatalf("%d stream records after reopen, want none", len(recs))
	}
	put(t, st, "c")
	if recs := r.TryRead(100); len(recs) != 1 {
		t.Fatalf("%d stream records after a new write, want 1", len(recs))
	}
}
