// Package storefault wraps a store.Store for tests that need the store to
// misbehave on cue: it fails the Nth call of a chosen method with a chosen
// error, and it pauses a chosen call until the test releases it, telling
// the test when the call has arrived. Tests use it to prove that a request
// fails closed when a store read fails, and to make a race with a cache
// deterministic (a request loads policies and pauses; an admin changes a
// policy; the request resumes).
//
// Methods are named as in package store: the Store's own ("View",
// "Update", "IAMGeneration", "Close") and every method of store.Tx
// ("GetPolicy", "ListAttachedPolicies", ...). Calls to a Tx method are
// counted across all transactions of the Store. A call nobody configured
// is delegated unchanged, so the wrapped store passes the storetest
// conformance suite.
package storefault

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Store is a store.Store that delegates to another one, failing and
// pausing the calls its rules select. It is safe for concurrent use.
type Store struct {
	inner store.Store

	mu    sync.Mutex
	calls map[string]int
	rules []*rule
}

var _ store.Store = (*Store)(nil)

// rule selects calls of one method: the nth call after the rule was made,
// or every call when nth is 0.
type rule struct {
	method string
	nth    int
	seen   int // calls of method since the rule was made
	err    error
	gate   *Gate
	after  bool // pause after the wrapped call returned
}

// New wraps inner; with no rules every call is delegated unchanged.
func New(inner store.Store) *Store {
	return &Store{inner: inner, calls: map[string]int{}}
}

// FailNth makes the nth call (1 for the next one) of method, counted from
// now, return err without reaching the wrapped store. The other results of
// a failed Tx method are zero values.
func (s *Store) FailNth(method string, n int, err error) {
	mustPositive(n)
	s.add(&rule{method: method, nth: n, err: err})
}

// FailEvery makes every call of method from now on return err without
// reaching the wrapped store.
func (s *Store) FailEvery(method string, err error) {
	s.add(&rule{method: method, err: err})
}

// PauseBefore makes the nth call (1 for the next one) of method, counted
// from now, wait before it reaches the wrapped store until the Gate is
// released or the call's context is done (the call then returns the
// context's error).
func (s *Store) PauseBefore(method string, n int) *Gate {
	mustPositive(n)
	g := newGate()
	s.add(&rule{method: method, nth: n, gate: g})
	return g
}

// PauseEvery makes every call of method from now on wait before it
// reaches the wrapped store until the Gate is released or the call's
// context is done. Arrived is closed by the first call to arrive. Use it
// rather than PauseBefore when calls from elsewhere in the process (a
// background sweep) may come first and take a one-call pause.
func (s *Store) PauseEvery(method string) *Gate {
	g := newGate()
	s.add(&rule{method: method, gate: g})
	return g
}

// PauseAfter makes the nth call (1 for the next one) of method, counted
// from now, wait after the wrapped store returned and before returning to
// its caller, until the Gate is released or the call's context is done
// (the call then returns the context's error). For a Tx method the
// transaction is still open while the call waits; a paused call inside an
// Update may hold the wrapped store's writer (SQLite's Updates all wait).
func (s *Store) PauseAfter(method string, n int) *Gate {
	mustPositive(n)
	g := newGate()
	s.add(&rule{method: method, nth: n, gate: g, after: true})
	return g
}

// Calls returns how many calls of method were made since New, including
// failed and paused ones.
func (s *Store) Calls(method string) int {
	mustKnow(method)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

func (s *Store) add(r *rule) {
	mustKnow(r.method)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, r)
}

func mustPositive(n int) {
	if n < 1 {
		panic(fmt.Sprintf("storefault: call number %d; the first call is 1", n))
	}
}

// mustKnow panics unless method is a method of store.Store or store.Tx, so
// a misspelt name fails the test instead of never matching.
func mustKnow(method string) {
	if _, ok := reflect.TypeFor[store.Store]().MethodByName(method); ok {
		return
	}
	if _, ok := reflect.TypeFor[store.Tx]().MethodByName(method); ok {
		return
	}
	panic(fmt.Sprintf("storefault: store.Store and store.Tx have no method %q", method))
}

// match counts a call of method and returns what the rules make of it: the
// gates to wait at before and after the wrapped call, and the error to fail
// it with (nil: delegate). A rule for the nth call is spent once matched.
func (s *Store) match(method string) (before, after []*Gate, fail error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	kept := s.rules[:0]
	for _, r := range s.rules {
		if r.method != method {
			kept = append(kept, r)
			continue
		}
		r.seen++
		hit := r.nth == 0 || r.seen == r.nth
		if r.nth == 0 || r.seen < r.nth {
			kept = append(kept, r)
		}
		if !hit {
			continue
		}
		switch {
		case r.gate != nil && r.after:
			after = append(after, r.gate)
		case r.gate != nil:
			before = append(before, r.gate)
		case fail == nil:
			fail = r.err
		}
	}
	clear(s.rules[len(kept):])
	s.rules = kept
	return before, after, fail
}

// call runs one call of method through the rules: pause before, fail or
// delegate to fn, pause after.
func (s *Store) call(ctx context.Context, method string, fn func() error) error {
	before, after, fail := s.match(method)
	for _, g := range before {
		if err := g.wait(ctx); err != nil {
			return err
		}
	}
	if fail != nil {
		return fail
	}
	err := fn()
	for _, g := range after {
		if werr := g.wait(ctx); werr != nil {
			return werr
		}
	}
	return err
}

// View runs fn in a read transaction of the wrapped store, through a Tx
// whose every method is subject to the rules.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.call(ctx, "View", func() error {
		return s.inner.View(ctx, func(t store.Tx) error { return fn(&tx{inner: t, s: s}) })
	})
}

// Update runs fn in a write transaction of the wrapped store, through a Tx
// whose every method is subject to the rules.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.call(ctx, "Update", func() error {
		return s.inner.Update(ctx, func(t store.Tx) error { return fn(&tx{inner: t, s: s}) })
	})
}

// IAMGeneration returns the wrapped store's generation.
func (s *Store) IAMGeneration(ctx context.Context) (int64, error) {
	var g int64
	err := s.call(ctx, "IAMGeneration", func() error {
		var err error
		g, err = s.inner.IAMGeneration(ctx)
		return err
	})
	return g, err
}

// Close closes the wrapped store.
func (s *Store) Close() error {
	return s.call(context.Background(), "Close", s.inner.Close)
}

// Gate holds one paused call. A test that makes one releases it (defer
// g.Release()) so that a call it never waited for does not stay blocked.
type Gate struct {
	arrived     chan struct{}
	release     chan struct{}
	arriveOnce  sync.Once
	releaseOnce sync.Once
}

func newGate() *Gate {
	return &Gate{arrived: make(chan struct{}), release: make(chan struct{})}
}

// Arrived is closed when the paused call has arrived at the gate.
func (g *Gate) Arrived() <-chan struct{} { return g.arrived }

// Release lets the paused call go on (at once, if it has not arrived
// yet). Calling it again does nothing.
func (g *Gate) Release() { g.releaseOnce.Do(func() { close(g.release) }) }

func (g *Gate) wait(ctx context.Context) error {
	g.arriveOnce.Do(func() { close(g.arrived) })
	select {
	case <-g.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
