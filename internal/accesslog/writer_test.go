package accesslog

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowWriter records every underlying write, and can be held.
type slowWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
	gate   chan struct{} // when not nil, each write waits for a value
}

func (w *slowWriter) Write(p []byte) (int, error) {
	if w.gate != nil {
		<-w.gate
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	return w.buf.Write(p)
}

func TestWriterKeepsEveryLineWholeAndInOrder(t *testing.T) {
	out := &slowWriter{}
	w := NewWriter(out, 64, 0)
	var want strings.Builder
	for i := 0; i < 1000; i++ {
		line := fmt.Sprintf("line %04d %s\n", i, strings.Repeat("x", i%50))
		want.WriteString(line)
		if n, err := w.Write([]byte(line)); n != len(line) || err != nil {
			t.Fatalf("Write: %d %v", n, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.buf.String() != want.String() {
		t.Fatal("the lines written differ from the lines given")
	}
	if _, err := w.Write([]byte("late\n")); err == nil {
		t.Fatal("Write after Close succeeded")
	}
	if err := w.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

// Writers that would queue past the limit wait while the underlying
// writer is stuck, and go on once it moves; lines queued meanwhile share
// underlying writes.
func TestWriterLimitAndBatching(t *testing.T) {
	out := &slowWriter{gate: make(chan struct{})}
	w := NewWriter(out, 100, 0)
	line := []byte(strings.Repeat("y", 39) + "\n")
	w.Write(line) // taken by the goroutine, which waits at the gate
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.Write(line)
		}()
	}
	queued := func() int {
		w.mu.Lock()
		defer w.mu.Unlock()
		return len(w.queued)
	}
	// Two more lines fit in the limit; the others wait.
	for try := 0; queued() < 2*len(line); try++ {
		if try == 100000 {
			t.Fatalf("%d bytes queued", queued())
		}
		runtime.Gosched()
	}
	for i := 0; i < 100; i++ {
		if n := queued(); n > 100 {
			t.Fatalf("%d bytes queued past the limit of 100", n)
		}
		runtime.Gosched()
	}
	close(out.gate) // the writer moves
	wg.Wait()
	w.Close()
	if got := out.buf.Len(); got != 11*len(line) {
		t.Fatalf("%d bytes written, want %d", got, 11*len(line))
	}
	if out.writes >= 11 {
		t.Fatalf("%d writes for 11 lines: no line shared a write", out.writes)
	}
}

func TestWriterCloseWritesQueued(t *testing.T) {
	out := &slowWriter{}
	w := NewWriter(out, 1<<20, 0)
	io.WriteString(w, "a\n")
	io.WriteString(w, "b\n")
	w.Close()
	if out.buf.String() != "a\nb\n" {
		t.Fatalf("%q", out.buf.String())
	}
}

// Lines written while the goroutine waits out its delay share one write;
// Close cuts the wait short.
func TestWriterDelayGathersLines(t *testing.T) {
	out := &slowWriter{}
	w := NewWriter(out, 1<<20, time.Hour)
	for i := 0; i < 10; i++ {
		fmt.Fprintf(w, "line %d\n", i)
	}
	w.Close()
	if out.writes != 1 || strings.Count(out.buf.String(), "\n") != 10 {
		t.Fatalf("%d writes: %q", out.writes, out.buf.String())
	}
}

// Half the limit queued: the goroutine writes without waiting out its
// delay, so that writers never wait for the timer.
func TestWriterHurriesWhenHalfFull(t *testing.T) {
	out := &slowWriter{}
	w := NewWriter(out, 100, time.Hour)
	defer w.Close()
	w.Write([]byte(strings.Repeat("z", 59) + "\n"))
	for try := 0; ; try++ {
		out.mu.Lock()
		n := out.writes
		out.mu.Unlock()
		if n == 1 {
			break
		}
		if try == 1000000 {
			t.Fatal("half the limit queued and nothing written")
		}
		runtime.Gosched()
	}
}
