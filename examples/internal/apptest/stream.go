package apptest

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/monotable/monotable/lambda"
)

// Stream reads the table's stream from its start, in batches of the
// records written since the last one, as Lambda's event source mapping
// delivers them.
type Stream struct {
	arn  string
	read func() []st.Record
}

// Stream opens the table's stream at its oldest record.
func (e Env) Stream(t testing.TB) *Stream {
	t.Helper()
	r, err := e.DB.SubscribeStream(TableName, false)
	if err != nil {
		t.Fatal(err)
	}
	return &Stream{arn: r.StreamARN(), read: func() []st.Record { return r.TryRead(1000) }}
}

// Next returns the records written since the last call, as the event
// Lambda would pass the stream's function.
func (s *Stream) Next() events.DynamoDBEvent {
	return StreamEvent(s.arn, s.read())
}

// StreamEvent turns DynamoDB Streams records into Lambda's event.
func StreamEvent(arn string, recs []st.Record) events.DynamoDBEvent {
	return lambda.StreamEvent(arn, recs)
}
