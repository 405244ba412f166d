package orm

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The table's schema is derived from its layout and registered models:
// the key schema and indexes from the layout, the attribute types (S or
// N) from the models' key templates, TTL on the layout's TTL attribute,
// and streams, PITR and SSE from the table options. Register every model
// before rendering it.

// attrType is S unless a registered model makes the attribute a number.
func (t *Table) attrType(attr string) types.ScalarAttributeType {
	for _, c := range t.codecs() {
		for _, bk := range c.keys {
			if bk.attr == attr && bk.tpl.number {
				return types.ScalarAttributeTypeN
			}
		}
	}
	return types.ScalarAttributeTypeS
}

func keySchema(pk, sk string) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(pk), KeyType: types.KeyTypeHash}}
	if sk != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk), KeyType: types.KeyTypeRange})
	}
	return ks
}

// keyAttrs lists every key attribute of the layout, once, in order.
func (t *Table) keyAttrs() []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	add(t.layout.PK)
	add(t.layout.SK)
	for _, ix := range t.layout.GSIs {
		add(ix.PK)
		add(ix.SK)
	}
	for _, ix := range t.layout.LSIs {
		add(ix.SK)
	}
	return out
}

// CreateTableInput is the CreateTable request for the table, on-demand
// billing, for tests and local runs. Create also enables TTL.
func (t *Table) CreateTableInput() *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(t.name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema:   keySchema(t.layout.PK, t.layout.SK),
	}
	for _, a := range t.keyAttrs() {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String(a), AttributeType: t.attrType(a)})
	}
	for _, ix := range t.layout.GSIs {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(ix.Name), KeySchema: keySchema(ix.PK, ix.SK), Projection: ix.Projection.sdk(),
		})
	}
	for _, ix := range t.layout.LSIs {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName: aws.String(ix.Name), KeySchema: keySchema(t.layout.PK, ix.SK), Projection: ix.Projection.sdk(),
		})
	}
	if t.stream != "" {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: t.stream}
	}
	if t.sse {
		in.SSESpecification = &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms}
		if t.kmsKey != "" {
			in.SSESpecification.KMSMasterKeyId = aws.String(t.kmsKey)
		}
	}
	return in
}

// Create creates the table and enables TTL on its TTL attribute: for
// tests and local runs; deploy real tables from the rendered template.
func (t *Table) Create(ctx context.Context) error {
	if t.err != nil {
		return t.err
	}
	if _, err := t.client.CreateTable(ctx, t.CreateTableInput()); err != nil {
		return fmt.Errorf("orm: create table %s: %w", t.name, err)
	}
	_, err := t.client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(t.name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(t.layout.TTL), Enabled: aws.Bool(true)},
	})
	if err != nil {
		return fmt.Errorf("orm: enable TTL on %s: %w", t.name, err)
	}
	return nil
}
