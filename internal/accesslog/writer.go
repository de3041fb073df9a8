package accesslog

import (
	"io"
	"sync"
)

// Writer hands the bytes of many Write calls to one goroutine, which
// writes whatever has queued up in one call to the underlying writer:
// under load many access-log lines cost one system call, and a line
// written alone is written at once (there is no timer). Write copies p
// and returns without waiting for the underlying write unless more than
// the limit is queued (a stuck disk or pipe then slows requests down
// rather than lose lines or grow without bound). A Write is passed on
// whole, never split. Close writes what is queued and stops.
type Writer struct {
	w     io.Writer
	limit int

	mu      sync.Mutex
	queued  []byte
	spare   []byte
	drained *sync.Cond // signalled after each underlying write
	closed  bool

	wake chan struct{} // capacity 1: there is something to write
	done chan struct{} // closed when the goroutine has stopped
}

var _ io.WriteCloser = (*Writer)(nil)

// NewWriter starts a Writer over w that queues at most limit bytes.
func NewWriter(w io.Writer, limit int) *Writer {
	x := &Writer{w: w, limit: limit, wake: make(chan struct{}, 1), done: make(chan struct{})}
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
	x.mu.Unlock()
	select {
	case x.wake <- struct{}{}:
	default: // already woken
	}
	return len(p), nil
}

func (x *Writer) run() {
	defer close(x.done)
	for range x.wake {
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
	case x.wake <- struct{}{}:
	default:
	}
	<-x.done
	return nil
}
