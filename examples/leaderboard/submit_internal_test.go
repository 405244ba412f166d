package leaderboard

import (
	"errors"
	"fmt"
	"testing"

	"github.com/monotable/monotable/orm"
)

func TestRetry(t *testing.T) {
	reasons := func(kinds ...orm.Kind) error {
		te := &orm.TxError{}
		for i, k := range kinds {
			te.Reasons = append(te.Reasons, orm.Reason{Index: i, Kind: k})
		}
		return fmt.Errorf("wrapped: %w", te)
	}
	for _, tc := range []struct {
		name                  string
		err                   error
		score, player         bool // before
		again, wait           bool
		wantScore, wantPlayer bool
	}{
		{"first play", reasons(orm.KindNotFound, orm.KindNotFound, orm.KindNone), false, false, true, false, true, true},
		{"new game of a known player", reasons(orm.KindNotFound, orm.KindNone, orm.KindNone), false, false, true, false, true, false},
		{"lost a race to create", reasons(orm.KindExists, orm.KindExists, orm.KindNone), true, true, true, false, false, false},
		{"conflict", reasons(orm.KindNone, orm.KindConflict, orm.KindNone), false, false, true, true, false, false},
		{"play id taken", reasons(orm.KindNone, orm.KindNone, orm.KindExists), false, false, false, false, false, false},
		{"not a transaction error", errors.New("boom"), false, false, false, false, false, false},
		{"throttled", orm.ErrThrottled, false, false, true, true, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			score, player := tc.score, tc.player
			again, wait := retry(tc.err, &score, &player)
			if again != tc.again || wait != tc.wait || score != tc.wantScore || player != tc.wantPlayer {
				t.Fatalf("retry = %v %v, create score %v player %v; want %v %v, %v %v", again, wait, score, player, tc.again, tc.wait, tc.wantScore, tc.wantPlayer)
			}
		})
	}
}
