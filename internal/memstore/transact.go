package memstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/attr"
	"github.com/monotable/monotable/internal/memstore/expr"
)

// Transaction limits from the API Reference.
const (
	maxTransactItems  = 100
	maxTransactBytes  = 4 << 20
	idempotencyWindow = 10 * time.Minute
)

// Transactions lock every table they touch, in name order, for their whole
// evaluation and commit. Single-item writes take the same table locks, so
// no reader ever sees half a transaction and transactions never interleave;
// a fixed lock order means they never deadlock.

// txAction is one parsed TransactWriteItems action.
type txAction struct {
	t       *table
	key     attr.Item
	put     attr.Item // Put
	update  *expr.Update
	delete  bool
	cond    *expr.Condition
	onFail  types.ReturnValuesOnConditionCheckFailure
	newItem attr.Item // computed at commit
	oldItem attr.Item
	invalid string // a key that does not fit the table: the action's ValidationError reason
}

// cancelsAction reports whether a validation failure of one action cancels
// the transaction with a ValidationError reason (a key of the wrong type or
// shape) rather than refusing the request outright (empty key values,
// malformed requests), as the service sorts them.
func cancelsAction(err error) bool {
	msg := errorMessage(err)
	return strings.HasPrefix(msg, "One or more parameter values were invalid: Type mismatch for ") ||
		msg == "The provided key element does not match the schema"
}

// isEmptyValueError reports a key or index key set to an empty value.
func isEmptyValueError(err error) bool {
	return err != nil && strings.Contains(errorMessage(err), "cannot contain an empty")
}

// TransactWriteItems applies up to 100 writes and condition checks
// atomically, or none of them.
func (s *Store) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if in == nil {
		in = &dynamodb.TransactWriteItemsInput{} // as the SDK does for a nil input
	}
	out, err := s.transactWrite(in)
	return out, wrap("TransactWriteItems", err)
}

func (s *Store) transactWrite(in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
	n := len(in.TransactItems)
	if n == 0 || n > maxTransactItems {
		var c constraints
		constraint := "Member must have length less than or equal to 100"
		if n == 0 {
			constraint = "Member must have length greater than or equal to 1"
		}
		c.add(in.TransactItems, "transactItems", constraint)
		return nil, c.err()
	}
	var token string
	if in.ClientRequestToken != nil {
		token = *in.ClientRequestToken
		if len(token) < 1 || len(token) > 36 {
			var c constraints
			c.add(in.ClientRequestToken, "clientRequestToken", "Member must have length less than or equal to 36")
			return nil, c.err()
		}
		if out, done, err := s.idem.lookup(token, fingerprintWrite(in), s.now()); done || err != nil {
			return out, err
		}
	}

	actions := make([]*txAction, n)
	seen := map[*table]map[string]bool{}
	refs := make([]itemRef, n) // each action's item, for the duplicate check and the claims
	size := 0
	for i, ti := range in.TransactItems {
		a, err := s.parseTxAction(i+1, ti)
		if err != nil {
			return nil, err
		}
		refs[i] = itemRef{t: a.t, key: string(a.t.keys.rowKey(nil, a.key))}
		if seen[a.t] == nil {
			seen[a.t] = map[string]bool{}
		}
		if seen[a.t][refs[i].key] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[a.t][refs[i].key] = true
		if a.put != nil {
			size += attr.ItemSize(a.put)
		}
		actions[i] = a
	}
	if size > maxTransactBytes {
		return nil, validation("Transaction request size has exceeded the maximum allowed size")
	}

	owner := new(txOwner)
	if busy := s.claims.claim(owner, refs); busy != nil {
		return nil, conflictReasons(n, busy)
	}
	defer s.claims.release(owner, refs)

	tables := lockOrder(seen)
	for _, t := range tables {
		t.mu.Lock()
	}
	defer func() {
		for _, t := range tables {
			t.mu.Unlock()
		}
	}()

	reasons := make([]types.CancellationReason, n)
	failed := false
	for i, a := range actions {
		reasons[i] = types.CancellationReason{Code: aws.String("None")}
		if a.invalid != "" {
			failed = true
			reasons[i] = types.CancellationReason{Code: aws.String("ValidationError"), Message: aws.String(a.invalid)}
			continue
		}
		a.oldItem = a.t.get(a.key)
		if !eval(a.cond, a.oldItem) {
			failed = true
			reasons[i] = types.CancellationReason{Code: aws.String("ConditionalCheckFailed"), Message: aws.String("The conditional request failed")}
			if a.onFail == types.ReturnValuesOnConditionCheckFailureAllOld && a.oldItem != nil {
				reasons[i].Item = attr.CopyItem(a.oldItem)
			}
			continue
		}
		switch {
		case a.put != nil:
			a.newItem = a.put
		case a.update != nil:
			item, err := applyUpdate(a.update, a.oldItem, a.key)
			if err == nil {
				_, err = a.t.checkUpdatedItem(item)
			}
			if isEmptyValueError(err) {
				return nil, err // refused as a request, not as a cancelled action
			}
			if err != nil {
				failed = true
				reasons[i] = types.CancellationReason{Code: aws.String("ValidationError"), Message: aws.String(errorMessage(err))}
				continue
			}
			a.newItem = item
		}
	}
	if failed {
		return nil, cancelled(reasons)
	}

	usages := map[*table]*usage{}
	bill := s.wantsUsage(in.ReturnConsumedCapacity)
	for _, a := range actions {
		u := usages[a.t]
		if u == nil && bill {
			u = newUsage(a.t.name, true)
			u.transactional = true
			usages[a.t] = u
		}
		switch {
		case a.newItem != nil:
			if bill {
				u.chargeWrite(a.t, a.oldItem, a.newItem)
			}
			a.t.put(a.newItem)
		case a.delete:
			if bill {
				u.chargeWrite(a.t, a.oldItem, nil)
			}
			if a.oldItem != nil {
				a.t.delete(a.key)
			}
		case bill: // a ConditionCheck costs one write unit, doubled below
			u.units += writeUnits(0)
		}
	}
	out := &dynamodb.TransactWriteItemsOutput{}
	for _, a := range actions {
		if a.newItem == nil && !a.delete {
			continue // a ConditionCheck writes no collection
		}
		if m := a.t.collectionMetrics(in.ReturnItemCollectionMetrics, a.key); m != nil {
			if out.ItemCollectionMetrics == nil {
				out.ItemCollectionMetrics = map[string][]types.ItemCollectionMetrics{}
			}
			out.ItemCollectionMetrics[a.t.name] = append(out.ItemCollectionMetrics[a.t.name], *m)
		}
	}
	for _, t := range tables {
		if u := usages[t]; u != nil {
			u.double()
			if cc := u.render(in.ReturnConsumedCapacity); cc != nil {
				out.ConsumedCapacity = append(out.ConsumedCapacity, *cc)
			}
		}
	}
	if token != "" {
		s.idem.store(token, fingerprintWrite(in), out, s.now())
	}
	return out, nil
}

func (s *Store) parseTxAction(pos int, ti types.TransactWriteItem) (*txAction, error) {
	set := 0
	for _, ok := range []bool{ti.Put != nil, ti.Update != nil, ti.Delete != nil, ti.ConditionCheck != nil} {
		if ok {
			set++
		}
	}
	switch {
	case set == 0:
		return nil, validation("1 validation error detected: Value '' at 'transactItems' failed to satisfy constraint: TransactWriteRequest should contain Delete or Put or Update or ConditionCheck")
	case set > 1:
		return nil, validation("TransactItems can only contain one of Check, Put, Update or Delete")
	}
	a := &txAction{}
	switch {
	case ti.Put != nil:
		p := ti.Put
		t, err := s.txTable(p.TableName, pos, "put")
		if err != nil {
			return nil, err
		}
		a.t, a.onFail = t, p.ReturnValuesOnConditionCheckFailure
		if a.cond, err = writeCondition(p.ConditionExpression, nil, "", p.ExpressionAttributeNames, p.ExpressionAttributeValues); err != nil {
			return nil, err
		}
		if p.Item == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.1.member.put.item' failed to satisfy constraint: Member must not be null")
		}
		item, err := attr.NormalizeItem(p.Item)
		if err != nil {
			return nil, asValidation(err)
		}
		if err := t.checkItem(item); err != nil {
			if !cancelsAction(err) {
				return nil, err
			}
			a.invalid = errorMessage(err)
		}
		a.put, a.key = item, t.keys.project(item, nil)
	case ti.Update != nil:
		u := ti.Update
		t, err := s.txTable(u.TableName, pos, "update")
		if err != nil {
			return nil, err
		}
		a.t, a.onFail = t, u.ReturnValuesOnConditionCheckFailure
		if u.UpdateExpression == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.1.member.update.updateExpression' failed to satisfy constraint: Member must not be null")
		}
		upd, cond, err := parseUpdate(&dynamodb.UpdateItemInput{
			UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
			ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues,
		}, func(err error) error { return err })
		if err != nil {
			return nil, err
		}
		if err := t.checkUpdateTargets(upd); err != nil {
			return nil, err
		}
		a.update, a.cond = upd, cond
		if a.key, err = checkKey(t.keys, u.Key); err != nil {
			if !cancelsAction(err) {
				return nil, err
			}
			a.invalid, a.key = errorMessage(err), u.Key
		}
	case ti.Delete != nil:
		d := ti.Delete
		t, err := s.txTable(d.TableName, pos, "delete")
		if err != nil {
			return nil, err
		}
		a.t, a.onFail, a.delete = t, d.ReturnValuesOnConditionCheckFailure, true
		if a.cond, err = writeCondition(d.ConditionExpression, nil, "", d.ExpressionAttributeNames, d.ExpressionAttributeValues); err != nil {
			return nil, err
		}
		if a.key, err = checkKey(t.keys, d.Key); err != nil {
			if !cancelsAction(err) {
				return nil, err
			}
			a.invalid, a.key = errorMessage(err), d.Key
		}
	default:
		c := ti.ConditionCheck
		t, err := s.txTable(c.TableName, pos, "conditionCheck")
		if err != nil {
			return nil, err
		}
		a.t, a.onFail = t, c.ReturnValuesOnConditionCheckFailure
		if c.ConditionExpression == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null")
		}
		if a.cond, err = writeCondition(c.ConditionExpression, nil, "", c.ExpressionAttributeNames, c.ExpressionAttributeValues); err != nil {
			return nil, err
		}
		if a.key, err = checkKey(t.keys, c.Key); err != nil {
			if !cancelsAction(err) {
				return nil, err
			}
			a.invalid, a.key = errorMessage(err), c.Key
		}
	}
	return a, nil
}

// cancelled builds TransactionCanceledException with its reasons in
// request order and the message listing their codes.
func cancelled(reasons []types.CancellationReason) error {
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		codes[i] = aws.ToString(r.Code)
	}
	return &types.TransactionCanceledException{
		Message:             aws.String("Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]"),
		CancellationReasons: reasons,
	}
}

func lockOrder(tables map[*table]map[string]bool) []*table {
	out := make([]*table, 0, len(tables))
	for t := range tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// double bills transactional work at twice the standard rate.
func (u *usage) double() {
	u.units *= 2
	for k := range u.indexes {
		u.indexes[k] *= 2
	}
}

// TransactGetItems reads up to 100 items as one consistent snapshot.
func (s *Store) TransactGetItems(ctx context.Context, in *dynamodb.TransactGetItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error) {
	if in == nil {
		in = &dynamodb.TransactGetItemsInput{} // as the SDK does for a nil input
	}
	out, err := s.transactGet(in)
	return out, wrap("TransactGetItems", err)
}

func (s *Store) transactGet(in *dynamodb.TransactGetItemsInput) (*dynamodb.TransactGetItemsOutput, error) {
	n := len(in.TransactItems)
	if n == 0 || n > maxTransactItems {
		var c constraints
		constraint := "Member must have length less than or equal to 100"
		if n == 0 {
			constraint = "Member must have length greater than or equal to 1"
		}
		c.add(in.TransactItems, "transactItems", constraint)
		return nil, c.err()
	}
	type getAction struct {
		t    *table
		key  attr.Item
		proj *expr.Projection
	}
	gets := make([]getAction, n)
	var busy []int                         // items a write transaction holds
	var invalid []types.CancellationReason // per action, once a key does not fit its table
	seen := map[*table]map[string]bool{}
	for i, ti := range in.TransactItems {
		g := ti.Get
		if g == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.%d.member.get' failed to satisfy constraint: Member must not be null", i+1)
		}
		t, err := s.table(g.TableName)
		if err != nil {
			return nil, err
		}
		var use paramUse
		use.expr("ProjectionExpression", g.ProjectionExpression)
		ep, err := newExprParams(use, g.ExpressionAttributeNames, nil)
		if err != nil {
			return nil, err
		}
		proj, err := ep.projection(g.ProjectionExpression)
		if err != nil {
			return nil, err
		}
		if err := ep.done(); err != nil {
			return nil, err
		}
		key, err := checkKey(t.keys, g.Key)
		if err != nil {
			if !cancelsAction(err) {
				return nil, err
			}
			// A key that does not fit the table cancels with the action's
			// ValidationError reason, as in TransactWriteItems.
			if invalid == nil {
				invalid = make([]types.CancellationReason, n)
			}
			invalid[i] = types.CancellationReason{Code: aws.String("ValidationError"), Message: aws.String(errorMessage(err))}
			continue
		}
		ref := itemRef{t: t, key: string(t.keys.rowKey(nil, key))}
		if seen[t] == nil {
			seen[t] = map[string]bool{}
		}
		if seen[t][ref.key] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[t][ref.key] = true
		gets[i] = getAction{t: t, key: key, proj: proj}
		if s.claims.held(ref) {
			busy = append(busy, i)
		}
	}
	if invalid != nil {
		for i := range invalid {
			if invalid[i].Code == nil {
				invalid[i].Code = aws.String("None")
			}
		}
		return nil, cancelled(invalid)
	}
	if busy != nil {
		return nil, conflictReasons(n, busy)
	}
	tables := lockOrder(seen)
	for _, t := range tables {
		t.mu.RLock()
	}
	out := &dynamodb.TransactGetItemsOutput{Responses: make([]types.ItemResponse, n)}
	usages := map[*table]*usage{}
	for i, g := range gets {
		u := usages[g.t]
		if u == nil {
			u = newUsage(g.t.name, false)
			u.transactional = true
			usages[g.t] = u
		}
		if r := g.t.getAt(g.key, nil); r != nil {
			out.Responses[i].Item = project(g.proj, r.item)
			u.units += 2 * readUnits(r.size, true)
		} else {
			u.units += 2 * readUnits(0, true)
		}
	}
	for _, t := range tables {
		t.mu.RUnlock()
		if cc := usages[t].render(in.ReturnConsumedCapacity); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *cc)
		}
	}
	return out, nil
}

// idempotency remembers TransactWriteItems results by ClientRequestToken
// for ten minutes, as DynamoDB does.
type idempotency struct {
	mu      sync.Mutex
	entries map[string]idemEntry
}

type idemEntry struct {
	fingerprint string
	at          time.Time
	out         *dynamodb.TransactWriteItemsOutput
}

// lookup returns the stored output for a repeated request (done), an
// IdempotentParameterMismatchException for a different request with the
// same token, or nothing for a new token.
func (m *idempotency) lookup(token, fp string, now time.Time) (*dynamodb.TransactWriteItemsOutput, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[token]
	if !ok || now.Sub(e.at) > idempotencyWindow {
		return nil, false, nil
	}
	if e.fingerprint != fp {
		return nil, false, &types.IdempotentParameterMismatchException{Message: aws.String("Request parameters do not match the original request that used this ClientRequestToken")}
	}
	return e.out, true, nil
}

func (m *idempotency) store(token, fp string, out *dynamodb.TransactWriteItemsOutput, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = map[string]idemEntry{}
	}
	for k, e := range m.entries {
		if now.Sub(e.at) > idempotencyWindow {
			delete(m.entries, k)
		}
	}
	m.entries[token] = idemEntry{fingerprint: fp, at: now, out: out}
}

// txTable looks up an action's table; a malformed name is reported at the
// action's own position, as the service does.
func (s *Store) txTable(name *string, pos int, kind string) (*table, error) {
	if name != nil && !strings.HasPrefix(*name, "arn:") {
		var c constraints
		c.name(name, fmt.Sprintf("transactItems.%d.member.%s.tableName", pos, kind), true)
		if err := c.err(); err != nil {
			return nil, err
		}
	}
	return s.table(name)
}
