// Command audit is SessionAuditFunction of template.yaml: it reads the
// table's stream and records how each session ended, revoked by a user or
// expired by TTL, as audit items in the same table. Failed records are
// reported as partial batch failures (ReportBatchItemFailures).
//
// Environment: TABLE_NAME, and optionally AWS_ENDPOINT_URL_DYNAMODB (a
// local DynamoDB endpoint, where the table is created if missing).
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/monotable/monotable/examples/internal/apptable"
	"github.com/monotable/monotable/examples/sessions"
	"github.com/monotable/monotable/lambda"
)

func main() {
	table, _, err := apptable.Open(context.Background())
	if err != nil {
		slog.Error("start-up", "err", err)
		os.Exit(1)
	}
	svc, err := sessions.New(table)
	if err != nil {
		slog.Error("start-up", "err", err)
		os.Exit(1)
	}
	app := lambda.New()
	svc.RegisterStream(app)
	lambda.Start(app)
}
