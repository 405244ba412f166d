package memstore

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
	"github.com/monotable/monotable/internal/memstore/expr"
)

// GetItem reads one item by its full primary key.
func (s *Store) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if in == nil {
		in = &dynamodb.GetItemInput{} // as the SDK does for a nil input
	}
	out, err := s.getItem(in)
	return out, wrap("GetItem", currentLayer(err))
}

func (s *Store) getItem(in *dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
	if err := getItemShape(in); err != nil {
		return nil, err
	}
	var use paramUse
	use.expr("ProjectionExpression", in.ProjectionExpression)
	use.legacyIf("AttributesToGet", in.AttributesToGet != nil)
	ep, err := newExprParams(use, in.ExpressionAttributeNames, nil)
	if err != nil {
		return nil, err
	}
	proj, err := ep.projection(in.ProjectionExpression)
	if err != nil {
		return nil, err
	}
	if proj == nil {
		if proj, err = legacyProjection(in.AttributesToGet); err != nil {
			return nil, err
		}
	}
	if err := ep.done(); err != nil {
		return nil, err
	}
	if err := checkKeyValues(in.Key); err != nil {
		return nil, currentLayer(err)
	}
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, err
	}
	var buf [256]byte
	rk, err := keyRow(t.keys, in.Key, buf[:0])
	if err != nil {
		return nil, err
	}
	consistent := aws.ToBool(in.ConsistentRead)
	t.mu.RLock()
	var item attr.Item
	size := 0
	if r := t.getRowAt(rk, s.readView(t, !consistent)); r != nil {
		item, size = r.item, r.size
	}
	t.mu.RUnlock()

	out := &dynamodb.GetItemOutput{}
	if item != nil {
		out.Item = project(new(attr.Copier), proj, item)
	}
	u := s.readUsage(t, in.ReturnConsumedCapacity, readUnits(size, consistent))
	if err := s.admit(t, u); err != nil {
		return nil, err
	}
	out.ConsumedCapacity = u.render(in.ReturnConsumedCapacity)
	return out, nil
}

// project applies an optional projection and always returns a copy; whole
// items are copied through c, so one copier can serve a page of results.
func project(c *attr.Copier, p *expr.Projection, item attr.Item) attr.Item {
	if p == nil {
		return c.Item(item)
	}
	return p.Apply(item)
}

// PutItem writes a whole item, optionally under a condition.
func (s *Store) PutItem(ctx context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if in == nil {
		in = &dynamodb.PutItemInput{} // as the SDK does for a nil input
	}
	out, err := s.putItem(in)
	return out, wrap("PutItem", err)
}

func (s *Store) putItem(in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
	if err := putItemShape(in); err != nil {
		return nil, err
	}
	if err := checkReturnValues(in.ReturnValues, types.ReturnValueNone, types.ReturnValueAllOld); err != nil {
		return nil, enveloped(err)
	}
	cond, err := itemWriteCondition(in.ConditionExpression, in.Expected, in.ConditionalOperator, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	if in.Item == nil {
		return nil, validation("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null")
	}
	item, size, err := attr.NormalizeItemSize(in.Item)
	if err != nil {
		return nil, enveloped(asValidation(err))
	}
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, err
	}
	if err := t.checkItemSized(item, size); err != nil {
		return nil, err
	}

	t.mu.Lock()
	if err := s.checkNotInTransaction(t, item); err != nil {
		t.mu.Unlock()
		return nil, err
	}
	var old attr.Item
	if cond == nil && in.ReturnValues != types.ReturnValueAllOld && !s.wantsUsage(in.ReturnConsumedCapacity) &&
		in.ReturnItemCollectionMetrics != types.ReturnItemCollectionMetricsSize {
		// A blind put needs nothing of the old item before writing: the
		// tree hands it back from the same descent.
		t.putSized(item, size)
		t.mu.Unlock()
		return &dynamodb.PutItemOutput{}, nil
	}
	old = t.get(item)
	if !eval(cond, old) {
		t.mu.Unlock()
		return nil, failedCondition(in.ReturnValuesOnConditionCheckFailure, old)
	}
	u := s.writeUsage(t, in.ReturnConsumedCapacity, old, item)
	if err := s.admit(t, u); err != nil {
		t.mu.Unlock()
		return nil, err
	}
	t.putSized(item, size)
	metrics := t.collectionMetrics(in.ReturnItemCollectionMetrics, item)
	t.mu.Unlock()

	out := &dynamodb.PutItemOutput{ConsumedCapacity: u.render(in.ReturnConsumedCapacity), ItemCollectionMetrics: metrics}
	if in.ReturnValues == types.ReturnValueAllOld && old != nil {
		out.Attributes = attr.CopyItem(old)
	}
	return out, nil
}

// writeCondition parses a write's condition from either the expression or
// the legacy Expected parameters.
func writeCondition(text *string, expected map[string]types.ExpectedAttributeValue, op types.ConditionalOperator,
	names map[string]string, values map[string]types.AttributeValue) (*expr.Condition, error) {
	return writeConditionIn(text, expected, op, names, values, nil)
}

// itemWriteCondition is writeCondition for PutItem and DeleteItem, which
// report a malformed condition or its parameters inside the envelope.
func itemWriteCondition(text *string, expected map[string]types.ExpectedAttributeValue, op types.ConditionalOperator,
	names map[string]string, values map[string]types.AttributeValue) (*expr.Condition, error) {
	return writeConditionIn(text, expected, op, names, values, enveloped)
}

func writeConditionIn(text *string, expected map[string]types.ExpectedAttributeValue, op types.ConditionalOperator,
	names map[string]string, values map[string]types.AttributeValue, wrap func(error) error) (*expr.Condition, error) {
	var use paramUse
	if wrap == nil { // a transaction's: the older layer
		wrap, use.older = func(err error) error { return err }, true
	}
	use.expr("ConditionExpression", text)
	use.legacyIf("Expected", expected != nil)
	use.legacyIf("ConditionalOperator", op != "")
	ep, err := newExprParams(use, names, values)
	if err != nil {
		return nil, wrap(err)
	}
	cond, err := ep.condition(expr.KindCondition, text)
	if err != nil {
		return nil, wrap(err)
	}
	if err := ep.done(); err != nil {
		return nil, err
	}
	if cond == nil {
		cond, err = legacyCondition(expected, op)
		return cond, wrap(err)
	}
	return cond, nil
}

// failedCondition builds ConditionalCheckFailedException, with the current
// item when the request asked for it.
func failedCondition(rv types.ReturnValuesOnConditionCheckFailure, old attr.Item) error {
	if rv == types.ReturnValuesOnConditionCheckFailureAllOld && old != nil {
		return conditionFailed(attr.CopyItem(old))
	}
	return conditionFailed(nil)
}

// DeleteItem removes one item, optionally under a condition.
func (s *Store) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if in == nil {
		in = &dynamodb.DeleteItemInput{} // as the SDK does for a nil input
	}
	out, err := s.deleteItem(in)
	return out, wrap("DeleteItem", err)
}

func (s *Store) deleteItem(in *dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) {
	if err := deleteItemShape(in); err != nil {
		return nil, err
	}
	if err := checkReturnValues(in.ReturnValues, types.ReturnValueNone, types.ReturnValueAllOld); err != nil {
		return nil, enveloped(err)
	}
	cond, err := itemWriteCondition(in.ConditionExpression, in.Expected, in.ConditionalOperator, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	if err := checkKeyValues(in.Key); err != nil {
		return nil, enveloped(err)
	}
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, err
	}
	key, err := checkKey(t.keys, in.Key)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	if err := s.checkNotInTransaction(t, key); err != nil {
		t.mu.Unlock()
		return nil, err
	}
	old := t.get(key)
	if !eval(cond, old) {
		t.mu.Unlock()
		return nil, failedCondition(in.ReturnValuesOnConditionCheckFailure, old)
	}
	u := s.writeUsage(t, in.ReturnConsumedCapacity, old, nil)
	if err := s.admit(t, u); err != nil {
		t.mu.Unlock()
		return nil, err
	}
	if old != nil {
		t.delete(key)
	}
	metrics := t.collectionMetrics(in.ReturnItemCollectionMetrics, key)
	t.mu.Unlock()

	out := &dynamodb.DeleteItemOutput{ConsumedCapacity: u.render(in.ReturnConsumedCapacity), ItemCollectionMetrics: metrics}
	if in.ReturnValues == types.ReturnValueAllOld && old != nil {
		out.Attributes = attr.CopyItem(old)
	}
	return out, nil
}

// UpdateItem edits (or creates) one item with an update expression or the
// legacy AttributeUpdates.
func (s *Store) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if in == nil {
		in = &dynamodb.UpdateItemInput{} // as the SDK does for a nil input
	}
	out, err := s.updateItem(in)
	return out, wrap("UpdateItem", err)
}

func (s *Store) updateItem(in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
	if err := updateItemShape(in); err != nil {
		return nil, err
	}
	if err := checkReturnValues(in.ReturnValues, types.ReturnValueNone, types.ReturnValueAllOld, types.ReturnValueUpdatedOld, types.ReturnValueAllNew, types.ReturnValueUpdatedNew); err != nil {
		return nil, err
	}
	upd, cond, err := parseUpdate(in, enveloped)
	if err != nil {
		return nil, err
	}
	if err := checkKeyValues(in.Key); err != nil {
		return nil, enveloped(err)
	}
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, err
	}
	key, err := checkKey(t.keys, in.Key)
	if err != nil {
		return nil, err
	}
	if err := t.checkUpdateTargets(upd); err != nil {
		return nil, err
	}

	t.mu.Lock()
	if err := s.checkNotInTransaction(t, key); err != nil {
		t.mu.Unlock()
		return nil, err
	}
	old := t.get(key)
	if !eval(cond, old) {
		t.mu.Unlock()
		return nil, failedCondition(in.ReturnValuesOnConditionCheckFailure, old)
	}
	if old == nil && upd.OnlyRemoves() {
		// Nothing to remove from an item that is not there: no item is
		// created, and there is nothing to return.
		u := s.writeUsage(t, in.ReturnConsumedCapacity, nil, nil)
		t.mu.Unlock()
		return &dynamodb.UpdateItemOutput{ConsumedCapacity: u.render(in.ReturnConsumedCapacity)}, nil
	}
	item, err := applyUpdate(upd, old, key)
	size := 0
	if err == nil {
		size, err = t.checkUpdatedItem(item)
	}
	if err == nil && upd.StatementSize(item) > maxItemSize {
		// UpdateItem alone is also sized by its statement (see
		// expr.StatementSize); a transacted Update is not.
		err = validationMsg(msgUpdateTooLarge)
	}
	if err != nil {
		t.mu.Unlock()
		return nil, err
	}
	u := s.writeUsage(t, in.ReturnConsumedCapacity, old, item)
	if err := s.admit(t, u); err != nil {
		t.mu.Unlock()
		return nil, err
	}
	t.putSized(item, size)
	metrics := t.collectionMetrics(in.ReturnItemCollectionMetrics, item)
	t.mu.Unlock()

	out := &dynamodb.UpdateItemOutput{ConsumedCapacity: u.render(in.ReturnConsumedCapacity), ItemCollectionMetrics: metrics}
	out.Attributes = updateReturn(in.ReturnValues, upd, old, item)
	return out, nil
}

// parseUpdate parses an update and its condition; wrap is applied to the
// failures UpdateItem reports inside the envelope (its parameters and its
// condition; the update expression's own errors stand alone).
func parseUpdate(in *dynamodb.UpdateItemInput, wrap func(error) error) (*expr.Update, *expr.Condition, error) {
	var use paramUse
	if wrap == nil { // a transaction's: the older layer
		wrap, use.older = func(err error) error { return err }, true
	}
	use.expr("UpdateExpression", in.UpdateExpression)
	use.expr("ConditionExpression", in.ConditionExpression)
	use.legacyIf("AttributeUpdates", in.AttributeUpdates != nil)
	use.legacyIf("Expected", in.Expected != nil)
	use.legacyIf("ConditionalOperator", in.ConditionalOperator != "")
	ep, err := newExprParams(use, in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, nil, wrap(err)
	}
	var upd *expr.Update
	if in.UpdateExpression != nil {
		if upd, err = expr.ParseUpdate(*in.UpdateExpression, ep.params); err != nil {
			return nil, nil, asValidation(err)
		}
	}
	cond, err := ep.condition(expr.KindCondition, in.ConditionExpression)
	if err != nil {
		return nil, nil, wrap(err)
	}
	if err := ep.done(); err != nil {
		return nil, nil, err
	}
	if upd == nil && in.AttributeUpdates != nil {
		if upd, err = expr.FromAttributeUpdates(in.AttributeUpdates); err != nil {
			return nil, nil, wrap(asValidation(err))
		}
	}
	if cond == nil {
		if cond, err = legacyCondition(in.Expected, in.ConditionalOperator); err != nil {
			return nil, nil, wrap(err)
		}
	}
	return upd, cond, nil
}

// checkUpdateTargets rejects updates of key attributes and nested paths
// into index keys, before any item is read.
func (t *table) checkUpdateTargets(upd *expr.Update) error {
	if upd == nil {
		return nil
	}
	for _, p := range upd.Targets() {
		top := p.Top()
		if t.keys.has(top) {
			if len(p.Elems) > 1 {
				return validation("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: %s", top)
			}
			return validation("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", top)
		}
		if len(p.Elems) > 1 {
			for _, ix := range t.indexes {
				if ix.keys.has(top) {
					return validation("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: %s", top)
				}
			}
		}
	}
	return nil
}

// applyUpdate runs the update on the current item (or a new one made of
// the key); without an update the item is just its key.
func applyUpdate(upd *expr.Update, old, key attr.Item) (attr.Item, error) {
	base := old
	if base == nil {
		base = key
	}
	if upd == nil {
		if old != nil {
			return old, nil
		}
		return attr.CopyItem(key), nil
	}
	item, err := upd.Apply(base)
	if err != nil {
		return nil, asValidation(err)
	}
	return item, nil
}

// updateReturn renders ReturnValues for UpdateItem. UPDATED_* return only
// the paths the update wrote, as they were before or after.
func updateReturn(rv types.ReturnValue, upd *expr.Update, old, new attr.Item) attr.Item {
	switch rv {
	case types.ReturnValueAllOld:
		if old == nil {
			return nil
		}
		return attr.CopyItem(old)
	case types.ReturnValueAllNew:
		return attr.CopyItem(new)
	case types.ReturnValueUpdatedOld, types.ReturnValueUpdatedNew:
		if upd == nil {
			return nil
		}
		src := new
		if rv == types.ReturnValueUpdatedOld {
			src = old
		}
		if src == nil {
			return nil
		}
		out := expr.NewProjection(upd.Targets()).Apply(src)
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return nil
}

// checkKeyValues validates a request key's values before the table is
// looked up: a malformed value is reported for itself, ahead of a missing
// table or a key that does not match the schema.
func checkKeyValues(key attr.Item) error {
	for _, v := range key {
		if err := attr.CheckValue(v); err != nil {
			return asValidation(err)
		}
	}
	return nil
}
