package accesslog

import (
	"io"
	"sync"
	"time"
)

// Writer hands the bytes of many Write calls to one goroutine, which
// writes whatever has queued up in one call to the underlying writer:
// under load many access-log lines cost one system call. Woken by a
// Write, the goroutine waits for the delay (or until half the limit is
// queued) before it writes, so that the lines of that moment share the
// call: a line reaches the underlying writer at most about the delay
// after it was written. Write copies p and returns without waiting for
// the underlying write unless more than the limit is queued (a stuck disk
// or pipe then slows requests down rather than lose lines or grow without
// bound). A Write is passed on whole, never split. Close writes what is
// queued and stops.
type Writer struct {
	w     io.Writer
	limit int
	delay time.Duration

	mu      sync.Mutex
	queued  []byte
	spare   []byte
	drained *sync.Cond // signalled after each underlying write
	closed  bool

	wake  chan struct{} // capacity 1: there is something to write
	hurry chan struct{} // capacity 1: write now (half the limit queued, or closing)
	done  chan struct{} // closed when the goroutine has stopped
}

var _ io.WriteCloser = (*Writer)(nil)

// NewWriter starts a Writer over w that queues at most limit bytes and
// writes them at most about delay after they were queued (0: at once).
func NewWriter(w io.Writer, limit int, delay time.Duration) *Writer {
	x := &Writer{w: w, limit: limit, delay: delay, wake: make(chan struct{}, 1), hurry: make(chan struct{}, 1), done: make(chan struct{})}
	x.drained = sync.NewCond(&x.mu)
	go x.run()
	return x
}

// Write queues p. It fails only after Close.
func (x *Writer) Write(p []byte) (int, error) {
	x.mu.Lock()
	for len(x.queued) > 0 && len(x.queued)+len(p) > x.limit && !x.closed {
		x.drained.Wait()
	}
	if x.closed {
		x.mu.Unlock()
		return 0, io.ErrClosedPipe
	}
	x.queued = append(x.queued, p...)
	full := len(x.queued) >= x.limit/2
	x.mu.Unlock()
	select {
	case x.wake <- struct{}{}:
	default: // already woken
	}
	if full {
		select {
		case x.hurry <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// wait lets the lines of the next delay join the batch, unless told to
// hurry.
func (x *Writer) wait() {
	if x.delay <= 0 {
		return
	}
	t := time.NewTimer(x.delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-x.hurry:
	}
}

func (x *Writer) run() {
	defer close(x.done)
	for range x.wake {
		x.wait()
		for {
			x.mu.Lock()
			if len(x.queued) == 0 {
				closed := x.closed
				x.mu.Unlock()
				if closed {
					return
				}
				break
			}
			batch := x.queued
			x.queued, x.spare = x.spare[:0], nil
			x.mu.Unlock()
			// An error of the underlying writer (a closed stderr) has
			// nowhere to be reported; the lines are dropped.
			_, _ = x.w.Write(batch)
			x.mu.Lock()
			x.spare = batch
			x.drained.Broadcast()
			x.mu.Unlock()
		}
	}
}

// Close writes what is queued, stops the goroutine and waits for it.
// Later Writes fail.
func (x *Writer) Close() error {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		<-x.done
		return nil
	}
	x.closed = true
	x.drained.Broadcast()
	x.mu.Unlock()
	select {
	case x.hurry <- struct{}{}:
	default:
	}
	select {
	case x.wake <- struct{}{}:
	default:
	}
	<-x.done
	return nil
}
