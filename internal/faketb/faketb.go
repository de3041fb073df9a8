// Package faketb is a testing.TB that records failures instead of failing
// the test that uses it. A conformance suite's own tests run the suite's
// cases against a deliberately broken backend under a recorder and assert
// that the suite noticed (storetest, blobtest).
//
// Run calls the function on a goroutine of its own, as package testing does:
// FailNow, Fatal, Fatalf, SkipNow, Skip and Skipf stop it with
// runtime.Goexit, a panic is recovered and recorded as a failure, and the
// functions registered with Cleanup run when it ends. Everything else
// (TempDir, Setenv, Context, ...) is the real test's.
package faketb

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
)

// T records the outcome of one Run. It is safe for concurrent use, like
// *testing.T.
type T struct {
	testing.TB // the real test
	name       string

	mu       sync.Mutex
	failed   bool
	skipped  bool
	panicked string
	messages []string
	cleanups []func()
}

var _ testing.TB = (*T)(nil)

// Run calls fn with a recording T named parent.Name()+"/"+name and returns
// the T once fn has returned or stopped.
func Run(parent testing.TB, name string, fn func(testing.TB)) *T {
	t := &T{TB: parent, name: parent.Name() + "/" + name}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer t.runCleanups()
		defer func() {
			if r := recover(); r != nil {
				t.mu.Lock()
				t.failed = true
				t.panicked = fmt.Sprintf("%v\n%s", r, debug.Stack())
				t.mu.Unlock()
			}
		}()
		fn(t)
	}()
	<-done
	return t
}

func (t *T) runCleanups() {
	for {
		t.mu.Lock()
		n := len(t.cleanups)
		if n == 0 {
			t.mu.Unlock()
			return
		}
		f := t.cleanups[n-1]
		t.cleanups = t.cleanups[:n-1]
		t.mu.Unlock()
		f()
	}
}

func (t *T) record(failed bool, msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if failed {
		t.failed = true
	}
	t.messages = append(t.messages, msg)
}

// Panicked returns the recovered panic value and stack, "" if fn did not
// panic.
func (t *T) Panicked() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.panicked
}

// Messages returns everything logged and reported, in order.
func (t *T) Messages() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.messages...)
}

// Report is the messages and any panic as one string, for the real test's
// own failure messages.
func (t *T) Report() string {
	out := strings.Join(t.Messages(), "\n")
	if p := t.Panicked(); p != "" {
		out += "\npanic: " + p
	}
	return out
}

func (t *T) Name() string { return t.name }
func (t *T) Helper()      {}

func (t *T) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

func (t *T) Fail() { t.record(true, "Fail") }

func (t *T) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

func (t *T) FailNow() {
	t.record(true, "FailNow")
	runtime.Goexit()
}

func (t *T) Log(args ...any)                 { t.record(false, fmt.Sprintln(args...)) }
func (t *T) Logf(format string, args ...any) { t.record(false, fmt.Sprintf(format, args...)) }
func (t *T) Error(args ...any)               { t.record(true, fmt.Sprintln(args...)) }
func (t *T) Errorf(format string, args ...any) {
	t.record(true, fmt.Sprintf(format, args...))
}

func (t *T) Fatal(args ...any) {
	t.record(true, fmt.Sprintln(args...))
	runtime.Goexit()
}

func (t *T) Fatalf(format string, args ...any) {
	t.record(true, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (t *T) Skip(args ...any) {
	t.record(false, fmt.Sprintln(args...))
	t.SkipNow()
}

func (t *T) Skipf(format string, args ...any) {
	t.record(false, fmt.Sprintf(format, args...))
	t.SkipNow()
}

func (t *T) SkipNow() {
	t.mu.Lock()
	t.skipped = true
	t.mu.Unlock()
	runtime.Goexit()
}

func (t *T) Skipped() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.skipped
}

// RunAll runs n functions under recorders, at most parallel at a time, and
// returns the recorders in order: fn(i, tb) is the i-th run, named name(i).
func RunAll(parent testing.TB, n, parallel int, name func(i int) string, fn func(i int, tb testing.TB)) []*T {
	recs := make([]*T, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(parallel, 1))
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			recs[i] = Run(parent, name(i), func(tb testing.TB) { fn(i, tb) })
		})
	}
	wg.Wait()
	return recs
}
