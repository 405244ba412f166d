package orm

import (
	"context"
	"reflect"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Unique values (`orm:"unique"`) are enforced with guard items: one item
// per value, keyed "UNIQUE#<entity>#<Field>#<value>", written with the
// model's item in one transaction on the condition that no other item
// holds it. Changing the value moves the guard; deleting the item releases
// it. Guards carry their owner's TTL, so an expired owner frees its values.

const (
	guardType  = "_unique"
	guardOwner = "_owner"
)

// uniqueValue renders a unique field's value; "" for the zero value,
// which is never guarded.
func uniqueValue(f *field, rv reflect.Value) string {
	if !rv.IsValid() {
		return ""
	}
	fv, ok := keyField(rv, f)
	if !ok || fv.IsZero() {
		return ""
	}
	return string(appendKeyValue(nil, fv, tplPart{f: f}))
}

func (c *codec) guardKey(f *field, value string) map[string]types.AttributeValue {
	id := &types.AttributeValueMemberS{Value: guardPrefix + c.entity + "#" + f.name + "#" + value}
	k := map[string]types.AttributeValue{c.t.layout.PK: id}
	if c.t.layout.SK != "" {
		k[c.t.layout.SK] = id
	}
	return k
}

// addGuards moves the guards of every unique field from the values of old
// to those of next (either may be invalid: a create or a delete).
func (c *codec) addGuards(tx *Tx, owner map[string]types.AttributeValue, old, next reflect.Value, ttl int64) {
	me := &types.AttributeValueMemberS{Value: c.keyString(owner)}
	for _, f := range c.info.uniques {
		was, now := uniqueValue(f, old), uniqueValue(f, next)
		if was != "" && was != now {
			k := c.guardKey(f, was)
			tx.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &c.t.name, Key: k}},
				txOp{op: "delete", c: c, key: k, unique: f, value: was})
		}
		if now == "" {
			continue
		}
		k := c.guardKey(f, now)
		item := map[string]types.AttributeValue{
			c.t.layout.Type: &types.AttributeValueMemberS{Value: guardType},
			guardOwner:      me,
		}
		for a, v := range k {
			item[a] = v
		}
		if ttl > 0 {
			item[c.t.layout.TTL] = &types.AttributeValueMemberN{Value: strconv.FormatInt(ttl, 10)}
		}
		// Free, held by this item already (a re-put refreshes the TTL), or
		// held by an expired owner.
		cond := "attribute_not_exists(#pk) OR #owner = :me OR #ttl <= :now"
		tx.add(types.TransactWriteItem{Put: &types.Put{
			TableName:           &c.t.name,
			Item:                item,
			ConditionExpression: &cond,
			ExpressionAttributeNames: map[string]string{
				"#pk": c.t.layout.PK, "#owner": guardOwner, "#ttl": c.t.layout.TTL,
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":me": me, ":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(tx.now.Unix(), 10)},
			},
		}}, txOp{op: "put", c: c, key: k, unique: f, value: now})
	}
}

// readLive reads the current item at k strongly, as a T (invalid when
// there is no live item), with its raw attributes.
func (c *codec) readLive(ctx context.Context, k map[string]types.AttributeValue, now time.Time) (reflect.Value, map[string]types.AttributeValue, error) {
	out, err := c.t.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &c.t.name, Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return reflect.Value{}, nil, wrapErr("get", c.entity, err)
	}
	if out.Item == nil || !c.live(out.Item, now) {
		return reflect.Value{}, nil, nil
	}
	pv := reflect.New(c.info.typ)
	if err := c.decodeInto(out.Item, pv.Interface()); err != nil {
		return reflect.Value{}, nil, err
	}
	return pv.Elem(), out.Item, nil
}

// holds is the condition that the item still has the unique values read
// in raw, so the guards the transaction moves are the right ones.
func (c *codec) holds(raw map[string]types.AttributeValue) []Cond {
	out := make([]Cond, 0, len(c.info.uniques))
	for _, f := range c.info.uniques {
		out = append(out, rawEq(f.name, raw[f.attr]))
	}
	return out
}

func (c *codec) putUnique(ctx context.Context, rv reflect.Value, item map[string]types.AttributeValue, e expect, now time.Time) error {
	tx := c.t.newTx(ctx)
	tx.now = now
	if err := c.addPut(tx, rv, item, e); err != nil {
		return err
	}
	return tx.commit()
}

func (c *codec) deleteUnique(ctx context.Context, rv reflect.Value, e expect, now time.Time) error {
	tx := c.t.newTx(ctx)
	tx.now = now
	if err := c.addDelete(tx, rv, e); err != nil {
		return err
	}
	return tx.commit()
}

func (c *codec) updateUnique(ctx context.Context, p *updatePlan, now time.Time) error {
	tx := c.t.newTx(ctx)
	tx.now = now
	if err := c.addUpdate(tx, p); err != nil {
		return err
	}
	return tx.commit()
}
