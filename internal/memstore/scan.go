package memstore

import (
	"context"
	"encoding/binary"
	"math/big"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/monotable/monotable/internal/memstore/expr"
)

const maxTotalSegments = 1000000

// Scan reads a whole table or index (or one parallel segment of it) in
// partition-hash order.
func (s *Store) Scan(ctx context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	if in == nil {
		in = &dynamodb.ScanInput{} // as the SDK does for a nil input
	}
	out, err := s.scan(in)
	return out, wrap("Scan", err)
}

func (s *Store) scan(in *dynamodb.ScanInput) (*dynamodb.ScanOutput, error) {
	if err := scanShape(in); err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	seg, err := segmentRange(in.Segment, in.TotalSegments)
	if err != nil {
		return nil, err
	}
	var use paramUse
	use.expr("FilterExpression", in.FilterExpression)
	use.expr("ProjectionExpression", in.ProjectionExpression)
	use.legacyIf("ScanFilter", in.ScanFilter != nil)
	use.legacyIf("AttributesToGet", in.AttributesToGet != nil)
	use.legacyIf("ConditionalOperator", in.ConditionalOperator != "")
	ep, err := newExprParams(use, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	filter, err := ep.condition(expr.KindFilter, in.FilterExpression)
	if err != nil {
		return nil, err
	}
	proj, err := ep.projection(in.ProjectionExpression)
	if err != nil {
		return nil, err
	}
	if err := ep.done(); err != nil {
		return nil, err
	}
	if filter == nil {
		if filter, err = legacyFilter(in.ScanFilter, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	if proj == nil {
		if proj, err = legacyProjection(in.AttributesToGet); err != nil {
			return nil, err
		}
	}
	// The request's own checks come before the table's, as in Query.
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, err
	}
	var ix *index
	if in.IndexName != nil {
		if ix = t.index(*in.IndexName); ix == nil {
			return nil, validation("The table does not have the specified index: %s", *in.IndexName)
		}
		if ix.global && aws.ToBool(in.ConsistentRead) {
			return nil, validation("Consistent reads are not supported on global secondary indexes")
		}
	}
	sel, err := selectMode(in.Select, proj != nil, in.AttributesToGet != nil, ix, "Scanning")
	if err != nil {
		return nil, err
	}
	if in.ExclusiveStartKey != nil {
		sk, err := startKey(t, ix, in.ExclusiveStartKey)
		if err != nil {
			return nil, err
		}
		if in.TotalSegments != nil && (sk < seg.lo || seg.hi != "" && sk >= seg.hi) {
			return nil, validation("The provided Exclusive start key does not map to the provided Segment and TotalSegments values.")
		}
		if a := afterKey(sk); a > seg.lo {
			seg.lo = a
		}
	}

	rd := newReader(t, ix, filter, proj, limit, sel, aws.ToBool(in.ConsistentRead))
	t.mu.RLock()
	rd.view = s.readView(t, ix != nil && ix.global || !rd.consistent)
	if seg.hi == "" || seg.lo < seg.hi {
		walk(rd.tree(), seg, false, rd.visit)
	}
	t.mu.RUnlock()
	u := rd.usage()
	if err := s.admit(t, u); err != nil {
		return nil, err
	}

	out := &dynamodb.ScanOutput{
		Count:            int32(rd.matched),
		ScannedCount:     int32(rd.scanned),
		LastEvaluatedKey: rd.lastKey(),
		ConsumedCapacity: u.render(in.ReturnConsumedCapacity),
	}
	out.Items = rd.result()
	return out, nil
}

// segmentRange maps a parallel-scan segment onto an equal share of the
// partition-hash space, which is the leading 8 bytes of every row key.
func segmentRange(segment, total *int32) (keyRange, error) {
	if segment == nil && total == nil {
		return keyRange{}, nil
	}
	if total == nil {
		return keyRange{}, validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	}
	if segment == nil {
		return keyRange{}, validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	}
	var c constraints
	if *total < 1 {
		c.add(*total, "totalSegments", "Member must have value greater than or equal to 1")
	} else if *total > maxTotalSegments {
		c.add(*total, "totalSegments", "Member must have value less than or equal to 1000000")
	}
	if *segment < 0 {
		c.add(*segment, "segment", "Member must have value greater than or equal to 0")
	} else if *segment > maxTotalSegments-1 {
		c.add(*segment, "segment", "Member must have value less than or equal to 999999")
	}
	if err := c.err(); err != nil {
		return keyRange{}, err
	}
	if *segment >= *total {
		return keyRange{}, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", *segment, *total)
	}
	bound := func(i int32) string {
		if i == 0 {
			return ""
		}
		// floor(i * 2^64 / total), as 8 big-endian bytes.
		n := new(big.Int).Lsh(big.NewInt(int64(i)), 64)
		n.Div(n, big.NewInt(int64(*total)))
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], n.Uint64())
		return string(b[:])
	}
	r := keyRange{lo: bound(*segment)}
	if *segment+1 < *total {
		r.hi = bound(*segment + 1)
	}
	return r, nil
}
