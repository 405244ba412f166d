// Package apptest drives the examples in tests: a fresh in-memory table
// with both apps' models, requests served through every event shape an App
// takes (REST API, HTTP API, function URL, each as the raw JSON Lambda
// delivers) and through net/http, stream records turned into the
// DynamoDBEvent Lambda delivers, and the events/*.json fixtures.
package apptest

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/monotable/monotable/examples/internal/apptable"
	"github.com/monotable/monotable/lambda"
	"github.com/monotable/monotable/orm"
	"github.com/monotable/monotable/orm/ormtest"
)

// Update makes the fixture tests rewrite events/*.json:
//
//	go test ./examples/... -run Fixtures -update
var Update = flag.Bool("update", false, "rewrite the events/*.json fixtures")

// TableName is the table's name in tests, in env.json (local runs) and in
// the stream fixtures' ARNs.
const TableName = "monotable-examples"

// Start is the time tests begin at.
var Start = time.Date(2025, 4, 9, 12, 0, 0, 0, time.UTC)

// Env is one test's world: an in-memory DynamoDB on a manual clock, and
// the shared table created in it.
type Env struct {
	DB    *ormtest.DB
	Table *orm.Table
	Clock *ormtest.Clock
}

// Setup creates the table, with every model of both apps, in a new
// in-memory DB whose clock starts at Start.
func Setup(t testing.TB) Env {
	t.Helper()
	clock := ormtest.NewClock(Start)
	db := ormtest.New(t, ormtest.WithClock(clock))
	table, err := apptable.New(db, TableName, orm.WithClock(clock.Now), orm.WithCursorKey([]byte("examples: a cursor key, 32 bytes")))
	if err != nil {
		t.Fatal(err)
	}
	if err := table.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	return Env{DB: db, Table: table, Clock: clock}
}

// Quiet is an App option for tests: access logs only with -v.
func Quiet() lambda.Option {
	if testing.Verbose() {
		return lambda.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	}
	return lambda.WithLogger(slog.New(slog.DiscardHandler))
}
