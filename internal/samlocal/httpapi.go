package samlocal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/monotable/monotable/internal/runtimeapi"
)

// The HTTP API, as API Gateway serves an AWS::Serverless::HttpApi with
// Lambda proxy integrations in payload format 2.0: a request becomes an
// event, the function's answer becomes the response.

// maxBody is API Gateway's payload limit for HTTP APIs.
const maxBody = 10 << 20

// route is a Route ready to match.
type route struct {
	Route
	segs []string // of Path, without the leading "/"
}

func newRoutes(rs []Route) []*route {
	out := make([]*route, 0, len(rs))
	for _, r := range rs {
		rr := &route{Route: r}
		if r.Path != "" {
			rr.segs = strings.Split(strings.TrimPrefix(r.Path, "/"), "/")
		}
		out = append(out, rr)
	}
	return out
}

// match finds the route of a request as API Gateway does: the most
// specific path wins (segment by segment, a literal over a {param} over a
// greedy {proxy+}), then a route for the method over ANY; $default takes
// what nothing else does. The path parameters come back decoded.
func match(routes []*route, method, escapedPath string) (*route, map[string]string) {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	var best *route
	var bestParams map[string]string
	var bestRank []int
	for _, r := range routes {
		if r.Method != "ANY" && r.Method != method {
			continue
		}
		var rank []int
		var params map[string]string
		if r.Path == "" {
			rank = []int{-1}
		} else {
			var ok bool
			rank, params, ok = r.matchPath(segs)
			if !ok {
				continue
			}
		}
		if r.Method != "ANY" {
			rank = append(rank, 1)
		} else {
			rank = append(rank, 0)
		}
		if best == nil || compareRank(rank, bestRank) > 0 {
			best, bestParams, bestRank = r, params, rank
		}
	}
	return best, bestParams
}

func (r *route) matchPath(segs []string) (rank []int, params map[string]string, ok bool) {
	for i, s := range r.segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}") { // greedy, last
			if i >= len(segs) || (i == len(segs)-1 && segs[i] == "") {
				return nil, nil, false
			}
			rest, err := url.PathUnescape(strings.Join(segs[i:], "/"))
			if err != nil {
				return nil, nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s[1:len(s)-2]] = rest
			return append(rank, 0), params, true
		}
		if i >= len(segs) {
			return nil, nil, false
		}
		seg, err := url.PathUnescape(segs[i])
		if err != nil {
			return nil, nil, false
		}
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if seg == "" {
				return nil, nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s[1:len(s)-1]] = seg
			rank = append(rank, 1)
			continue
		}
		if seg != s {
			return nil, nil, false
		}
		rank = append(rank, 2)
	}
	if len(segs) != len(r.segs) {
		return nil, nil, false
	}
	return rank, params, true
}

func compareRank(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] - b[i]
		}
	}
	return len(a) - len(b)
}

// httpEvent is an API Gateway HTTP API event, payload format 2.0.
type httpEvent struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	RequestContext        httpContext       `json:"requestContext"`
	Body                  string            `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

type httpContext struct {
	AccountID    string `json:"accountId"`
	APIID        string `json:"apiId"`
	DomainName   string `json:"domainName"`
	DomainPrefix string `json:"domainPrefix"`
	HTTP         struct {
		Method    string `json:"method"`
		Path      string `json:"path"`
		Protocol  string `json:"protocol"`
		SourceIP  string `json:"sourceIp"`
		UserAgent string `json:"userAgent"`
	} `json:"http"`
	RequestID string `json:"requestId"`
	RouteKey  string `json:"routeKey"`
	Stage     string `json:"stage"`
	Time      string `json:"time"`
	TimeEpoch int64  `json:"timeEpoch"`
}

// localAPIID is the requestContext.apiId of local requests.
const localAPIID = "local"

// newHTTPEvent converts a request to the event of its route.
func newHTTPEvent(r *http.Request, rt *route, params map[string]string, body []byte, requestID string, now time.Time) httpEvent {
	ev := httpEvent{
		Version:         "2.0",
		RouteKey:        rt.Key(),
		RawPath:         r.URL.EscapedPath(),
		RawQueryString:  r.URL.RawQuery,
		Headers:         map[string]string{},
		PathParameters:  params,
		IsBase64Encoded: false,
	}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						ev.Cookies = append(ev.Cookies, c)
					}
				}
			}
			continue
		}
		ev.Headers[lk] = strings.Join(vs, ",")
	}
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	srcIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		srcIP = r.RemoteAddr
	}
	ev.Headers["host"] = r.Host
	if len(body) > 0 {
		ev.Headers["content-length"] = strconv.Itoa(len(body))
	}
	ev.Headers["x-forwarded-for"] = srcIP
	ev.Headers["x-forwarded-proto"] = "http"
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(addr.String()); err == nil {
			ev.Headers["x-forwarded-port"] = port
		}
	}
	ev.Headers["x-amzn-trace-id"] = traceID(now)
	if r.URL.RawQuery != "" {
		q, _ := url.ParseQuery(r.URL.RawQuery) // what parses, as API Gateway
		ev.QueryStringParameters = map[string]string{}
		for k, vs := range q {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) && utf8.Valid(body) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	rc := &ev.RequestContext
	rc.AccountID = localAccount
	rc.APIID = localAPIID
	rc.DomainName = host
	rc.DomainPrefix, _, _ = strings.Cut(host, ".")
	rc.HTTP.Method = r.Method
	rc.HTTP.Path = ev.RawPath
	rc.HTTP.Protocol = r.Proto
	rc.HTTP.SourceIP = srcIP
	rc.HTTP.UserAgent = r.UserAgent()
	rc.RequestID = requestID
	rc.RouteKey = ev.RouteKey
	rc.Stage = "$default"
	rc.Time = now.UTC().Format("02/Jan/2006:15:04:05 -0700")
	rc.TimeEpoch = now.UnixMilli()
	return ev
}

// isText tells the bodies API Gateway passes as text from those it
// base64-encodes.
func isText(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded",
		"application/graphql", "application/x-yaml", "application/yaml":
		return true
	}
	return false
}

// newRequestID makes an API Gateway style request id ("JKJaXmPLvHcESHA=").
func newRequestID() string {
	var b [10]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

func traceID(now time.Time) string {
	var b [12]byte
	rand.Read(b[:])
	return "Root=1-" + strconv.FormatInt(now.Unix(), 16) + "-" + hex.EncodeToString(b[:])
}

// httpResponse is a function's answer in payload format 2.0.
type httpResponse struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              *string             `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

var errBadResponse = errors.New("malformed Lambda proxy response")

// writeResponse writes the function's answer. Payload format 2.0 lets a
// function return any JSON: without a statusCode, it is the body of a 200
// application/json response.
func writeResponse(w http.ResponseWriter, payload []byte) error {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err != nil || probe["statusCode"] == nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
		w.WriteHeader(http.StatusOK)
		w.Write(payload)
		return nil
	}
	var resp httpResponse
	if err := json.Unmarshal(payload, &resp); err != nil || resp.StatusCode < 100 || resp.StatusCode > 599 {
		return errBadResponse
	}
	var body []byte
	if resp.Body != nil {
		body = []byte(*resp.Body)
		if resp.IsBase64Encoded {
			b, err := base64.StdEncoding.DecodeString(*resp.Body)
			if err != nil {
				return errBadResponse
			}
			body = b
		}
	}
	h := w.Header()
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		h["Content-Type"] = nil // no sniffing: the function said nothing
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
	return nil
}

// apiError writes one of API Gateway's own answers.
func apiError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"message": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// ServeHTTP serves the template's HttpApi routes.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	reqID := newRequestID()
	w.Header().Set("Apigw-Requestid", reqID)
	rt, params := match(a.routes, r.Method, r.URL.EscapedPath())
	if rt == nil {
		apiError(w, http.StatusNotFound, "Not Found")
		return
	}
	fn := a.fns[rt.Function]
	if fn == nil {
		apiError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		apiError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	if len(body) > maxBody {
		apiError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	payload, err := json.Marshal(newHTTPEvent(r, rt, params, body, reqID, now))
	if err != nil {
		apiError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	res, err := fn.InvokeRequest(r.Context(), runtimeapi.Request{Payload: payload})
	switch {
	case errors.Is(err, runtimeapi.ErrRequestTooLarge):
		apiError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	case err != nil:
		if r.Context().Err() == nil {
			a.log.Error("invoke", "function", rt.Function, "route", rt.Key(), "err", err)
		}
		apiError(w, http.StatusServiceUnavailable, "Service Unavailable")
		return
	case res.FunctionError != nil:
		apiError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	if err := writeResponse(w, res.Payload); err != nil {
		a.log.Error("the function's response is not an HTTP API response", "function", rt.Function, "route", rt.Key(), "err", err)
		apiError(w, http.StatusInternalServerError, "Internal Server Error")
	}
}
