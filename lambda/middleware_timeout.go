package lambda

import (
	"context"
	"time"
)

// requestContext puts st in ctx and ends ctx a margin before the Lambda
// deadline, so a handler that honours its context fails with time left to
// answer. When less than twice the margin is left, half of what is left
// goes to the handler.
func (a *App) requestContext(ctx context.Context, st *state) (context.Context, context.CancelFunc) {
	ctx = context.WithValue(ctx, stateKey{}, st)
	d, ok := ctx.Deadline()
	if !ok || a.margin <= 0 {
		return ctx, func() {}
	}
	left := time.Until(d)
	cut := a.margin
	if left < 2*cut {
		cut = left / 2
	}
	return context.WithDeadline(ctx, d.Add(-cut))
}
