package main

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BenchmarkLocalPutItem measures PutItem over HTTP against the binary, in
// memory and with --data (every write fsynced before its answer), from 1
// and from 16 concurrent clients.
//
//	go test -run '^$' -bench LocalPutItem ./cmd/monotable
func BenchmarkLocalPutItem(b *testing.B) {
	bin := buildBinary(b)
	for _, writers := range []int{1, 16} {
		for _, mode := range []string{"memory", "data"} {
			b.Run(fmt.Sprintf("%s/writers=%d", mode, writers), func(b *testing.B) {
				dir := ""
				if mode == "data" {
					dir = b.TempDir()
				}
				c := startChild(b, bin, dir)
				defer func() {
					b.StopTimer()
					c.cmd.Process.Signal(syscall.SIGTERM)
					<-c.exited
				}()
				client := dynamodb.New(dynamodb.Options{
					Region:       "us-east-1",
					BaseEndpoint: aws.String(c.url),
					Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
						return aws.Credentials{AccessKeyID: "dummy", SecretAccessKey: "dummy"}, nil
					}),
					HTTPClient: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: writers}},
				})
				createTable(b, client)
				var n atomic.Int64
				put := func() bool {
					k := fmt.Sprint(n.Add(1))
					_, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(crashTable), Item: map[string]types.AttributeValue{
						"k": &types.AttributeValueMemberS{Value: k}, "v": &types.AttributeValueMemberS{Value: "some value of a hundred bytes or so, like a small session or a score row"},
					}})
					if err != nil {
						b.Error(err)
					}
					return err == nil
				}
				b.ResetTimer()
				start := time.Now()
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
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "writes/s")
			})
		}
	}
}
