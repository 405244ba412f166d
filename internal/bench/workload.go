package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// A Workload is one row of the report: a kind of request at a table size.
type Workload struct {
	ID   string // Go identifier-like name, for -run and the go test benchmarks
	Name string // the row label
	Size int    // items in the table the requests run against
	Data Fixture

	Budget time.Duration // per contender per round; 0: the runner's default
	MaxOps int           // per round; 0: the runner's default

	// New binds the workload to one contender: env.Client holds the seeded
	// fixture (nil for Empty fixtures), env.New makes fresh instances.
	New func(env Env) Instance
}

// Env is what a workload instance runs against.
type Env struct {
	Client Client
	New    func() Client
}

// An Instance is a workload bound to one contender.
type Instance interface {
	// Begin prepares round r's requests (untimed). Both contenders get the
	// same requests in the same order. The warm-up round is -1.
	Begin(ctx context.Context, r int) error
	// Do sends request i of the round (timed).
	Do(ctx context.Context, i int) (any, error)
	// Check reports whether the answer to request i was right (untimed).
	Check(i int, out any, err error) error
	// End reads back the effects of the round's ops requests (untimed).
	End(ctx context.Context, ops int) error
}

const ring = 1024 // requests prepared per round, sent round-robin

// rng returns the request generator of round r: the same for every contender.
func rng(r int) *rand.Rand { return rand.New(rand.NewPCG(0x6d6f6e6f, uint64(r+1))) }

// op is an Instance made of one request type.
type op[In, Out any] struct {
	ins   []*In
	begin func(r int) []*In
	call  func(context.Context, *In) (*Out, error)
	check func(i int, in *In, out *Out) error
	end   func(ctx context.Context, ops int) error
}

func (o *op[In, Out]) Begin(ctx context.Context, r int) error {
	o.ins = o.begin(r)
	return nil
}

func (o *op[In, Out]) Do(ctx context.Context, i int) (any, error) {
	out, err := o.call(ctx, o.ins[i%len(o.ins)])
	return out, err
}

func (o *op[In, Out]) Check(i int, out any, err error) error {
	if err != nil {
		return err
	}
	res, _ := out.(*Out)
	if res == nil {
		return fmt.Errorf("nil output and no error")
	}
	if o.check == nil {
		return nil
	}
	return o.check(i, o.ins[i%len(o.ins)], res)
}

func (o *op[In, Out]) End(ctx context.Context, ops int) error {
	if o.end == nil {
		return nil
	}
	return o.end(ctx, ops)
}

// lastSlots returns the ring slots of the last k of ops requests, each with
// the index of the last request that used it.
func lastSlots(ops, size, k int) map[int]int {
	last := make(map[int]int, k)
	for i := ops - 1; i >= 0 && len(last) < min(k, size); i-- {
		if _, ok := last[i%size]; !ok {
			last[i%size] = i
		}
	}
	return last
}

// distinct returns k distinct random ints in [0, n).
func distinct(r *rand.Rand, n, k int) []int {
	k = min(k, n)
	seen := make(map[int]bool, k)
	out := make([]int, 0, k)
	for len(out) < k {
		if x := r.IntN(n); !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// Steps is an Instance made of functions, for contenders that are code
// paths rather than clients. Begin, Check and End may be nil.
type Steps struct {
	OnBegin func(ctx context.Context, r int) error
	OnDo    func(ctx context.Context, i int) (any, error)
	OnCheck func(i int, out any) error // called only when Do returned no error
	OnEnd   func(ctx context.Context, ops int) error
}

func (s Steps) Begin(ctx context.Context, r int) error {
	if s.OnBegin == nil {
		return nil
	}
	return s.OnBegin(ctx, r)
}

func (s Steps) Do(ctx context.Context, i int) (any, error) { return s.OnDo(ctx, i) }

func (s Steps) Check(i int, out any, err error) error {
	if err != nil || s.OnCheck == nil {
		return err
	}
	return s.OnCheck(i, out)
}

func (s Steps) End(ctx context.Context, ops int) error {
	if s.OnEnd == nil {
		return nil
	}
	return s.OnEnd(ctx, ops)
}
