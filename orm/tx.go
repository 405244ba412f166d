package orm

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// maxTxItems is DynamoDB's limit of actions in one transaction.
const maxTxItems = 100

// Tx collects writes and condition checks across entities, to run as one
// all-or-nothing TransactWriteItems. Add to it with the models' PutTx,
// UpdateTx, DeleteTx and CheckTx inside [Transact]. A Tx keeps the first
// error of its operations and reports it from Transact.
type Tx struct {
	t     *Table
	ctx   context.Context
	now   time.Time
	items []types.TransactWriteItem
	ops   []txOp
	after []func()
	seen  map[string]bool
	token *string // ClientRequestToken
	err   error
}

// txOp remembers what one action was, to explain its cancellation reason.
type txOp struct {
	op     string
	c      *codec
	key    map[string]types.AttributeValue
	e      expect
	unique *field // a unique-value guard of c
	value  string // the guarded value
}

// Transact runs fn to collect operations, then writes them in one
// transaction. If fn returns an error nothing is written. The only option
// is [ClientRequestToken], which makes retries idempotent. A canceled
// transaction returns a *TxError with one Reason per operation:
//
//	err := orm.Transact(ctx, table, func(tx *orm.Tx) error {
//		accounts.UpdateTx(tx, from, orm.Add("Balance", -10), orm.If(orm.Ge("Balance", 10)))
//		accounts.UpdateTx(tx, to, orm.Add("Balance", 10))
//		return nil
//	})
func Transact(ctx context.Context, t *Table, fn func(tx *Tx) error, opts ...Option) error {
	if t.err != nil {
		return t.err
	}
	s, err := collect("Transact", optTx, opts)
	if err != nil {
		return err
	}
	if n := utf8.RuneCountInString(derefString(s.token)); s.token != nil && (n == 0 || n > 36) {
		return fmt.Errorf("orm: Transact: ClientRequestToken of %d characters; DynamoDB takes 1 to 36", n)
	}
	tx := t.newTx(ctx)
	tx.token = s.token
	if err := fn(tx); err != nil {
		return err
	}
	return tx.commit()
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (t *Table) newTx(ctx context.Context) *Tx {
	return &Tx{t: t, ctx: ctx, now: t.now(), seen: map[string]bool{}}
}

func (tx *Tx) fail(err error) {
	if tx.err == nil {
		tx.err = err
	}
}

func (tx *Tx) add(item types.TransactWriteItem, op txOp) {
	id := avString(op.key[tx.t.layout.PK])
	if tx.t.layout.SK != "" {
		id += "\x00" + avString(op.key[tx.t.layout.SK])
	}
	if tx.seen[id] {
		tx.fail(fmt.Errorf("orm: transaction: two operations on %s %s; DynamoDB allows one per item", op.c.entity, op.c.keyString(op.key)))
		return
	}
	tx.seen[id] = true
	tx.items = append(tx.items, item)
	tx.ops = append(tx.ops, op)
}

func (tx *Tx) commit() error {
	if tx.err != nil {
		return tx.err
	}
	if len(tx.items) == 0 {
		return nil
	}
	if len(tx.items) > maxTxItems {
		return fmt.Errorf("orm: transaction of %d operations; DynamoDB allows %d", len(tx.items), maxTxItems)
	}
	_, err := tx.t.client.TransactWriteItems(tx.ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx.items, ClientRequestToken: tx.token})
	if err != nil {
		return tx.mapErr(err)
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

func (tx *Tx) mapErr(err error) error {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return wrapErr("transaction", "", err)
	}
	te := &TxError{err: err}
	for i, r := range tce.CancellationReasons {
		if i >= len(tx.ops) {
			break
		}
		op := tx.ops[i]
		code := ""
		if r.Code != nil {
			code = *r.Code
		}
		reason := Reason{Index: i, Op: op.op, Entity: op.c.entity, Key: op.c.keyString(op.key), Code: code, Kind: reasonKind(code)}
		switch {
		case op.unique != nil:
			reason.Key = op.unique.name + "=" + op.value
			if reason.Kind == KindCondition {
				reason.Kind = KindUnique
			}
		case reason.Kind == KindCondition:
			reason.Kind = op.c.classify(op.e, r.Item, tx.now)
			reason.Item = op.c.decodeOld(r.Item)
		}
		te.Reasons = append(te.Reasons, reason)
	}
	return te
}

// PutTx adds a Put of v to tx, with Put's checks and options. v is updated
// (version, timestamps) only if the transaction commits.
func (m *Model[T]) PutTx(tx *Tx, v *T, opts ...Option) {
	c := m.c
	if !tx.check(c) {
		return
	}
	if v == nil {
		tx.fail(nilItem("PutTx", c.entity))
		return
	}
	s, err := collect("PutTx", optCond|optExists|optNotExists, opts)
	if err != nil {
		tx.fail(err)
		return
	}
	nv := *v
	rv := reflect.ValueOf(&nv).Elem()
	e, item, err := c.preparePut(rv, s, tx.now)
	if err != nil {
		tx.fail(err)
		return
	}
	if err := c.addPut(tx, rv, item, e); err != nil {
		tx.fail(err)
		return
	}
	tx.after = append(tx.after, func() { *v = nv })
}

// UpdateTx adds an Update of the item at key to tx, with Update's checks
// and options.
func (m *Model[T]) UpdateTx(tx *Tx, key T, opts ...Option) {
	c := m.c
	if !tx.check(c) {
		return
	}
	s, err := collect("UpdateTx", optCond|optChange, opts)
	if err != nil {
		tx.fail(err)
		return
	}
	p, err := c.planUpdate(reflect.ValueOf(&key).Elem(), s, tx.now)
	if err != nil {
		tx.fail(err)
		return
	}
	if err := c.addUpdate(tx, p); err != nil {
		tx.fail(err)
	}
}

// DeleteTx adds a Delete of the item at key to tx, with Delete's checks
// and options.
func (m *Model[T]) DeleteTx(tx *Tx, key T, opts ...Option) {
	c := m.c
	if !tx.check(c) {
		return
	}
	s, err := collect("DeleteTx", optCond|optExists, opts)
	if err != nil {
		tx.fail(err)
		return
	}
	rv := reflect.ValueOf(&key).Elem()
	if err := c.addDelete(tx, rv, c.deleteExpect(rv, s)); err != nil {
		tx.fail(err)
	}
}

// CheckTx adds a condition check on the item at key: the transaction
// commits only if it holds. Options are If, IfExists and IfNotExists; a
// non-zero version in key must match the stored one.
func (m *Model[T]) CheckTx(tx *Tx, key T, opts ...Option) {
	c := m.c
	if !tx.check(c) {
		return
	}
	s, err := collect("CheckTx", optCond|optExists|optNotExists, opts)
	if err != nil {
		tx.fail(err)
		return
	}
	rv := reflect.ValueOf(&key).Elem()
	e := c.deleteExpect(rv, s)
	e.notExist = s.ifNotExists
	k := c.key(rv)
	var x exprs
	cond, err := c.condition(&x, e, tx.now)
	if err != nil {
		tx.fail(err)
		return
	}
	if cond == "" {
		tx.fail(fmt.Errorf("orm: CheckTx on %s without a condition", c.entity))
		return
	}
	tx.add(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName:                           &c.t.name,
		Key:                                 k,
		ConditionExpression:                 &cond,
		ExpressionAttributeNames:            x.namesOrNil(),
		ExpressionAttributeValues:           x.valuesOrNil(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}, txOp{op: "check", c: c, key: k, e: e})
}

func (tx *Tx) check(c *codec) bool {
	if c.t != tx.t {
		tx.fail(fmt.Errorf("orm: transaction on table %s given a model of table %s", tx.t.name, c.t.name))
		return false
	}
	return tx.err == nil
}

// addPut adds a put action, and the guard actions of unique fields.
func (c *codec) addPut(tx *Tx, rv reflect.Value, item map[string]types.AttributeValue, e expect) error {
	k := c.key(rv)
	var old reflect.Value
	if len(c.info.uniques) > 0 && !e.notExist {
		o, raw, err := c.readLive(tx.ctx, k, tx.now)
		if err != nil {
			return err
		}
		if o.IsValid() {
			old = o
			e.user = append(append([]Cond(nil), e.user...), c.holds(raw)...)
		} else if e.exist {
			return &ConditionError{Op: "put", Entity: c.entity, Key: c.keyString(k), Kind: KindNotFound}
		} else {
			e.notExist = true // the guards assume there was no item
		}
	}
	var x exprs
	cond, err := c.condition(&x, e, tx.now)
	if err != nil {
		return err
	}
	put := &types.Put{TableName: &c.t.name, Item: item}
	if cond != "" {
		put.ConditionExpression = &cond
		put.ExpressionAttributeNames = x.namesOrNil()
		put.ExpressionAttributeValues = x.valuesOrNil()
		put.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	tx.add(types.TransactWriteItem{Put: put}, txOp{op: "put", c: c, key: k, e: e})
	c.addGuards(tx, k, old, rv, c.ttlSecs(rv))
	return nil
}

func (c *codec) addUpdate(tx *Tx, p *updatePlan) error {
	var old reflect.Value
	if p.guards {
		o, raw, err := c.readLive(tx.ctx, p.key, tx.now)
		if err != nil {
			return err
		}
		if !o.IsValid() {
			return &ConditionError{Op: "update", Entity: c.entity, Key: c.keyString(p.key), Kind: KindNotFound}
		}
		old = o
		p.e.user = append(append([]Cond(nil), p.e.user...), c.holds(raw)...)
	}
	if err := c.finishUpdate(p, tx.now); err != nil {
		return err
	}
	in := p.input(c.t.name, "")
	tx.add(types.TransactWriteItem{Update: &types.Update{
		TableName:                           in.TableName,
		Key:                                 in.Key,
		UpdateExpression:                    in.UpdateExpression,
		ConditionExpression:                 in.ConditionExpression,
		ExpressionAttributeNames:            in.ExpressionAttributeNames,
		ExpressionAttributeValues:           in.ExpressionAttributeValues,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}, txOp{op: "update", c: c, key: p.key, e: p.e})
	if old.IsValid() {
		// The new state: the old item with the changed fields of the plan.
		next := reflect.New(c.info.typ).Elem()
		next.Set(old)
		for f := range p.changed {
			next.FieldByIndex(f.index).Set(p.virtual.FieldByIndex(f.index))
		}
		c.addGuards(tx, p.key, old, next, c.ttlSecs(next))
	}
	return nil
}

func (c *codec) addDelete(tx *Tx, rv reflect.Value, e expect) error {
	k := c.key(rv)
	var old reflect.Value
	if len(c.info.uniques) > 0 {
		o, raw, err := c.readLive(tx.ctx, k, tx.now)
		if err != nil {
			return err
		}
		if !o.IsValid() {
			if e.exist {
				return &ConditionError{Op: "delete", Entity: c.entity, Key: c.keyString(k), Kind: KindNotFound}
			}
			return nil // nothing to delete, no guards to release
		}
		old = o
		e.user = append(append([]Cond(nil), e.user...), c.holds(raw)...)
	}
	var x exprs
	cond, err := c.condition(&x, e, tx.now)
	if err != nil {
		return err
	}
	del := &types.Delete{TableName: &c.t.name, Key: k}
	if cond != "" {
		del.ConditionExpression = &cond
		del.ExpressionAttributeNames = x.namesOrNil()
		del.ExpressionAttributeValues = x.valuesOrNil()
		del.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	tx.add(types.TransactWriteItem{Delete: del}, txOp{op: "delete", c: c, key: k, e: e})
	if old.IsValid() {
		c.addGuards(tx, k, old, reflect.Value{}, 0)
	}
	return nil
}

func (c *codec) ttlSecs(rv reflect.Value) int64 {
	if f := c.info.ttl; f != nil {
		return f.epochSeconds(rv.FieldByIndex(f.index))
	}
	return 0
}
