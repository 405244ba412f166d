package persist

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore"
)

// BenchmarkPutItem compares writes in memory with writes that are logged
// and fsynced, from 1 and from 16 concurrent writers (group commit shares
// fsyncs among the latter).
func BenchmarkPutItem(b *testing.B) {
	for _, writers := range []int{1, 16} {
		for _, mode := range []string{"memory", "data"} {
			b.Run(fmt.Sprintf("%s/writers=%d", mode, writers), func(b *testing.B) {
				var st interface {
					CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
					PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
				}
				mem := memstore.New()
				st = mem
				if mode == "data" {
					ps, err := Open(b.TempDir(), mem)
					if err != nil {
						b.Fatal(err)
					}
					defer ps.Close()
					st = ps
				}
				st.CreateTable(ctx, &dynamodb.CreateTableInput{
					TableName:            aws.String("tbl"),
					KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
					AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
					BillingMode:          types.BillingModePayPerRequest,
				})
				var n atomic.Int64
				put := func() bool {
					id := fmt.Sprint(n.Add(1))
					_, err := st.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tbl"), Item: map[string]types.AttributeValue{
						"id": &types.AttributeValueMemberS{Value: id}, "v": &types.AttributeValueMemberS{Value: "some value of a hundred bytes or so, like a small session or a score row"},
					}})
					if err != nil {
						b.Error(err)
					}
					return err == nil
				}
				b.ReportAllocs()
				b.ResetTimer()
				if writers == 1 {
					for i := 0; i < b.N && put(); i++ {
					}
				} else {
					b.SetParallelism((writers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() && put() {
						}
					})
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
			})
		}
	}
}
