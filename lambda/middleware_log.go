package lambda

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// defaultLogger writes JSON to stdout in Lambda, with the keys Lambda's
// own JSON log format uses (timestamp, message) and the level of
// AWS_LAMBDA_LOG_LEVEL; text to stderr elsewhere.
func defaultLogger() *slog.Logger {
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") == "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(lambdaJSON(os.Stdout))
}

func lambdaJSON(w io.Writer) slog.Handler {
	var level slog.Level
	switch strings.ToUpper(os.Getenv("AWS_LAMBDA_LOG_LEVEL")) {
	case "TRACE", "DEBUG":
		level = slog.LevelDebug
	case "WARN":
		level = slog.LevelWarn
	case "ERROR", "FATAL":
		level = slog.LevelError
	}
	return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: lambdacontext.ReplaceAttr})
}

// logRequest writes the access log line: one per request, at ERROR for
// 5xx answers (with the error behind them, which the client never sees),
// INFO otherwise.
func (a *App) logRequest(r *http.Request, st *state) {
	if st.status == 0 {
		st.status = http.StatusOK // nothing written: net/http and finish send 200
	}
	level := slog.LevelInfo
	if st.status >= 500 {
		level = slog.LevelError
	}
	ctx := r.Context()
	if !a.logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 10)
	attrs = append(attrs,
		slog.String("requestId", st.requestID),
		slog.String("source", st.source),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("route", st.route),
		slog.Int("status", st.status),
		slog.Float64("latencyMs", float64(time.Since(st.start).Microseconds())/1000),
	)
	if st.apiRequestID != "" && st.apiRequestID != st.requestID {
		attrs = append(attrs, slog.String("apiRequestId", st.apiRequestID))
	}
	if st.err != nil {
		attrs = append(attrs, slog.String("error", st.err.Error()))
	}
	a.logger.LogAttrs(ctx, level, "request", attrs...)
}
