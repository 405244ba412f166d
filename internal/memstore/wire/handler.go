package wire

import (
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Backend is what a handler serves: any value with methods of
// *dynamodb.Client, and optionally of *dynamodbstreams.Client, with the
// SDK's own signatures, such as
//
//	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
//
// Errors are written as the SDK reads them: an error wrapping a
// smithy.APIError (such as *types.ConditionalCheckFailedException) becomes
// that error; any other error is an InternalServerError.
type Backend any

type handler struct {
	ops     map[string]*operation
	auth    authenticator
	log     *slog.Logger
	maxBody int64
	health  []byte
}

// NewHandler returns the DynamoDB (and DynamoDB Streams) JSON protocol over
// HTTP in front of b. It serves every operation whose method b has; the
// others are unknown operations, as for a service that lacks them.
func NewHandler(b Backend, opts ...Option) http.Handler {
	c := config{region: "us-east-1", logger: slog.Default(), maxBody: DefaultMaxBodySize, now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	return &handler{
		ops: discover(b),
		auth: authenticator{
			region: c.region, keyID: c.keyID, secret: c.secret, now: c.now,
			signer: v4.NewSigner(),
		},
		log:     c.logger,
		maxBody: c.maxBody,
		health:  []byte("healthy: dynamodb." + c.region + ".amazonaws.com "),
	}
}

// Content types of the JSON protocol. The service also answers plain JSON,
// in kind.
const (
	contentJSON10 = "application/x-amz-json-1.0"
	contentJSON11 = "application/x-amz-json-1.1"
	contentJSON   = "application/json"
)

// The service's answer to anything but a POST of JSON, byte for byte.
var notFoundBody = []byte("<UnknownOperationException/>\n")

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	op, status := "", 0
	defer func() {
		if v := recover(); v != nil { // a bug here, never the client's fault
			h.log.LogAttrs(r.Context(), slog.LevelError, "dynamodb request panicked",
				slog.String("op", op), slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			e := getEncoder()
			status, _ = encodeError(e, errors.New("panic"))
			h.send(w, status, contentJSON, e.b)
			putEncoder(e)
		}
		if h.log.Enabled(r.Context(), slog.LevelDebug) {
			h.log.LogAttrs(r.Context(), slog.LevelDebug, "dynamodb request",
				slog.String("op", op), slog.Int("status", status), slog.Duration("duration", time.Since(start)))
		}
	}()
	status = h.serve(w, r, &op)
}

// serve answers r in the order the service checks requests: size, CORS,
// health check, method and content type, JSON syntax, operation,
// authentication, then the body's types.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, opName *string) int {
	hdr := w.Header()
	id := requestID()
	hdr["X-Amzn-Requestid"] = []string{id}

	buf, body, err := h.readBody(r)
	defer func() { putBody(buf) }()
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return h.send(w, http.StatusRequestEntityTooLarge, "", nil)
		}
		return h.fail(w, r, contentJSON, id, "", errSyntax)
	}

	if r.Header.Get("Origin") != "" {
		hdr["Access-Control-Allow-Origin"] = []string{"*"}
		if r.Method == http.MethodOptions {
			if v := r.Header.Get("Access-Control-Request-Headers"); v != "" {
				hdr["Access-Control-Allow-Headers"] = []string{v}
			}
			if v := r.Header.Get("Access-Control-Request-Method"); v != "" {
				hdr["Access-Control-Allow-Methods"] = []string{v}
			}
			hdr["Access-Control-Max-Age"] = []string{"172800"}
			return h.send(w, http.StatusOK, "", nil)
		}
		hdr["Access-Control-Expose-Headers"] = []string{"x-amzn-RequestId,x-amzn-ErrorType,x-amz-crc32,Date"}
	}
	if r.Method == http.MethodGet {
		return h.send(w, http.StatusOK, "", h.health)
	}

	ct := mediaType(r.Header.Get("Content-Type"))
	if r.Method != http.MethodPost || len(body) > 0 && ct == "" {
		return h.send(w, http.StatusNotFound, "", notFoundBody)
	}
	if ct == "" {
		ct = contentJSON
	}

	op := h.ops[r.Header.Get("X-Amz-Target")]
	if op == nil {
		if len(body) > 0 && !json.Valid(body) {
			return h.fail(w, r, ct, id, "", errSyntax)
		}
		return h.fail(w, r, ct, id, "", &protoError{code: "UnknownOperationException"})
	}
	*opName = op.name
	if err := h.auth.check(r.Context(), r, body); err != nil {
		if len(body) > 0 && !json.Valid(body) {
			err = errSyntax
		}
		return h.fail(w, r, ct, id, op.name, err)
	}
	if len(body) == 0 {
		return h.fail(w, r, ct, id, op.name, errSyntax)
	}

	in := reflect.New(op.in.typ)
	if err := decodeInto(op.in, in.UnsafePointer(), body); err != nil {
		var pe *protoError
		if errors.As(err, &pe) && pe.code == "SerializationException" && pe.message != "" && !json.Valid(body) {
			err = errSyntax // the service parses the whole body before it type-checks it
		}
		return h.fail(w, r, ct, id, op.name, err)
	}
	putBody(buf) // the input holds copies; give the buffer back before the call
	buf = nil

	out, err := op.call(r.Context(), in)
	if err != nil {
		return h.fail(w, r, ct, id, op.name, err)
	}
	if emptyBody[op.name] {
		return h.send(w, http.StatusOK, ct, nil)
	}
	if de, ok := out.Interface().(*dynamodb.DescribeEndpointsOutput); ok && de != nil && r.Host != "" {
		// Endpoint discovery must lead back here, not to AWS.
		for i := range de.Endpoints {
			de.Endpoints[i].Address = aws.String(r.Host)
		}
	}
	e := getEncoder()
	defer putEncoder(e)
	if out.IsNil() {
		e.b = append(e.b, "{}"...)
	} else {
		e.structure(op.out, out.UnsafePointer())
	}
	return h.send(w, http.StatusOK, ct, e.b)
}

// emptyBody lists the operations the service answers with no body at all
// (not even "{}") when they succeed.
var emptyBody = map[string]bool{"TagResource": true, "UntagResource": true}

// fail writes err as the service writes errors, logging the ones that are
// the store's own failures.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, ct, id, op string, err error) int {
	e := getEncoder()
	defer putEncoder(e)
	status, internal := encodeError(e, err)
	if internal {
		h.log.LogAttrs(r.Context(), slog.LevelError, "dynamodb internal error",
			slog.String("op", op), slog.String("requestId", id), slog.Any("error", err))
	}
	return h.send(w, status, ct, e.b)
}

// send writes a response with the headers the SDKs check. An empty content
// type sends none, as the service does for its non-JSON answers.
func (h *handler) send(w http.ResponseWriter, status int, ct string, body []byte) int {
	hdr := w.Header()
	if ct != "" {
		hdr["Content-Type"] = []string{ct}
	} else {
		hdr["Content-Type"] = nil // no sniffing by net/http
	}
	hdr["X-Amz-Crc32"] = []string{strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)}
	hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
	return status
}

// mediaType returns the JSON protocol content type of a Content-Type
// header, ignoring parameters, or "" if it is not one.
func mediaType(v string) string {
	v, _, _ = strings.Cut(v, ";")
	switch v = strings.TrimSpace(v); v {
	case contentJSON10, contentJSON11, contentJSON:
		return v
	}
	return ""
}

var errTooLarge = errors.New("request body too large")

var bodies = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// readBody reads the whole body into a pooled buffer, up to the limit.
func (h *handler) readBody(r *http.Request) (*[]byte, []byte, error) {
	if r.ContentLength > h.maxBody {
		return nil, nil, errTooLarge
	}
	if r.Body == nil || r.ContentLength == 0 {
		return nil, nil, nil
	}
	buf := bodies.Get().(*[]byte)
	b := (*buf)[:0]
	if n := r.ContentLength; n > 0 && int64(cap(b)) < n+1 {
		b = make([]byte, 0, n+1) // +1 to see EOF without growing
	}
	lr := io.LimitReader(r.Body, h.maxBody+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*buf = b
			return buf, nil, err
		}
	}
	*buf = b
	if int64(len(b)) > h.maxBody {
		return buf, nil, errTooLarge
	}
	return buf, b, nil
}

// putBody recycles a body buffer unless a large request grew it.
func putBody(buf *[]byte) {
	if buf == nil || cap(*buf) > 1<<20 {
		return
	}
	*buf = (*buf)[:0]
	bodies.Put(buf)
}

// requestID returns an id shaped like the service's: 52 characters of
// [0-9A-Z].
func requestID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b [52]byte
	for i := 0; i < len(b); {
		for x, n := rand.Uint64(), 0; n < 12 && i < len(b); n++ {
			b[i] = alphabet[x%36]
			x /= 36
			i++
		}
	}
	return string(b[:])
}
