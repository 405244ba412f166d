package lambda

import (
	"errors"
	"net/http"
	"reflect"

	"github.com/monotable/monotable/orm"
)

// The orm's sentinels, most specific first: a canceled transaction
// matches the sentinel of every failed reason, and a throttled one should
// be retried whatever else went wrong.
func init() {
	statusRules = append(statusRules,
		statusRule{orm.ErrThrottled, func(error) *Problem {
			return &Problem{Status: http.StatusServiceUnavailable, Detail: "the service is busy; retry later", retryAfter: retryAfter}
		}},
		statusRule{orm.ErrValidation, ormValidation},
		statusRule{orm.ErrVersionConflict, conflict("the item was changed by another request; reload it and retry")},
		statusRule{orm.ErrAlreadyExists, conflict("the item already exists")},
		statusRule{orm.ErrNotUnique, conflict("a value that must be unique is taken")},
		statusRule{orm.ErrTxConflict, conflict("a concurrent request changed the same items; retry")},
		statusRule{orm.ErrNotFound, func(error) *Problem { return &Problem{Status: http.StatusNotFound, Detail: "not found"} }},
		statusRule{orm.ErrConditionFailed, conflict("the item is not in the expected state")},
		statusRule{orm.ErrInvalidCursor, func(error) *Problem { return &Problem{Status: http.StatusBadRequest, Detail: "invalid cursor"} }},
	)
}

func conflict(detail string) func(error) *Problem {
	return func(error) *Problem { return &Problem{Status: http.StatusConflict, Detail: detail} }
}

// ormValidation answers a model that failed its validate tags when the
// handler wrote it: the request was well-formed, its content is not
// acceptable, hence 422, with the failures named by attribute.
func ormValidation(err error) *Problem {
	p := &Problem{Status: http.StatusUnprocessableEntity, Detail: "invalid content"}
	var ve *orm.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			name := f.Attr
			if name == "" {
				name = f.Field
			}
			p.Errors = append(p.Errors, FieldError{Name: name, In: "body", Reason: ruleReason(f.Rule, f.Param, reflect.Invalid), Rule: f.Rule})
		}
	}
	return p
}
