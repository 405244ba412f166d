package memstore

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
	"github.com/monotable/monotable/internal/memstore/expr"
)

// Batch limits from the API Reference.
const (
	maxBatchGetKeys      = 100
	maxBatchWriteItems   = 25
	maxBatchGetRespBytes = 16 << 20
)

// BatchGetItem reads up to 100 items from one or more tables. Keys past the
// 16 MB response limit come back in UnprocessedKeys.
func (s *Store) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	if in == nil {
		in = &dynamodb.BatchGetItemInput{} // as the SDK does for a nil input
	}
	out, err := s.batchGetItem(in)
	return out, wrap("BatchGetItem", currentLayer(err))
}

type batchGetTable struct {
	name string
	t    *table
	req  types.KeysAndAttributes
	keys []attr.Item
	proj *expr.Projection
}

func (s *Store) batchGetItem(in *dynamodb.BatchGetItemInput) (*dynamodb.BatchGetItemOutput, error) {
	if len(in.RequestItems) == 0 {
		return nil, validation("1 validation error detected: Value at 'RequestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if err := batchGetShape(in); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(in.RequestItems))
	for n := range in.RequestItems {
		names = append(names, n)
	}
	sort.Strings(names)

	total := 0
	var reqs []*batchGetTable
	for _, n := range names {
		ka := in.RequestItems[n]
		total += len(ka.Keys)
		if total > maxBatchGetKeys {
			return nil, validation("Too many items requested for the BatchGetItem call")
		}
		var use paramUse
		use.expr("ProjectionExpression", ka.ProjectionExpression)
		use.legacyIf("AttributesToGet", ka.AttributesToGet != nil)
		ep, err := newExprParams(use, ka.ExpressionAttributeNames, nil)
		if err != nil {
			return nil, err
		}
		proj, err := ep.projection(ka.ProjectionExpression)
		if err != nil {
			return nil, err
		}
		if err := ep.done(); err != nil {
			return nil, err
		}
		if proj == nil {
			if proj, err = legacyProjection(ka.AttributesToGet); err != nil {
				return nil, err
			}
		}
		reqs = append(reqs, &batchGetTable{name: n, req: ka, proj: proj})
	}
	if err := mixedProjections(in.RequestItems); err != nil {
		return nil, err
	}
	for _, r := range reqs {
		for _, k := range r.req.Keys {
			if err := checkKeyValues(k); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range reqs {
		t, err := s.table(aws.String(r.name))
		if err != nil {
			return nil, err
		}
		r.t = t
		seen := map[string]bool{}
		for _, k := range r.req.Keys {
			key, err := checkKey(t.keys, k)
			if err != nil {
				return nil, err
			}
			rk := string(t.keys.rowKey(nil, key))
			if seen[rk] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[rk] = true
			r.keys = append(r.keys, key)
		}
	}

	out := &dynamodb.BatchGetItemOutput{
		Responses:       map[string][]map[string]types.AttributeValue{},
		UnprocessedKeys: map[string]types.KeysAndAttributes{},
	}
	respBytes := 0
	copier := attr.Copier{Block: readBlock}
	for _, r := range reqs {
		items := []map[string]types.AttributeValue{}
		u := newUsage(r.t.name, false)
		consistent := aws.ToBool(r.req.ConsistentRead)
		var unprocessed []map[string]types.AttributeValue
		r.t.mu.RLock()
		view := s.readView(r.t, !consistent)
		for _, key := range r.keys {
			if respBytes >= maxBatchGetRespBytes {
				unprocessed = append(unprocessed, attr.CopyItem(key))
				continue
			}
			row := r.t.getAt(key, view)
			if row == nil {
				u.units += readUnits(0, consistent)
				continue
			}
			u.units += readUnits(row.size, consistent)
			respBytes += row.size
			items = append(items, project(&copier, r.proj, row.item))
		}
		r.t.mu.RUnlock()
		out.Responses[r.name] = items
		if len(unprocessed) > 0 {
			ka := r.req
			ka.Keys = unprocessed
			out.UnprocessedKeys[r.name] = ka
		}
		if cc := u.render(in.ReturnConsumedCapacity); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *cc)
		}
	}
	return out, nil
}

// BatchWriteItem puts or deletes up to 25 items across tables. Each write
// is atomic on its own; the batch as a whole is not.
func (s *Store) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	if in == nil {
		in = &dynamodb.BatchWriteItemInput{} // as the SDK does for a nil input
	}
	out, err := s.batchWriteItem(in)
	return out, wrap("BatchWriteItem", err)
}

type batchWrite struct {
	t   *table
	put attr.Item // nil for a delete
	key attr.Item
}

// request renders the write back as a WriteRequest for UnprocessedItems.
func (w batchWrite) request() types.WriteRequest {
	if w.put != nil {
		return types.WriteRequest{PutRequest: &types.PutRequest{Item: attr.CopyItem(w.put)}}
	}
	return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: attr.CopyItem(w.key)}}
}

func (s *Store) batchWriteItem(in *dynamodb.BatchWriteItemInput) (*dynamodb.BatchWriteItemOutput, error) {
	if len(in.RequestItems) == 0 {
		return nil, validation("The requestItems parameter is required for BatchWriteItem")
	}
	if err := batchWriteShape(in); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(in.RequestItems))
	total := 0
	for n, reqs := range in.RequestItems {
		names = append(names, n)
		if len(reqs) == 0 || len(reqs) > maxBatchWriteItems {
			var c constraints
			c.add(javaWrites(n, reqs), "requestItems", "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
			return nil, c.err()
		}
		total += len(reqs)
	}
	if total > maxBatchWriteItems {
		return nil, validation("Too many items requested for the BatchWriteItem call")
	}
	sort.Strings(names)

	var writes []batchWrite
	for _, n := range names {
		t, err := s.table(aws.String(n))
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, wr := range in.RequestItems[n] {
			var w batchWrite
			w.t = t
			switch {
			case wr.PutRequest != nil && wr.DeleteRequest != nil, wr.PutRequest == nil && wr.DeleteRequest == nil:
				return nil, validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			case wr.PutRequest != nil:
				if wr.PutRequest.Item == nil {
					return nil, validation("1 validation error detected: Value null at 'requestItems.%s.member.putRequest.item' failed to satisfy constraint: Member must not be null", n)
				}
				item, err := attr.NormalizeItem(wr.PutRequest.Item)
				if err != nil {
					return nil, asValidation(err)
				}
				if keyOffSchema(t.keys, item) {
					// A batch reports the schema, not the key or its type,
					// unlike PutItem.
					return nil, validation("The provided key element does not match the schema")
				}
				if err := t.checkItem(item); err != nil {
					return nil, err
				}
				w.put = item
				w.key = t.keys.project(item, nil)
			default:
				if err := checkKeyValues(wr.DeleteRequest.Key); err != nil {
					return nil, err
				}
				key, err := checkKey(t.keys, wr.DeleteRequest.Key)
				if err != nil {
					return nil, err
				}
				w.key = key
			}
			rk := string(t.keys.rowKey(nil, w.key))
			if seen[rk] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[rk] = true
			writes = append(writes, w)
		}
	}

	usages := map[*table]*usage{}
	var order []*table
	out := &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]types.WriteRequest{}}
	for _, w := range writes {
		u := usages[w.t]
		if u == nil {
			u = newUsage(w.t.name, true)
			usages[w.t] = u
			order = append(order, w.t)
		}
		w.t.mu.Lock()
		old := w.t.get(w.key)
		one := newUsage(w.t.name, true)
		one.chargeWrite(w.t, old, w.put)
		if s.admit(w.t, one) != nil {
			// Throttled writes come back for the caller to retry.
			w.t.mu.Unlock()
			out.UnprocessedItems[w.t.name] = append(out.UnprocessedItems[w.t.name], w.request())
			continue
		}
		u.merge(one)
		if w.put != nil {
			w.t.put(w.put)
		} else if old != nil {
			w.t.delete(w.key)
		}
		if m := w.t.collectionMetrics(in.ReturnItemCollectionMetrics, w.key); m != nil {
			if out.ItemCollectionMetrics == nil {
				out.ItemCollectionMetrics = map[string][]types.ItemCollectionMetrics{}
			}
			out.ItemCollectionMetrics[w.t.name] = append(out.ItemCollectionMetrics[w.t.name], *m)
		}
		w.t.mu.Unlock()
	}
	if n := 0; len(out.UnprocessedItems) > 0 {
		for _, reqs := range out.UnprocessedItems {
			n += len(reqs)
		}
		if n == len(writes) {
			return nil, throughputExceeded()
		}
	}
	for _, t := range order {
		if cc := usages[t].render(in.ReturnConsumedCapacity); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *cc)
		}
	}
	return out, nil
}

// keyOffSchema reports whether item lacks one of the table's key
// attributes or holds one with a type other than the schema's.
func keyOffSchema(k keySchema, item attr.Item) bool {
	for _, kd := range []*keyDef{&k.Hash, k.Range} {
		if kd == nil {
			continue
		}
		if v, ok := item[kd.Name]; !ok || attr.TypeOf(v) != string(kd.Type) {
			return true
		}
	}
	return false
}
