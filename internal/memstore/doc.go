// Package memstore is an in-memory DynamoDB: tables of ordered items with
// their indexes, the expression languages, queries, batches, transactions,
// TTL and streams, with DynamoDB's own errors and limits. A [Store] has the
// method set of *dynamodb.Client that the orm uses, so the same code runs
// against it and against the real service.
package memstore
