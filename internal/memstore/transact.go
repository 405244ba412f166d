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
	pos       int     // 1-based, as messages count
	kind      string  // put, update, delete or conditionCheck
	tableName *string // as written; t once found
	rawKey    attr.Item
	t         *table
	key       attr.Item
	put       attr.Item // Put
	update    *expr.Update
	delete    bool
	cond      *expr.Condition
	onFail    types.ReturnValuesOnConditionCheckFailure
	newItem   attr.Item // computed at commit
	oldItem   attr.Item
	invalid   string // a key that does not fit the table: the action's ValidationError reason
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

// A transaction is validated in three passes, as the service does
// (us-east-1 and eu-west-2, 2026-10): the members' constraints, all of
// them reported together; then each action's own request in order, the
// first problem winning (expressions, values, keys as written); and only
// then the tables, the keys against their schemas and duplicate targets.

func transactWriteShape(in *dynamodb.TransactWriteItemsInput) error {
	var c constraints
	if t := in.ClientRequestToken; t != nil && (len(*t) < 1 || len(*t) > 36) {
		c.add(t, "clientRequestToken", "Member must have length less than or equal to 36")
	}
	c.consumedCapacity(in.ReturnConsumedCapacity)
	c.collectionMetrics(in.ReturnItemCollectionMetrics)
	transactItemsLength(&c, in.TransactItems, len(in.TransactItems))
	for i, ti := range in.TransactItems {
		kind, name, onFail := "", (*string)(nil), types.ReturnValuesOnConditionCheckFailure("")
		switch {
		case ti.Put != nil:
			kind, name, onFail = "put", ti.Put.TableName, ti.Put.ReturnValuesOnConditionCheckFailure
		case ti.Update != nil:
			kind, name, onFail = "update", ti.Update.TableName, ti.Update.ReturnValuesOnConditionCheckFailure
		case ti.Delete != nil:
			kind, name, onFail = "delete", ti.Delete.TableName, ti.Delete.ReturnValuesOnConditionCheckFailure
		case ti.ConditionCheck != nil:
			kind, name, onFail = "conditionCheck", ti.ConditionCheck.TableName, ti.ConditionCheck.ReturnValuesOnConditionCheckFailure
		}
		txTableName(&c, name, i+1, kind)
		if kind != "" {
			enum(&c, onFail, fmt.Sprintf("transactItems.%d.member.%s.returnValuesOnConditionCheckFailure", i+1, kind), enumOnCheckFailure)
		}
	}
	return c.err()
}

func transactItemsLength(c *constraints, items any, n int) {
	switch {
	case n == 0:
		c.add(items, "transactItems", "Member must have length greater than or equal to 1")
	case n > maxTransactItems:
		c.add(items, "transactItems", "Member must have length less than or equal to 100")
	}
}

// txTableName checks an action's table name against the name's pattern
// and bounds (an ARN aside); a missing table is found later.
func txTableName(c *constraints, name *string, pos int, kind string) {
	if kind != "" && name != nil && !strings.HasPrefix(*name, "arn:") {
		c.name(name, fmt.Sprintf("transactItems.%d.member.%s.tableName", pos, kind), true)
	}
}

func (s *Store) transactWrite(in *dynamodb.TransactWriteItemsInput) (*dynamodb.TransactWriteItemsOutput, error) {
	if err := transactWriteShape(in); err != nil {
		return nil, err
	}
	n := len(in.TransactItems)
	actions := make([]*txAction, n)
	for i, ti := range in.TransactItems {
		a, err := parseTxAction(i+1, ti)
		if err != nil {
			return nil, err
		}
		actions[i] = a
	}
	var token string
	if in.ClientRequestToken != nil {
		token = *in.ClientRequestToken
		if out, done, err := s.idem.lookup(token, fingerprintWrite(in), s.now()); done || err != nil {
			return out, err
		}
	}

	seen := map[*table]map[string]bool{}
	refs := make([]itemRef, n) // each action's item, for the duplicate check and the claims
	size := 0
	for i, a := range actions {
		if err := s.bindTxAction(a); err != nil {
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
	for i := range reasons {
		reasons[i] = types.CancellationReason{Code: aws.String("None")}
	}
	// The first action that does not fit its table cancels the transaction
	// before any condition is evaluated: every other reason is None.
	for i, a := range actions {
		if a.invalid != "" {
			reasons[i] = types.CancellationReason{Code: aws.String("ValidationError"), Message: aws.String(a.invalid)}
			return nil, cancelled(reasons)
		}
	}
	failed := false
	for i, a := range actions {
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
		case a.update != nil && a.oldItem == nil && a.update.OnlyRemoves():
			// nothing to create, as with UpdateItem
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

// parseTxAction reads one action without its table: which kind it is,
// its expressions and its values.
func parseTxAction(pos int, ti types.TransactWriteItem) (*txAction, error) {
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
	a := &txAction{pos: pos}
	var err error
	switch {
	case ti.Put != nil:
		p := ti.Put
		a.kind, a.tableName, a.onFail = "put", p.TableName, p.ReturnValuesOnConditionCheckFailure
		if a.cond, err = writeCondition(p.ConditionExpression, nil, "", p.ExpressionAttributeNames, p.ExpressionAttributeValues); err != nil {
			return nil, err
		}
		if p.Item == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.%d.member.put.item' failed to satisfy constraint: Member must not be null", pos)
		}
		if a.put, err = attr.NormalizeItem(p.Item); err != nil {
			return nil, asValidation(err)
		}
	case ti.Update != nil:
		u := ti.Update
		a.kind, a.tableName, a.onFail, a.rawKey = "update", u.TableName, u.ReturnValuesOnConditionCheckFailure, u.Key
		if u.UpdateExpression == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.%d.member.update.updateExpression' failed to satisfy constraint: Member must not be null", pos)
		}
		a.update, a.cond, err = parseUpdate(&dynamodb.UpdateItemInput{
			UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
			ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues,
		}, nil)
		if err != nil {
			return nil, err
		}
	case ti.Delete != nil:
		d := ti.Delete
		a.kind, a.tableName, a.onFail, a.rawKey, a.delete = "delete", d.TableName, d.ReturnValuesOnConditionCheckFailure, d.Key, true
		if a.cond, err = writeCondition(d.ConditionExpression, nil, "", d.ExpressionAttributeNames, d.ExpressionAttributeValues); err != nil {
			return nil, err
		}
	default:
		c := ti.ConditionCheck
		a.kind, a.tableName, a.onFail, a.rawKey = "conditionCheck", c.TableName, c.ReturnValuesOnConditionCheckFailure, c.Key
		if c.ConditionExpression == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.%d.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null", pos)
		}
		if a.cond, err = writeCondition(c.ConditionExpression, nil, "", c.ExpressionAttributeNames, c.ExpressionAttributeValues); err != nil {
			return nil, err
		}
	}
	if a.rawKey != nil {
		if _, err := attr.NormalizeItem(a.rawKey); err != nil {
			return nil, asValidation(err)
		}
	}
	return a, nil
}

// bindTxAction finds an action's table and checks its item or key against
// the table's schema. A key that does not fit cancels the action (its
// ValidationError reason) rather than refusing the request.
func (s *Store) bindTxAction(a *txAction) error {
	t, err := s.table(a.tableName)
	if err != nil {
		return err
	}
	a.t = t
	if a.put != nil {
		if err := t.checkItem(a.put); err != nil {
			if !cancelsAction(err) {
				return err
			}
			a.invalid = errorMessage(err)
		}
		a.key = t.keys.project(a.put, nil)
		return nil
	}
	if a.update != nil {
		if err := t.checkUpdateTargets(a.update); err != nil {
			return err
		}
	}
	if a.key, err = checkKey(t.keys, a.rawKey); err != nil {
		if !cancelsAction(err) {
			return err
		}
		a.invalid, a.key = errorMessage(err), a.rawKey
	}
	return nil
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

func transactGetShape(in *dynamodb.TransactGetItemsInput) error {
	var c constraints
	c.consumedCapacity(in.ReturnConsumedCapacity)
	transactItemsLength(&c, in.TransactItems, len(in.TransactItems))
	for i, ti := range in.TransactItems {
		if ti.Get != nil {
			txTableName(&c, ti.Get.TableName, i+1, "get")
		}
	}
	return c.err()
}

func (s *Store) transactGet(in *dynamodb.TransactGetItemsInput) (*dynamodb.TransactGetItemsOutput, error) {
	if err := transactGetShape(in); err != nil {
		return nil, err
	}
	n := len(in.TransactItems)
	type getAction struct {
		t    *table
		key  attr.Item
		proj *expr.Projection
	}
	gets := make([]getAction, n)
	// Each Get's own request first, in order, before any table is read.
	for i, ti := range in.TransactItems {
		g := ti.Get
		if g == nil {
			return nil, validation("1 validation error detected: Value null at 'transactItems.%d.member.get' failed to satisfy constraint: Member must not be null", i+1)
		}
		var use paramUse
		use.expr("ProjectionExpression", g.ProjectionExpression)
		ep, err := newExprParams(use, g.ExpressionAttributeNames, nil)
		if err != nil {
			return nil, err
		}
		if gets[i].proj, err = ep.projection(g.ProjectionExpression); err != nil {
			return nil, err
		}
		if err := ep.done(); err != nil {
			return nil, err
		}
		if g.Key != nil {
			if _, err := attr.NormalizeItem(g.Key); err != nil {
				return nil, asValidation(err)
			}
		}
	}
	var busy []int                         // items a write transaction holds
	var invalid []types.CancellationReason // per action, once a key does not fit its table
	seen := map[*table]map[string]bool{}
	for i, ti := range in.TransactItems {
		g := ti.Get
		t, err := s.table(g.TableName)
		if err != nil {
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
		gets[i].t, gets[i].key = t, key
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
	copier := attr.Copier{Block: readBlock}
	for i, g := range gets {
		u := usages[g.t]
		if u == nil {
			u = newUsage(g.t.name, false)
			u.transactional = true
			usages[g.t] = u
		}
		if r := g.t.getAt(g.key, nil); r != nil {
			out.Responses[i].Item = project(&copier, g.proj, r.item)
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
