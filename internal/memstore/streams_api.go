package memstore

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/smithy-go"

	"github.com/monotable/monotable/internal/memstore/attr"
)

// The DynamoDB Streams API over the store's stream logs. Each stream has
// one shard; shard iterators are opaque strings naming the stream and the
// last sequence number read, and expire after 15 minutes as on AWS.

const (
	maxGetRecords    = 1000
	iteratorLifetime = 15 * time.Minute
)

func wrapStreams(op string, err error) error {
	if err == nil {
		return nil
	}
	e := wrap(op, err).(*smithy.OperationError)
	e.ServiceID = "DynamoDB Streams"
	return e
}

func streamNotFound(arn string) error {
	return &types.ResourceNotFoundException{Message: aws.String("Requested resource not found: Stream: " + arn + " not found")}
}

// validStreamARN checks a stream ARN's shape,
// arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL: the service
// refuses a malformed one as invalid rather than looking it up.
func validStreamARN(arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[2] == "dynamodb" {
		res := strings.Split(parts[5], "/")
		if len(res) == 4 && res[0] == "table" && res[1] != "" && res[2] == "stream" && res[3] != "" {
			return nil
		}
	}
	return validation("Invalid StreamArn: %s", arn)
}

func (s *Store) stream(arn *string) (*streamLog, error) {
	if arn == nil {
		return nil, validation("1 validation error detected: Value null at 'streamArn' failed to satisfy constraint: Member must not be null")
	}
	if err := validStreamARN(*arn); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, l := range s.streams {
		if l.arn == *arn {
			return l, nil
		}
	}
	return nil, streamNotFound(*arn)
}

// ListStreams lists the streams of one table or of all tables.
func (s *Store) ListStreams(ctx context.Context, in *dynamodbstreams.ListStreamsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.ListStreamsOutput, error) {
	if in == nil {
		in = &dynamodbstreams.ListStreamsInput{} // as the SDK does for a nil input
	}
	limit := 100
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			var c constraints
			c.add(*in.Limit, "limit", "Member must have value less than or equal to 100")
			return nil, wrapStreams("ListStreams", c.err())
		}
		limit = int(*in.Limit)
	}
	s.mu.RLock()
	var all []*streamLog
	for _, l := range s.streams {
		if in.TableName == nil || l.table == *in.TableName {
			all = append(all, l)
		}
	}
	s.mu.RUnlock()
	start := 0
	if in.ExclusiveStartStreamArn != nil {
		if err := validStreamARN(*in.ExclusiveStartStreamArn); err != nil {
			return nil, wrapStreams("ListStreams", err)
		}
		for i, l := range all {
			if l.arn == *in.ExclusiveStartStreamArn {
				start = i + 1
			}
		}
	}
	out := &dynamodbstreams.ListStreamsOutput{Streams: []types.Stream{}}
	for i := start; i < len(all) && len(out.Streams) < limit; i++ {
		l := all[i]
		out.Streams = append(out.Streams, types.Stream{StreamArn: aws.String(l.arn), StreamLabel: aws.String(l.label), TableName: aws.String(l.table)})
		if len(out.Streams) == limit && i+1 < len(all) {
			out.LastEvaluatedStreamArn = aws.String(l.arn)
		}
	}
	return out, nil
}

// DescribeStream describes a stream and its single shard.
func (s *Store) DescribeStream(ctx context.Context, in *dynamodbstreams.DescribeStreamInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error) {
	if in == nil {
		in = &dynamodbstreams.DescribeStreamInput{} // as the SDK does for a nil input
	}
	l, err := s.stream(in.StreamArn)
	if err != nil {
		return nil, wrapStreams("DescribeStream", err)
	}
	first, _ := l.bounds()
	l.mu.Lock()
	disabled, closedAt := l.disabled, l.closedAt
	l.mu.Unlock()
	if first == 0 {
		first = 1
	}
	shard := types.Shard{
		ShardId:             aws.String(l.shardID),
		SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String(formatSeq(first))},
	}
	status := types.StreamStatusEnabled
	if disabled {
		status = types.StreamStatusDisabled
		shard.SequenceNumberRange.EndingSequenceNumber = aws.String(formatSeq(closedAt))
	}
	keys := []types.KeySchemaElement{{AttributeName: aws.String(l.keys.Hash.Name), KeyType: types.KeyTypeHash}}
	if l.keys.Range != nil {
		keys = append(keys, types.KeySchemaElement{AttributeName: aws.String(l.keys.Range.Name), KeyType: types.KeyTypeRange})
	}
	desc := &types.StreamDescription{
		StreamArn:               aws.String(l.arn),
		StreamLabel:             aws.String(l.label),
		StreamStatus:            status,
		StreamViewType:          types.StreamViewType(l.view),
		CreationRequestDateTime: aws.Time(l.created),
		TableName:               aws.String(l.table),
		KeySchema:               keys,
		Shards:                  []types.Shard{shard},
	}
	if in.ExclusiveStartShardId != nil && *in.ExclusiveStartShardId >= l.shardID {
		desc.Shards = []types.Shard{} // shards are listed after the start, by id, whether it exists or not
	}
	return &dynamodbstreams.DescribeStreamOutput{StreamDescription: desc}, nil
}

// iterator is the decoded form of a shard iterator.
type iterator struct {
	arn    string
	after  uint64 // records with greater sequence numbers come next
	issued time.Time
}

func (it iterator) encode() string {
	raw := it.arn + "|" + strconv.FormatUint(it.after, 10) + "|" + strconv.FormatInt(it.issued.UnixNano(), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeIterator(s string) (iterator, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return iterator{}, errInvalidIterator
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 {
		return iterator{}, errInvalidIterator
	}
	after, err1 := strconv.ParseUint(parts[1], 10, 64)
	nanos, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return iterator{}, errInvalidIterator
	}
	return iterator{arn: parts[0], after: after, issued: time.Unix(0, nanos)}, nil
}

var errInvalidIterator = errors.New("Invalid ShardIterator")

// GetShardIterator positions an iterator in a shard.
func (s *Store) GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	if in == nil {
		in = &dynamodbstreams.GetShardIteratorInput{} // as the SDK does for a nil input
	}
	out, err := s.getShardIterator(in)
	return out, wrapStreams("GetShardIterator", err)
}

func (s *Store) getShardIterator(in *dynamodbstreams.GetShardIteratorInput) (*dynamodbstreams.GetShardIteratorOutput, error) {
	l, err := s.stream(in.StreamArn)
	if err != nil {
		return nil, err
	}
	if in.ShardId == nil || *in.ShardId != l.shardID {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Requested resource not found: Shard does not exist")}
	}
	if in.SequenceNumber != nil && (in.ShardIteratorType == types.ShardIteratorTypeTrimHorizon || in.ShardIteratorType == types.ShardIteratorTypeLatest) {
		return nil, validation("Invalid SequenceNumber: a sequence number is given only with AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER, not with %s", in.ShardIteratorType)
	}
	first, last := l.bounds()
	it := iterator{arn: l.arn, issued: s.now()}
	seq := func() (uint64, error) {
		if in.SequenceNumber == nil {
			return 0, validation("Must specify a sequence number for iterator type %s", in.ShardIteratorType)
		}
		n, err := strconv.ParseUint(*in.SequenceNumber, 10, 64)
		if err != nil {
			return 0, validation("Invalid SequenceNumber: %s", *in.SequenceNumber)
		}
		if first != 0 && n < first {
			return 0, &types.TrimmedDataAccessException{Message: aws.String("Requested sequence number is beyond the trim horizon")}
		}
		return n, nil
	}
	switch in.ShardIteratorType {
	case types.ShardIteratorTypeTrimHorizon:
		if first > 0 {
			it.after = first - 1
		}
	case types.ShardIteratorTypeLatest:
		it.after = last
		if last == 0 {
			it.after = l.seqs.current()
		}
	case types.ShardIteratorTypeAtSequenceNumber:
		n, err := seq()
		if err != nil {
			return nil, err
		}
		it.after = n - 1
	case types.ShardIteratorTypeAfterSequenceNumber:
		n, err := seq()
		if err != nil {
			return nil, err
		}
		it.after = n
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]", in.ShardIteratorType)
	}
	return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String(it.encode())}, nil
}

// GetRecords reads up to Limit records after an iterator's position.
func (s *Store) GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	if in == nil {
		in = &dynamodbstreams.GetRecordsInput{} // as the SDK does for a nil input
	}
	out, err := s.getRecords(in)
	return out, wrapStreams("GetRecords", err)
}

func (s *Store) getRecords(in *dynamodbstreams.GetRecordsInput) (*dynamodbstreams.GetRecordsOutput, error) {
	limit := maxGetRecords
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > maxGetRecords {
			var c constraints
			c.add(*in.Limit, "limit", "Member must have value less than or equal to 1000")
			return nil, c.err()
		}
		limit = int(*in.Limit)
	}
	if in.ShardIterator == nil {
		return nil, validation("1 validation error detected: Value null at 'shardIterator' failed to satisfy constraint: Member must not be null")
	}
	it, err := decodeIterator(*in.ShardIterator)
	if err != nil {
		return nil, validation("Invalid ShardIterator")
	}
	if s.now().Sub(it.issued) > iteratorLifetime {
		return nil, &types.ExpiredIteratorException{Message: aws.String("Iterator expired. The iterator was created at time " + it.issued.UTC().Format(time.RFC1123) + " while right now it is " + s.now().UTC().Format(time.RFC1123) + " which is further in the future than the tolerated delay of 900000 milliseconds.")}
	}
	l, err := s.stream(&it.arn)
	if err != nil {
		return nil, err
	}
	recs, _, disabled := l.after(it.after, limit)
	out := &dynamodbstreams.GetRecordsOutput{Records: make([]types.Record, 0, len(recs))}
	next := it.after
	for _, r := range recs {
		out.Records = append(out.Records, s.streamRecord(l, r))
		next = r.seq
	}
	if !(disabled && len(recs) == 0) {
		out.NextShardIterator = aws.String(iterator{arn: l.arn, after: next, issued: s.now()}.encode())
	}
	return out, nil
}

// streamRecord renders a stored change as the Streams API returns it.
func (s *Store) streamRecord(l *streamLog, r streamRecord) types.Record {
	rec := types.Record{
		AwsRegion:    aws.String(s.region),
		EventID:      aws.String(strings.ReplaceAll(r.id, "-", "")),
		EventName:    types.OperationType(r.event),
		EventSource:  aws.String("aws:dynamodb"),
		EventVersion: aws.String("1.1"),
		Dynamodb: &types.StreamRecord{
			ApproximateCreationDateTime: aws.Time(r.at.Truncate(time.Second)),
			Keys:                        toStreamItem(r.keys),
			NewImage:                    toStreamItem(r.new),
			OldImage:                    toStreamItem(r.old),
			SequenceNumber:              aws.String(formatSeq(r.seq)),
			SizeBytes:                   aws.Int64(int64(r.size)),
			StreamViewType:              types.StreamViewType(l.view),
		},
	}
	if r.service {
		rec.UserIdentity = &types.Identity{PrincipalId: aws.String("dynamodb.amazonaws.com"), Type: aws.String("Service")}
	}
	return rec
}

// toStreamItem converts DynamoDB attribute values to the Streams API's own
// (identically shaped) union type, copying as it goes.
func toStreamItem(item attr.Item) map[string]types.AttributeValue {
	if item == nil {
		return nil
	}
	out := make(map[string]types.AttributeValue, len(item))
	for k, v := range item {
		out[k] = toStreamValue(v)
	}
	return out
}

func toStreamValue(v ddbtypes.AttributeValue) types.AttributeValue {
	switch x := attr.Copy(v).(type) {
	case *ddbtypes.AttributeValueMemberS:
		return &types.AttributeValueMemberS{Value: x.Value}
	case *ddbtypes.AttributeValueMemberN:
		return &types.AttributeValueMemberN{Value: x.Value}
	case *ddbtypes.AttributeValueMemberB:
		return &types.AttributeValueMemberB{Value: x.Value}
	case *ddbtypes.AttributeValueMemberBOOL:
		return &types.AttributeValueMemberBOOL{Value: x.Value}
	case *ddbtypes.AttributeValueMemberNULL:
		return &types.AttributeValueMemberNULL{Value: x.Value}
	case *ddbtypes.AttributeValueMemberSS:
		return &types.AttributeValueMemberSS{Value: x.Value}
	case *ddbtypes.AttributeValueMemberNS:
		return &types.AttributeValueMemberNS{Value: x.Value}
	case *ddbtypes.AttributeValueMemberBS:
		return &types.AttributeValueMemberBS{Value: x.Value}
	case *ddbtypes.AttributeValueMemberL:
		out := make([]types.AttributeValue, len(x.Value))
		for i, e := range x.Value {
			out[i] = toStreamValue(e)
		}
		return &types.AttributeValueMemberL{Value: out}
	case *ddbtypes.AttributeValueMemberM:
		return &types.AttributeValueMemberM{Value: toStreamItem(x.Value)}
	}
	return nil
}

// StreamReader reads one table's stream in process, in commit order.
type StreamReader struct {
	s     *Store
	log   *streamLog
	after uint64
}

// SubscribeStream opens a reader on a table's current stream, from the
// oldest retained record (fromLatest false, TRIM_HORIZON) or from now on.
func (s *Store) SubscribeStream(tableName string, fromLatest bool) (*StreamReader, error) {
	t, err := s.table(&tableName)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	l := t.streamLog
	t.mu.RUnlock()
	if l == nil {
		return nil, validation("Table %s has no enabled stream", tableName)
	}
	r := &StreamReader{s: s, log: l}
	if fromLatest {
		_, r.after = l.bounds()
	} else if first, _ := l.bounds(); first > 0 {
		r.after = first - 1
	}
	return r, nil
}

// StreamARN is the ARN of the stream being read.
func (r *StreamReader) StreamARN() string { return r.log.arn }

// Read returns up to max records, waiting until at least one is available,
// the stream is disabled (io.EOF-like: nil, nil), or ctx is done.
func (r *StreamReader) Read(ctx context.Context, max int) ([]types.Record, error) {
	if max < 1 || max > maxGetRecords {
		max = maxGetRecords
	}
	for {
		recs, wake, disabled := r.log.after(r.after, max)
		if len(recs) > 0 {
			out := make([]types.Record, len(recs))
			for i, rec := range recs {
				out[i] = r.s.streamRecord(r.log, rec)
			}
			r.after = recs[len(recs)-1].seq
			return out, nil
		}
		if disabled {
			return nil, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wake:
		}
	}
}

// TryRead returns what is available now without waiting.
func (r *StreamReader) TryRead(max int) []types.Record {
	if max < 1 || max > maxGetRecords {
		max = maxGetRecords
	}
	recs, _, _ := r.log.after(r.after, max)
	out := make([]types.Record, len(recs))
	for i, rec := range recs {
		out[i] = r.s.streamRecord(r.log, rec)
	}
	if len(recs) > 0 {
		r.after = recs[len(recs)-1].seq
	}
	return out
}

// DiscardStreamRecords empties every stream, keeping the streams. A store
// rebuilt from a snapshot and log (the local endpoint's --data) calls it
// after loading, so consumers do not see the reload as a burst of new
// writes: the streams restart empty, as they do after a restart.
func (s *Store) DiscardStreamRecords() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, l := range s.streams {
		l.clear()
	}
}
