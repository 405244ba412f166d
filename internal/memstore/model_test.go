package memstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// The model test drives the store with random operations and checks every
// read against a naive model (a map plus sort), and after every write that
// each index mirrors the base table.

type modelItem struct {
	pk    string
	sk    int
	g     string // GSI partition; "" = absent (sparse)
	score int
	note  string
}

func (m modelItem) av() map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		"pk":    &types.AttributeValueMemberS{Value: m.pk},
		"sk":    &types.AttributeValueMemberN{Value: strconv.Itoa(m.sk)},
		"score": &types.AttributeValueMemberN{Value: strconv.Itoa(m.score)},
		"note":  &types.AttributeValueMemberS{Value: m.note},
	}
	if m.g != "" {
		item["g"] = &types.AttributeValueMemberS{Value: m.g}
	}
	return item
}

type modelKey struct {
	pk string
	sk int
}

func newModelTable(t *testing.T, s *Store) {
	t.Helper()
	_, err := s.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String("model"),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("score"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("byScore"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("score"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}, {
			// A multi-attribute key: rows sort by score, then sk, then pk.
			IndexName: aws.String("multi"),
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("score"), KeyType: types.KeyTypeRange}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
				{AttributeName: aws.String("pk"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName:  aws.String("pkScore"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("score"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRandomOperationsAgainstModel(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			runModel(t, New(), seed, 1500)
		})
	}
	// Keeping past versions (for stale reads) switches writes from editing
	// rows to replacing them; no read is drawn stale here, so the model
	// still holds.
	t.Run("versions kept", func(t *testing.T) {
		runModel(t, New(WithEventualConsistency(EventualConsistency{Lag: time.Second, Seed: 1})), 4, 1500)
	})
}

func runModel(t *testing.T, s *Store, seed uint64, steps int) {
	ctx := context.Background()
	newModelTable(t, s)
	r := rand.New(rand.NewPCG(seed, seed*7+1))
	model := map[modelKey]modelItem{}
	pks := []string{"a", "b", "c", "d"}
	gs := []string{"", "x", "y"}

	for step := 0; step < steps; step++ {
		switch op := r.IntN(10); {
		case op < 4: // put
			m := modelItem{pk: pks[r.IntN(len(pks))], sk: r.IntN(200) - 100, g: gs[r.IntN(len(gs))], score: r.IntN(50) - 25, note: fmt.Sprint("n", step)}
			if _, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("model"), Item: m.av()}); err != nil {
				t.Fatalf("step %d put: %v", step, err)
			}
			model[modelKey{m.pk, m.sk}] = m
		case op < 5: // delete
			k := modelKey{pks[r.IntN(len(pks))], r.IntN(200) - 100}
			if _, err := s.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("model"), Key: keyAV(k)}); err != nil {
				t.Fatalf("step %d delete: %v", step, err)
			}
			delete(model, k)
		case op < 6: // conditional update: add to score if the item exists
			k := modelKey{pks[r.IntN(len(pks))], r.IntN(200) - 100}
			delta := r.IntN(10) - 5
			_, err := s.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName:                 aws.String("model"),
				Key:                       keyAV(k),
				UpdateExpression:          aws.String("ADD score :d"),
				ConditionExpression:       aws.String("attribute_exists(pk)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":d": &types.AttributeValueMemberN{Value: strconv.Itoa(delta)}},
			})
			m, exists := model[k]
			if exists {
				if err != nil {
					t.Fatalf("step %d update: %v", step, err)
				}
				m.score += delta
				model[k] = m
			} else if !isConditionFailed(err) {
				t.Fatalf("step %d update of missing item: got %v, want ConditionalCheckFailedException", step, err)
			}
		case op < 7: // query the table, paging through everything
			checkQuery(t, s, r, model, pks[r.IntN(len(pks))])
		case op < 8: // read one item, or add or drop an index now and then
			if r.IntN(20) == 0 {
				toggleIndex(t, s)
				break
			}
			k := modelKey{pks[r.IntN(len(pks))], r.IntN(200) - 100}
			out, err := s.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("model"), Key: keyAV(k)})
			if err != nil {
				t.Fatalf("step %d get: %v", step, err)
			}
			m, exists := model[k]
			if exists != (out.Item != nil) || exists && !attr.EqualItems(out.Item, m.av()) {
				t.Fatalf("step %d get %v: got %v, model has %v (%v)", step, k, out.Item, m.av(), exists)
			}
		default: // query the sparse GSIs
			checkGSI(t, s, r, model, gs[1+r.IntN(len(gs)-1)])
			checkMultiGSI(t, s, r, model, gs[1+r.IntN(len(gs)-1)])
		}
		if step%50 == 0 {
			checkInvariants(t, s, "model")
		}
	}
	checkInvariants(t, s, "model")
}

// toggleIndex adds the GSI "byNote" (g, then note; INCLUDE pk) when it is
// missing and drops it when it is there, so rows outlive index changes.
func toggleIndex(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	d, err := s.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("model")})
	if err != nil {
		t.Fatal(err)
	}
	in := &dynamodb.UpdateTableInput{TableName: aws.String("model")}
	if len(d.Table.GlobalSecondaryIndexes) > 2 {
		in.GlobalSecondaryIndexUpdates = []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("byNote")}}}
	} else {
		in.AttributeDefinitions = append(d.Table.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String("note"), AttributeType: types.ScalarAttributeTypeS})
		in.GlobalSecondaryIndexUpdates = []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName:  aws.String("byNote"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("note"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"pk"}},
		}}}
	}
	if _, err := s.UpdateTable(ctx, in); err != nil {
		t.Fatalf("UpdateTable: %v", err)
	}
	checkInvariants(t, s, "model")
}

func keyAV(k modelKey) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: k.pk},
		"sk": &types.AttributeValueMemberN{Value: strconv.Itoa(k.sk)},
	}
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// checkQuery runs a random sort-key condition with a random limit and
// direction, pages to the end, and compares with the model.
func checkQuery(t *testing.T, s *Store, r *rand.Rand, model map[modelKey]modelItem, pk string) {
	t.Helper()
	lo := r.IntN(200) - 100
	hi := lo + r.IntN(100)
	var want []int
	for k := range model {
		if k.pk == pk && k.sk >= lo && k.sk <= hi {
			want = append(want, k.sk)
		}
	}
	forward := r.IntN(2) == 0
	sort.Ints(want)
	if !forward {
		sort.Sort(sort.Reverse(sort.IntSlice(want)))
	}
	in := &dynamodb.QueryInput{
		TableName:              aws.String("model"),
		KeyConditionExpression: aws.String("pk = :p AND sk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p":  &types.AttributeValueMemberS{Value: pk},
			":lo": &types.AttributeValueMemberN{Value: strconv.Itoa(lo)},
			":hi": &types.AttributeValueMemberN{Value: strconv.Itoa(hi)},
		},
		ScanIndexForward: aws.Bool(forward),
		Limit:            aws.Int32(int32(1 + r.IntN(7))),
	}
	var got []int
	for pages := 0; ; pages++ {
		out, err := s.Query(context.Background(), in)
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		for _, it := range out.Items {
			n, _ := strconv.Atoi(it["sk"].(*types.AttributeValueMemberN).Value)
			got = append(got, n)
			m := model[modelKey{pk, n}]
			if !attr.EqualItems(it, m.av()) {
				t.Fatalf("query returned %v, model has %v", it, m.av())
			}
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		if pages > 1000 {
			t.Fatal("query does not terminate")
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("query pk=%s sk in [%d,%d] forward=%v: got %v, want %v", pk, lo, hi, forward, got, want)
	}
}

// checkGSI reads a GSI partition top-down by score and compares with the
// model; ties on score may come in any order, so compare score sequences
// and key sets.
func checkGSI(t *testing.T, s *Store, r *rand.Rand, model map[modelKey]modelItem, g string) {
	t.Helper()
	var want []modelItem
	for _, m := range model {
		if m.g == g {
			want = append(want, m)
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i].score > want[j].score })
	in := &dynamodb.QueryInput{
		TableName:                 aws.String("model"),
		IndexName:                 aws.String("byScore"),
		KeyConditionExpression:    aws.String("g = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": &types.AttributeValueMemberS{Value: g}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(1 + r.IntN(10))),
	}
	var got []modelItem
	for {
		out, err := s.Query(context.Background(), in)
		if err != nil {
			t.Fatalf("gsi query: %v", err)
		}
		for _, it := range out.Items {
			if _, ok := it["note"]; ok {
				t.Fatalf("KEYS_ONLY index returned a non-key attribute: %v", it)
			}
			sk, _ := strconv.Atoi(it["sk"].(*types.AttributeValueMemberN).Value)
			got = append(got, model[modelKey{it["pk"].(*types.AttributeValueMemberS).Value, sk}])
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if len(got) != len(want) {
		t.Fatalf("gsi g=%s: got %d items, want %d", g, len(got), len(want))
	}
	for i := range got {
		if got[i].score != want[i].score || got[i].g != g {
			t.Fatalf("gsi g=%s position %d: got score %d, want %d", g, i, got[i].score, want[i].score)
		}
	}
}

// checkInvariants verifies that every index holds exactly the projection of
// the base items that carry its keys, that sizes add up, and that rows are
// keyed consistently.
func checkInvariants(t *testing.T, s *Store, name string) {
	t.Helper()
	tb, err := s.table(aws.String(name))
	if err != nil {
		t.Fatal(err)
	}
	tb.mu.RLock()
	defer tb.mu.RUnlock()
	var size int64
	want := map[*index]map[string]bool{}
	for _, ix := range tb.indexes {
		want[ix] = map[string]bool{}
	}
	tb.rows.Ascend(func(r *row) bool {
		if r.key != string(tb.keys.rowKey(nil, r.item)) {
			t.Fatalf("row key out of date for %v", r.item)
		}
		if tb.byKey[r.key] != r {
			t.Fatalf("key map does not point at the tree's row for %v", r.item)
		}
		size += int64(r.size)
		if len(r.ixRows) != len(tb.indexes) {
			t.Fatalf("row has %d index entries for %d indexes", len(r.ixRows), len(tb.indexes))
		}
		for i, ix := range tb.indexes {
			e := r.ixRows[i]
			if !ix.covers(r.item) || !ix.typesMatch(r.item) {
				if e != nil {
					t.Fatalf("row keeps an entry in %s, which does not cover it", ix.name)
				}
				continue
			}
			k := ix.rowKey(tb.keys, r.item)
			want[ix][k] = true
			if got, _ := ix.rows.Get(&row{key: k}); e == nil || got != e {
				t.Fatalf("row's entry for %s is not the index's row", ix.name)
			}
		}
		return true
	})
	if len(tb.byKey) != tb.rows.Len() {
		t.Fatalf("key map has %d rows, tree %d", len(tb.byKey), tb.rows.Len())
	}
	if size != tb.sizeBytes {
		t.Fatalf("table size %d, rows add up to %d", tb.sizeBytes, size)
	}
	for _, ix := range tb.indexes {
		var ixSize int64
		n := 0
		ix.rows.Ascend(func(r *row) bool {
			n++
			ixSize += int64(r.size)
			if !want[ix][r.key] {
				t.Fatalf("index %s has a row with no base item: %v", ix.name, r.item)
			}
			if base := tb.get(r.item); base == nil || !attr.EqualItems(base, r.item) {
				t.Fatalf("index %s row differs from its base item", ix.name)
			}
			return true
		})
		if n != len(want[ix]) {
			t.Fatalf("index %s has %d rows, want %d", ix.name, n, len(want[ix]))
		}
		if ixSize != ix.sizeBytes {
			t.Fatalf("index %s size %d, rows add up to %d", ix.name, ix.sizeBytes, ixSize)
		}
	}
}

// checkMultiGSI reads a partition of the multi-attribute GSI top-down in
// pages, from a random score down when asked, and compares the exact order
// with the model's: score, then sk, then pk, all descending.
func checkMultiGSI(t *testing.T, s *Store, r *rand.Rand, model map[modelKey]modelItem, g string) {
	t.Helper()
	below := r.IntN(2) == 0
	limit := r.IntN(50) - 25
	var want []modelItem
	for _, m := range model {
		if m.g == g && (!below || m.score <= limit) {
			want = append(want, m)
		}
	}
	sort.Slice(want, func(i, j int) bool {
		a, b := want[i], want[j]
		if a.score != b.score {
			return a.score > b.score
		}
		if a.sk != b.sk {
			return a.sk > b.sk
		}
		return a.pk > b.pk
	})
	in := &dynamodb.QueryInput{
		TableName:                 aws.String("model"),
		IndexName:                 aws.String("multi"),
		KeyConditionExpression:    aws.String("g = :g"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": &types.AttributeValueMemberS{Value: g}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(1 + r.IntN(10))),
	}
	if below {
		in.KeyConditionExpression = aws.String("g = :g AND score <= :s")
		in.ExpressionAttributeValues[":s"] = &types.AttributeValueMemberN{Value: strconv.Itoa(limit)}
	}
	var got []modelKey
	for {
		out, err := s.Query(context.Background(), in)
		if err != nil {
			t.Fatalf("multi gsi query: %v", err)
		}
		for _, it := range out.Items {
			sk, _ := strconv.Atoi(it["sk"].(*types.AttributeValueMemberN).Value)
			got = append(got, modelKey{it["pk"].(*types.AttributeValueMemberS).Value, sk})
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		if len(out.LastEvaluatedKey) != 4 { // pk, sk, g, score: the table key and every index key attribute
			t.Fatalf("multi gsi LastEvaluatedKey %v", out.LastEvaluatedKey)
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if len(got) != len(want) {
		t.Fatalf("multi gsi g=%s: got %d items, want %d", g, len(got), len(want))
	}
	for i := range got {
		if got[i] != (modelKey{want[i].pk, want[i].sk}) {
			t.Fatalf("multi gsi g=%s position %d: got %v, want %v", g, i, got[i], modelKey{want[i].pk, want[i].sk})
		}
	}
}
