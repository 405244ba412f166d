package lambda

import (
	"time"

	"github.com/aws/aws-lambda-go/events"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// StreamRecord turns one DynamoDB Streams API record (as GetRecords or
// ormtest's stream reader returns it) into the record Lambda's event
// source mapping delivers to a stream function, for tests and local runs.
// streamARN fills eventSourceARN. Timestamps are whole seconds, as Lambda
// writes them.
func StreamRecord(streamARN string, r st.Record) events.DynamoDBEventRecord {
	er := events.DynamoDBEventRecord{
		AWSRegion:      deref(r.AwsRegion),
		EventID:        deref(r.EventID),
		EventName:      string(r.EventName),
		EventSource:    deref(r.EventSource),
		EventVersion:   deref(r.EventVersion),
		EventSourceArn: streamARN,
	}
	if d := r.Dynamodb; d != nil {
		er.Change = events.DynamoDBStreamRecord{
			Keys:           streamItem(d.Keys),
			NewImage:       streamItem(d.NewImage),
			OldImage:       streamItem(d.OldImage),
			SequenceNumber: deref(d.SequenceNumber),
			StreamViewType: string(d.StreamViewType),
		}
		if d.ApproximateCreationDateTime != nil {
			er.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: d.ApproximateCreationDateTime.UTC().Truncate(time.Second)}
		}
		if d.SizeBytes != nil {
			er.Change.SizeBytes = *d.SizeBytes
		}
	}
	if u := r.UserIdentity; u != nil {
		er.UserIdentity = &events.DynamoDBUserIdentity{Type: deref(u.Type), PrincipalID: deref(u.PrincipalId)}
	}
	return er
}

// StreamEvent is StreamRecord for a batch: the event a stream function
// receives.
func StreamEvent(streamARN string, recs []st.Record) events.DynamoDBEvent {
	ev := events.DynamoDBEvent{Records: make([]events.DynamoDBEventRecord, 0, len(recs))}
	for _, r := range recs {
		ev.Records = append(ev.Records, StreamRecord(streamARN, r))
	}
	return ev
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func streamItem(m map[string]st.AttributeValue) map[string]events.DynamoDBAttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = streamValue(v)
	}
	return out
}

func streamValue(v st.AttributeValue) events.DynamoDBAttributeValue {
	switch x := v.(type) {
	case *st.AttributeValueMemberS:
		return events.NewStringAttribute(x.Value)
	case *st.AttributeValueMemberN:
		return events.NewNumberAttribute(x.Value)
	case *st.AttributeValueMemberB:
		return events.NewBinaryAttribute(x.Value)
	case *st.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(x.Value)
	case *st.AttributeValueMemberSS:
		return events.NewStringSetAttribute(x.Value)
	case *st.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(x.Value)
	case *st.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(x.Value)
	case *st.AttributeValueMemberL:
		l := make([]events.DynamoDBAttributeValue, len(x.Value))
		for i, e := range x.Value {
			l[i] = streamValue(e)
		}
		return events.NewListAttribute(l)
	case *st.AttributeValueMemberM:
		return events.NewMapAttribute(streamItem(x.Value))
	}
	return events.NewNullAttribute()
}
