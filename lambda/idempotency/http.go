package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"net/http"
	"strconv"

	"github.com/monotable/monotable/lambda"
)

// Header is the request header that carries the key, as the IETF draft
// "The Idempotency-Key HTTP Header Field" names it.
const Header = "Idempotency-Key"

// stored is a response kept for replay.
type stored struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// errUncached tells Do not to store a response: the handler failed.
var errUncached = errors.New("idempotency: response not stored")

// Middleware makes POST and PATCH requests that carry an Idempotency-Key
// header run once per key: a retry gets the first response again, with
// the header Idempotent-Replayed: true. Keys are scoped to the method,
// the path and the caller's identity ([lambda.Auth]), and bound to a hash
// of the body. Requests without the header pass through.
//
// Responses with status 5xx or 429 are not stored, so a retry runs the
// handler again; nor are Set-Cookie headers, which belong to one client.
// A request whose key is in flight gets 409, one that reuses a key with
// another body 422.
func (s *Store) Middleware() lambda.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := r.Header.Get(Header)
			if key == "" || (r.Method != http.MethodPost && r.Method != http.MethodPatch) {
				next.ServeHTTP(w, r)
				return
			}
			if len(key) > 255 {
				lambda.WriteError(w, r, lambda.Error(http.StatusBadRequest, Header+" is longer than 255 characters"))
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 6<<20))
			if err != nil {
				lambda.WriteError(w, r, err)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			scope := sha256.Sum256([]byte(lambda.Auth(r.Context()).Subject + "\x00" + r.Method + " " + r.URL.Path + "\x00" + key))
			var fresh *stored // the response of this request, when the handler ran
			res, err := Do(r.Context(), s, hex.EncodeToString(scope[:]), body, func(ctx context.Context) (*stored, error) {
				rec := &recorder{res: &stored{Header: http.Header{}}}
				next.ServeHTTP(rec, r.WithContext(ctx))
				if rec.res.Status == 0 {
					rec.res.Status = http.StatusOK
				}
				fresh = rec.res
				if fresh.Status >= 500 || fresh.Status == http.StatusTooManyRequests {
					return nil, errUncached
				}
				keep := *fresh
				keep.Header = fresh.Header.Clone()
				keep.Header.Del("Set-Cookie")
				return &keep, nil
			})
			switch {
			case fresh != nil && (err == nil || errors.Is(err, errUncached)):
				write(w, fresh)
			case err != nil:
				lambda.WriteError(w, r, err)
			default:
				w.Header().Set("Idempotent-Replayed", "true")
				write(w, res)
			}
		})
	}
}

func write(w http.ResponseWriter, res *stored) {
	maps.Copy(w.Header(), res.Header)
	w.Header().Set("Content-Length", strconv.Itoa(len(res.Body)))
	w.WriteHeader(res.Status)
	w.Write(res.Body)
}

// recorder buffers the handler's response.
type recorder struct{ res *stored }

func (r *recorder) Header() http.Header { return r.res.Header }

func (r *recorder) WriteHeader(code int) {
	if r.res.Status == 0 && code >= 200 {
		r.res.Status = code
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.res.Status == 0 {
		r.res.Status = http.StatusOK
	}
	r.res.Body = append(r.res.Body, p...)
	return len(p), nil
}
