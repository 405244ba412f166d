package wire_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// awsCLI runs `aws dynamodb ...` against an endpoint with throwaway
// credentials and no user configuration.
type awsCLI struct {
	t        *testing.T
	path     string
	endpoint string
	env      []string
}

type cliResult struct {
	stdout, stderr string
	code           int
}

func newAWSCLI(t *testing.T, endpoint string) *awsCLI {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("skipped: the AWS CLI (aws) is not on PATH; install it (apt-get install awscli, as .ci/run does) to run this test")
	}
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"AWS_ACCESS_KEY_ID=dummy",
		"AWS_SECRET_ACCESS_KEY=dummy",
		"AWS_PAGER=",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	)
	return &awsCLI{t: t, path: path, endpoint: endpoint, env: env}
}

// run runs one dynamodb subcommand and returns what it printed and its exit
// status.
func (c *awsCLI) run(args ...string) cliResult {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	argv := append([]string{"dynamodb"}, args...)
	argv = append(argv, "--endpoint-url", c.endpoint, "--region", "us-east-1", "--output", "json")
	cmd := exec.CommandContext(ctx, c.path, argv...)
	cmd.Env = c.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := cliResult{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		c.t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// ok runs a subcommand that must succeed and decodes its JSON output.
func (c *awsCLI) ok(out any, args ...string) {
	c.t.Helper()
	res := c.run(args...)
	if res.code != 0 {
		c.t.Fatalf("aws dynamodb %s: exit status %d\n%s", args[0], res.code, res.stderr)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(res.stdout), out); err != nil {
			c.t.Fatalf("aws dynamodb %s: %v in %q", args[0], err, res.stdout)
		}
	}
}

type cliItem map[string]map[string]any

func (it cliItem) s(name string) string { v, _ := it[name]["S"].(string); return v }
func (it cliItem) n(name string) string { v, _ := it[name]["N"].(string); return v }

// TestAWSCLI drives the endpoint with the AWS CLI. CLI invocations cost
// about a second each (Python's start-up), so the data is seeded through
// the Go SDK and independent commands run in parallel.
func TestAWSCLI(t *testing.T) {
	srv := e2eServer(t)
	cli := newAWSCLI(t, srv.URL)
	client := e2eClient(srv)
	ctx := context.Background()

	var created struct {
		TableDescription struct {
			TableName              string
			TableStatus            string
			GlobalSecondaryIndexes []struct{ IndexName, IndexStatus string }
		}
	}
	cli.ok(&created, "create-table", "--table-name", "scores",
		"--attribute-definitions", "AttributeName=game,AttributeType=S", "AttributeName=player,AttributeType=S",
		"AttributeName=board,AttributeType=S", "AttributeName=points,AttributeType=N",
		"--key-schema", "AttributeName=game,KeyType=HASH", "AttributeName=player,KeyType=RANGE",
		"--global-secondary-indexes", `[{"IndexName":"byPoints","KeySchema":[{"AttributeName":"board","KeyType":"HASH"},{"AttributeName":"points","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}]`,
		"--billing-mode", "PAY_PER_REQUEST")
	if d := created.TableDescription; d.TableName != "scores" || d.TableStatus != "ACTIVE" ||
		len(d.GlobalSecondaryIndexes) != 1 || d.GlobalSecondaryIndexes[0].IndexName != "byPoints" {
		t.Fatalf("create-table: %+v", d)
	}

	var put struct {
		ConsumedCapacity struct{ CapacityUnits float64 }
	}
	cli.ok(&put, "put-item", "--table-name", "scores",
		"--item", `{"game":{"S":"chess"},"player":{"S":"ann"},"board":{"S":"chess"},"points":{"N":"30"}}`,
		"--condition-expression", "attribute_not_exists(game)",
		"--return-consumed-capacity", "TOTAL")
	if put.ConsumedCapacity.CapacityUnits != 2 { // the table and its GSI
		t.Fatalf("put-item consumed %v units, want 2", put.ConsumedCapacity.CapacityUnits)
	}
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("scores"),
		Key: map[string]types.AttributeValue{"game": &types.AttributeValueMemberS{Value: "chess"}, "player": &types.AttributeValueMemberS{Value: "ann"}}})
	if err != nil || got.Item == nil {
		t.Fatalf("the CLI's item is not there: %v %v", got, err)
	}

	// Seed: 11 more players, 12 items for the scan to page through.
	for i, p := range []string{"bob", "cyd", "dan", "eve", "fay", "gus", "hal", "ivy", "jon", "kim", "lee"} {
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("scores"), Item: map[string]types.AttributeValue{
			"game": &types.AttributeValueMemberS{Value: "chess"}, "player": &types.AttributeValueMemberS{Value: p},
			"board": &types.AttributeValueMemberS{Value: "chess"}, "points": &types.AttributeValueMemberN{Value: fmt.Sprint(i * 5)},
		}}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("reads", func(t *testing.T) {
		t.Run("query a GSI", func(t *testing.T) {
			t.Parallel()
			var q struct {
				Items []cliItem
				Count int
			}
			cli.ok(&q, "query", "--table-name", "scores", "--index-name", "byPoints",
				"--key-condition-expression", "board = :b AND points >= :p",
				"--expression-attribute-values", `{":b":{"S":"chess"},":p":{"N":"30"}}`,
				"--no-scan-index-forward")
			var players []string
			for _, it := range q.Items {
				players = append(players, it.s("player")+"="+it.n("points"))
			}
			want := []string{"lee=50", "kim=45", "jon=40", "ivy=35", "ann=30", "hal=30"}
			if q.Count != len(want) || !slices.Equal(players[:4], want[:4]) || !slices.Contains(players, "ann=30") {
				t.Fatalf("query: %d items %v, want %v", q.Count, players, want)
			}
		})

		t.Run("update fails its condition", func(t *testing.T) {
			t.Parallel()
			res := cli.run("update-item", "--table-name", "scores",
				"--key", `{"game":{"S":"chess"},"player":{"S":"ann"}}`,
				"--update-expression", "SET points = :new",
				"--condition-expression", "points = :old",
				"--expression-attribute-values", `{":new":{"N":"99"},":old":{"N":"1"}}`)
			// AWS CLI v1 exits 255 on a service error, v2 254.
			if res.code != 254 && res.code != 255 {
				t.Fatalf("exit status %d, want 254 or 255 (a service error)\nstdout: %s\nstderr: %s", res.code, res.stdout, res.stderr)
			}
			for _, want := range []string{"ConditionalCheckFailedException", "The conditional request failed", "UpdateItem"} {
				if !strings.Contains(res.stderr, want) {
					t.Fatalf("stderr lacks %q:\n%s", want, res.stderr)
				}
			}
		})

		t.Run("scan in pages", func(t *testing.T) {
			t.Parallel()
			var first struct {
				Items     []cliItem
				NextToken string
			}
			cli.ok(&first, "scan", "--table-name", "scores", "--page-size", "3", "--max-items", "5")
			if len(first.Items) != 5 || first.NextToken == "" {
				t.Fatalf("first page: %d items, NextToken %q; want 5 and a token", len(first.Items), first.NextToken)
			}
			var rest struct {
				Items     []cliItem
				NextToken string
			}
			cli.ok(&rest, "scan", "--table-name", "scores", "--page-size", "3", "--max-items", "50", "--starting-token", first.NextToken)
			if rest.NextToken != "" {
				t.Fatalf("last page has a NextToken %q", rest.NextToken)
			}
			seen := map[string]bool{}
			for _, it := range append(first.Items, rest.Items...) {
				if seen[it.s("player")] {
					t.Fatalf("player %s came twice", it.s("player"))
				}
				seen[it.s("player")] = true
			}
			if len(seen) != 12 {
				t.Fatalf("the pages hold %d players, want 12", len(seen))
			}
		})
	})
	if t.Failed() {
		return
	}

	// A transaction: a put, an update and a check, all or nothing.
	cli.ok(nil, "transact-write-items", "--transact-items", `[
		{"Put":{"TableName":"scores","Item":{"game":{"S":"go"},"player":{"S":"ann"},"points":{"N":"1"}},"ConditionExpression":"attribute_not_exists(game)"}},
		{"Update":{"TableName":"scores","Key":{"game":{"S":"chess"},"player":{"S":"bob"}},"UpdateExpression":"ADD points :d","ExpressionAttributeValues":{":d":{"N":"7"}}}},
		{"ConditionCheck":{"TableName":"scores","Key":{"game":{"S":"chess"},"player":{"S":"ann"}},"ConditionExpression":"points = :p","ExpressionAttributeValues":{":p":{"N":"30"}}}}
	]`)
	bob, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("scores"),
		Key: map[string]types.AttributeValue{"game": &types.AttributeValueMemberS{Value: "chess"}, "player": &types.AttributeValueMemberS{Value: "bob"}}})
	if err != nil || bob.Item["points"].(*types.AttributeValueMemberN).Value != "7" {
		t.Fatalf("after the transaction bob has %v (%v), want 7 points", bob.Item["points"], err)
	}
	goAnn, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("scores"),
		Key: map[string]types.AttributeValue{"game": &types.AttributeValueMemberS{Value: "go"}, "player": &types.AttributeValueMemberS{Value: "ann"}}})
	if err != nil || goAnn.Item == nil {
		t.Fatalf("the transaction's put is missing: %v", err)
	}
}
