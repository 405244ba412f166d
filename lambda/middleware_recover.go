package lambda

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// recoverPanic, deferred around a request, turns a panic into the same
// 500 problem as any internal error, with the stack in the log and not in
// the response.
func (a *App) recoverPanic(w http.ResponseWriter, r *http.Request, st *state) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler && st.source == sourceLocal {
		panic(v) // net/http's way to abort a response; let it
	}
	st.err = fmt.Errorf("panic: %v", v)
	a.logger.LogAttrs(r.Context(), slog.LevelError, "panic",
		slog.String("requestId", st.requestID),
		slog.Any("panic", v),
		slog.String("stack", string(debug.Stack())))
	switch w := w.(type) {
	case *recorder:
		w.reset()
	case *trackWriter:
		if w.written {
			panic(http.ErrAbortHandler) // too late for a clean answer: cut the response short
		}
	}
	p := &Problem{Status: http.StatusInternalServerError}
	p.write(w, r)
}
