package leaderboard

import (
	"cmp"
	"context"
	"slices"

	"github.com/monotable/monotable/orm"
)

// Ranks are competition ranks ("1224"): players with equal points share a
// rank, the number of players with more points plus one. DynamoDB cannot
// count the items before a key, so a rank costs a read of the board above
// it, O(rank) items, through the index; past the first page, so does the
// rank of a page of the top list. That is fine for boards of thousands; a
// board of millions would keep counts per score bucket instead.

// Entry is a player's place on a board.
type Entry struct {
	Rank   int    `json:"rank"`
	Player string `json:"player"`
	Points int64  `json:"points"`
}

// Board is a page of a game's board, best first.
type Board struct {
	Game   string  `json:"game"`
	Scores []Entry `json:"scores"`
	Next   string  `json:"next,omitempty"`
}

// board queries the game's scores through gsi2, by points.
func (s *Service) board(game string) *orm.Query[Score] {
	return s.scores.Query(Score{Game: game}).Index("gsi2")
}

type topIn struct {
	gameIn
	pageIn
}

// top pages through a game's board from the highest score down. Players
// with equal points share a rank; their order is the index's.
func (s *Service) top(ctx context.Context, in topIn) (Board, error) {
	page, next, err := s.board(in.Game).Desc().Limit(in.limit()).After(orm.Cursor(in.Cursor)).Page(ctx)
	if err != nil {
		return Board{}, err
	}
	b := Board{Game: in.Game, Scores: make([]Entry, 0, len(page)), Next: string(next)}
	if len(page) == 0 {
		return b, nil
	}
	// above and ties count the board's players with more points than the
	// page's first one, and with as many. On the first page they are on
	// the page (or the tie runs past it, and no other points are).
	p0 := page[0].Points
	above, ties := 0, 0
	if in.Cursor != "" {
		higher, equal, err := s.standing(ctx, in.Game, p0)
		if err != nil {
			return Board{}, err
		}
		above, ties = len(higher), len(equal)
	} else {
		for _, sc := range page {
			if sc.Points == p0 {
				ties++
			}
		}
	}
	rank, lower := 0, 0 // lower: players on the page below p0 so far
	for i, sc := range page {
		switch {
		case sc.Points == p0:
			rank = 1 + above
		case sc.Points != page[i-1].Points:
			rank = 1 + above + ties + lower
		}
		if sc.Points != p0 {
			lower++
		}
		b.Scores = append(b.Scores, Entry{Rank: rank, Player: sc.Player, Points: sc.Points})
	}
	return b, nil
}

// standing reads the board from points up: the scores above, best first,
// and those equal to points, by player.
func (s *Service) standing(ctx context.Context, game string, points int64) (higher, equal []Score, err error) {
	all, err := s.board(game).Ge(Score{Points: points}).Desc().Project("Player", "Points").All(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, sc := range all {
		if sc.Points > points {
			higher = append(higher, sc)
		} else {
			equal = append(equal, sc)
		}
	}
	byBoard(higher)
	byBoard(equal)
	return higher, equal, nil
}

// byBoard sorts scores in board order: points down, then player up.
func byBoard(scores []Score) {
	slices.SortFunc(scores, func(a, b Score) int {
		if c := cmp.Compare(b.Points, a.Points); c != 0 {
			return c
		}
		return cmp.Compare(a.Player, b.Player)
	})
}

type rankIn struct {
	gameIn
	playerIn
	Around *int `query:"around" validate:"omitempty,min=0,max=25"`
}

// Standing is a player's rank in a game, with the players just above and
// just below, in board order (points down, then player name up).
type Standing struct {
	Game   string  `json:"game"`
	Player string  `json:"player"`
	Points int64   `json:"points"`
	Rank   int     `json:"rank"`
	Above  []Entry `json:"above"`
	Below  []Entry `json:"below"`
}

// rank answers a player's standing in a game, with around neighbours
// (default 2) on each side.
func (s *Service) rank(ctx context.Context, in rankIn) (Standing, error) {
	n := 2
	if in.Around != nil {
		n = *in.Around
	}
	me, err := s.scores.Get(ctx, Score{Game: in.Game, Player: in.Player}, orm.Consistent())
	if err != nil {
		return Standing{}, err
	}
	higher, equal, err := s.standing(ctx, in.Game, me.Points)
	if err != nil {
		return Standing{}, err
	}
	rank := 1 + len(higher)
	st := Standing{Game: in.Game, Player: in.Player, Points: me.Points, Rank: rank, Above: []Entry{}, Below: []Entry{}}

	// Above: every score over mine is here, so their ranks are exact.
	var before, after []Entry
	for i, sc := range higher {
		r := i + 1
		if i > 0 && sc.Points == higher[i-1].Points {
			r = before[i-1].Rank
		}
		before = append(before, Entry{Rank: r, Player: sc.Player, Points: sc.Points})
	}
	tied := 1 // me; the index is eventually consistent, so I am left out of it
	for _, sc := range equal {
		switch {
		case sc.Player == me.Player:
		case sc.Player < me.Player:
			before = append(before, Entry{Rank: rank, Player: sc.Player, Points: sc.Points})
			tied++
		default:
			after = append(after, Entry{Rank: rank, Player: sc.Player, Points: sc.Points})
			tied++
		}
	}
	st.Above = append(st.Above, before[max(0, len(before)-n):]...)

	// Below: read just enough of the board under my points.
	if want := n - len(after); want > 0 {
		lower, err := s.below(ctx, in.Game, me, want)
		if err != nil {
			return Standing{}, err
		}
		for i, sc := range lower {
			r := rank + tied + i // players between mine and this score
			if i > 0 && sc.Points == lower[i-1].Points {
				r = after[len(after)-1].Rank
			}
			after = append(after, Entry{Rank: r, Player: sc.Player, Points: sc.Points})
		}
	}
	st.Below = append(st.Below, after[:min(n, len(after))]...)
	return st, nil
}

// below reads the n scores under me in board order. The index orders
// equal points as it likes, so a tie that the limit cuts is read whole
// and sorted, and the first n kept.
func (s *Service) below(ctx context.Context, game string, me Score, n int) ([]Score, error) {
	q := s.board(game).Lt(Score{Points: me.Points}).Desc().Project("Player", "Points")
	got, _, err := q.Limit(n).Page(ctx)
	if err != nil {
		return nil, err
	}
	if len(got) == n {
		last := got[len(got)-1].Points
		tie, err := s.board(game).Eq(Score{Points: last}).Project("Player", "Points").All(ctx)
		if err != nil {
			return nil, err
		}
		got = slices.DeleteFunc(got, func(sc Score) bool { return sc.Points == last })
		got = append(got, tie...)
	}
	got = slices.DeleteFunc(got, func(sc Score) bool { return sc.Player == me.Player }) // a stale index entry of mine
	byBoard(got)
	return got[:min(n, len(got))], nil
}
