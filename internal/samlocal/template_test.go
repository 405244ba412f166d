package samlocal

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/monotable/monotable/internal/memstore"
)

const repoTemplate = "../../template.yaml"

// TestLoadRepoTemplate reads the repository's SAM app as local runs see it.
func TestLoadRepoTemplate(t *testing.T) {
	tpl, err := Load(repoTemplate, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("../..")
	want := map[string]string{
		"SessionsFunction":     "examples/sessions/cmd/sessions",
		"SessionAuditFunction": "examples/sessions/cmd/audit",
		"LeaderboardFunction":  "examples/leaderboard/cmd/leaderboard",
	}
	for name, pkg := range want {
		fn := tpl.Function(name)
		if fn == nil {
			t.Fatalf("no function %s", name)
		}
		if fn.Package != filepath.Join(root, pkg) || fn.Unsupported != "" {
			t.Errorf("%s: package %q (%s), want %s", name, fn.Package, fn.Unsupported, pkg)
		}
		if fn.Timeout != 10*time.Second || fn.MemorySize != 256 || fn.Handler != "bootstrap" {
			t.Errorf("%s: Globals not applied: %+v", name, fn)
		}
	}
	var keys []string
	for _, r := range tpl.Routes() {
		keys = append(keys, r.Function+" "+r.Key())
	}
	for _, k := range []string{"SessionsFunction POST /sessions", "SessionsFunction DELETE /sessions/{id}",
		"LeaderboardFunction GET /games/{game}/players/{player}"} {
		if !slices.Contains(keys, k) {
			t.Errorf("no route %s in %v", k, keys)
		}
	}
	audit := tpl.Function("SessionAuditFunction")
	if len(audit.Streams) != 1 {
		t.Fatalf("audit streams: %+v", audit.Streams)
	}
	s := audit.Streams[0]
	if s.Table != "Table" || s.BatchSize != 100 || s.BatchWindow != time.Second || s.MaxRetries != 10 ||
		!s.ReportBatchItemFailures || s.Latest || len(s.Filters) != 1 {
		t.Errorf("audit stream source: %+v", s)
	}

	// env.json names the table; CURSOR_KEY is one generated secret for all.
	ev, err := ReadEnvVars("../../env.json")
	if err != nil {
		t.Fatal(err)
	}
	names, err := tpl.tableNames(ev)
	if err != nil || names["Table"] != "monotable-examples" {
		t.Errorf("table names %v, %v", names, err)
	}
	if names, _ := tpl.tableNames(nil); names["Table"] != "Table" {
		t.Errorf("without env.json the table is %q, want its logical ID", names["Table"])
	}
	res := tpl.res.clone()
	res.refs["Table"] = "local-table"
	env1, un, err := environment(tpl.Function("SessionsFunction"), res, nil, "http://127.0.0.1:1")
	if err != nil || len(un) != 0 {
		t.Fatal(err, un)
	}
	env2, _, _ := environment(tpl.Function("LeaderboardFunction"), res, nil, "http://127.0.0.1:1")
	if env1["TABLE_NAME"] != "local-table" || env1["AWS_ENDPOINT_URL_DYNAMODB"] != "http://127.0.0.1:1" ||
		env1["CURSOR_KEY"] == "" || env1["CURSOR_KEY"] != env2["CURSOR_KEY"] || strings.Contains(env1["CURSOR_KEY"], "{{") {
		t.Errorf("environment: %v / %v", env1, env2)
	}
	env3, _, _ := environment(tpl.Function("SessionsFunction"), res, ev, "http://127.0.0.1:1")
	if env3["CURSOR_KEY"] != ev["SessionsFunction"]["CURSOR_KEY"] || env3["AWS_ENDPOINT_URL_DYNAMODB"] != "http://127.0.0.1:1" {
		t.Errorf("env.json overrides: %v", env3)
	}
}

func TestMakeTargetPackage(t *testing.T) {
	dir := t.TempDir()
	mk := filepath.Join(dir, "Makefile")
	writeFile(t, mk, "build-A:\n\tGOOS=linux go build -o $(ARTIFACTS_DIR)/bootstrap ./cmd/a\n\nbuild-B: dep\n\tgo build -o ./out ./cmd/b # b\nbuild-C:\n\techo nothing\n")
	for target, want := range map[string]string{"build-A": "./cmd/a", "build-B": "./cmd/b", "build-C": "", "build-D": ""} {
		got, err := makeTargetPackage(mk, target)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("%s: %q, %v; want %q", target, got, err, want)
		}
	}
}

const syntheticTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    CodeUri: fn/
    Environment:
      Variables:
        A: !Sub "${AWS::Region}-${Stage}"
Resources:
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "items-${Stage}"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      StreamSpecification: {StreamViewType: KEYS_ONLY}
      TimeToLiveSpecification: {AttributeName: exp, Enabled: true}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          B: !If [IsProd, prod, !Join ["-", [x, !Select [1, !Split [",", "a,b,c"]]]]]
          C: !If [IsProd, "on", !Ref AWS::NoValue]
          D: !GetAtt Items.StreamArn
          E: !Ref Items
          F: !Sub ["${X}/${!Literal}", {X: !Ref Stage}]
      Events:
        Default:
          Type: HttpApi
        Proxy:
          Type: HttpApi
          Properties: {Path: "/files/{proxy+}", Method: any}
  Py:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, CodeUri: py/}
`

// TestSyntheticTemplate covers the intrinsic functions, conditions,
// CodeUri as the main package, and the table's creation.
func TestSyntheticTemplate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "template.yaml")
	writeFile(t, path, syntheticTemplate)
	os.Mkdir(filepath.Join(dir, "fn"), 0o755)
	writeFile(t, filepath.Join(dir, "fn", "main.go"), "package main\n\nfunc main() {}\n")
	for _, stage := range []string{"dev", "prod"} {
		tpl, err := Load(path, LoadOptions{Region: "eu-west-1", Parameters: map[string]string{"Stage": stage}})
		if err != nil {
			t.Fatal(err)
		}
		fn, py := tpl.Function("Fn"), tpl.Function("Py")
		if fn.Package != filepath.Join(dir, "fn") || py.Unsupported == "" {
			t.Errorf("packages: %q, python %q", fn.Package, py.Unsupported)
		}
		var keys []string
		for _, r := range tpl.Routes() {
			keys = append(keys, r.Key())
		}
		if strings.Join(keys, ",") != "$default,ANY /files/{proxy+}" {
			t.Errorf("routes %v", keys)
		}
		store := memstore.New(memstore.WithRegion("eu-west-1"))
		info, err := createTable(context.Background(), store, tpl.Table("Items"), "items-"+stage)
		if err != nil {
			t.Fatal(err)
		}
		ttl, _ := store.DescribeTimeToLive(context.Background(), &dynamodb.DescribeTimeToLiveInput{TableName: &info.name})
		if info.streamARN == "" || ttl.TimeToLiveDescription.TimeToLiveStatus != "ENABLED" {
			t.Errorf("table: %+v, TTL %+v", info, ttl.TimeToLiveDescription)
		}
		res := tpl.res.clone()
		res.refs["Items"] = info.name
		res.attrs["Items"] = map[string]string{"StreamArn": info.streamARN}
		env, _, err := environment(fn, res, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"A": "eu-west-1-" + stage, "B": "x-b", "D": info.streamARN, "E": "items-" + stage, "F": stage + "/${Literal}"}
		if stage == "prod" {
			want["B"], want["C"] = "prod", "on"
		}
		delete(env, "AWS_ACCESS_KEY_ID")
		delete(env, "AWS_SECRET_ACCESS_KEY")
		if !equalMaps(env, want) {
			t.Errorf("%s: environment %v, want %v", stage, env, want)
		}
	}
	if _, err := Load(path, LoadOptions{Parameters: map[string]string{"Nope": "x"}}); err == nil {
		t.Error("an override of no parameter loaded")
	}
}
