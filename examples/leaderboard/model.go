// Package leaderboard is a game leaderboard on DynamoDB: scores added
// atomically, in one transaction with the player's profile and an entry of
// their history; the top of a game read from an index whose sort key is
// the score, a number; a player's rank and neighbours; pages with cursors.
//
// It shares one table with the sessions example (see
// examples/internal/apptable). Its items:
//
//	entity   pk              sk                        gsi2pk        gsi2sk
//	score    GAME#<game>     PLAYER#<player>           BOARD#<game>  <points> (N)
//	player   PLAYER#<id>     PROFILE
//	play     PLAYER#<id>     PLAY#<game>#<at>#<id>
//
// gsi2sk is a number attribute, so the board sorts numerically (1000 after
// 999), and an added score moves its index key in the same request.
package leaderboard

import (
	"fmt"
	"time"

	"github.com/monotable/monotable/orm"
)

// Score is a player's total in one game.
type Score struct {
	_       orm.Entity `entity:"score" pk:"GAME#{Game}" sk:"PLAYER#{Player}" gsi2pk:"BOARD#{Game}" gsi2sk:"{Points}"`
	Game    string     `dynamo:"game" json:"game" validate:"required"`
	Player  string     `dynamo:"player" json:"player" validate:"required"`
	Points  int64      `dynamo:"points" json:"points" validate:"gte=0"`
	Plays   int64      `dynamo:"plays" json:"plays"`
	Updated time.Time  `dynamo:"updated" json:"updated" orm:"updated"`
}

// Player is a player's profile, with totals over every game.
type Player struct {
	_       orm.Entity `entity:"player" pk:"PLAYER#{ID}" sk:"PROFILE"`
	ID      string     `dynamo:"id" json:"id" validate:"required"`
	Name    string     `dynamo:"name,omitempty" json:"name,omitempty" validate:"max=100"`
	Points  int64      `dynamo:"points" json:"points"`
	Plays   int64      `dynamo:"plays" json:"plays"`
	Created time.Time  `dynamo:"created" json:"created" orm:"created"`
	Updated time.Time  `dynamo:"updated" json:"updated" orm:"updated"`
}

// Play is one submitted score, in the player's history of a game.
type Play struct {
	_      orm.Entity `entity:"play" pk:"PLAYER#{Player}" sk:"PLAY#{Game}#{At}#{ID}"`
	Player string     `dynamo:"player" json:"player" validate:"required"`
	Game   string     `dynamo:"game" json:"game" validate:"required"`
	At     time.Time  `dynamo:"at" json:"at"`
	ID     string     `dynamo:"id" json:"id" validate:"required"`
	Points int64      `dynamo:"points" json:"points"`
}

// Register registers the package's models on t.
func Register(t *orm.Table) error {
	if _, err := orm.Register[Score](t); err != nil {
		return fmt.Errorf("leaderboard: %w", err)
	}
	if _, err := orm.Register[Player](t); err != nil {
		return fmt.Errorf("leaderboard: %w", err)
	}
	if _, err := orm.Register[Play](t); err != nil {
		return fmt.Errorf("leaderboard: %w", err)
	}
	return nil
}
