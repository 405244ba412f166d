package orm

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDB's batch limits.
const (
	maxBatchGet   = 100
	maxBatchWrite = 25
)

// BatchGet reads the items at keys, 100 per request, retrying unprocessed
// keys with backoff. It returns the items found, in the order of keys;
// missing and expired ones are left out. Consistent applies.
func (m *Model[T]) BatchGet(ctx context.Context, keys []T, opts ...Option) ([]T, error) {
	c := m.c
	s, err := collect("BatchGet", optRead, opts)
	if err != nil {
		return nil, err
	}
	// DynamoDB refuses duplicate keys in one request.
	ids := make([]string, len(keys))
	var unique []map[string]types.AttributeValue
	seen := map[string]bool{}
	for i := range keys {
		k := c.key(reflect.ValueOf(&keys[i]).Elem())
		ids[i] = c.keyString(k)
		if !seen[ids[i]] {
			seen[ids[i]] = true
			unique = append(unique, k)
		}
	}
	found := make(map[string]map[string]types.AttributeValue, len(unique))
	now := c.t.now()
	for start := 0; start < len(unique); start += maxBatchGet {
		chunk := unique[start:min(start+maxBatchGet, len(unique))]
		req := map[string]types.KeysAndAttributes{c.t.name: {Keys: chunk, ConsistentRead: aws.Bool(s.consistent)}}
		err := c.t.retry(ctx, "batch get "+c.entity, func() (int, error) {
			out, err := c.t.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return 0, err
			}
			for _, item := range out.Responses[c.t.name] {
				if c.live(item, now) {
					found[c.keyString(c.keyFromItem(item))] = item
				}
			}
			req = out.UnprocessedKeys
			return len(req[c.t.name].Keys), nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]T, 0, len(found))
	for _, id := range ids {
		item, ok := found[id]
		if !ok {
			continue
		}
		var v T
		if err := c.decodeInto(item, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// BatchPut writes items, 25 per request, retrying unprocessed ones with
// backoff. Batch writes take no conditions: versions are written as they
// are, unchecked, and models with unique fields are refused (use Put or
// a transaction). Items are validated and stamped as Put does.
func (m *Model[T]) BatchPut(ctx context.Context, items []T) error {
	c := m.c
	if len(c.info.uniques) > 0 {
		return fmt.Errorf("orm: BatchPut of %s: unique fields need transactions; use Put or PutTx", c.entity)
	}
	now := c.t.now()
	reqs := make([]types.WriteRequest, 0, len(items))
	for i := range items {
		rv := reflect.ValueOf(&items[i]).Elem()
		v := reflect.New(c.info.typ).Elem()
		v.Set(rv)
		if f := c.info.updated; f != nil {
			v.FieldByIndex(f.index).Set(reflect.ValueOf(stampTime(f, now)))
		}
		if f := c.info.created; f != nil && v.FieldByIndex(f.index).IsZero() {
			v.FieldByIndex(f.index).Set(reflect.ValueOf(stampTime(f, now)))
		}
		if err := c.checkStruct(v.Addr().Interface()); err != nil {
			return err
		}
		item, err := c.encode(v)
		if err != nil {
			return err
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	return c.batchWrite(ctx, "batch put", reqs)
}

// BatchDelete deletes the items at keys, 25 per request, retrying
// unprocessed ones with backoff. Models with unique fields are refused.
func (m *Model[T]) BatchDelete(ctx context.Context, keys []T) error {
	c := m.c
	if len(c.info.uniques) > 0 {
		return fmt.Errorf("orm: BatchDelete of %s: unique fields need transactions; use Delete or DeleteTx", c.entity)
	}
	reqs := make([]types.WriteRequest, len(keys))
	for i := range keys {
		reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: c.key(reflect.ValueOf(&keys[i]).Elem())}}
	}
	return c.batchWrite(ctx, "batch delete", reqs)
}

func (c *codec) batchWrite(ctx context.Context, op string, reqs []types.WriteRequest) error {
	for start := 0; start < len(reqs); start += maxBatchWrite {
		req := map[string][]types.WriteRequest{c.t.name: reqs[start:min(start+maxBatchWrite, len(reqs))]}
		err := c.t.retry(ctx, op+" "+c.entity, func() (int, error) {
			out, err := c.t.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: req})
			if err != nil {
				return 0, err
			}
			req = out.UnprocessedItems
			return len(req[c.t.name]), nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// retry calls try until it leaves nothing unprocessed, sleeping between
// attempts with exponential backoff and full jitter, at most
// t.retryAttempts times, and no longer than ctx allows.
func (t *Table) retry(ctx context.Context, op string, try func() (unprocessed int, err error)) error {
	for attempt := 0; ; attempt++ {
		left, err := try()
		if err != nil {
			return wrapErr(op, "", err)
		}
		if left == 0 {
			return nil
		}
		if attempt+1 >= t.retryAttempts {
			return fmt.Errorf("orm: %s: %d items unprocessed after %d attempts: %w", op, left, attempt+1, ErrThrottled)
		}
		ceiling := min(t.retryBase<<attempt, 10*time.Second)
		timer := time.NewTimer(rand.N(ceiling + 1))
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("orm: %s: %d items unprocessed: %w", op, left, ctx.Err())
		case <-timer.C:
		}
	}
}

// keyFromItem picks the primary key out of a whole item.
func (c *codec) keyFromItem(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	k := map[string]types.AttributeValue{c.pk.attr: item[c.pk.attr]}
	if c.sk != nil {
		k[c.sk.attr] = item[c.sk.attr]
	}
	return k
}
