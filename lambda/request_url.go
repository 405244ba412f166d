package lambda

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// ServeURL serves a Lambda function URL event (in BUFFERED invoke mode).
// The error is always nil: failures are HTTP responses. Function URLs have
// no stage and pass rawPath escaped as the client sent it.
func (a *App) ServeURL(ctx context.Context, ev events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	rec := a.serveURL(ctx, &ev)
	status, body, b64 := rec.finish(ev.RequestContext.HTTP.Method)
	headers, cookies := singleHeaders(rec.header)
	return events.LambdaFunctionURLResponse{
		StatusCode:      status,
		Headers:         headers,
		Cookies:         cookies,
		Body:            body,
		IsBase64Encoded: b64,
	}, nil
}

func (a *App) serveURL(ctx context.Context, ev *events.LambdaFunctionURLRequest) *recorder {
	rc := &ev.RequestContext
	st := a.newState(ctx, sourceURL, rc.RequestID, ev)
	ctx, cancel := a.requestContext(ctx, st)
	defer cancel()
	p := ev.RawPath
	if p == "" {
		p = rc.HTTP.Path
	}
	in := inbound{
		method:   rc.HTTP.Method,
		path:     stripPrefix(p, a.basePath),
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
