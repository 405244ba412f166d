package orm

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Put writes v, replacing any item with its key. It validates v, stamps
// its created/updated fields and, for versioned models, requires the
// stored version to equal v's (zero: the item must not exist) and bumps
// it. Unique fields are claimed in the same transaction. On success v
// holds what was written; on failure v is unchanged.
func (m *Model[T]) Put(ctx context.Context, v *T, opts ...Option) error {
	c := m.c
	if v == nil {
		return nilItem("Put", c.entity)
	}
	s, err := collect("Put", optCond|optExists|optNotExists, opts)
	if err != nil {
		return err
	}
	nv := *v
	rv := reflect.ValueOf(&nv).Elem()
	now := c.t.now()
	e, item, err := c.preparePut(rv, s, now)
	if err != nil {
		return err
	}
	if len(c.info.uniques) > 0 {
		if err := c.putUnique(ctx, rv, item, e, now); err != nil {
			return err
		}
		*v = nv
		return nil
	}
	in := &dynamodb.PutItemInput{TableName: &c.t.name, Item: item}
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
	if _, err := c.t.client.PutItem(ctx, in); err != nil {
		return c.writeErr("put", c.key(rv), e, now, err)
	}
	*v = nv
	return nil
}

// preparePut stamps, validates and encodes rv, and works out what the
// put expects of the stored item.
func (c *codec) preparePut(rv reflect.Value, s settings, now time.Time) (expect, map[string]types.AttributeValue, error) {
	e := c.stamp(rv, now)
	switch {
	case s.ifNotExists && e.version:
		return e, nil, fmt.Errorf("orm: put %s: IfNotExists with a non-zero version %d", c.entity, e.want)
	case s.ifNotExists:
		e.notExist, e.fromVersion = true, false
	case s.ifExists && e.notExist:
		return e, nil, fmt.Errorf("orm: put %s: IfExists with a zero version", c.entity)
	case s.ifExists:
		e.exist = true
	}
	e.user = s.conds
	if err := c.checkStruct(rv.Addr().Interface()); err != nil {
		return e, nil, err
	}
	item, err := c.encode(rv)
	return e, item, err
}
