package orm

import "fmt"

// Option adjusts one operation: a read option (Consistent), a condition
// (If, IfExists, IfNotExists), a change of an update (Set, Add, ...) or
// a transaction's ClientRequestToken.
// Passing an option to an operation it does not apply to is an error, not
// a silent no-op.
type Option struct {
	name  string
	kind  optKind
	apply func(*settings)
}

type optKind uint8

const (
	optRead optKind = 1 << iota
	optCond
	optExists
	optNotExists
	optChange
	optTx
)

type settings struct {
	consistent  bool
	ifExists    bool
	ifNotExists bool
	conds       []Cond
	changes     []change
	token       *string
}

func collect(op string, allowed optKind, opts []Option) (settings, error) {
	var s settings
	for _, o := range opts {
		if o.apply == nil {
			return s, fmt.Errorf("orm: %s: zero Option", op)
		}
		if o.kind&allowed == 0 {
			return s, fmt.Errorf("orm: %s is not an option of %s", o.name, op)
		}
		o.apply(&s)
	}
	if s.ifExists && s.ifNotExists {
		return s, fmt.Errorf("orm: %s: IfExists and IfNotExists together", op)
	}
	return s, nil
}

// Consistent makes a read strongly consistent. Indexes other than the
// table and its local indexes do not support it.
func Consistent() Option {
	return Option{"Consistent", optRead, func(s *settings) { s.consistent = true }}
}

// IfNotExists makes a Put create-only: it fails with ErrAlreadyExists if
// a live item has the key.
func IfNotExists() Option {
	return Option{"IfNotExists", optNotExists, func(s *settings) { s.ifNotExists = true }}
}

// IfExists makes a Put or Delete fail with ErrNotFound when no live item
// has the key. Updates always require the item.
func IfExists() Option {
	return Option{"IfExists", optExists, func(s *settings) { s.ifExists = true }}
}

// If adds a condition on the stored item; when it fails the write returns
// a *ConditionError (ErrConditionFailed) carrying the stored item.
func If(c Cond) Option {
	return Option{"If", optCond, func(s *settings) { s.conds = append(s.conds, c) }}
}

// ClientRequestToken makes a [Transact] idempotent: DynamoDB applies a
// transaction once per token for 10 minutes, and answers a repeat of the
// same request with success without writing again, so an app can retry a
// transaction whose outcome it did not learn (a timeout, a Lambda
// re-invocation) by sending it again with the same token. (The SDK
// already sets a token of its own across its retries of one call.)
//
// The repeat must be the same request: the same operations, in the same
// order, with the same values. A different request under a used token
// fails with the SDK's *types.IdempotentParameterMismatchException. The
// ORM's time is part of a request where models have TTL fields (checked
// to the second) or created/updated stamps, so retry those within the
// second, or with the table's clock ([WithClock]) pinned to the first
// attempt's time. A token is 1 to 36 characters; derive it from what
// identifies the work, such as a request or event ID.
func ClientRequestToken(token string) Option {
	return Option{"ClientRequestToken", optTx, func(s *settings) { s.token = &token }}
}

type changeOp uint8

const (
	chSet changeOp = iota
	chSetIfAbsent
	chAdd
	chRemove
	chAppend
	chDelete
)

var changeNames = [...]string{"Set", "SetIfAbsent", "Add", "Remove", "Append", "DeleteFromSet"}

type change struct {
	op    changeOp
	field string
	value any
}

func changeOption(op changeOp, field string, v any) Option {
	return Option{changeNames[op], optChange, func(s *settings) {
		s.changes = append(s.changes, change{op, field, v})
	}}
}

// Set sets a field (by Go name) to v, or a place inside one named by a
// path: "Address.City", "Labels.color", "Lines[0].Qty" (the containing
// map or list must exist, as DynamoDB requires). A field used in a key
// template rewrites that key in the same request.
func Set(field string, v any) Option { return changeOption(chSet, field, v) }

// SetIfAbsent sets a field only if the stored item lacks it.
func SetIfAbsent(field string, v any) Option { return changeOption(chSetIfAbsent, field, v) }

// Add adds n to a number field (or elements to a set field), atomically.
func Add(field string, n any) Option { return changeOption(chAdd, field, n) }

// Remove removes a field from the stored item.
func Remove(field string) Option { return changeOption(chRemove, field, nil) }

// Append appends elements to a list field, creating it if absent. elems
// is a slice of the field's type.
func Append(field string, elems any) Option { return changeOption(chAppend, field, elems) }

// DeleteFromSet removes elements from a set field. elems is a value of the
// field's type.
func DeleteFromSet(field string, elems any) Option { return changeOption(chDelete, field, elems) }
