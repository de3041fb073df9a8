package storefault

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

var ctx = context.Background()

var errBoom = errors.New("injected")

func openSQLite(t testing.TB, dir string) store.Store {
	s, err := sqlite.Open(filepath.Join(dir, "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newStore is a storefault Store over a fresh SQLite store with one user
// and one policy.
func newStore(t *testing.T) *Store {
	s := New(openSQLite(t, t.TempDir()))
	t.Cleanup(func() { s.Close() })
	if err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, &store.User{Account: "111111111111", ID: "AIDA1", Name: "alice", Path: "/"}); err != nil {
			return err
		}
		return tx.CreatePolicy(ctx, &store.ManagedPolicy{Account: "111111111111", ID: "ANPA1", ARN: policyARN, Name: "p", Path: "/", DefaultVersionID: "v1"},
			&store.PolicyVersion{PolicyARN: policyARN, VersionID: "v1", Document: "allow"})
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

const policyARN = "arn:aws:iam::111111111111:policy/p"

func getUser(s store.Store) error {
	return s.View(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, "111111111111", "alice")
		if err == nil && u.ID != "AIDA1" {
			return errors.New("wrong user " + u.ID)
		}
		return err
	})
}

// With no rules, the wrapped store is the store: the conformance suite
// passes through it.
func TestConformanceWithoutFaults(t *testing.T) {
	storetest.Run(t, func(t testing.TB, dir string) store.Store { return New(openSQLite(t, dir)) })
}

func TestFailNthCountsFromTheRule(t *testing.T) {
	s := newStore(t)
	if err := getUser(s); err != nil {
		t.Fatal(err)
	}
	s.FailNth("GetUser", 2, errBoom)
	for i, want := range []error{nil, errBoom, nil, nil} {
		if err := getUser(s); !errors.Is(err, want) || (want == nil && err != nil) {
			t.Fatalf("call %d after the rule: %v, want %v", i+1, err, want)
		}
	}
	if n := s.Calls("GetUser"); n != 5 {
		t.Fatalf("Calls(GetUser) = %d, want 5", n)
	}
	if n := s.Calls("View"); n != 5 {
		t.Fatalf("Calls(View) = %d, want 5", n)
	}
}

func TestFailStoreMethods(t *testing.T) {
	s := newStore(t)
	s.FailNth("View", 1, errBoom)
	ran := false
	if err := s.View(ctx, func(store.Tx) error { ran = true; return nil }); !errors.Is(err, errBoom) || ran {
		t.Fatalf("failed View: %v, ran its function: %v", err, ran)
	}
	s.FailNth("Update", 1, errBoom)
	if err := s.Update(ctx, func(store.Tx) error { ran = true; return nil }); !errors.Is(err, errBoom) || ran {
		t.Fatalf("failed Update: %v, ran its function: %v", err, ran)
	}
	g0, err := s.IAMGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.FailNth("IAMGeneration", 1, errBoom)
	if g, err := s.IAMGeneration(ctx); !errors.Is(err, errBoom) || g != 0 {
		t.Fatalf("failed IAMGeneration: %d %v", g, err)
	}
	if g, err := s.IAMGeneration(ctx); err != nil || g != g0 {
		t.Fatalf("IAMGeneration after the failure: %d %v, want %d", g, err, g0)
	}
}

func TestFailEvery(t *testing.T) {
	s := newStore(t)
	s.FailEvery("GetUser", store.ErrNotFound)
	for range 3 {
		if err := getUser(s); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetUser: %v", err)
		}
	}
	// Other methods are untouched.
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetUserByID(ctx, "111111111111", "AIDA1"); return err }); err != nil {
		t.Fatal(err)
	}
}

// A failed write inside an Update rolls the whole Update back.
func TestFailedWriteRollsBack(t *testing.T) {
	s := newStore(t)
	s.FailNth("AttachPolicy", 1, errBoom)
	owner := store.EntityRef{Account: "111111111111", Kind: store.KindUser, ID: "AIDA1"}
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutInlinePolicy(ctx, &store.InlinePolicy{Owner: owner, Name: "i", Document: "d"}); err != nil {
			return err
		}
		return tx.AttachPolicy(ctx, owner, policyARN)
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update: %v", err)
	}
	if err := s.View(ctx, func(tx store.Tx) error {
		_, err := tx.GetInlinePolicy(ctx, owner, "i")
		if !errors.Is(err, store.ErrNotFound) {
			return errors.New("the write before the failure was kept")
		}
		att, err := tx.ListAttachedPolicies(ctx, owner)
		if err != nil || len(att) != 0 {
			return errors.New("the failed attachment was kept")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// errReached is what a sink Tx returns from every method.
var errReached = errors.New("reached the wrapped Tx")

// sink is a storefault Store whose Tx methods all fail with errReached, so
// a Tx over it (with a nil wrapped Tx) records each call and reaches
// nothing.
func sink() *Store {
	s := New(nil)
	txType := reflect.TypeFor[store.Tx]()
	for i := range txType.NumMethod() {
		s.FailEvery(txType.Method(i).Name, errReached)
	}
	return s
}

// Every Tx method can be failed by its name, and then reaches nothing.
func TestEveryTxMethodIsInjectable(t *testing.T) {
	s, rec := New(nil), sink()
	ft := &tx{inner: &tx{inner: nil, s: rec}, s: s}
	txType := reflect.TypeFor[store.Tx]()
	for i := range txType.NumMethod() {
		m := txType.Method(i)
		s.FailNth(m.Name, 1, errBoom)
		out := call(ft, m.Name)
		if err, _ := out[len(out)-1].Interface().(error); !errors.Is(err, errBoom) {
			t.Errorf("%s: %v, want the injected error", m.Name, err)
		}
		for _, v := range out[:len(out)-1] {
			if !v.IsZero() {
				t.Errorf("%s: a failed call returned %v", m.Name, v)
			}
		}
		if n := s.Calls(m.Name); n != 1 {
			t.Errorf("Calls(%s) = %d", m.Name, n)
		}
		if n := rec.Calls(m.Name); n != 0 {
			t.Errorf("a failed %s reached the wrapped Tx", m.Name)
		}
	}
}

// Every Tx method delegates to the same method of the wrapped Tx: here the
// wrapped Tx is a sink that records the call.
func TestEveryTxMethodDelegatesToItself(t *testing.T) {
	txType := reflect.TypeFor[store.Tx]()
	for i := range txType.NumMethod() {
		name := txType.Method(i).Name
		rec := sink()
		outer := &tx{inner: &tx{inner: nil, s: rec}, s: New(nil)}
		out := call(outer, name)
		if err, _ := out[len(out)-1].Interface().(error); !errors.Is(err, errReached) {
			t.Errorf("%s: %v, want the wrapped Tx's error", name, err)
		}
		for j := range txType.NumMethod() {
			other := txType.Method(j).Name
			want := 0
			if other == name {
				want = 1
			}
			if n := rec.Calls(other); n != want {
				t.Errorf("%s reached the wrapped %s %d times", name, other, n)
			}
		}
	}
}

// call calls method on x with a context and zero values for the rest.
func call(x store.Tx, method string) []reflect.Value {
	m := reflect.ValueOf(x).MethodByName(method)
	args := make([]reflect.Value, m.Type().NumIn())
	args[0] = reflect.ValueOf(ctx)
	for i := 1; i < len(args); i++ {
		args[i] = reflect.Zero(m.Type().In(i))
	}
	return m.Call(args)
}

func TestPauseBeforeBlocksUntilReleased(t *testing.T) {
	s := newStore(t)
	g := s.PauseBefore("GetUser", 1)
	defer g.Release()
	done := make(chan error, 1)
	go func() { done <- getUser(s) }()
	<-g.Arrived()
	select {
	case err := <-done:
		t.Fatalf("the paused call returned before its release: %v", err)
	default:
	}
	// Other calls go through while one is paused.
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetUserByID(ctx, "111111111111", "AIDA1"); return err }); err != nil {
		t.Fatal(err)
	}
	g.Release()
	if err := <-done; err != nil {
		t.Fatalf("released call: %v", err)
	}
	// The rule is spent: the next call does not pause.
	if err := getUser(s); err != nil {
		t.Fatal(err)
	}
}

// The cache race later tests stage: a request has read a policy and is
// paused; an admin deletes the policy meanwhile; the request resumes with
// what it read.
func TestPauseAfterHoldsTheResult(t *testing.T) {
	s := newStore(t)
	g := s.PauseAfter("GetPolicyVersion", 1)
	defer g.Release()
	done := make(chan string, 1)
	go func() {
		var doc string
		err := s.View(ctx, func(tx store.Tx) error {
			v, err := tx.GetPolicyVersion(ctx, policyARN, "v1")
			if err == nil {
				doc = v.Document
			}
			return err
		})
		if err != nil {
			doc = "error: " + err.Error()
		}
		done <- doc
	}()
	<-g.Arrived()
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.DeletePolicy(ctx, policyARN) }); err != nil {
		t.Fatalf("the admin's delete while a read is paused: %v", err)
	}
	g.Release()
	if doc := <-done; doc != "allow" {
		t.Fatalf("the paused read returned %q", doc)
	}
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetPolicy(ctx, policyARN); return err }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after the delete: %v", err)
	}
}

func TestPausedCallHonoursItsContext(t *testing.T) {
	s := newStore(t)
	g := s.PauseBefore("View", 1)
	defer g.Release()
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	ran := false
	go func() { done <- s.View(cctx, func(store.Tx) error { ran = true; return nil }) }()
	<-g.Arrived()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("cancelled paused View: %v, ran its function: %v", err, ran)
	}
}

func TestReleaseBeforeArrivalDoesNotBlock(t *testing.T) {
	s := newStore(t)
	g := s.PauseBefore("IAMGeneration", 1)
	g.Release()
	g.Release() // idempotent
	if _, err := s.IAMGeneration(ctx); err != nil {
		t.Fatal(err)
	}
	<-g.Arrived()
}

func TestUnknownMethodOrCallNumberPanics(t *testing.T) {
	s := New(nil)
	for name, f := range map[string]func(){
		"misspelt method": func() { s.FailNth("GetPolicies", 1, errBoom) },
		"call zero":       func() { s.PauseBefore("GetPolicy", 0) },
		"Calls":           func() { s.Calls("Nope") },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "storefault:") {
					t.Errorf("%s: recovered %v", name, r)
				}
			}()
			f()
		}()
	}
}

// PauseEvery holds every call, not just the first, until the release; later
// calls then go straight through.
func TestPauseEveryHoldsAllCalls(t *testing.T) {
	s := newStore(t)
	g := s.PauseEvery("GetUser")
	defer g.Release()
	done := make(chan error, 3)
	for range 3 {
		go func() { done <- getUser(s) }()
	}
	<-g.Arrived()
	// Other methods are not held.
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetUserByID(ctx, "111111111111", "AIDA1"); return err }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		t.Fatalf("a held call returned before the release: %v", err)
	default:
	}
	g.Release()
	for range 3 {
		if err := <-done; err != nil {
			t.Fatalf("released call: %v", err)
		}
	}
	if err := getUser(s); err != nil {
		t.Fatal(err)
	}
}
