package lambda

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// ServeV2 serves an API Gateway HTTP API event (payload format 2.0). The
// error is always nil: failures are HTTP responses.
//
// The routed path is the route key's path with its parameters filled in
// when the route is not $default; else rawPath, less the stage prefix
// (present when the stage is not $default and the request came through the
// execute-api domain) and the app's base path.
func (a *App) ServeV2(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	rec := a.serveV2(ctx, &ev)
	status, body, b64 := rec.finish(ev.RequestContext.HTTP.Method)
	headers, cookies := singleHeaders(rec.header)
	return events.APIGatewayV2HTTPResponse{
		StatusCode:      status,
		Headers:         headers,
		Cookies:         cookies,
		Body:            body,
		IsBase64Encoded: b64,
	}, nil
}

func (a *App) serveV2(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) *recorder {
	rc := &ev.RequestContext
	st := a.newState(ctx, sourceHTTP, rc.RequestID, ev)
	ctx, cancel := a.requestContext(ctx, st)
	defer cancel()
	in := inbound{
		method:   rc.HTTP.Method,
		path:     pathV2(ev, a.basePath),
		rawQuery: queryV2(ev.RawQueryString, ev.QueryStringParameters),
		header:   headerV2(ev.Headers, ev.Cookies),
		body:     ev.Body,
		base64:   ev.IsBase64Encoded,
		host:     rc.DomainName,
		remote:   rc.HTTP.SourceIP,
		proto:    rc.HTTP.Protocol,
	}
	rec := newRecorder(st)
	a.serve(rec, in.request(ctx, st), st)
	return rec
}

func pathV2(ev *events.APIGatewayV2HTTPRequest, base string) string {
	rk := ev.RouteKey
	if rk == "" {
		rk = ev.RequestContext.RouteKey
	}
	if _, tmpl, ok := strings.Cut(rk, " "); ok && strings.HasPrefix(tmpl, "/") {
		if p, ok := expand(tmpl, ev.PathParameters); ok {
			return p
		}
	}
	p := ev.RawPath
	if p == "" {
		p = ev.RequestContext.HTTP.Path
	}
	return stripPrefix(stripStage(p, ev.RequestContext.Stage, ev.RequestContext.DomainName), base)
}

// stripStage removes the stage from an HTTP API path: it is there when the
// stage is not $default and the request came through the execute-api
// domain; a custom domain maps stages away.
func stripStage(p, stage, domain string) string {
	if stage == "" || stage == "$default" || domain != "" && !strings.Contains(domain, ".execute-api.") {
		return p
	}
	return stripPrefix(p, "/"+stage)
}

// queryV2 keeps the raw query string, which holds every value in the
// client's order; the parameter map joins repeated values with commas.
func queryV2(raw string, params map[string]string) string {
	if raw != "" || len(params) == 0 {
		return raw
	}
	v := make(url.Values, len(params))
	for k, s := range params {
		v[k] = []string{s}
	}
	return v.Encode()
}

// headerV2 builds the header of a payload 2.0 event, whose cookies come
// apart from the headers.
func headerV2(headers map[string]string, cookies []string) http.Header {
	h := headerFrom(headers, nil)
	if len(cookies) > 0 {
		h["Cookie"] = []string{strings.Join(cookies, "; ")}
	}
	return h
}
