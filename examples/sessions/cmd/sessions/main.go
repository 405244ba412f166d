// Command sessions is SessionsFunction of template.yaml: the session
// store's HTTP API, behind the HttpApi (or any event shape lambda serves).
//
// Environment: TABLE_NAME, and optionally AWS_ENDPOINT_URL_DYNAMODB (a
// local DynamoDB endpoint, where the table is created if missing) and
// CURSOR_KEY (the secret that seals pagination cursors).
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
	svc.Register(app)
	lambda.Start(app)
}
