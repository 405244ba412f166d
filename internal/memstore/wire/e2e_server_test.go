package wire_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/memstore/wire"
)

// The e2e tests drive a fresh store over a real socket on 127.0.0.1 with
// clients other than the in-process one: the AWS CLI, boto3, guregu/dynamo
// and aws-sdk-go-v2 with a BaseEndpoint, as a user of `monotable local`
// would.

// e2eServer serves a new store on 127.0.0.1:<free port> until the test
// ends.
func e2eServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(wire.NewHandler(memstore.New(), wire.WithLogger(nil)))
	t.Cleanup(srv.Close)
	return srv
}

// e2eConfig is what a program pointing the SDK at the endpoint writes.
func e2eConfig(srv *httptest.Server) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "dummy", SecretAccessKey: "dummy"}, nil
		}),
		HTTPClient: &http.Client{Transport: srv.Client().Transport},
	}
}

func e2eClient(srv *httptest.Server) *dynamodb.Client {
	return dynamodb.NewFromConfig(e2eConfig(srv))
}
