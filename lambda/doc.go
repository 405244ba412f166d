// Package lambda is the app layer of monotable: one [App] serves API
// Gateway REST API (payload 1.0), HTTP API (payload 2.0) and Lambda
// function URL events, DynamoDB stream batches, and plain net/http, with
// the same routes, handlers and middleware.
//
//	app := lambda.New()
//	app.Route("GET /games/{game}/scores", lambda.Handle(topScores))
//	lambda.OnChange(app, scores, onScore) // scores is an *orm.Model[Score]
//	lambda.Start(app)
//
// # Routing
//
// [App.Route] takes patterns such as "GET /items/{id}" and "/files/{path+}":
// literal segments, {name} parameters and a greedy last parameter, read
// with r.PathValue. A path that matches with the wrong method gets 405
// with an Allow header; HEAD is served by GET routes, and OPTIONS is
// answered from the routes unless a route or middleware takes it.
//
// # Events
//
// [Start] runs the app in Lambda; [App.Invoke] tells the event type from
// the payload. Each event becomes an *http.Request as net/http would build
// it: every header and query value (the multi-value maps of REST events,
// the raw query string of payload 2.0), cookies, base64 bodies decoded,
// and the path relative to the API, without stage or custom domain base
// path (see [App.ServeV1] and [App.ServeV2], and [WithBasePath]).
// Responses go back with every header: REST events get multiValueHeaders,
// payload 2.0 events get cookies apart, one per Set-Cookie. Bodies are
// text when their media type is textual and valid UTF-8, base64
// otherwise. The original event stays available through [Event].
//
// # Typed handlers
//
// [Handle] turns func(ctx, In) (Out, error) into a handler: path, query,
// header and cookie values and the JSON body bind into In, which is then
// validated by its validate tags; Out is served as JSON, or as a
// [Response] with its own status and headers.
//
// # Errors
//
// Every failure is served as an RFC 9457 problem (application/problem+json,
// see [Problem]) carrying the request id: bad input 400 with one
// [FieldError] per field, 404 and 405 from routing, failed conditions and
// transaction conflicts 409, throttling 503 with Retry-After, the request
// running out of time 504, and anything else, panics included, 500 with no
// detail. A model the orm refuses to write for its validate tags is 422:
// the request was well-formed, its content is not acceptable. Handlers return [Error] for the statuses they choose; any error
// with an HTTPStatus() int method maps to its status; the orm's and the
// AWS SDK's errors map as listed.
//
// # Middleware
//
// [Middleware] is func(http.Handler) http.Handler. Built in, for every
// request: panic recovery, one structured access log line ([Logger] gives
// handlers the request's logger), and a context that ends a margin before
// the Lambda deadline ([WithTimeoutMargin]). Offered: [CORS] and
// [RequireScopes], over the identity that API Gateway's authorizers
// established ([Auth]).
//
// # Streams
//
// [OnChange] routes stream records by the item's entity type attribute to
// typed handlers, which get a [Change] with old and new images decoded by
// a [Decoder] (an *orm.Model[T], or [Entity]). TTL deletions are marked
// [Change.Expired]. [App.ServeStream] reports the first failed record as a
// partial batch failure, which is where Lambda resumes.
//
// # Idempotency
//
// Package [github.com/monotable/monotable/lambda/idempotency] runs an
// operation once per key across concurrent and repeated invocations, with
// its records in the app's DynamoDB table, and offers an Idempotency-Key
// middleware for HTTP routes.
//
// # Security
//
// The app trusts the identity in the event: only API Gateway and Lambda
// can produce one, and under net/http there is none. Error responses never
// carry an internal error's text; logs do. Request bodies read from
// net/http are capped at 6 MB, Lambda's payload limit.
package lambda
