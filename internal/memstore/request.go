package memstore

import (
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/memstore/expr"
)

// exprParams tracks one request's expressions and their placeholders, and
// enforces DynamoDB's rules on mixing them with the legacy parameters.
type exprParams struct {
	params *expr.Params
}

// noExprParams serves every request without expressions; it is never
// written to.
var noExprParams = &exprParams{}

// paramUse lists which expression and legacy parameters a request set, by
// their API names, for the mixing checks.
type paramUse struct {
	expressions []string // e.g. ConditionExpression
	legacy      []string // e.g. Expected
	older       bool     // checked by the older validation layer (transactions)
}

func (u *paramUse) expr(name string, s *string) {
	if s != nil {
		u.expressions = append(u.expressions, name)
	}
}

func (u *paramUse) legacyIf(name string, set bool) {
	if set {
		u.legacy = append(u.legacy, name)
	}
}

// newExprParams applies the request-level checks and prepares placeholder
// tracking. names/values are the request's ExpressionAttributeNames/Values.
func newExprParams(use paramUse, names map[string]string, values map[string]types.AttributeValue) (*exprParams, error) {
	if len(use.expressions) > 0 && len(use.legacy) > 0 {
		sort.Strings(use.legacy)
		sort.Strings(use.expressions)
		return nil, validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
			strings.Join(use.legacy, ", "), strings.Join(use.expressions, ", "))
	}
	if len(use.expressions) == 0 {
		if names != nil {
			return nil, validation("ExpressionAttributeNames can only be specified when using expressions")
		}
		if values != nil {
			return nil, validation("ExpressionAttributeValues can only be specified when using expressions")
		}
		return noExprParams, nil
	}
	newParams := expr.NewParams
	if use.older {
		newParams = expr.NewOlderParams
	}
	p, err := newParams(names, values)
	if err != nil {
		return nil, asValidation(err)
	}
	return &exprParams{params: p}, nil
}

func (e *exprParams) condition(kind expr.Kind, text *string) (*expr.Condition, error) {
	if text == nil {
		return nil, nil
	}
	c, err := expr.ParseCondition(kind, *text, e.params)
	return c, asValidation(err)
}

func (e *exprParams) projection(text *string) (*expr.Projection, error) {
	if text == nil {
		return nil, nil
	}
	p, err := expr.ParseProjection(*text, e.params)
	return p, asValidation(err)
}

// done reports unused names and values once every expression is parsed.
func (e *exprParams) done() error {
	if e.params == nil {
		return nil
	}
	return asValidation(e.params.CheckUnused())
}

// legacyCondition converts Expected; nil when absent.
func legacyCondition(expected map[string]types.ExpectedAttributeValue, op types.ConditionalOperator) (*expr.Condition, error) {
	if len(expected) == 0 { // an empty Expected is no condition, as if absent
		if op != "" {
			return nil, validation("ConditionalOperator can only be used when Filter or Expected conditions have been specified")
		}
		return nil, nil
	}
	c, err := expr.FromExpected(expected, op)
	return c, asValidation(err)
}

func legacyFilter(filter map[string]types.Condition, op types.ConditionalOperator) (*expr.Condition, error) {
	if len(filter) == 0 { // an empty filter is no filter, as if absent
		if op != "" {
			return nil, validation("ConditionalOperator can only be used when Filter or Expected conditions have been specified")
		}
		return nil, nil
	}
	c, err := expr.FromFilter(filter, op)
	return c, asValidation(err)
}

func legacyProjection(names []string) (*expr.Projection, error) {
	if names == nil {
		return nil, nil
	}
	p, err := expr.FromAttributesToGet(names)
	return p, asValidation(err)
}

// eval runs an optional condition; no condition always passes.
func eval(c *expr.Condition, item map[string]types.AttributeValue) bool {
	return c == nil || c.Eval(item)
}
