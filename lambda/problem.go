package lambda

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Problem is an error response body in the shape of RFC 9457, "Problem
// Details for HTTP APIs", served as application/problem+json. It is also
// an error: a handler that returns a *Problem (or wraps one) gets exactly
// that response.
type Problem struct {
	Type      string       `json:"type,omitempty"` // a URI naming the problem; about:blank when empty
	Title     string       `json:"title"`          // the status text when empty
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"requestId,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`

	retryAfter time.Duration
}

// FieldError is one bad input: where it was (In: "path", "query",
// "header", "cookie" or "body"), its name there (for the body, a dotted
// JSON path such as "items[2].name"), and why it was refused. Rule is the
// validator tag that failed, when one did.
type FieldError struct {
	Name   string `json:"name"`
	In     string `json:"in"`
	Reason string `json:"reason"`
	Rule   string `json:"rule,omitempty"`
}

// Error returns an error that the app serves as a problem with the given
// status and detail. Handlers use it for the failures they know about:
//
//	return Item{}, lambda.Error(http.StatusNotFound, "no such item")
//
// The detail is shown to the client, so it must not hold internals.
func Error(status int, detail string) error {
	return &Problem{Status: status, Detail: detail}
}

func (p *Problem) Error() string {
	title := p.Title
	if title == "" {
		title = http.StatusText(p.Status)
	}
	if p.Detail == "" {
		return fmt.Sprintf("%d %s", p.Status, title)
	}
	return fmt.Sprintf("%d %s: %s", p.Status, title, p.Detail)
}

// HTTPStatus reports the problem's status, as every error that knows its
// status does.
func (p *Problem) HTTPStatus() int { return p.Status }

// write serves p, filling in what the request knows.
func (p *Problem) write(w http.ResponseWriter, r *http.Request) {
	if p.Status < 400 || p.Status > 599 {
		p.Status = http.StatusInternalServerError
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.RequestID == "" {
		p.RequestID = RequestID(r.Context())
	}
	if p.Instance == "" && r.URL != nil {
		p.Instance = r.URL.EscapedPath()
	}
	body, err := json.Marshal(p)
	if err != nil { // a Problem always marshals; keep a body anyway
		body = []byte(`{"title":"Internal Server Error","status":500}`)
		p.Status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	h.Set("Content-Type", "application/problem+json")
	h.Set("X-Content-Type-Options", "nosniff")
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((p.retryAfter+time.Second-1)/time.Second)))
	}
	w.WriteHeader(p.Status)
	w.Write(body)
}
