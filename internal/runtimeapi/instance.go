package runtimeapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// instance is one execution environment: a runtime process and the Runtime
// API it talks to. One invocation owns it at a time.
type instance struct {
	f       *Function
	srv     *runtimeServer
	hs      *http.Server
	logs    *logCapture
	cmd     *exec.Cmd
	started time.Time
	exited  chan struct{} // closed when the process has been waited for
	waitErr error
	warm    bool // the runtime has asked for its first event
	dead    bool // must not be reused

	killOnce sync.Once
}

// start launches the runtime. An error is a local failure; a runtime that
// cannot be executed is reported as Lambda reports it, with runErr.
func (in *instance) start() (runErr, err error) {
	f := in.f
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtimeapi: listen: %w", err)
	}
	in.srv = newRuntimeServer()
	in.hs = &http.Server{Handler: in.srv, ErrorLog: log.New(io.Discard, "", 0)}
	go in.hs.Serve(ln)
	if in.logs, err = newLogCapture(f.live); err != nil {
		in.hs.Close()
		return nil, fmt.Errorf("runtimeapi: log pipe: %w", err)
	}
	in.exited = make(chan struct{})

	cmd := exec.Command(f.cfg.Bootstrap)
	cmd.Dir = f.cfg.TaskRoot
	cmd.Env = append(f.env[:len(f.env):len(f.env)],
		"AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(),
		"AWS_LAMBDA_LOG_STREAM_NAME="+newLogStreamName(time.Now(), version))
	cmd.Stdout, cmd.Stderr = in.logs.w, in.logs.w
	isolate(cmd)
	in.started = time.Now()
	if err := cmd.Start(); err != nil {
		close(in.exited)
		return err, nil
	}
	in.cmd = cmd
	go func() {
		in.waitErr = cmd.Wait()
		close(in.exited)
	}()
	return nil, nil
}

func (in *instance) hasExited() bool {
	if in.exited == nil {
		return false
	}
	select {
	case <-in.exited:
		return true
	default:
		return false
	}
}

// kill stops the runtime and everything it started, and waits for it. The
// group is signalled once: its id could in principle be reused later.
func (in *instance) kill() {
	in.dead = true
	if in.cmd != nil {
		in.killOnce.Do(func() { killGroup(in.cmd.Process) })
	}
	if in.exited != nil {
		<-in.exited
	}
}

// teardown releases everything the environment holds.
func (in *instance) teardown() {
	in.kill()
	if in.srv != nil {
		in.srv.close()
		in.hs.Close()
	}
	if in.logs != nil {
		in.logs.close()
	}
}

// ending is how an invocation ended, beyond its reply.
type ending struct {
	lines     []string // platform lines before END
	status    string   // REPORT's Status: timeout, error
	errorType string   // REPORT's Error Type
	duration  time.Duration
	err       error // a failure to invoke: ctx done, Function closed
}

func (in *instance) invoke(ctx context.Context, req Request) (Result, error) {
	f := in.f
	id := req.RequestID
	if id == "" {
		id = newRequestID()
	}
	var (
		rep      reply
		end      ending
		initTime time.Duration
		began    time.Time
	)
	cold := !in.warm
	if in.srv == nil {
		runErr, err := in.start()
		if err != nil {
			in.dead = true
			return Result{RequestID: id}, err
		}
		if runErr != nil {
			in.dead = true
			rep = failure("Runtime.InvalidEntrypoint", "RequestId: "+id+" Error: "+runErr.Error())
			end.status, end.errorType = "error", rep.errorType
			in.logs.write(startLine(id))
			return in.finish(id, rep, end, 0), nil
		}
	}

	if cold {
		rep, end = in.awaitInit(ctx, id)
		initTime = time.Since(in.started)
		if in.warm {
			initTime = in.srv.readyAt.Sub(in.started)
		} else {
			in.logs.write(startLine(id))
			return in.finish(id, rep, end, initTime), end.err
		}
	}

	began = time.Now()
	inv := newInvocation(id, req.Payload)
	inv.deadline = began.Add(f.cfg.Timeout)
	inv.functionARN = f.arn
	inv.traceID = req.TraceID
	if inv.traceID == "" {
		inv.traceID = newTraceID(began)
	}
	inv.clientContext, inv.cognitoIdentity = req.ClientContext, req.CognitoIdentity
	// START goes into the stream as the runtime fetches the event: after
	// anything it wrote before, before anything its handler writes. An
	// invocation that ends before the event is fetched writes it at the end.
	var once sync.Once
	start := func() { once.Do(func() { in.logs.write(startLine(id)) }) }
	inv.onFetch = start
	if err := in.srv.offer(inv); err != nil {
		in.kill()
		start()
		return in.finish(id, rep, end, initTime), err
	}

	timer := time.NewTimer(f.cfg.Timeout)
	defer timer.Stop()
	replied := false
	select {
	case rep = <-inv.reply:
		replied = true
	case <-in.exited:
		select {
		case rep = <-inv.reply: // it replied, then exited: the reply stands
			replied = true
		default:
			select {
			case <-inv.fetched:
				rep = in.exitFailure(id, &end)
			default:
				if cold { // it exited straight after init: its failure
					rep = in.exitFailure(id, &end)
					break
				}
				// It died idle, before the event reached it: nothing was
				// delivered, so another environment can take the invocation.
				in.dead = true
				return Result{}, errDiedIdle
			}
		}
	case <-timer.C:
		// A reply that came in as the timer fired (say, this process was
		// descheduled past the deadline) is in time.
		select {
		case rep = <-inv.reply:
			replied = true
		default:
			rep = in.timedOut(id, &end)
		}
	case <-ctx.Done():
		in.kill()
		end.err = ctx.Err()
	case <-f.closing:
		in.kill()
		end.err = ErrClosed
	}
	if replied {
		// Lambda's invocation lasts until the runtime asks for the next
		// event; whatever it does until then (log, exit) belongs to this one.
		select {
		case <-inv.done:
		case <-in.exited:
			in.exitFailure(id, &end)
		case <-timer.C:
			select {
			case <-inv.done:
			default:
				in.timedOut(id, &end)
			}
		case <-ctx.Done():
			in.kill()
		case <-f.closing:
			in.kill()
			end.err = ErrClosed
		}
	}
	if end.duration == 0 {
		end.duration = time.Since(began)
	}
	start()
	return in.finish(id, rep, end, initTime), end.err
}

// errDiedIdle says a warm environment's runtime had exited before it fetched
// the invocation; the invocation is retried on another environment.
var errDiedIdle = errors.New("runtimeapi: runtime exited while idle")

// awaitInit waits for the runtime's first request for an event, for at most
// Lambda's 10-second init limit (Lambda would then retry the init within the
// invocation; here the invocation fails with Sandbox.Timedout). On failure
// the returned reply is the invocation's error.
func (in *instance) awaitInit(ctx context.Context, id string) (reply, ending) {
	var end ending
	t := time.NewTimer(initTimeout)
	defer t.Stop()
	select {
	case <-in.srv.ready:
		in.warm = true
		return reply{}, end
	case rep := <-in.srv.initErr:
		// The runtime should exit now; give it a moment to say its last.
		select {
		case <-in.exited:
		case <-time.After(500 * time.Millisecond):
		}
		in.kill()
		end.status, end.errorType = "error", rep.errorType
		return rep, end
	case <-in.exited:
		return in.exitFailure(id, &end), end
	case <-t.C:
		select {
		case <-in.srv.ready:
			in.warm = true
			return reply{}, end
		default:
			return in.timedOutAfter(id, &end, initTimeout), end
		}
	case <-ctx.Done():
		in.kill()
		end.err = ctx.Err()
	case <-in.f.closing:
		in.kill()
		end.err = ErrClosed
	}
	return reply{}, end
}

// exitFailure records a runtime that exited on its own: Runtime.ExitError.
func (in *instance) exitFailure(id string, end *ending) reply {
	in.dead = true
	msg := "Runtime exited without providing a reason"
	if in.waitErr != nil {
		msg = "Runtime exited with error: " + in.waitErr.Error()
	}
	end.lines = append(end.lines, "RequestId: "+id+" Error: "+msg, "Runtime.ExitError")
	end.status, end.errorType = "error", "Runtime.ExitError"
	return failure("Runtime.ExitError", "RequestId: "+id+" Error: "+msg)
}

func (in *instance) timedOut(id string, end *ending) reply {
	return in.timedOutAfter(id, end, in.f.cfg.Timeout)
}

// timedOutAfter stops a runtime that ran out of time: Sandbox.Timedout.
func (in *instance) timedOutAfter(id string, end *ending, limit time.Duration) reply {
	in.kill()
	msg := fmt.Sprintf("Task timed out after %.2f seconds", limit.Seconds())
	end.lines = append(end.lines, time.Now().UTC().Format("2006-01-02T15:04:05.000Z")+" "+id+" "+msg)
	end.status, end.errorType = "timeout", ""
	end.duration = limit
	return failure("Sandbox.Timedout", "RequestId: "+id+" Error: "+msg)
}

// finish cuts the invocation's logs, adds Lambda's closing lines and builds
// the Result.
func (in *instance) finish(id string, rep reply, end ending, initTime time.Duration) Result {
	var mem int64
	if in.cmd != nil {
		if in.hasExited() {
			mem = peakMemory(in.cmd.Process, in.cmd.ProcessState)
		} else {
			mem = peakMemory(in.cmd.Process, nil)
		}
	}
	seg := in.logs.cut()

	var tail strings.Builder
	for _, l := range end.lines {
		tail.WriteString(l + "\n")
	}
	tail.WriteString("END RequestId: " + id + "\n")
	// Billed Duration is Duration, with Init Duration on a cold start, rounded
	// up to the millisecond: how Lambda bills a provided runtime.
	fields := []string{
		"REPORT RequestId: " + id,
		fmt.Sprintf("Duration: %.2f ms", ms(end.duration)),
		fmt.Sprintf("Billed Duration: %d ms", int64(math.Ceil(ms(end.duration+initTime)))),
		fmt.Sprintf("Memory Size: %d MB", in.f.cfg.MemorySize),
		fmt.Sprintf("Max Memory Used: %d MB", (mem+(1<<20)-1)>>20),
	}
	if initTime > 0 {
		fields = append(fields, fmt.Sprintf("Init Duration: %.2f ms", ms(initTime)))
	}
	if end.status != "" {
		fields = append(fields, "Status: "+end.status)
	}
	if end.errorType != "" {
		fields = append(fields, "Error Type: "+end.errorType)
	}
	tail.WriteString(strings.Join(fields, "\t") + "\t\n")
	if in.f.live != nil {
		in.f.live([]byte(tail.String()))
	}
	return Result{
		RequestID:     id,
		Payload:       rep.payload,
		FunctionError: rep.functionError(),
		Logs:          string(seg) + tail.String(),
		InitDuration:  initTime,
		Duration:      end.duration,
		MaxMemoryUsed: mem,
	}
}

func startLine(id string) string { return "START RequestId: " + id + " Version: " + version }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
