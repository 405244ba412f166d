package wire_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// boto3Script exercises the endpoint the way a Python app does: the client
// and resource APIs, a waiter, error codes and a paginator.
const boto3Script = `
import os
from decimal import Decimal
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

kw = dict(endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",
          aws_access_key_id="dummy", aws_secret_access_key="dummy",
          config=Config(retries={"max_attempts": 1}))
ddb = boto3.client("dynamodb", **kw)
ddb.create_table(
    TableName="scores",
    KeySchema=[{"AttributeName": "game", "KeyType": "HASH"}, {"AttributeName": "player", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "game", "AttributeType": "S"}, {"AttributeName": "player", "AttributeType": "S"}],
    BillingMode="PAY_PER_REQUEST")
ddb.get_waiter("table_exists").wait(TableName="scores", WaiterConfig={"Delay": 1, "MaxAttempts": 3})

for i in range(12):
    ddb.put_item(TableName="scores", Item={"game": {"S": "chess"}, "player": {"S": "p%02d" % i}, "points": {"N": str(i)}})
item = ddb.get_item(TableName="scores", Key={"game": {"S": "chess"}, "player": {"S": "p03"}})["Item"]
assert item["points"] == {"N": "3"}, item

q = ddb.query(TableName="scores", KeyConditionExpression="game = :g AND begins_with(player, :p)",
              ExpressionAttributeValues={":g": {"S": "chess"}, ":p": {"S": "p1"}}, ScanIndexForward=False)
assert [i["player"]["S"] for i in q["Items"]] == ["p11", "p10"], q["Items"]

try:
    ddb.update_item(TableName="scores", Key={"game": {"S": "chess"}, "player": {"S": "p01"}},
                    UpdateExpression="SET points = :n", ConditionExpression="points = :o",
                    ExpressionAttributeValues={":n": {"N": "9"}, ":o": {"N": "100"}},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD")
    raise SystemExit("the update should have failed its condition")
except ClientError as e:
    assert e.response["Error"]["Code"] == "ConditionalCheckFailedException", e.response
    assert e.response["Item"]["points"] == {"N": "1"}, e.response

table = boto3.resource("dynamodb", **kw).Table("scores")
table.put_item(Item={"game": "go", "player": "x", "points": Decimal("1.5"), "tags": {"a", "b"}})
got = table.get_item(Key={"game": "go", "player": "x"})["Item"]
assert got["points"] == Decimal("1.5") and got["tags"] == {"a", "b"}, got

try:
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "scores", "Item": {"game": {"S": "tx"}, "player": {"S": "y"}}}},
        {"ConditionCheck": {"TableName": "scores", "Key": {"game": {"S": "go"}, "player": {"S": "x"}},
                            "ConditionExpression": "attribute_not_exists(game)"}}])
    raise SystemExit("the transaction should have been cancelled")
except ClientError as e:
    assert e.response["Error"]["Code"] == "TransactionCanceledException", e.response
    reasons = [r["Code"] for r in e.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"], reasons

n = sum(len(p["Items"]) for p in ddb.get_paginator("scan").paginate(TableName="scores", PaginationConfig={"PageSize": 5}))
assert n == 13, n
print("boto3 ok")
`

// TestBoto3 is a smoke test with boto3, skipped where Python or boto3 is
// missing.
func TestBoto3(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("skipped: python3 is not on PATH")
	}
	if out, err := exec.Command(python, "-c", "import boto3").CombinedOutput(); err != nil {
		t.Skipf("skipped: boto3 is not installed for %s (pip install boto3): %s", python, strings.TrimSpace(string(out)))
	}
	srv := e2eServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", boto3Script)
	cmd.Env = append(os.Environ(), "ENDPOINT="+srv.URL, "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "boto3 ok") {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}
