package memstore

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestOnDemandThroughput: the on-demand limits a table and its GSIs are
// created with are described back, UpdateTable changes them (alone, with
// nothing else in the request), and the store keeps its own copy.
func TestOnDemandThroughput(t *testing.T) {
	s := New()
	defer s.Close()
	ctx := context.Background()
	limits := func(r, w int64) *types.OnDemandThroughput {
		return &types.OnDemandThroughput{MaxReadRequestUnits: aws.Int64(r), MaxWriteRequestUnits: aws.Int64(w)}
	}
	given := limits(10, 5)
	_, err := s.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String("ondemand"),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:          aws.String("byG"),
			KeySchema:          []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}},
			Projection:         &types.Projection{ProjectionType: types.ProjectionTypeAll},
			OnDemandThroughput: limits(7, 3),
		}},
		OnDemandThroughput: given,
	})
	if err != nil {
		t.Fatal(err)
	}
	given.MaxReadRequestUnits = aws.Int64(99) // the caller's struct is not the store's
	want := func(step string, table, gsi [2]int64) {
		t.Helper()
		d, err := s.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("ondemand")})
		if err != nil {
			t.Fatal(err)
		}
		got := d.Table.OnDemandThroughput
		if got == nil || aws.ToInt64(got.MaxReadRequestUnits) != table[0] || aws.ToInt64(got.MaxWriteRequestUnits) != table[1] {
			t.Errorf("%s: table OnDemandThroughput %+v, want %v", step, got, table)
		}
		g := d.Table.GlobalSecondaryIndexes[0].OnDemandThroughput
		if g == nil || aws.ToInt64(g.MaxReadRequestUnits) != gsi[0] || aws.ToInt64(g.MaxWriteRequestUnits) != gsi[1] {
			t.Errorf("%s: GSI OnDemandThroughput %+v, want %v", step, g, gsi)
		}
	}
	want("created", [2]int64{10, 5}, [2]int64{7, 3})

	if _, err := s.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("ondemand"), OnDemandThroughput: limits(20, 15)}); err != nil {
		t.Fatalf("UpdateTable with OnDemandThroughput alone: %v", err)
	}
	want("table updated", [2]int64{20, 15}, [2]int64{7, 3})

	if _, err := s.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("ondemand"), GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{
		Update: &types.UpdateGlobalSecondaryIndexAction{IndexName: aws.String("byG"), OnDemandThroughput: limits(8, 4)},
	}}}); err != nil {
		t.Fatalf("UpdateTable of the GSI's OnDemandThroughput: %v", err)
	}
	want("GSI updated", [2]int64{20, 15}, [2]int64{8, 4})
}
