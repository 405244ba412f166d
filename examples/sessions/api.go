package sessions

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"time"

	"github.com/monotable/monotable/lambda"
	"github.com/monotable/monotable/orm"
)

// DefaultTTL is a session's lifetime when the request names none; a
// request may ask for 60 seconds to 30 days (ttlSeconds).
const DefaultTTL = time.Hour

// Service is the session store's API and its stream consumer.
type Service struct {
	sessions *orm.Model[Session]
	audits   *orm.Model[Audit]
	now      func() time.Time
	newID    func() string
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock of expiries and audit entries; tests pass the
// same clock to the table (orm.WithClock) and the store.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithIDs sets the session id generator (default crypto/rand.Text).
func WithIDs(newID func() string) Option { return func(s *Service) { s.newID = newID } }

// New returns the service over t, registering its models if need be.
func New(t *orm.Table, opts ...Option) (*Service, error) {
	if err := Register(t); err != nil {
		return nil, err
	}
	s := &Service{
		sessions: orm.MustRegister[Session](t), // registered above: the same models
		audits:   orm.MustRegister[Audit](t),
		now:      time.Now,
		newID:    rand.Text,
	}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

type route struct {
	pattern string
	h       http.Handler
}

// routes are the API's routes, as template.yaml declares them for
// SessionsFunction.
func (s *Service) routes() []route {
	return []route{
		{"POST /sessions", lambda.Handle(s.create)},
		{"GET /sessions/{id}", lambda.Handle(s.get)},
		{"POST /sessions/{id}/refresh", lambda.Handle(s.refresh)},
		{"DELETE /sessions/{id}", lambda.Handle(s.revoke)},
		{"GET /users/{user}/sessions", lambda.Handle(s.list)},
		{"GET /users/{user}/audit", lambda.Handle(s.audit)},
	}
}

// Routes lists the patterns of the API, "METHOD /path".
func (s *Service) Routes() []string {
	var out []string
	for _, r := range s.routes() {
		out = append(out, r.pattern)
	}
	return out
}

// Register adds the API's routes to app.
func (s *Service) Register(app *lambda.App) {
	for _, r := range s.routes() {
		app.Route(r.pattern, r.h)
	}
}

// RegisterStream adds the audit consumer to app: it handles the stream
// records of sessions.
func (s *Service) RegisterStream(app *lambda.App) {
	lambda.OnChange(app, s.sessions, s.onSession)
}

// Page is a page of a list and the cursor of the next one ("" at the end).
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

type createIn struct {
	UserID     string `json:"userId" validate:"required,max=128"`
	TTLSeconds int    `json:"ttlSeconds" validate:"omitempty,min=60,max=2592000"`
	Agent      string `json:"agent" validate:"max=256"`
}

// create starts a session. The put is conditional (the id must be free, or
// held by an expired session), so a colliding id is never overwritten;
// with 130 random bits a collision is a bug, and the create retries.
func (s *Service) create(ctx context.Context, in createIn) (lambda.Response[Session], error) {
	ttl := ttlOf(in.TTLSeconds)
	for range 3 {
		sess := Session{
			ID:      s.newID(),
			UserID:  in.UserID,
			Agent:   in.Agent,
			Expires: s.now().Add(ttl).Truncate(time.Second), // stored as epoch seconds
		}
		err := s.sessions.Put(ctx, &sess, orm.IfNotExists())
		if errors.Is(err, orm.ErrAlreadyExists) {
			lambda.Logger(ctx).Warn("session id collision; retrying")
			continue
		}
		if err != nil {
			return lambda.Response[Session]{}, err
		}
		return lambda.Response[Session]{
			Status: http.StatusCreated,
			Header: http.Header{"Location": {"/sessions/" + sess.ID}},
			Body:   sess,
		}, nil
	}
	return lambda.Response[Session]{}, errors.New("sessions: no free session id after 3 tries")
}

func ttlOf(secs int) time.Duration {
	if secs == 0 {
		return DefaultTTL
	}
	return time.Duration(secs) * time.Second
}

type idIn struct {
	ID string `path:"id" validate:"required,max=64"`
}

// get reads a session, strongly consistent: a session refreshed or revoked
// a moment ago reads as such. An expired one is 404, deleted or not.
func (s *Service) get(ctx context.Context, in idIn) (Session, error) {
	return s.sessions.Get(ctx, Session{ID: in.ID}, orm.Consistent())
}

type refreshIn struct {
	ID         string `path:"id" validate:"required,max=64"`
	Version    int64  `json:"version" validate:"required,min=1"`
	TTLSeconds int    `json:"ttlSeconds" validate:"omitempty,min=60,max=2592000"`
}

// refresh moves the expiry to ttl from now, if the session is still at the
// version the client read (409 otherwise) and has not expired (404).
func (s *Service) refresh(ctx context.Context, in refreshIn) (Session, error) {
	return s.sessions.Touch(ctx, Session{ID: in.ID, Version: in.Version}, ttlOf(in.TTLSeconds))
}

type revokeIn struct {
	ID      string `path:"id" validate:"required,max=64"`
	Version int64  `query:"version" validate:"omitempty,min=1"`
}

// revoke deletes a live session (404 if there is none), at the given
// version if one is passed. The stream consumer records the revocation.
func (s *Service) revoke(ctx context.Context, in revokeIn) (struct{}, error) {
	return struct{}{}, s.sessions.Delete(ctx, Session{ID: in.ID, Version: in.Version}, orm.IfExists())
}

type listIn struct {
	UserID string `path:"user" validate:"required,max=128"`
	Limit  int    `query:"limit" validate:"omitempty,min=1,max=100"`
	Cursor string `query:"cursor" validate:"max=2048"`
}

func limitOf(n int) int {
	if n == 0 {
		return 20
	}
	return n
}

// list pages through a user's live sessions, newest first, from gsi1.
func (s *Service) list(ctx context.Context, in listIn) (Page[Session], error) {
	items, next, err := s.sessions.Query(Session{UserID: in.UserID}).Index("gsi1").Desc().
		Limit(limitOf(in.Limit)).After(orm.Cursor(in.Cursor)).Page(ctx)
	if items == nil {
		items = []Session{}
	}
	return Page[Session]{Items: items, Next: string(next)}, err
}

// audit pages through how a user's sessions ended, newest first.
func (s *Service) audit(ctx context.Context, in listIn) (Page[Audit], error) {
	items, next, err := s.audits.Query(Audit{UserID: in.UserID}).Desc().
		Limit(limitOf(in.Limit)).After(orm.Cursor(in.Cursor)).Page(ctx)
	if items == nil {
		items = []Audit{}
	}
	return Page[Audit]{Items: items, Next: string(next)}, err
}
