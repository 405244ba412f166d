package runtimeapi

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"
)

// maxLogBytes caps the log text kept for one invocation's Result. The live
// copy (Config.Logs) gets everything.
const maxLogBytes = 8 << 20

// logCapture collects a runtime process's stdout and stderr, which share one
// pipe as they share one log stream in Lambda.
//
// We keep our own copy of the pipe's write end. To cut the stream at the end
// of an invocation we write a marker into it: the runtime wrote its lines
// before it posted its reply, and a pipe is first in first out, so when the
// reader meets the marker it has every line of the invocation, with no
// polling and no guessing how long to wait. Lines we write ourselves (START)
// land in order with the runtime's own for the same reason. A marker is
// shorter than PIPE_BUF, so no write of the runtime's can split it.
type logCapture struct {
	r, w   *os.File
	marker []byte        // written with a trailing newline
	segs   chan []byte   // one per marker
	done   chan struct{} // closed when the reader stops
	live   func([]byte)  // complete lines, as they come; may be nil
}

func newLogCapture(live func([]byte)) (*logCapture, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	var tok [12]byte
	rand.Read(tok[:])
	c := &logCapture{
		r: r, w: w,
		marker: []byte("\x00runtimeapi-cut-" + hex.EncodeToString(tok[:]) + "\x00"),
		segs:   make(chan []byte, 1),
		done:   make(chan struct{}),
		live:   live,
	}
	go c.read()
	return c, nil
}

func (c *logCapture) read() {
	defer close(c.done)
	defer c.r.Close()
	br := bufio.NewReaderSize(c.r, 64<<10)
	var seg, line []byte
	dropped := 0
	add := func(b []byte) {
		if c.live != nil {
			c.live(b)
		}
		if len(seg)+len(b) <= maxLogBytes {
			seg = append(seg, b...)
		} else {
			dropped += len(b)
		}
	}
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if len(line) > 0 {
				add(line)
			}
			return
		}
		if i := bytes.Index(line, c.marker); i >= 0 {
			if i > 0 { // the runtime left a line unfinished
				add(append(line[:i:i], '\n'))
			}
			if dropped > 0 {
				seg = fmt.Appendf(seg, "[runtimeapi: %d bytes of this invocation's output not kept]\n", dropped)
			}
			c.segs <- seg
			seg, dropped = nil, 0
		} else {
			add(line)
		}
		line = line[:0]
	}
}

// write puts a line of our own into the stream.
func (c *logCapture) write(line string) { c.w.WriteString(line + "\n") }

// cut returns everything the stream carried since the previous cut.
func (c *logCapture) cut() []byte {
	if _, err := c.w.Write(append(c.marker[:len(c.marker):len(c.marker)], '\n')); err != nil {
		return nil
	}
	select {
	case seg := <-c.segs:
		return seg
	case <-c.done:
		return nil
	}
}

// close ends the stream. Output still in the pipe goes to the live writer;
// a process that escaped the kill and still holds the pipe is not waited for.
func (c *logCapture) close() {
	c.w.Close()
	select {
	case <-c.done:
	case <-time.After(100 * time.Millisecond):
		c.r.Close()
	}
}
