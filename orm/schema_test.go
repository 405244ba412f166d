package orm_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormcfn"
)

var update = flag.Bool("update", false, "rewrite ../templates golden files")

// referenceTable is the layout of templates/dynamodb-table.yaml: the
// single-table defaults with two GSIs, streams, PITR and SSE.
func referenceTable() *orm.Table {
	return orm.NewTable(nil, "app", orm.Layout{GSIs: orm.GSIs(2)},
		orm.WithStream(types.StreamViewTypeNewAndOldImages), orm.WithPITR(), orm.WithSSE(""))
}

func TestTemplateGolden(t *testing.T) {
	got, err := ormcfn.Template(referenceTable(), "Table")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "templates", "dynamodb-table.yaml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./orm -run TestTemplateGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale; run go test ./orm -run TestTemplateGolden -update\n%s", path, got)
	}
	if err := ormcfn.Check(path, referenceTable()); err != nil {
		t.Fatal(err)
	}
}

func TestCheckTemplateDrift(t *testing.T) {
	// The models of this package make gsi1sk a number; the reference
	// template has it as a string, has no gsi3, and the table here has no
	// stream.
	e := newEnv(t)
	err := ormcfn.Check(filepath.Join("..", "templates", "dynamodb-table.yaml"), e.table)
	for _, want := range []string{
		"attribute gsi1sk: models need type N",
		"index gsi3: missing from the template",
		"stream: table options have off, template has NEW_AND_OLD_IMAGES",
		"point-in-time recovery: table options have false, template has true",
	} {
		if err == nil || !contains(err.Error(), want) {
			t.Errorf("want %q in:\n%v", want, err)
		}
	}
	// A SAM template with the rendered resource pasted in passes.
	res, err := ormcfn.Template(e.table, "AppTable")
	if err != nil {
		t.Fatal(err)
	}
	sam := append([]byte("Transform: AWS::Serverless-2016-10-31\n"), res...)
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, sam, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ormcfn.Check(path, e.table); err != nil {
		t.Fatal(err)
	}
}

func TestCreateTableInput(t *testing.T) {
	e := newEnv(t)
	in := e.table.CreateTableInput()
	types := map[string]string{}
	for _, a := range in.AttributeDefinitions {
		types[*a.AttributeName] = string(a.AttributeType)
	}
	if types["gsi1sk"] != "N" || types["pk"] != "S" || len(in.GlobalSecondaryIndexes) != 3 {
		t.Fatalf("%v, %d GSIs", types, len(in.GlobalSecondaryIndexes))
	}
}
