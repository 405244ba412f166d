package memstore

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ListGlobalTables lists version 2017.11.29 global tables; a local store
// has none. Present so clients that probe it (guregu/dynamo) work.
func (s *Store) ListGlobalTables(ctx context.Context, in *dynamodb.ListGlobalTablesInput, _ ...func(*dynamodb.Options)) (*dynamodb.ListGlobalTablesOutput, error) {
	if in == nil {
		in = &dynamodb.ListGlobalTablesInput{} // as the SDK does for a nil input
	}
	return &dynamodb.ListGlobalTablesOutput{GlobalTables: []types.GlobalTable{}}, nil
}
