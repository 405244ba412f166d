package leaderboard

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/monotable/monotable/lambda"
	"github.com/monotable/monotable/orm"
)

type submitIn struct {
	gameIn
	playerIn
	Points int64  `json:"points" validate:"required,min=1,max=1000000"`
	Name   string `json:"name" validate:"max=100"`
}

// Submitted is the answer to a submission: the player's new total in the
// game, and the history entry written.
type Submitted struct {
	Score Score `json:"score"`
	Play  Play  `json:"play"`
}

// maxAttempts bounds the transactions of one submission: the first may
// find the score or the profile missing (a first play), a concurrent
// first play may create it in between, and concurrent submissions of one
// player conflict (DynamoDB cancels a transaction that meets another on
// an item). Past it the client gets 409 and may retry.
const maxAttempts = 8

// submit adds points to the player's score in the game, to their profile,
// and records the play, in one transaction: all three or none.
//
// Adding is an atomic ADD on the stored items, so concurrent submissions
// never lose points; but an update needs the item to exist and a create
// needs it not to, and which one it is is known only when the transaction
// is refused. So the first attempt updates both, and each retry turns the
// operation the cancellation reasons name into the other kind. No read
// comes first, and a returning player (the usual case) costs one
// transaction.
func (s *Service) submit(ctx context.Context, in submitIn) (lambda.Response[Submitted], error) {
	var res lambda.Response[Submitted]
	play := Play{Player: in.Player, Game: in.Game, At: s.now().UTC(), ID: s.newID(), Points: in.Points}
	var createScore, createPlayer bool
	for attempt := 1; ; attempt++ {
		err := orm.Transact(ctx, s.table, func(tx *orm.Tx) error {
			if createScore { // operation 0
				s.scores.PutTx(tx, &Score{Game: in.Game, Player: in.Player, Points: in.Points, Plays: 1}, orm.IfNotExists())
			} else {
				s.scores.UpdateTx(tx, Score{Game: in.Game, Player: in.Player}, orm.Add("Points", in.Points), orm.Add("Plays", 1))
			}
			if createPlayer { // operation 1
				s.players.PutTx(tx, &Player{ID: in.Player, Name: in.Name, Points: in.Points, Plays: 1}, orm.IfNotExists())
			} else {
				change := []orm.Option{orm.Add("Points", in.Points), orm.Add("Plays", 1)}
				if in.Name != "" {
					change = append(change, orm.Set("Name", in.Name))
				}
				s.players.UpdateTx(tx, Player{ID: in.Player}, change...)
			}
			s.plays.PutTx(tx, &play, orm.IfNotExists()) // operation 2
			return nil
		})
		if err == nil {
			break
		}
		again, wait := retry(err, &createScore, &createPlayer)
		if !again || attempt == maxAttempts {
			return res, err
		}
		if wait {
			if err := backoff(ctx, attempt); err != nil {
				return res, err
			}
		}
	}
	score, err := s.scores.Get(ctx, Score{Game: in.Game, Player: in.Player}, orm.Consistent())
	if err != nil {
		return res, fmt.Errorf("leaderboard: read back the score: %w", err)
	}
	return lambda.Response[Submitted]{
		Status: http.StatusCreated,
		Header: http.Header{"Location": {location(in.Game, in.Player)}},
		Body:   Submitted{Score: score, Play: play},
	}, nil
}

// retry reads a refused transaction: it flips the operations that found
// their item missing (update → create) or present (create → update), and
// reports whether trying again can succeed, and whether after a pause
// (another transaction held an item).
func retry(err error, createScore, createPlayer *bool) (again, wait bool) {
	var te *orm.TxError
	if !errors.As(err, &te) {
		c := errors.Is(err, orm.ErrTxConflict) || errors.Is(err, orm.ErrThrottled)
		return c, c
	}
	for _, r := range te.Reasons {
		var create *bool
		switch r.Index {
		case 0:
			create = createScore
		case 1:
			create = createPlayer
		}
		switch {
		case r.Kind == orm.KindNone:
		case r.Kind == orm.KindConflict, r.Kind == orm.KindThrottled:
			again, wait = true, true
		case create != nil && r.Kind == orm.KindNotFound:
			*create, again = true, true
		case create != nil && r.Kind == orm.KindExists:
			*create, again = false, true
		default:
			return false, false // the play exists, or something unexpected
		}
	}
	return again, wait
}

// backoff sleeps before attempt+1: full jitter over 10ms doubling, up to
// 320ms.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(10*time.Millisecond) << min(attempt, 5)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
