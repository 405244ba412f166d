package leaderboard

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/url"
	"time"

	"github.com/monotable/monotable/lambda"
	"github.com/monotable/monotable/lambda/idempotency"
	"github.com/monotable/monotable/orm"
)

// Service is the leaderboard's API.
type Service struct {
	table   *orm.Table
	scores  *orm.Model[Score]
	players *orm.Model[Player]
	plays   *orm.Model[Play]
	idem    *idempotency.Store
	now     func() time.Time
	newID   func() string
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock of history entries.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithIdempotency makes a score submission that carries an Idempotency-Key
// header count once however often it is retried: adding is not idempotent.
// The store keeps its records in the app's table.
func WithIdempotency(st *idempotency.Store) Option { return func(s *Service) { s.idem = st } }

// New returns the service over t, registering its models if need be.
func New(t *orm.Table, opts ...Option) (*Service, error) {
	if err := Register(t); err != nil {
		return nil, err
	}
	s := &Service{
		table:   t,
		scores:  orm.MustRegister[Score](t), // registered above: the same models
		players: orm.MustRegister[Player](t),
		plays:   orm.MustRegister[Play](t),
		now:     time.Now,
		newID:   rand.Text,
	}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

type route struct {
	pattern string
	h       http.Handler
	mw      []lambda.Middleware
}

// routes are the API's routes, as template.yaml declares them for
// LeaderboardFunction.
func (s *Service) routes() []route {
	var once []lambda.Middleware
	if s.idem != nil {
		once = append(once, s.idem.Middleware())
	}
	return []route{
		{"POST /games/{game}/players/{player}/scores", lambda.Handle(s.submit), once},
		{"GET /games/{game}/scores", lambda.Handle(s.top), nil},
		{"GET /games/{game}/players/{player}", lambda.Handle(s.rank), nil},
		{"GET /games/{game}/players/{player}/history", lambda.Handle(s.history), nil},
		{"GET /players/{player}", lambda.Handle(s.profile), nil},
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
		app.Route(r.pattern, r.h, r.mw...)
	}
}

// Names of games and players are key parts: "#" separates them there.
type gameIn struct {
	Game string `path:"game" validate:"required,max=64,excludesall=#"`
}

type playerIn struct {
	Player string `path:"player" validate:"required,max=64,excludesall=#"`
}

type pageIn struct {
	Limit  int    `query:"limit" validate:"omitempty,min=1,max=100"`
	Cursor string `query:"cursor" validate:"max=2048"`
}

func (p pageIn) limit() int {
	if p.Limit == 0 {
		return 10
	}
	return p.Limit
}

// profile reads a player's profile.
func (s *Service) profile(ctx context.Context, in playerIn) (Player, error) {
	return s.players.Get(ctx, Player{ID: in.Player})
}

type historyIn struct {
	gameIn
	playerIn
	pageIn
}

// Plays is a page of a player's history in a game, newest first.
type Plays struct {
	Plays []Play `json:"plays"`
	Next  string `json:"next,omitempty"`
}

// history pages through a player's plays of a game, newest first: the
// sort-key prefix PLAY#<game># of the player's partition.
func (s *Service) history(ctx context.Context, in historyIn) (Plays, error) {
	plays, next, err := s.plays.Query(Play{Player: in.Player}).BeginsWith(Play{Game: in.Game}).Desc().
		Limit(in.limit()).After(orm.Cursor(in.Cursor)).Page(ctx)
	if plays == nil {
		plays = []Play{}
	}
	return Plays{Plays: plays, Next: string(next)}, err
}

// location is the path of a player's standing in a game.
func location(game, player string) string {
	return "/games/" + url.PathEscape(game) + "/players/" + url.PathEscape(player)
}
