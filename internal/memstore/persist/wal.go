package persist

import (
	"fmt"
	"os"
	"sync"
)

// wal is the append-only log with group commit. Records are appended to a
// buffer in apply order (the caller serialises appends); a writer then
// waits until its record is on disk. The first waiter to find no flush in
// progress becomes the leader: it writes everything buffered so far with
// one write and one fsync, and every record in that batch is
// acknowledged together. So N concurrent writers cost about one fsync,
// not N, and a lone writer pays exactly one.
type wal struct {
	mu       sync.Mutex
	cond     sync.Cond
	f        *os.File
	pending  []byte // framed records not yet written
	spare    []byte // the previous batch's buffer, for reuse
	appended uint64 // records appended, ever
	durable  uint64 // records written and fsynced
	flushing bool   // a leader is writing; the others wait for it
	size     int64  // bytes in the file, pending included
	err      error  // the first write or sync failure: the log is dead
}

func newWAL(f *os.File, size int64) *wal {
	w := &wal{f: f, size: size}
	w.cond.L = &w.mu
	return w
}

// append buffers one record and returns its sequence number. The caller
// holds the store's order lock, so sequence order is apply order.
func (w *wal) append(k kind, body []byte) uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.pending)
	w.pending = appendFrame(w.pending, k, body)
	w.size += int64(len(w.pending) - n)
	w.appended++
	return w.appended
}

// last returns the sequence number of the last record appended.
func (w *wal) last() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.appended
}

// failed returns the error that killed the log, if any.
func (w *wal) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// fail kills the log: the store has applied a write it could not log.
func (w *wal) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

// bytes returns the size of the current log file, pending records
// included.
func (w *wal) bytes() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.size
}

// wait returns once record seq is durable, or with the error that stopped
// the log first.
func (w *wal) wait(seq uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.durable < seq {
		if w.err != nil {
			return w.err
		}
		if w.flushing {
			w.cond.Wait()
			continue
		}
		batch, upto, f := w.pending, w.appended, w.f
		w.pending, w.spare = w.spare[:0], nil
		w.flushing = true
		w.mu.Unlock()
		_, err := f.Write(batch)
		if err == nil {
			err = f.Sync()
		}
		w.mu.Lock()
		w.flushing = false
		if cap(batch) <= 1<<20 {
			w.spare = batch[:0]
		}
		if err != nil {
			w.err = fmt.Errorf("persist: writing %s: %w", f.Name(), err)
		} else {
			w.durable = upto
		}
		w.cond.Broadcast()
	}
	return nil
}

// rotate makes f, a new log file with its header already synced, the file
// that appends go to, once everything appended so far is durable in the
// old one. The caller holds the store's order lock, so nothing is
// appended meanwhile.
func (w *wal) rotate(f *os.File, size int64) error {
	if err := w.wait(w.last()); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	old := w.f
	w.f, w.size = f, size
	if err := old.Close(); err != nil {
		return fmt.Errorf("persist: closing %s: %w", old.Name(), err)
	}
	return nil
}

// close flushes what is pending and closes the file. Appends after close
// fail their wait.
func (w *wal) close() error {
	err := w.wait(w.last())
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return err
	}
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	w.f = nil
	if w.err == nil {
		w.err = errClosed
	}
	return err
}
