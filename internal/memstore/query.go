package memstore

import (
	"bytes"
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
	"github.com/monotable/monotable/internal/memstore/expr"
)

// Query reads one partition of a table or index, in sort-key order.
func (s *Store) Query(ctx context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if in == nil {
		in = &dynamodb.QueryInput{} // as the SDK does for a nil input
	}
	out, err := s.query(in)
	return out, wrap("Query", currentLayer(err))
}

func (s *Store) query(in *dynamodb.QueryInput) (*dynamodb.QueryOutput, error) {
	if err := queryShape(in); err != nil {
		return nil, err
	}
	limit, err := checkLimit(in.Limit)
	if err != nil {
		return nil, err
	}
	var use paramUse
	use.expr("KeyConditionExpression", in.KeyConditionExpression)
	use.expr("FilterExpression", in.FilterExpression)
	use.expr("ProjectionExpression", in.ProjectionExpression)
	// KeyConditions may go with a FilterExpression or ProjectionExpression:
	// guregu/dynamo sends exactly that, and the service accepts it. Only
	// KeyConditions beside KeyConditionExpression is a mix.
	use.legacyIf("KeyConditions", in.KeyConditions != nil && in.KeyConditionExpression != nil)
	use.legacyIf("QueryFilter", in.QueryFilter != nil)
	use.legacyIf("AttributesToGet", in.AttributesToGet != nil)
	use.legacyIf("ConditionalOperator", in.ConditionalOperator != "")
	ep, err := newExprParams(use, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	if in.KeyConditionExpression == nil && in.KeyConditions == nil {
		return nil, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	var kc *expr.KeyCondition
	if in.KeyConditionExpression != nil {
		if kc, err = expr.ParseKeyCondition(*in.KeyConditionExpression, ep.params); err != nil {
			return nil, asValidation(err)
		}
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
	// The table is looked up once the request's own checks have passed,
	// as the service does: a malformed expression on a missing table is
	// reported as malformed.
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, err
	}
	if kc == nil {
		if kc, err = expr.FromKeyConditions(in.KeyConditions); err != nil {
			return nil, asValidation(err)
		}
	}
	filterName := "Filter Expression"
	if filter == nil {
		if filter, err = legacyFilter(in.QueryFilter, in.ConditionalOperator); err != nil {
			return nil, err
		}
		filterName = "QueryFilter"
	}
	if proj == nil {
		if proj, err = legacyProjection(in.AttributesToGet); err != nil {
			return nil, err
		}
	}

	var ix *index
	keys := t.keys
	if in.IndexName != nil {
		if ix = t.index(*in.IndexName); ix == nil {
			return nil, validation("The table does not have the specified index: %s", *in.IndexName)
		}
		if ix.global && aws.ToBool(in.ConsistentRead) {
			return nil, validation("Consistent reads are not supported on global secondary indexes")
		}
		keys = ix.keys
	}
	sel, err := selectMode(in.Select, proj != nil, in.AttributesToGet != nil, ix, "Querying")
	if err != nil {
		return nil, err
	}
	rng, partition, err := queryRange(keys, kc)
	if err != nil {
		return nil, err
	}
	if filter != nil {
		for _, p := range filter.Paths() {
			if keys.has(p.Top()) {
				return nil, validation("%s can only contain non-primary key attributes: Primary key attribute: %s", filterName, p.Top())
			}
		}
	}
	reverse := in.ScanIndexForward != nil && !*in.ScanIndexForward
	if in.ExclusiveStartKey != nil {
		sk, err := startKey(t, ix, in.ExclusiveStartKey)
		if errorMessage(err) == msgStartKeySchema {
			err = validationMsg("The provided starting key is invalid") // Query's shorter wording
		}
		if err != nil {
			return nil, err
		}
		if !bytes.HasPrefix([]byte(sk), partition) {
			return nil, validation("The provided starting key is outside query boundaries based on provided conditions")
		}
		if reverse {
			if sk < rng.hi || rng.hi == "" {
				rng.hi = sk
			}
		} else if a := afterKey(sk); a > rng.lo {
			rng.lo = a
		}
	}

	rd := newReader(t, ix, filter, proj, limit, sel, aws.ToBool(in.ConsistentRead))
	t.mu.RLock()
	rd.view = s.readView(t, ix != nil && ix.global || !rd.consistent)
	if rng.hi == "" || rng.lo < rng.hi {
		walk(rd.tree(), rng, reverse, rd.visit)
	}
	t.mu.RUnlock()
	u := rd.usage()
	if err := s.admit(t, u); err != nil {
		return nil, err
	}

	out := &dynamodb.QueryOutput{
		Count:            int32(rd.matched),
		ScannedCount:     int32(rd.scanned),
		LastEvaluatedKey: rd.lastKey(),
		ConsumedCapacity: u.render(in.ReturnConsumedCapacity),
	}
	out.Items = rd.result()
	return out, nil
}

func projectsAll(ix *index, tk keySchema, p *expr.Projection) bool {
	for _, path := range p.Paths() {
		if !ix.projects(tk, path.Top()) {
			return false
		}
	}
	return true
}

// checkKeyCondition matches a key condition against the key schema it
// queries, with DynamoDB's messages.
func checkKeyCondition(keys keySchema, kc *expr.KeyCondition) error {
	if kc.PartitionName != keys.Hash.Name {
		if keys.Range != nil && kc.PartitionName == keys.Range.Name && kc.SortName == "" {
			return validation("Query condition missed key schema element: %s", keys.Hash.Name)
		}
		if kc.SortName == keys.Hash.Name {
			return validation("Query key condition not supported")
		}
		return validation("Query condition missed key schema element: %s", keys.Hash.Name)
	}
	if attr.TypeOf(kc.PartitionValue) != string(keys.Hash.Type) {
		return validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
	}
	if err := checkKeyValue(keys.Hash.Name, kc.PartitionValue, true); err != nil {
		return err
	}
	if kc.SortName == "" {
		return nil
	}
	if keys.Range == nil || kc.SortName != keys.Range.Name {
		if keys.Range == nil {
			return validation("Query key condition not supported")
		}
		return validation("Query condition missed key schema element: %s", keys.Range.Name)
	}
	for _, v := range kc.SortValues {
		if attr.TypeOf(v) != string(keys.Range.Type) {
			return validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
		}
	}
	return nil
}

// queryRange checks a key condition against the key schema and turns it
// into one contiguous key range, with the partition's key prefix.
func queryRange(keys keySchema, kc *expr.KeyCondition) (keyRange, []byte, error) {
	if keys.multi() {
		return multiKeyRange(keys, kc.Terms)
	}
	if len(kc.Terms) > 2 {
		return keyRange{}, nil, validation("%s", expr.TooManyConditions(len(kc.Terms), len(keys.names())))
	}
	kc.Orient(keys.Hash.Name)
	if err := checkKeyCondition(keys, kc); err != nil {
		return keyRange{}, nil, err
	}
	p := partitionPrefix(kc.PartitionValue)
	if kc.SortName == "" {
		return keyRange{lo: string(p), hi: successor(p)}, p, nil
	}
	return sortRange(p, kc.SortOp, kc.SortValues), p, nil
}

// multiKeyRange is queryRange for a multi-attribute key: an equality on
// every partition attribute, and conditions on a leading run of the sort
// attributes, equalities but for the last one named.
func multiKeyRange(keys keySchema, terms []expr.KeyTerm) (keyRange, []byte, error) {
	hashes, ranges := keys.hashDefs(), keys.rangeDefs()
	if len(terms) > len(hashes)+len(ranges) {
		return keyRange{}, nil, validation("%s", expr.TooManyConditions(len(terms), len(hashes)+len(ranges)))
	}
	byName := make(map[string]expr.KeyTerm, len(terms))
	for _, t := range terms {
		byName[t.Name] = t
	}
	typed := func(kd keyDef, t expr.KeyTerm) error {
		for _, v := range t.Values {
			if attr.TypeOf(v) != string(kd.Type) {
				return validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
		}
		return nil
	}
	values := make([]types.AttributeValue, len(hashes))
	for i, h := range hashes {
		t, ok := byName[h.Name]
		if !ok {
			return keyRange{}, nil, validation("Query condition missed key schema element: %s", h.Name)
		}
		if t.Op != expr.SortEQ {
			return keyRange{}, nil, validation("Query key condition not supported")
		}
		if err := typed(h, t); err != nil {
			return keyRange{}, nil, err
		}
		if err := checkKeyValue(h.Name, t.Values[0], true); err != nil {
			return keyRange{}, nil, err
		}
		values[i] = t.Values[0]
	}
	for _, t := range terms {
		if !keys.has(t.Name) {
			if len(ranges) == 0 {
				return keyRange{}, nil, validation("Query key condition not supported")
			}
			return keyRange{}, nil, validation("Query condition missed key schema element: %s", firstUnnamed(ranges, byName))
		}
	}
	last := -1
	for i, r := range ranges {
		if _, ok := byName[r.Name]; ok {
			last = i
		}
	}
	var notEqual []string
	for _, r := range ranges[:max(last, 0)] {
		if t, ok := byName[r.Name]; !ok || t.Op != expr.SortEQ {
			notEqual = append(notEqual, r.Name)
		}
	}
	if len(notEqual) > 0 {
		return keyRange{}, nil, validation("RANGE key attributes %s must have equality conditions specified in the query because a condition is present on key attribute %s",
			strings.Join(notEqual, ", "), ranges[last].Name)
	}
	partition := multiPartitionPrefix(values)
	p := partition
	for i := 0; i < last; i++ {
		t := byName[ranges[i].Name]
		if err := typed(ranges[i], t); err != nil {
			return keyRange{}, nil, err
		}
		p = appendComponent(append([]byte(nil), p...), attr.KeyBytes(t.Values[0]))
	}
	if last < 0 {
		return keyRange{lo: string(p), hi: successor(p)}, partition, nil
	}
	t := byName[ranges[last].Name]
	if err := typed(ranges[last], t); err != nil {
		return keyRange{}, nil, err
	}
	return sortRange(p, t.Op, t.Values), partition, nil
}

// firstUnnamed is the first sort attribute a condition leaves out.
func firstUnnamed(ranges []keyDef, byName map[string]expr.KeyTerm) string {
	for _, r := range ranges {
		if _, ok := byName[r.Name]; !ok {
			return r.Name
		}
	}
	return ranges[len(ranges)-1].Name
}

// sortRange is the key range of a condition on the sort component that
// follows prefix p.
func sortRange(p []byte, op expr.SortOp, values []types.AttributeValue) keyRange {
	all := keyRange{lo: string(p), hi: successor(p)}
	with := func(v types.AttributeValue) []byte {
		return appendComponent(append([]byte(nil), p...), attr.KeyBytes(v))
	}
	v := values[0]
	switch op {
	case expr.SortEQ:
		k := with(v)
		return keyRange{lo: string(k), hi: successor(k)}
	case expr.SortLT:
		return keyRange{lo: all.lo, hi: string(with(v))}
	case expr.SortLE:
		return keyRange{lo: all.lo, hi: successor(with(v))}
	case expr.SortGT:
		return keyRange{lo: successor(with(v)), hi: all.hi}
	case expr.SortGE:
		return keyRange{lo: string(with(v)), hi: all.hi}
	case expr.SortBetween:
		return keyRange{lo: string(with(v)), hi: successor(with(values[1]))}
	case expr.SortBeginsWith:
		prefix := appendEscaped(append([]byte(nil), p...), attr.KeyBytes(v))
		return keyRange{lo: string(prefix), hi: successor(prefix)}
	}
	return all
}
