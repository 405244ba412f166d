package lambda

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Middleware wraps a handler, as net/http middleware does.
type Middleware func(http.Handler) http.Handler

// App is a router and the Lambda handler around it. It serves REST API,
// HTTP API and function URL events, DynamoDB stream batches, and, being an
// http.Handler, plain net/http. Register routes and stream handlers before
// serving; an App is then safe for concurrent use.
type App struct {
	router     router
	mws        []Middleware
	handler    http.Handler // mws around the router
	logger     *slog.Logger
	margin     time.Duration
	basePath   string
	entityAttr string
	changes    map[string]changeFunc
	seq        atomic.Uint64
	idPrefix   string
}

// Option configures an App.
type Option func(*App)

// WithLogger sets the logger behind access logs and [Logger]. The default
// writes JSON to stdout in Lambda (where AWS_LAMBDA_FUNCTION_NAME is set),
// text to stderr elsewhere.
func WithLogger(l *slog.Logger) Option { return func(a *App) { a.logger = l } }

// WithBasePath strips a prefix from request paths before routing: the base
// path of a custom domain mapping, or a mount point under net/http. Paths
// rebuilt from a REST resource or an HTTP API route key are relative to
// the API already and are left alone.
func WithBasePath(prefix string) Option {
	return func(a *App) { a.basePath = "/" + strings.Trim(prefix, "/") }
}

// WithTimeoutMargin sets how long before the Lambda deadline a request's
// context ends (default 500ms), leaving time to write the response and the
// logs. A stream batch stops taking new records at the same point.
func WithTimeoutMargin(d time.Duration) Option { return func(a *App) { a.margin = d } }

// New returns an App with no routes.
func New(opts ...Option) *App {
	a := &App{margin: 500 * time.Millisecond, entityAttr: "type"}
	for _, o := range opts {
		o(a)
	}
	if a.basePath == "/" {
		a.basePath = ""
	}
	if a.logger == nil {
		a.logger = defaultLogger()
	}
	a.idPrefix = strconv.FormatInt(time.Now().UnixNano()&0xffffffffff, 36) + "-"
	a.handler = http.HandlerFunc(a.route)
	return a
}

// Use adds middleware around every request, routed or not, in the order
// given: the first is the outermost. Such middleware sees requests that
// will get a 404 or 405 as well, which is what CORS preflights need.
func (a *App) Use(mw ...Middleware) {
	a.mws = append(a.mws, mw...)
	var h http.Handler = http.HandlerFunc(a.route)
	for i := len(a.mws) - 1; i >= 0; i-- {
		h = a.mws[i](h)
	}
	a.handler = h
}

// Route registers h for pattern, "METHOD /path" or "/path" for every
// method ("ANY /path" too). Path segments may be parameters, {name}, and
// the last one a greedy parameter, {name+} (one or more segments, as in
// API Gateway) or {name...} (zero or more); handlers read them with
// r.PathValue. Literal segments win over parameters, whatever the order of
// registration. mw wrap h alone, the first outermost.
//
// Route panics on a malformed pattern or one that is already registered.
func (a *App) Route(pattern string, h http.Handler, mw ...Middleware) {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	if err := a.router.add(pattern, h); err != nil {
		panic(err)
	}
}

// ServeHTTP serves a request from net/http, the same way as an event.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := &state{app: a, start: time.Now(), source: sourceLocal, requestID: r.Header.Get("X-Request-Id")}
	if !validRequestID(st.requestID) {
		st.requestID = a.idPrefix + strconv.FormatUint(a.seq.Add(1), 36)
	}
	ctx, cancel := a.requestContext(r.Context(), st)
	defer cancel()
	r = r.WithContext(ctx)
	if a.basePath != "" {
		if p := stripPrefix(r.URL.Path, a.basePath); len(p) < len(r.URL.Path) {
			u := *r.URL
			u.Path, u.RawPath = p, stripPrefix(r.URL.RawPath, a.basePath)
			r.URL = &u
		}
	}
	a.serve(&trackWriter{ResponseWriter: w, st: st}, r, st)
}

// serve runs the middleware and the route, turns a panic into a 500, and
// writes the access log line.
func (a *App) serve(w http.ResponseWriter, r *http.Request, st *state) {
	defer a.logRequest(r, st)
	defer a.recoverPanic(w, r, st)
	if st.badRequest != nil {
		WriteError(w, r, Error(http.StatusBadRequest, st.badRequest.Error()))
		return
	}
	a.handler.ServeHTTP(w, r)
}

// route finds the route and runs it, or answers 404, 405 or OPTIONS.
func (a *App) route(w http.ResponseWriter, r *http.Request) {
	st := stateOf(r.Context())
	var m match
	if a.router.lookup(r.Method, r.URL.EscapedPath(), &m) {
		rt := m.route
		for i := 0; i < m.n && i < len(rt.names); i++ {
			r.SetPathValue(rt.names[i], m.vals[i])
		}
		if st != nil {
			st.route = rt.pattern
		}
		rt.h.ServeHTTP(w, r)
		return
	}
	methods, found := a.router.allowed(r.URL.EscapedPath())
	if !found {
		WriteError(w, r, Error(http.StatusNotFound, "no route for "+r.Method+" "+r.URL.Path))
		return
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	WriteError(w, r, Error(http.StatusMethodNotAllowed, r.Method+" is not allowed here"))
}

// validRequestID accepts a client's X-Request-Id only if it is short and
// plain, since it goes into logs and error responses.
func validRequestID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.:/+=", c) >= 0) {
			return false
		}
	}
	return true
}
