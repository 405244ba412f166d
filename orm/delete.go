package orm

import (
	"context"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Delete removes the item whose primary key fields are set in key.
// Deleting a missing item succeeds, as in DynamoDB, unless IfExists is
// passed. For versioned models a non-zero version in key must match the
// stored one. Unique values the item held are released.
func (m *Model[T]) Delete(ctx context.Context, key T, opts ...Option) error {
	c := m.c
	s, err := collect("Delete", optCond|optExists, opts)
	if err != nil {
		return err
	}
	rv := reflect.ValueOf(&key).Elem()
	now := c.t.now()
	e := c.deleteExpect(rv, s)
	if len(c.info.uniques) > 0 {
		return c.deleteUnique(ctx, rv, e, now)
	}
	k := c.key(rv)
	in := &dynamodb.DeleteItemInput{TableName: &c.t.name, Key: k}
	var x exprs
	cond, err := c.condition(&x, e, now)
	if err != nil {
		return err
	}
	if cond != "" {
		in.ConditionExpression = &cond
		in.ExpressionAttributeNames = x.namesOrNil()
		in.ExpressionAttributeValues = x.valuesOrNil()
		in.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	if _, err := c.t.client.DeleteItem(ctx, in); err != nil {
		return c.writeErr("delete", k, e, now, err)
	}
	return nil
}

func (c *codec) deleteExpect(rv reflect.Value, s settings) expect {
	e := expect{exist: s.ifExists, user: s.conds}
	if f := c.info.version; f != nil {
		if v := versionOf(rv.FieldByIndex(f.index)); v != 0 {
			e.version, e.want, e.exist = true, v, true
		}
	}
	return e
}
