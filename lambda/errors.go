package lambda

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/go-playground/validator/v10"
)

// WriteError serves err as a problem (see [Problem]): the status comes from
// the error, the detail only from errors meant for clients, and a 5xx
// answer names the request id and nothing else. Plain http.Handlers use it
// to answer the way typed handlers do.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	if st := stateOf(r.Context()); st != nil && st.err == nil {
		st.err = err
	}
	p.write(w, r)
}

// retryAfter is what a throttled request is told to wait.
const retryAfter = time.Second

// statusRule maps errors matching target (errors.Is) to a problem.
type statusRule struct {
	target error
	build  func(err error) *Problem
}

// statusRules hold the sentinels of other packages (the orm's), checked
// in order before the AWS SDK's own error types, which they wrap.
var statusRules []statusRule

// problemFor maps an error to the problem the client sees. Errors of
// client mistakes keep their message; anything else becomes a bare 500.
func problemFor(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		cp := *p
		return &cp
	}
	for _, r := range statusRules {
		if errors.Is(err, r.target) {
			return r.build(err)
		}
	}
	var hs interface{ HTTPStatus() int }
	if errors.As(err, &hs) {
		s := hs.HTTPStatus()
		if s >= 400 && s < 500 {
			return &Problem{Status: s, Detail: err.Error()}
		}
		return &Problem{Status: s}
	}
	var (
		ccf  *types.ConditionalCheckFailedException
		tce  *types.TransactionCanceledException
		conf *types.TransactionConflictException
		tip  *types.TransactionInProgressException
		verr validator.ValidationErrors
		mbe  *http.MaxBytesError
	)
	switch {
	case throttled(err):
		return &Problem{Status: http.StatusServiceUnavailable, Detail: "the service is busy; retry later", retryAfter: retryAfter}
	case errors.As(err, &ccf):
		return &Problem{Status: http.StatusConflict, Detail: "the item changed or is not in the expected state"}
	case errors.As(err, &tce):
		return canceled(tce)
	case errors.As(err, &conf), errors.As(err, &tip):
		return &Problem{Status: http.StatusConflict, Detail: "a concurrent request changed the same items; retry"}
	case errors.As(err, &verr):
		return &Problem{Status: http.StatusBadRequest, Detail: "invalid request", Errors: fieldErrors(verr, nil)}
	case errors.As(err, &mbe):
		return &Problem{Status: http.StatusRequestEntityTooLarge, Detail: "request body too large"}
	case errors.Is(err, context.DeadlineExceeded):
		return &Problem{Status: http.StatusGatewayTimeout, Detail: "the request ran out of time"}
	}
	return &Problem{Status: http.StatusInternalServerError}
}

// throttled reports DynamoDB's (and the SDK's) throttling errors, matched
// by type and, for the codes with no type of their own, by API error code.
func throttled(err error) bool {
	var (
		pte *types.ProvisionedThroughputExceededException
		rle *types.RequestLimitExceeded
		the *types.ThrottlingException
		api smithy.APIError
	)
	if errors.As(err, &pte) || errors.As(err, &rle) || errors.As(err, &the) {
		return true
	}
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ThrottlingException", "Throttling", "RequestLimitExceeded",
			"ProvisionedThroughputExceededException", "TooManyRequestsException", "RequestThrottled":
			return true
		}
	}
	return false
}

// canceled maps a canceled transaction by its reasons: throttling wins
// (retry later), then conflicts and failed conditions; a transaction
// refused for anything else is the server's fault.
func canceled(e *types.TransactionCanceledException) *Problem {
	conflict := false
	for _, r := range e.CancellationReasons {
		if r.Code == nil {
			continue
		}
		switch *r.Code {
		case "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded":
			return &Problem{Status: http.StatusServiceUnavailable, Detail: "the service is busy; retry later", retryAfter: retryAfter}
		case "ConditionalCheckFailed", "TransactionConflict":
			conflict = true
		}
	}
	if conflict {
		return &Problem{Status: http.StatusConflict, Detail: "the items changed or are not in the expected state"}
	}
	return &Problem{Status: http.StatusInternalServerError}
}
