package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	awslambda "github.com/aws/aws-lambda-go/lambda"
)

// Start runs the app as a Lambda function: it hands the app to
// aws-lambda-go's runtime loop, which calls [App.Invoke] once per
// invocation. It does not return. It works with the provided.al2023
// runtime and with binaries built with -tags lambda.norpc.
func Start(a *App) {
	awslambda.Start(a)
}

// ErrUnsupportedEvent is returned by [App.Invoke] for a payload that is
// none of the events an App serves.
var ErrUnsupportedEvent = errors.New("lambda: unsupported event")

// Invoke serves one raw invocation payload, whichever event it is, and
// returns the JSON response; App thereby implements aws-lambda-go's
// lambda.Handler. The event type is read from the payload itself:
//
//   - "Records" whose eventSource is "aws:dynamodb": a stream batch, see
//     [App.ServeStream];
//   - "version" "2.0" with requestContext.http: a function URL event when
//     requestContext.domainName has ".lambda-url.", else an HTTP API
//     event, see [App.ServeURL] and [App.ServeV2];
//   - "httpMethod": a REST API event (or HTTP API payload 1.0), see
//     [App.ServeV1].
//
// Only a payload that cannot be decoded, or a stream batch that fails as a
// whole, is an error; every HTTP failure is an HTTP response.
func (a *App) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	kind, err := eventKind(payload)
	if err != nil {
		return nil, err
	}
	switch kind {
	case sourceREST:
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, decodeError(payload, "REST API", err)
		}
		resp, _ := a.ServeV1(ctx, ev)
		return json.Marshal(resp)
	case sourceHTTP:
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, decodeError(payload, "HTTP API", err)
		}
		resp, _ := a.ServeV2(ctx, ev)
		return json.Marshal(resp)
	case sourceURL:
		var ev events.LambdaFunctionURLRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, decodeError(payload, "function URL", err)
		}
		resp, _ := a.ServeURL(ctx, ev)
		return json.Marshal(resp)
	default: // sourceStream
		ev, err := decodeStream(payload)
		if err != nil {
			return nil, err
		}
		resp, err := a.ServeStream(ctx, ev)
		if err != nil {
			return nil, err
		}
		return json.Marshal(resp)
	}
}

// decodeStream decodes a stream batch. aws-lambda-go's attribute value
// decoder panics on some malformed values (a BS element that is not a
// string); a malformed event is an error here, never a crash.
func decodeStream(payload []byte) (ev events.DynamoDBEvent, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("lambda: decoding DynamoDB stream event: %v", v)
		}
	}()
	if err := json.Unmarshal(payload, &ev); err != nil {
		return ev, fmt.Errorf("lambda: decoding DynamoDB stream event: %w", err)
	}
	return ev, nil
}
