package orm

import (
	"context"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Get reads the item whose primary key fields are set in key. It returns
// ErrNotFound when there is none, or when it has expired (TTL) but DynamoDB
// has not deleted it yet. Reads are eventually consistent unless
// Consistent is passed.
func (m *Model[T]) Get(ctx context.Context, key T, opts ...Option) (T, error) {
	var v T
	c := m.c
	s, err := collect("Get", optRead, opts)
	if err != nil {
		return v, err
	}
	k := c.key(reflect.ValueOf(&key).Elem())
	in := &dynamodb.GetItemInput{TableName: &c.t.name, Key: k}
	if s.consistent {
		in.ConsistentRead = aws.Bool(true)
	}
	out, err := c.t.client.GetItem(ctx, in)
	if err != nil {
		return v, wrapErr("get", c.entity, err)
	}
	if out.Item == nil || !c.live(out.Item, c.t.now()) {
		return v, fmt.Errorf("orm: get %s %s: %w", c.entity, c.keyString(k), ErrNotFound)
	}
	err = c.decodeInto(out.Item, &v)
	return v, err
}
