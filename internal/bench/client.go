package bench

import (
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/truora/minidyn/aws-v2/client"

	"github.com/monotable/monotable/internal/memstore"
)

// Client is the part of *dynamodb.Client the workloads use, with the SDK's
// own signatures.
type Client interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var (
	_ Client = (*memstore.Store)(nil)
	_ Client = (*client.Client)(nil)
	_ Client = (*dynamodb.Client)(nil)
)

// A Contender is one implementation under test.
type Contender struct {
	Name string
	New  func() Client // an empty instance
}

// Monotable is the project's store, called directly.
func Monotable() Contender {
	return Contender{Name: "monotable", New: func() Client { return memstore.New() }}
}

// Minidyn is truora/minidyn's in-process client, in its default configuration.
func Minidyn() Contender {
	return Contender{Name: "minidyn", New: func() Client { return client.NewClient() }}
}

// release lets go of an instance, stopping whatever it runs in the background.
func release(c Client) {
	if cl, ok := c.(io.Closer); ok {
		_ = cl.Close()
	}
}
