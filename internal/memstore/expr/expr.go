// Package expr implements DynamoDB's expression languages: condition,
// filter, key condition, update and projection expressions, and the legacy
// parameters (Expected, QueryFilter, ScanFilter, KeyConditions,
// AttributeUpdates, AttributesToGet) converted to the same trees.
//
// # Parsing
//
// Parsing follows DynamoDB's grammar and reports problems in DynamoDB's own
// words, in the order DynamoDB finds them: the expression's size, then its
// syntax (a syntax error names the offending token and the text around it),
// then what the text alone shows (reserved words, function names and
// placement, the 300-operator limit), then what needs the request's
// placeholders (undefined #names and :values, operand types, BETWEEN bounds,
// overlapping update paths). Every error's Error() is the message the
// engine returns in a ValidationException.
//
// Syntax trees are cached by text, before placeholder substitution, so a
// request pays only for substitution; [Params] substitutes per request and
// records which placeholders were used, for [Params.CheckUnused].
//
// # Evaluation
//
// Evaluating a condition never fails: a comparison with a missing attribute
// or between values of different types is false (and <> is true). Applying
// an update can fail, with the errors DynamoDB raises at run time:
// [ErrMissingAttribute], [ErrOperandType], [ErrInvalidPath], and number
// range errors from the attr package. Items passed in are never modified;
// results share the values they did not change.
package expr

import (
	"strconv"
)

// checkText applies the checks DynamoDB makes before parsing.
func checkText(kind Kind, text string) error {
	if text == "" {
		return invalid(kind, "The expression can not be empty;")
	}
	if len(text) > maxExpressionBytes {
		if kind == KindUpdate {
			// An update expression's size is not echoed (us-east-1 and
			// eu-west-2, 2026-10).
			return invalid(kind, "Expression size has exceeded the maximum allowed size;")
		}
		return invalid(kind, "Expression size has exceeded the maximum allowed size; expression size: "+strconv.Itoa(len(text)))
	}
	return nil
}

func parseConditionChecked(text string) (cond, string) {
	c, msg := parseConditionSyntax(text)
	if msg == "" {
		msg = checkConditionStatic(c)
	}
	return c, msg
}

func parseKeyConditionChecked(text string) (cond, string) {
	c, msg := parseKeyConditionSyntax(text)
	if msg == "" {
		msg = checkConditionStatic(c)
	}
	return c, msg
}

func parseUpdateChecked(text string) ([]section, string) {
	s, msg := parseUpdateSyntax(text)
	if msg == "" {
		msg = checkUpdateStatic(s)
	}
	return s, msg
}

func parseProjectionChecked(text string) ([]Path, string) {
	paths, msg := parseProjectionSyntax(text)
	if msg == "" {
		msg = checkProjectionStatic(paths)
	}
	return paths, msg
}

// ParseCondition parses a condition or filter expression (kind says which,
// for messages) and resolves its placeholders from p, which may be nil.
func ParseCondition(kind Kind, text string, p *Params) (*Condition, error) {
	if err := checkText(kind, text); err != nil {
		return nil, err
	}
	cache, parse := &conditionCache, parseConditionChecked
	if kind == KindKeyCondition {
		cache, parse = &keyConditionCache, parseKeyConditionChecked
	}
	raw, msg := cache.get(text, parse)
	if msg != "" {
		return nil, invalid(kind, msg)
	}
	b := &binder{p: p}
	root := b.cond(raw)
	if b.msg != "" {
		return nil, invalid(kind, b.msg)
	}
	return &Condition{root: root}, nil
}

// ParseUpdate parses an update expression and resolves its placeholders.
func ParseUpdate(text string, p *Params) (*Update, error) {
	if err := checkText(KindUpdate, text); err != nil {
		return nil, err
	}
	raw, msg := updateCache.get(text, parseUpdateChecked)
	if msg != "" {
		return nil, invalid(KindUpdate, msg)
	}
	secs, msg := bindUpdate(raw, p)
	if msg != "" {
		return nil, invalid(KindUpdate, msg)
	}
	return &Update{sections: secs}, nil
}

// ParseProjection parses a projection expression and resolves its
// placeholders.
func ParseProjection(text string, p *Params) (*Projection, error) {
	if err := checkText(KindProjection, text); err != nil {
		return nil, err
	}
	raw, msg := projectionCache.get(text, parseProjectionChecked)
	if msg != "" {
		return nil, invalid(KindProjection, msg)
	}
	paths, msg := bindProjection(raw, p)
	if msg != "" {
		return nil, invalid(KindProjection, msg)
	}
	return &Projection{paths: paths}, nil
}
