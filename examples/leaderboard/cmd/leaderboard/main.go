// Command leaderboard is LeaderboardFunction of template.yaml: the
// leaderboard's HTTP API, behind the HttpApi (or any event shape lambda
// serves). Score submissions with an Idempotency-Key header count once.
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
	"github.com/monotable/monotable/examples/leaderboard"
	"github.com/monotable/monotable/lambda"
	"github.com/monotable/monotable/lambda/idempotency"
)

func main() {
	table, _, err := apptable.Open(context.Background())
	if err != nil {
		slog.Error("start-up", "err", err)
		os.Exit(1)
	}
	idem, err := idempotency.New(table)
	if err != nil {
		slog.Error("start-up", "err", err)
		os.Exit(1)
	}
	svc, err := leaderboard.New(table, leaderboard.WithIdempotency(idem))
	if err != nil {
		slog.Error("start-up", "err", err)
		os.Exit(1)
	}
	app := lambda.New()
	svc.Register(app)
	lambda.Start(app)
}
