package lambda

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
)

// Handle adapts a typed function into an http.Handler.
//
// The request binds into In: fields tagged path:"name", query:"name",
// header:"Name" and cookie:"name" take the request's values (a slice
// field takes every value; strings, numbers, booleans, time.Duration,
// encoding.TextUnmarshaler types such as time.Time, and pointers to them
// are parsed), and the JSON body fills the other exported fields, by
// their json tags. A tagged field is never read from the body. Then
// validate tags are checked (github.com/go-playground/validator/v10). A
// request that fails any of this gets a 400 problem listing every bad
// field; a body that is not JSON gets 415. An In that is not a struct is
// decoded from the body.
//
// The result is served as JSON with status 200, or as the [Response] it is;
// an Out of type struct{} means 204 No Content. A returned error is served
// as a problem (see [WriteError]).
//
// Handle panics if In cannot be bound (a tag on an unsupported type), so a
// mistake fails at start-up, not at the first request.
func Handle[In, Out any](fn func(ctx context.Context, in In) (Out, error)) http.Handler {
	b, err := bindingFor(reflect.TypeFor[In]())
	if err != nil {
		panic(err)
	}
	noContent := reflect.TypeFor[Out]() == reflect.TypeFor[struct{}]()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in In
		if err := b.bind(r, &in); err != nil {
			WriteError(w, r, err)
			return
		}
		out, err := fn(r.Context(), in)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		if noContent {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if rs, ok := any(out).(responder); ok {
			rs.respond(w, r)
			return
		}
		writeJSON(w, r, http.StatusOK, out)
	})
}

// Response is a handler result with its own status and headers.
//
//	return lambda.Response[Item]{Status: http.StatusCreated, Body: item}, nil
type Response[T any] struct {
	Status int         // 200 when zero
	Header http.Header // added to the response's headers
	Body   T           // served as JSON; not at all with status 204 or 304
}

type responder interface {
	respond(w http.ResponseWriter, r *http.Request)
}

func (res Response[T]) respond(w http.ResponseWriter, r *http.Request) {
	maps.Copy(w.Header(), res.Header)
	status := res.Status
	if status == 0 {
		status = http.StatusOK
	}
	if !bodyAllowed(status) {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, r, status, res.Body)
}

func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
