package samlocal

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	cfn "github.com/awslabs/goformation/v7/cloudformation/dynamodb"

	"github.com/monotable/monotable/internal/memstore"
)

// tableInfo is a created table as the rest of the template sees it.
type tableInfo struct {
	name, arn, streamARN string
}

// createTable creates the table in the store as CloudFormation would from
// the resource: the table (keys, indexes, billing, stream, encryption),
// then its TTL and point-in-time recovery.
func createTable(ctx context.Context, store *memstore.Store, t *Table, name string) (tableInfo, error) {
	var r cfn.Table
	if t.simple {
		r = simpleTable(t.Properties)
	} else {
		// goformation decodes a resource from its envelope, and refuses
		// properties it does not know.
		b, err := json.Marshal(map[string]any{"Type": "AWS::DynamoDB::Table", "Properties": t.Properties})
		if err != nil {
			return tableInfo{}, err
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return tableInfo{}, fmt.Errorf("table %s: %w", t.ID, err)
		}
	}
	in := &dynamodb.CreateTableInput{
		TableName:                 aws.String(name),
		KeySchema:                 keySchema(r.KeySchema),
		TableClass:                types.TableClass(aws.ToString(r.TableClass)),
		DeletionProtectionEnabled: r.DeletionProtectionEnabled,
		ProvisionedThroughput:     throughput(r.ProvisionedThroughput),
	}
	in.BillingMode = types.BillingModeProvisioned // CloudFormation's default
	if r.BillingMode != nil {
		in.BillingMode = types.BillingMode(*r.BillingMode)
	}
	for _, a := range r.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName), AttributeType: types.ScalarAttributeType(a.AttributeType),
		})
	}
	for _, g := range r.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(g.IndexName), KeySchema: keySchema(g.KeySchema),
			Projection: projection(g.Projection), ProvisionedThroughput: throughput(g.ProvisionedThroughput),
		})
	}
	for _, l := range r.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName: aws.String(l.IndexName), KeySchema: keySchema(l.KeySchema), Projection: projection(l.Projection),
		})
	}
	if s := r.StreamSpecification; s != nil {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(s.StreamViewType)}
	}
	if s := r.SSESpecification; s != nil {
		in.SSESpecification = &types.SSESpecification{Enabled: aws.Bool(s.SSEEnabled), KMSMasterKeyId: s.KMSMasterKeyId}
		if s.SSEType != nil {
			in.SSESpecification.SSEType = types.SSEType(*s.SSEType)
		}
	}
	for _, tag := range r.Tags {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(tag.Key), Value: aws.String(tag.Value)})
	}
	if _, err := store.CreateTable(ctx, in); err != nil {
		return tableInfo{}, fmt.Errorf("table %s: %w", t.ID, err)
	}
	if ttl := r.TimeToLiveSpecification; ttl != nil && ttl.Enabled {
		if _, err := store.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName:               aws.String(name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: ttl.AttributeName, Enabled: aws.Bool(true)},
		}); err != nil {
			return tableInfo{}, fmt.Errorf("table %s: TimeToLiveSpecification: %w", t.ID, err)
		}
	}
	if p := r.PointInTimeRecoverySpecification; p != nil && p.PointInTimeRecoveryEnabled != nil && *p.PointInTimeRecoveryEnabled {
		if _, err := store.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
			TableName:                        aws.String(name),
			PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)},
		}); err != nil {
			return tableInfo{}, fmt.Errorf("table %s: PointInTimeRecoverySpecification: %w", t.ID, err)
		}
	}
	out, err := store.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return tableInfo{}, err
	}
	return tableInfo{name: name, arn: aws.ToString(out.Table.TableArn), streamARN: aws.ToString(out.Table.LatestStreamArn)}, nil
}

func keySchema(ks []cfn.Table_KeySchema) []types.KeySchemaElement {
	var out []types.KeySchemaElement
	for _, k := range ks {
		out = append(out, types.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: types.KeyType(k.KeyType)})
	}
	return out
}

func projection(p *cfn.Table_Projection) *types.Projection {
	if p == nil {
		return nil
	}
	return &types.Projection{ProjectionType: types.ProjectionType(aws.ToString(p.ProjectionType)), NonKeyAttributes: p.NonKeyAttributes}
}

func throughput(p *cfn.Table_ProvisionedThroughput) *types.ProvisionedThroughput {
	if p == nil {
		return nil
	}
	return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(int64(p.ReadCapacityUnits)), WriteCapacityUnits: aws.Int64(int64(p.WriteCapacityUnits))}
}

// simpleTable is the table SAM makes of an AWS::Serverless::SimpleTable.
func simpleTable(props map[string]any) cfn.Table {
	name, typ := "id", "S"
	if pk, ok := props["PrimaryKey"].(map[string]any); ok {
		if n, ok := pk["Name"].(string); ok {
			name = n
		}
		switch pk["Type"] {
		case "Number":
			typ = "N"
		case "Binary":
			typ = "B"
		}
	}
	r := cfn.Table{
		AttributeDefinitions: []cfn.Table_AttributeDefinition{{AttributeName: name, AttributeType: typ}},
		KeySchema:            []cfn.Table_KeySchema{{AttributeName: name, KeyType: "HASH"}},
		BillingMode:          aws.String("PAY_PER_REQUEST"),
	}
	if pt, ok := props["ProvisionedThroughput"].(map[string]any); ok {
		rc, _ := pt["ReadCapacityUnits"].(float64)
		wc, _ := pt["WriteCapacityUnits"].(float64)
		r.BillingMode = aws.String("PROVISIONED")
		r.ProvisionedThroughput = &cfn.Table_ProvisionedThroughput{ReadCapacityUnits: int(rc), WriteCapacityUnits: int(wc)}
	}
	return r
}
