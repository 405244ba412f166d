package apptable

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/orm"
)

// Env is a function's configuration, read from its environment as
// template.yaml (or env.json, for sam local) sets it.
type Env struct {
	// TableName is TABLE_NAME, the deployed name of the table.
	TableName string
	// Endpoint is AWS_ENDPOINT_URL_DYNAMODB (else AWS_ENDPOINT_URL, the
	// SDK's order): a local DynamoDB endpoint such as `make local`, or ""
	// for the region's own.
	Endpoint string
	// Region is AWS_REGION (else AWS_DEFAULT_REGION), which Lambda sets.
	Region string
	// CursorKey seals pagination cursors: the SHA-256 of CURSOR_KEY, so
	// that every instance of a function, and every function, reads the
	// cursors of the others. Nil when CURSOR_KEY is unset: a random key per
	// process, and cursors that die with it.
	CursorKey []byte

	creds aws.Credentials
}

// LoadEnv reads the configuration through getenv (os.Getenv in main).
func LoadEnv(getenv func(string) string) (Env, error) {
	first := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	e := Env{
		TableName: getenv("TABLE_NAME"),
		Endpoint:  first("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"),
		Region:    first("AWS_REGION", "AWS_DEFAULT_REGION"),
		creds: aws.Credentials{
			AccessKeyID:     getenv("AWS_ACCESS_KEY_ID"),
			SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
			SessionToken:    getenv("AWS_SESSION_TOKEN"),
			Source:          "environment",
		},
	}
	if k := getenv("CURSOR_KEY"); k != "" {
		sum := sha256.Sum256([]byte(k))
		e.CursorKey = sum[:]
	}
	if e.TableName == "" {
		return e, errors.New("apptable: TABLE_NAME is not set")
	}
	local := e.Endpoint != ""
	if e.Region == "" {
		if !local {
			return e, errors.New("apptable: AWS_REGION is not set")
		}
		e.Region = "us-east-1"
	}
	if e.creds.AccessKeyID == "" || e.creds.SecretAccessKey == "" {
		if !local {
			return e, errors.New("apptable: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
		}
		// A local endpoint takes any signature; the SDK needs one all the same.
		e.creds = aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local", Source: "local"}
	}
	return e, nil
}

// Client returns a DynamoDB client for the environment.
//
// It is built from dynamodb.Options rather than config.LoadDefaultConfig,
// which would honor AWS_ENDPOINT_URL_DYNAMODB by itself: the module does
// not require github.com/aws/aws-sdk-go-v2/config at a version that knows
// that variable. In Lambda the environment is all the configuration there
// is (the execution role's credentials and the region are variables), so
// nothing is lost.
func (e Env) Client() *dynamodb.Client {
	creds := e.creds
	o := dynamodb.Options{
		Region: e.Region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
	}
	if e.Endpoint != "" {
		o.BaseEndpoint = aws.String(e.Endpoint)
	}
	return dynamodb.New(o)
}

// Open is a function's start-up: the environment, a client, and the table
// with every model registered. Against a local endpoint it also creates the
// table if it is missing, so that `sam local invoke` and `make run` work on
// an empty store; deployed tables come from template.yaml.
func Open(ctx context.Context) (*orm.Table, *dynamodb.Client, error) {
	env, err := LoadEnv(os.Getenv)
	if err != nil {
		return nil, nil, err
	}
	client := env.Client()
	var opts []orm.TableOption
	if env.CursorKey != nil {
		opts = append(opts, orm.WithCursorKey(env.CursorKey))
	} else {
		slog.Warn("CURSOR_KEY is not set: cursors are sealed with a key of this process only")
	}
	table, err := New(client, env.TableName, opts...)
	if err != nil {
		return nil, nil, err
	}
	if env.Endpoint != "" {
		if err := CreateIfMissing(ctx, table); err != nil {
			// Not fatal: the endpoint may be a real one that refuses
			// CreateTable to this role; requests will tell.
			slog.Warn("could not create the table on the local endpoint", "table", env.TableName, "endpoint", env.Endpoint, "err", err)
		}
	}
	return table, client, nil
}

// CreateIfMissing creates the table (and turns TTL on) unless it exists.
func CreateIfMissing(ctx context.Context, t *orm.Table) error {
	err := t.Create(ctx)
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("apptable: %w", err)
	}
	return nil
}
