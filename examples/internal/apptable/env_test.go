package apptable_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/examples/internal/apptable"
	"github.com/monotable/monotable/orm/ormtest"
)

func getenv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadEnv(t *testing.T) {
	lambdaEnv := map[string]string{
		"TABLE_NAME": "app", "AWS_REGION": "eu-west-1",
		"AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
	}
	e, err := apptable.LoadEnv(getenv(lambdaEnv))
	if err != nil {
		t.Fatal(err)
	}
	o := e.Client().Options()
	creds, _ := o.Credentials.Retrieve(context.Background())
	if e.TableName != "app" || o.Region != "eu-west-1" || o.BaseEndpoint != nil || creds.SessionToken != "token" || e.CursorKey != nil {
		t.Fatalf("in Lambda: %+v, region %s, endpoint %v, creds %+v", e, o.Region, o.BaseEndpoint, creds)
	}

	// A local endpoint needs neither a region nor credentials.
	e, err = apptable.LoadEnv(getenv(map[string]string{
		"TABLE_NAME": "app", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000", "CURSOR_KEY": "k",
	}))
	if err != nil {
		t.Fatal(err)
	}
	o = e.Client().Options()
	if aws.ToString(o.BaseEndpoint) != "http://127.0.0.1:8000" || o.Region != "us-east-1" || len(e.CursorKey) != 32 {
		t.Fatalf("local: endpoint %v, region %s, cursor key %d bytes", o.BaseEndpoint, o.Region, len(e.CursorKey))
	}
	// The service-specific variable wins over the general one, as in the SDK.
	e, _ = apptable.LoadEnv(getenv(map[string]string{
		"TABLE_NAME": "app", "AWS_ENDPOINT_URL": "http://general", "AWS_ENDPOINT_URL_DYNAMODB": "http://dynamodb",
	}))
	if e.Endpoint != "http://dynamodb" {
		t.Fatalf("endpoint %s", e.Endpoint)
	}

	for name, env := range map[string]map[string]string{
		"no table":       {"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"},
		"no region":      {"TABLE_NAME": "app", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"},
		"no credentials": {"TABLE_NAME": "app", "AWS_REGION": "eu-west-1"},
	} {
		if _, err := apptable.LoadEnv(getenv(env)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestNewRegistersEveryModel(t *testing.T) {
	table, err := apptable.New(ormtest.New(t), "app")
	if err != nil {
		t.Fatal(err)
	}
	for _, entity := range []string{"session", "audit", "score", "player", "play"} {
		if _, err := table.Decode(map[string]types.AttributeValue{"type": &types.AttributeValueMemberS{Value: entity}}); err != nil {
			t.Errorf("%s: %v", entity, err)
		}
	}
	ctx := context.Background()
	if err := apptable.CreateIfMissing(ctx, table); err != nil {
		t.Fatal(err)
	}
	if err := apptable.CreateIfMissing(ctx, table); err != nil {
		t.Fatalf("second time: %v", err)
	}
}
