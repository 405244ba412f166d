package orm

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// Sentinel errors. Match them with errors.Is; the typed errors below
// carry the details. They mean the same on the in-memory store and on
// DynamoDB: the ORM maps the SDK's error types, never error strings.
var (
	ErrNotFound        = errors.New("orm: not found")
	ErrConditionFailed = errors.New("orm: condition failed")
	ErrVersionConflict = errors.New("orm: version conflict")
	ErrAlreadyExists   = errors.New("orm: already exists")
	ErrNotUnique       = errors.New("orm: unique value taken")
	ErrTxConflict      = errors.New("orm: transaction conflict")
	ErrThrottled       = errors.New("orm: throttled")
	ErrValidation      = errors.New("orm: validation failed")
	ErrInvalidCursor   = errors.New("orm: invalid cursor")
	ErrIncompleteKey   = errors.New("orm: incomplete key")
	ErrIncompleteItem  = errors.New("orm: index does not hold the item")
)

// Kind classifies why a write failed.
type Kind uint8

const (
	KindNone      Kind = iota // the operation did not fail
	KindCondition             // a condition passed with If failed
	KindVersion               // the version field did not match
	KindExists                // a create found the item there
	KindNotFound              // the item had to exist and did not
	KindUnique                // a unique value belongs to another item
	KindConflict              // another transaction touched the item
	KindThrottled             // capacity or request limits
	KindInvalid               // DynamoDB rejected the request
)

var kindNames = [...]string{"none", "condition", "version", "exists", "not found", "uniqueness", "conflict", "throttled", "invalid"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

func (k Kind) sentinel() error {
	switch k {
	case KindCondition:
		return ErrConditionFailed
	case KindVersion:
		return ErrVersionConflict
	case KindExists:
		return ErrAlreadyExists
	case KindNotFound:
		return ErrNotFound
	case KindUnique:
		return ErrNotUnique
	case KindConflict:
		return ErrTxConflict
	case KindThrottled:
		return ErrThrottled
	}
	return nil
}

// ConditionError is a single write refused by its conditions. errors.Is
// matches the sentinel of its Kind, and ErrConditionFailed for every kind
// but KindNotFound; errors.As reaches the SDK's exception.
type ConditionError struct {
	Op     string // "put", "update", "delete"
	Entity string
	Key    string // the primary key, "pk=GAME#chess sk=PLAYER#ann"
	Kind   Kind
	Item   any // the item as stored when the condition failed (a *T), or nil
	err    error
}

func (e *ConditionError) Error() string {
	return fmt.Sprintf("orm: %s %s %s: %s", e.Op, e.Entity, e.Key, e.Kind.sentinel().Error()[len("orm: "):])
}

func (e *ConditionError) Unwrap() []error {
	errs := []error{e.Kind.sentinel()}
	if e.Kind != KindNotFound && e.Kind != KindCondition {
		errs = append(errs, ErrConditionFailed)
	}
	if e.err != nil {
		errs = append(errs, e.err)
	}
	return errs
}

// TxError is a canceled transaction: one Reason per operation, in the
// order they were added. errors.Is matches the sentinel of every failed
// reason (ErrVersionConflict, ErrNotUnique, ...).
type TxError struct {
	Reasons []Reason
	err     error
}

// Reason says what happened to one operation of a canceled transaction.
type Reason struct {
	Index  int    // position in the transaction
	Op     string // "put", "update", "delete", "check"
	Entity string
	Key    string
	Kind   Kind   // KindNone for operations that did not fail
	Code   string // DynamoDB's cancellation code
	Item   any    // the item as stored, decoded (a *T), when a condition failed
}

func (e *TxError) Error() string {
	var b strings.Builder
	b.WriteString("orm: transaction canceled")
	sep := ": "
	for _, r := range e.Reasons {
		if r.Kind == KindNone {
			continue
		}
		fmt.Fprintf(&b, "%s#%d %s %s %s: %s", sep, r.Index, r.Op, r.Entity, r.Key, r.Kind)
		sep = "; "
	}
	return b.String()
}

func (e *TxError) Unwrap() []error {
	var errs []error
	for _, r := range e.Reasons {
		if s := r.Kind.sentinel(); s != nil {
			errs = append(errs, s)
			if r.Kind == KindVersion || r.Kind == KindExists || r.Kind == KindUnique {
				errs = append(errs, ErrConditionFailed)
			}
		}
	}
	if e.err != nil {
		errs = append(errs, e.err)
	}
	return errs
}

// ValidationError lists the fields of a model that failed their
// `validate` tags. errors.Is(err, ErrValidation) matches it.
type ValidationError struct {
	Entity string
	Fields []FieldError
}

// FieldError is one failed validation rule.
type FieldError struct {
	Field string // Go field name, dotted for nested structs
	Attr  string // attribute name, "" for nested fields
	Rule  string // the validator tag that failed, e.g. "required" or "max"
	Param string // its parameter, e.g. "64"
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "orm: invalid %s:", e.Entity)
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, " %s fails %s", f.Field, f.Rule)
		if f.Param != "" {
			b.WriteString("=" + f.Param)
		}
	}
	return b.String()
}

func (e *ValidationError) Unwrap() error { return ErrValidation }

// sdkKind classifies the SDK's error types that are not conditions.
func sdkKind(err error) Kind {
	var (
		pte *types.ProvisionedThroughputExceededException
		rle *types.RequestLimitExceeded
		the *types.ThrottlingException
		tce *types.TransactionConflictException
		tip *types.TransactionInProgressException
		api smithy.APIError
	)
	switch {
	case errors.As(err, &pte), errors.As(err, &rle), errors.As(err, &the):
		return KindThrottled
	case errors.As(err, &tce), errors.As(err, &tip):
		return KindConflict
	case errors.As(err, &api) && api.ErrorCode() == "ValidationException":
		return KindInvalid
	}
	return KindNone
}

// wrapErr decorates an SDK error with the operation and, where one
// applies, a sentinel.
func wrapErr(op, entity string, err error) error {
	if s := sdkKind(err).sentinel(); s != nil {
		return fmt.Errorf("orm: %s %s: %w: %w", op, entity, s, err)
	}
	return fmt.Errorf("orm: %s %s: %w", op, entity, err)
}

// reasonKind maps a cancellation code to a Kind; conditions are refined
// by the caller, who knows what the operation expected.
func reasonKind(code string) Kind {
	switch code {
	case "", "None":
		return KindNone
	case "ConditionalCheckFailed":
		return KindCondition
	case "TransactionConflict":
		return KindConflict
	case "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded":
		return KindThrottled
	}
	return KindInvalid
}
