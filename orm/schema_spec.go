package orm

import "github.com/aws/aws-sdk-go-v2/service/dynamodb"

// Schema is the table's physical definition as the registered models need
// it: the CreateTable request (keys, attribute types, indexes and their
// projections, stream, encryption) plus what CreateTable does not carry.
// orm/ormcfn renders it as CloudFormation; keeping that renderer out of
// this package keeps its template parser out of every Lambda binary.
type Schema struct {
	Input        *dynamodb.CreateTableInput
	TTLAttribute string // TTL is enabled on this attribute
	PITR         bool   // point-in-time recovery
}

// Schema returns the table's definition, or the table's configuration
// error.
func (t *Table) Schema() (Schema, error) {
	if t.err != nil {
		return Schema{}, t.err
	}
	return Schema{Input: t.CreateTableInput(), TTLAttribute: t.layout.TTL, PITR: t.pitr}, nil
}
