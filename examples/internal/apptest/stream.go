package apptest

import (
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
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
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{}}
	for _, r := range recs {
		er := events.DynamoDBEventRecord{
			AWSRegion:      deref(r.AwsRegion),
			EventID:        deref(r.EventID),
			EventName:      string(r.EventName),
			EventSource:    deref(r.EventSource),
			EventVersion:   deref(r.EventVersion),
			EventSourceArn: arn,
		}
		if d := r.Dynamodb; d != nil {
			er.Change = events.DynamoDBStreamRecord{
				Keys:           item(d.Keys),
				NewImage:       item(d.NewImage),
				OldImage:       item(d.OldImage),
				SequenceNumber: deref(d.SequenceNumber),
				StreamViewType: string(d.StreamViewType),
			}
			if d.ApproximateCreationDateTime != nil {
				er.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: d.ApproximateCreationDateTime.UTC()}
			}
			if d.SizeBytes != nil {
				er.Change.SizeBytes = *d.SizeBytes
			}
		}
		if u := r.UserIdentity; u != nil {
			er.UserIdentity = &events.DynamoDBUserIdentity{Type: deref(u.Type), PrincipalID: deref(u.PrincipalId)}
		}
		ev.Records = append(ev.Records, er)
	}
	return ev
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func item(m map[string]st.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = value(v)
	}
	return out
}

func value(v st.AttributeValue) events.DynamoDBAttributeValue {
	switch x := v.(type) {
	case *st.AttributeValueMemberS:
		return events.NewStringAttribute(x.Value)
	case *st.AttributeValueMemberN:
		return events.NewNumberAttribute(x.Value)
	case *st.AttributeValueMemberB:
		return events.NewBinaryAttribute(x.Value)
	case *st.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(x.Value)
	case *st.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *st.AttributeValueMemberSS:
		return events.NewStringSetAttribute(x.Value)
	case *st.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(x.Value)
	case *st.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(x.Value)
	case *st.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(x.Value))
		for i, e := range x.Value {
			l[i] = value(e)
		}
		return events.NewListAttribute(l)
	case *st.AttributeValueMemberM:
		return events.NewMapAttribute(item(x.Value))
	}
	panic(fmt.Sprintf("apptest: attribute value of type %T", v))
}
