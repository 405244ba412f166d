package lambda

import (
	"context"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// ServeV1 serves an API Gateway REST API proxy event (payload format 1.0,
// also what HTTP APIs send with payload format 1.0). The error is always
// nil: failures are HTTP responses.
//
// The routed path is the event's resource with its path parameters filled
// in, which is the path relative to the API: event.path carries the base
// path of a custom domain mapping and requestContext.path the stage, and
// neither is what the app's routes describe. Events without a resource
// (hand-written ones) fall back to path, less the app's base path.
func (a *App) ServeV1(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	rec := a.serveV1(ctx, &ev)
	status, body, b64 := rec.finish(ev.HTTPMethod)
	return events.APIGatewayProxyResponse{
		StatusCode:        status,
		MultiValueHeaders: multiHeaders(rec.header),
		Body:              body,
		IsBase64Encoded:   b64,
	}, nil
}

func (a *App) serveV1(ctx context.Context, ev *events.APIGatewayProxyRequest) *recorder {
	rc := &ev.RequestContext
	st := a.newState(ctx, sourceREST, rc.RequestID, ev)
	ctx, cancel := a.requestContext(ctx, st)
	defer cancel()
	in := inbound{
		method:   ev.HTTPMethod,
		path:     pathV1(ev, a.basePath),
		rawQuery: queryV1(ev),
		header:   headerFrom(ev.Headers, ev.MultiValueHeaders),
		body:     ev.Body,
		base64:   ev.IsBase64Encoded,
		host:     rc.DomainName,
		remote:   rc.Identity.SourceIP,
		proto:    rc.Protocol,
	}
	if in.method == "" {
		in.method = rc.HTTPMethod
	}
	rec := newRecorder(st)
	a.serve(rec, in.request(ctx, st), st)
	return rec
}

func pathV1(ev *events.APIGatewayProxyRequest, base string) string {
	tmpl := ev.Resource
	if tmpl == "" {
		tmpl = ev.RequestContext.ResourcePath
	}
	if strings.HasPrefix(tmpl, "/") {
		if p, ok := expand(tmpl, ev.PathParameters); ok {
			return p
		}
	}
	p := ev.Path
	if tmpl == "$default" { // HTTP API, payload 1.0: the path has the stage, as rawPath does
		p = stripStage(p, ev.RequestContext.Stage, ev.RequestContext.DomainName)
	}
	return stripPrefix(p, base)
}

// queryV1 rebuilds the query string. REST APIs pass parameters decoded,
// and the multi-value map holds every value where the single-value map
// holds only the last.
func queryV1(ev *events.APIGatewayProxyRequest) string {
	if len(ev.MultiValueQueryStringParameters) > 0 {
		return url.Values(ev.MultiValueQueryStringParameters).Encode()
	}
	if len(ev.QueryStringParameters) == 0 {
		return ""
	}
	v := make(url.Values, len(ev.QueryStringParameters))
	for k, s := range ev.QueryStringParameters {
		v[k] = []string{s}
	}
	return v.Encode()
}
