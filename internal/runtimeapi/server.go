package runtimeapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Payload limits, as Lambda enforces them for synchronous invocations.
const (
	// MaxRequestSize is the largest event payload Invoke accepts (6 MB).
	MaxRequestSize = 6 * 1024 * 1024
	// MaxResponseSize is the largest response or error document a runtime
	// may post (6 MB and the 100 bytes Lambda allows on top).
	MaxResponseSize = 6*1024*1024 + 100
)

const apiVersion = "/2018-06-01"

// Headers of the Runtime API.
const (
	hdrRequestID       = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadline        = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionARN     = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID         = "Lambda-Runtime-Trace-Id"
	hdrClientContext   = "Lambda-Runtime-Client-Context"
	hdrCognitoIdentity = "Lambda-Runtime-Cognito-Identity"
	hdrErrorType       = "Lambda-Runtime-Function-Error-Type"
	hdrErrorBody       = "Lambda-Runtime-Function-Error-Body" // a trailer, base64
)

// state is the runtime's place in Lambda's lifecycle, named as the service
// names it in its InvalidStateTransition errors.
type state int

const (
	stateStarted state = iota
	stateInitError
	stateReady
	stateInvocationResponse
	stateInvocationErrorResponse
	stateResponseSent
)

func (s state) String() string {
	return [...]string{"Started", "InitError", "Ready", "InvocationResponse",
		"InvocationErrorResponse", "RuntimeResponseSentState"}[s]
}

// invocation is one event on its way through the Runtime API.
type invocation struct {
	id              string
	payload         []byte
	deadline        time.Time
	functionARN     string
	traceID         string
	clientContext   string
	cognitoIdentity string

	onFetch func()        // called as the runtime fetches the event, before it has it
	fetched chan struct{} // closed when the runtime has fetched the event
	reply   chan reply    // the response or error; buffered, written once
	done    chan struct{} // closed when the runtime asks for its next event after replying
}

func newInvocation(id string, payload []byte) *invocation {
	return &invocation{id: id, payload: payload, fetched: make(chan struct{}),
		reply: make(chan reply, 1), done: make(chan struct{})}
}

// reply is what the runtime posted for an invocation, or for its init.
type reply struct {
	payload   []byte
	errorType string // set for an error: the document's errorType, or the header's
	message   string // the document's errorMessage
	failed    bool
}

// runtimeServer serves the Runtime API for one execution environment: one
// runtime process, one invocation at a time. The invoking side hands it
// events with offer and reads the runtime's answer from the invocation.
type runtimeServer struct {
	mux *http.ServeMux

	mu      sync.Mutex
	st      state
	pending *invocation // offered, not yet fetched by /next
	current *invocation // fetched, no reply yet
	replied *invocation // replied, waiting for the runtime's next /next
	wake    chan struct{}

	ready     chan struct{} // closed at the first /next: init is over
	readyAt   time.Time
	initErr   chan reply // the /init/error document; buffered, written once
	closed    chan struct{}
	closeOnce sync.Once
}

func newRuntimeServer() *runtimeServer {
	s := &runtimeServer{
		mux:     http.NewServeMux(),
		wake:    make(chan struct{}, 1),
		ready:   make(chan struct{}),
		initErr: make(chan reply, 1),
		closed:  make(chan struct{}),
	}
	s.mux.HandleFunc("GET "+apiVersion+"/runtime/invocation/next", s.next)
	s.mux.HandleFunc("POST "+apiVersion+"/runtime/invocation/{id}/response", s.post(false))
	s.mux.HandleFunc("POST "+apiVersion+"/runtime/invocation/{id}/error", s.post(true))
	s.mux.HandleFunc("POST "+apiVersion+"/runtime/init/error", s.initError)
	return s
}

func (s *runtimeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

var errBusy = errors.New("runtimeapi: environment already has an invocation in flight")

// offer queues inv for the runtime's /next.
func (s *runtimeServer) offer(inv *invocation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closed:
		return ErrClosed
	default:
	}
	if s.pending != nil || s.current != nil {
		return errBusy
	}
	s.pending = inv
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// close makes every waiting and later call answer 500: the environment is
// going away and the runtime should exit.
func (s *runtimeServer) close() { s.closeOnce.Do(func() { close(s.closed) }) }

func (s *runtimeServer) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

func (s *runtimeServer) next(w http.ResponseWriter, r *http.Request) {
	if s.isClosed() {
		containerError(w)
		return
	}
	s.mu.Lock()
	switch s.st {
	case stateStarted:
		s.readyAt = time.Now()
		close(s.ready)
	case stateResponseSent:
		close(s.replied.done)
		s.replied = nil
	case stateReady:
		// Asking again without replying is allowed, as in Lambda.
	default:
		from := s.st
		s.mu.Unlock()
		transitionError(w, from, stateReady)
		return
	}
	s.st = stateReady
	s.mu.Unlock()

	for {
		s.mu.Lock()
		if s.isClosed() {
			s.mu.Unlock()
			containerError(w)
			return
		}
		if inv := s.pending; inv != nil && r.Context().Err() == nil {
			s.pending, s.current = nil, inv
			close(inv.fetched)
			s.mu.Unlock()
			if inv.onFetch != nil {
				inv.onFetch()
			}
			writeEvent(w, inv)
			return
		}
		s.mu.Unlock()
		select {
		case <-s.wake:
		case <-s.closed:
		case <-r.Context().Done():
			return
		}
	}
}

func writeEvent(w http.ResponseWriter, inv *invocation) {
	h := w.Header()
	h.Set(hdrRequestID, inv.id)
	h.Set(hdrDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set(hdrFunctionARN, inv.functionARN)
	if inv.traceID != "" {
		h.Set(hdrTraceID, inv.traceID)
	}
	if inv.clientContext != "" {
		h.Set(hdrClientContext, inv.clientContext)
	}
	if inv.cognitoIdentity != "" {
		h.Set(hdrCognitoIdentity, inv.cognitoIdentity)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(inv.payload)))
	w.WriteHeader(http.StatusOK)
	w.Write(inv.payload)
}

// post handles /invocation/{id}/response and /invocation/{id}/error. The
// checks come in Lambda's order: the state first (403), then the request id
// (400), then the size (413).
func (s *runtimeServer) post(isError bool) http.HandlerFunc {
	to := stateInvocationResponse
	if isError {
		to = stateInvocationErrorResponse
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if s.isClosed() {
			containerError(w)
			return
		}
		id := r.PathValue("id")
		s.mu.Lock()
		if s.st != stateReady {
			from := s.st
			s.mu.Unlock()
			transitionError(w, from, to)
			return
		}
		inv := s.current
		if inv == nil || inv.id != id {
			s.mu.Unlock()
			writeJSON(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
			return
		}
		s.st = to // a concurrent second post now meets a 403
		s.mu.Unlock()

		body, size, err := readLimited(r.Body, MaxResponseSize)
		if err != nil {
			s.mu.Lock()
			s.st = stateReady
			s.mu.Unlock()
			writeJSON(w, http.StatusBadRequest, "TruncatedHTTPRequest", "HTTP request detected as truncated")
			return
		}
		var rep reply
		tooLarge := size > MaxResponseSize
		switch {
		case tooLarge:
			rep = failure("Function.ResponseSizeTooLarge", fmt.Sprintf(
				"Response payload size (%d bytes) exceeded maximum allowed payload size (%d bytes).",
				size, MaxResponseSize))
		case isError:
			rep = errorReply(r.Header.Get(hdrErrorType), body)
		case r.Trailer.Get(hdrErrorType) != "":
			// A streamed response that failed midway reports its error in trailers.
			doc, _ := base64.StdEncoding.DecodeString(r.Trailer.Get(hdrErrorBody))
			rep = errorReply(r.Trailer.Get(hdrErrorType), doc)
		default:
			rep = reply{payload: body}
		}

		s.mu.Lock()
		s.current, s.replied, s.st = nil, inv, stateResponseSent
		s.mu.Unlock()
		inv.reply <- rep // before the 202: a runtime may exit as soon as it reads it

		if tooLarge {
			writeJSON(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
				fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxResponseSize))
			return
		}
		accepted(w)
	}
}

func (s *runtimeServer) initError(w http.ResponseWriter, r *http.Request) {
	if s.isClosed() {
		containerError(w)
		return
	}
	s.mu.Lock()
	if s.st != stateStarted {
		from := s.st
		s.mu.Unlock()
		transitionError(w, from, stateInitError)
		return
	}
	s.st = stateInitError
	s.mu.Unlock()
	body, size, err := readLimited(r.Body, MaxResponseSize)
	if err != nil || size > MaxResponseSize {
		body = nil
	}
	s.initErr <- errorReply(r.Header.Get(hdrErrorType), body)
	accepted(w)
}

// readLimited reads up to limit bytes of r and counts the rest.
func readLimited(r io.Reader, limit int64) ([]byte, int64, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, n, err
	}
	if n <= limit {
		return buf.Bytes(), n, nil
	}
	rest, err := io.Copy(io.Discard, r)
	return nil, n + rest, err
}

// errorDoc is Lambda's error format: what runtimes post and what Invoke
// returns for a failed invocation.
type errorDoc struct {
	Message    string          `json:"errorMessage"`
	Type       string          `json:"errorType"`
	StackTrace json.RawMessage `json:"stackTrace,omitempty"`
}

// errorReply reads a posted error. A document in Lambda's format is passed
// on as is; otherwise the header's type stands in, as Lambda does when the
// body is missing or unreadable.
func errorReply(headerType string, body []byte) reply {
	var doc errorDoc
	if json.Unmarshal(body, &doc) == nil && (doc.Type != "" || doc.Message != "") {
		if doc.Type == "" {
			doc.Type = headerType
		}
		return reply{payload: body, errorType: doc.Type, message: doc.Message, failed: true}
	}
	if headerType == "" {
		headerType = "Unknown"
	}
	return failure(headerType, string(bytes.TrimSpace(body)))
}

// failure is an error reply made here rather than by the runtime.
func failure(errorType, message string) reply {
	doc, _ := json.Marshal(errorDoc{Type: errorType, Message: message})
	return reply{payload: doc, errorType: errorType, message: message, failed: true}
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`+"\n")
}

func transitionError(w http.ResponseWriter, from, to state) {
	writeJSON(w, http.StatusForbidden, "InvalidStateTransition", fmt.Sprintf(
		"State transition from %s to %s failed for runtime. Error: State transition is not allowed", from, to))
}

func containerError(w http.ResponseWriter) {
	writeJSON(w, http.StatusInternalServerError, "InternalServerError",
		"Container error: the execution environment is shutting down")
}

func writeJSON(w http.ResponseWriter, status int, errorType, message string) {
	body, _ := json.Marshal(struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}{message, errorType})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
