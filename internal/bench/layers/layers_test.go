package layers

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/monotable/monotable/internal/bench"
)

// TestContestsAnswerRight runs every contest briefly: each contender must
// pass every check, or the benchmark would time wrong answers.
func TestContestsAnswerRight(t *testing.T) {
	opt := bench.Options{Rounds: 1, Budget: time.Millisecond, MaxOps: 50, Warmup: time.Millisecond}
	for _, r := range Run(context.Background(), append(ORM(), Lambda()...), opt) {
		for _, st := range r.Stats {
			if st.Wrong != "" {
				t.Errorf("%s, %s: %s", r.Workload.ID, st.Contender, st.Wrong)
			}
			if st.Checked == 0 {
				t.Errorf("%s, %s: no answer checked", r.Workload.ID, st.Contender)
			}
		}
		if len(r.Versus) != len(r.Stats)-1 {
			t.Errorf("%s: %d ratios for %d contenders", r.Workload.ID, len(r.Versus), len(r.Stats))
		}
	}
}

// TestWrongAnswerIsShown: a contender that answers wrong is marked WRONG
// in the table and gets no ratio.
func TestWrongAnswerIsShown(t *testing.T) {
	c := Contest{
		Workload: bench.Workload{ID: "X", Name: "x"},
		Names:    []string{"a", "b"},
		New: func(context.Context) ([]bench.Instance, error) {
			ok := bench.Steps{OnDo: func(context.Context, int) (any, error) { return 1, nil }}
			bad := bench.Steps{
				OnDo:    func(context.Context, int) (any, error) { return 2, nil },
				OnCheck: func(int, any) error { return errors.New("got 2, want 1") },
			}
			return []bench.Instance{ok, bad}, nil
		},
	}
	rs := Run(context.Background(), []Contest{c}, bench.Options{Rounds: 1, Budget: time.Millisecond, MaxOps: 5})
	md := Table(rs)
	if !strings.Contains(md, "**WRONG**") || !strings.Contains(md, "got 2, want 1") {
		t.Fatalf("table does not show the wrong answer:\n%s", md)
	}
	if v := rs[0].Versus[0].Ratio; v == v { // not NaN
		t.Fatalf("ratio %v for a wrong contender", v)
	}
}
