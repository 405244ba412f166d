package lambda

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Source names where a request came from, as logs show it.
const (
	sourceREST   = "rest"   // API Gateway REST API (payload 1.0)
	sourceHTTP   = "http"   // API Gateway HTTP API (payload 2.0)
	sourceURL    = "url"    // Lambda function URL
	sourceLocal  = "local"  // net/http
	sourceStream = "stream" // DynamoDB Streams
)

// state is what the app knows about one request. It lives in the request's
// context from the moment the event is decoded until the access log line
// is written; handlers reach it through the accessors below.
type state struct {
	app          *App
	start        time.Time
	source       string
	requestID    string // Lambda's, or API Gateway's, or generated
	apiRequestID string // API Gateway's or the function URL's
	route        string
	event        any // *events.APIGatewayProxyRequest, ...; nil under net/http
	status       int
	err          error // the error behind an error response, for the log
	badRequest   error // the event could not be mapped to a request
	identityOnce sync.Once
	identity     *Identity
	loggerOnce   sync.Once
	logger       *slog.Logger
}

type stateKey struct{}

func stateOf(ctx context.Context) *state {
	st, _ := ctx.Value(stateKey{}).(*state)
	return st
}

// newState starts the state of one request. The request id is Lambda's
// when there is one, so the problem body a client sees names the
// invocation in CloudWatch.
func (a *App) newState(ctx context.Context, source, apiRequestID string, event any) *state {
	st := &state{app: a, start: time.Now(), source: source, apiRequestID: apiRequestID, event: event}
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		st.requestID = lc.AwsRequestID
	} else if apiRequestID != "" {
		st.requestID = apiRequestID
	}
	return st
}

// Logger returns the request's logger: the app's logger with the request
// id, and the route once it is known. Outside a request it returns
// slog.Default().
func Logger(ctx context.Context) *slog.Logger {
	st := stateOf(ctx)
	if st == nil {
		return slog.Default()
	}
	st.loggerOnce.Do(func() {
		l := st.app.logger.With(slog.String("requestId", st.requestID))
		if st.route != "" {
			l = l.With(slog.String("route", st.route))
		}
		st.logger = l
	})
	return st.logger
}

// RequestID returns the id of the request: Lambda's request id when the
// app runs in Lambda, else API Gateway's, else the X-Request-Id header or a
// generated one. Error responses carry it.
func RequestID(ctx context.Context) string {
	if st := stateOf(ctx); st != nil {
		return st.requestID
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}

// Event returns the event the request was decoded from:
// *events.APIGatewayProxyRequest, *events.APIGatewayV2HTTPRequest or
// *events.LambdaFunctionURLRequest; nil under net/http. It is for what the
// *http.Request cannot carry, such as stage variables.
func Event(ctx context.Context) any {
	if st := stateOf(ctx); st != nil {
		return st.event
	}
	return nil
}
