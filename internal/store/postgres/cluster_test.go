package postgres

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

var ctx = context.Background()

// Nodes that start together on a new database migrate it exactly once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := pg.DSN(t)
	const nodes = 6
	var wg sync.WaitGroup
	errs := make([]error, nodes)
	stores := make([]*Store, nodes)
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(ctx, dsn, testConfig())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	var n int
	if err := stores[0].db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	if n != len(ms) {
		t.Fatalf("%d migration rows, want %d", n, len(ms))
	}
}

// A transaction that another node's commit invalidates runs again, whole,
// after the injected backoff, and then sees that commit.
func TestUpdateRetriesSerializationFailure(t *testing.T) {
	dsn := pg.DSN(t)
	var sleeps atomic.Int32
	cfg := testConfig()
	cfg.Sleep = func(ctx context.Context, d time.Duration) error { sleeps.Add(1); return nil }
	a, b := open(t, dsn, cfg), open(t, dsn, testConfig())
	const acct = "111111111111"
	if err := a.Update(ctx, func(tx store.Tx) error {
		return tx.CreateRole(ctx, &store.Role{Account: acct, ID: "AROA1", Name: "r", Path: "/", Description: "0"})
	}); err != nil {
		t.Fatal(err)
	}
	attempts := 0
	err := a.Update(ctx, func(tx store.Tx) error {
		attempts++
		r, err := tx.GetRole(ctx, acct, "r")
		if err != nil {
			return err
		}
		if attempts == 1 { // another node changes the role meanwhile
			if err := b.Update(ctx, func(tx store.Tx) error {
				r, err := tx.GetRole(ctx, acct, "r")
				if err != nil {
					return err
				}
				r.Description += "+b"
				return tx.UpdateRole(ctx, r)
			}); err != nil {
				return err
			}
		}
		r.Description += "+a"
		return tx.UpdateRole(ctx, r)
	})
	if err != nil {
		t.Fatal(err)
	}
	if attempts != 2 || sleeps.Load() != 1 {
		t.Fatalf("%d attempts, %d backoffs; want 2 and 1", attempts, sleeps.Load())
	}
	if err := a.View(ctx, func(tx store.Tx) error {
		r, err := tx.GetRole(ctx, acct, "r")
		if err == nil && r.Description != "0+b+a" {
			err = errors.New("lost update: " + r.Description)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// Retries are bounded: a function that always conflicts ends in
// store.ErrConflict after MaxAttempts runs.
func TestUpdateGivesUp(t *testing.T) {
	cfg := testConfig()
	cfg.MaxAttempts = 3
	s := open(t, pg.DSN(t), cfg)
	runs := 0
	err := s.Update(ctx, func(tx store.Tx) error { runs++; return store.ErrConflict })
	if !errors.Is(err, store.ErrConflict) || runs != 3 {
		t.Fatalf("%d runs, %v", runs, err)
	}
	// Other errors are not retried.
	runs = 0
	if err := s.Update(ctx, func(tx store.Tx) error { runs++; return store.ErrNotFound }); !errors.Is(err, store.ErrNotFound) || runs != 1 {
		t.Fatalf("%d runs, %v", runs, err)
	}
}

// fakeClock is a settable clock.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// Another node learns of an IAM change by notification, with its clock
// standing still (so not by polling).
func TestGenerationNotified(t *testing.T) {
	dsn := pg.DSN(t)
	clock := &fakeClock{}
	cfg := testConfig()
	cfg.Now = clock.now
	a, b := open(t, dsn, testConfig()), open(t, dsn, cfg)
	waitListening(t, b)
	g0, _ := b.IAMGeneration(ctx)
	if err := a.Update(ctx, func(tx store.Tx) error {
		return tx.CreateRole(ctx, &store.Role{Account: "1", ID: "AROA1", Name: "r", Path: "/"})
	}); err != nil {
		t.Fatal(err)
	}
	ga, _ := a.IAMGeneration(ctx)
	// Bounded wait for the notification; no timing is asserted.
	for i := 0; ; i++ {
		g, err := b.IAMGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if g == ga && g > g0 {
			return
		}
		if i == 6000 {
			t.Fatalf("no notification: generation %d, the other node's %d", g, ga)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitListening waits (a bounded number of steps) for s's listener.
func waitListening(t *testing.T, s *Store) {
	for i := 0; !s.listening.Load(); i++ {
		if i == 6000 {
			t.Fatal("the listener never connected")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Without notifications a node sees another's IAM change once Poll of its
// clock has passed, and not before.
func TestGenerationPolled(t *testing.T) {
	dsn := pg.DSN(t)
	clock := &fakeClock{}
	cfg := testConfig()
	cfg.Now, cfg.NoListen, cfg.Poll = clock.now, true, 10*time.Second
	a, b := open(t, dsn, testConfig()), open(t, dsn, cfg)
	g0, _ := b.IAMGeneration(ctx)
	if err := a.Update(ctx, func(tx store.Tx) error {
		return tx.CreateRole(ctx, &store.Role{Account: "1", ID: "AROA1", Name: "r", Path: "/"})
	}); err != nil {
		t.Fatal(err)
	}
	clock.advance(5 * time.Second)
	if g, _ := b.IAMGeneration(ctx); g != g0 {
		t.Fatalf("generation %d before Poll passed, want %d", g, g0)
	}
	clock.advance(6 * time.Second)
	ga, _ := a.IAMGeneration(ctx)
	if g, _ := b.IAMGeneration(ctx); g != ga {
		t.Fatalf("generation %d after Poll, want %d", g, ga)
	}
}

// The password of the URL appears in no error and in Redact's output.
func TestPasswordNeverShown(t *testing.T) {
	dsn := "postgres://gh:s3cr3tpw@127.0.0.1:1/none?sslmode=disable&connect_timeout=1"
	if r := Redact(dsn); strings.Contains(r, "s3cr3tpw") || !strings.Contains(r, "gh:xxxxx@") {
		t.Fatalf("Redact: %s", r)
	}
	_, err := Open(ctx, dsn, testConfig())
	if err == nil || strings.Contains(err.Error(), "s3cr3tpw") || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Open of an unreachable database: %v", err)
	}
	_, err = Open(ctx, "postgres://gh:s3cr3tpw@127.0.0.1:notaport/x", testConfig())
	if err == nil || strings.Contains(err.Error(), "s3cr3tpw") {
		t.Fatalf("Open of a bad URL: %v", err)
	}
}

// A duplicate create or a colliding rename fails with store.ErrExists and
// leaves the transaction usable, as on SQLite (PostgreSQL aborts a
// transaction at its first failed statement).
func TestTransactionGoesOnAfterErrExists(t *testing.T) {
	s := open(t, pg.DSN(t), testConfig())
	const acct = "111111111111"
	if err := s.Update(ctx, func(tx store.Tx) error {
		for _, n := range []string{"a", "b"} {
			if err := tx.CreateUser(ctx, &store.User{Account: acct, ID: "AIDA" + n, Name: n, Path: "/"}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, &store.User{Account: acct, ID: "AIDAX", Name: "A", Path: "/"}); !errors.Is(err, store.ErrExists) {
			return errors.Join(errors.New("duplicate create"), err)
		}
		if err := tx.UpdateUser(ctx, &store.User{Account: acct, ID: "AIDAb", Name: "A", Path: "/"}); !errors.Is(err, store.ErrExists) {
			return errors.Join(errors.New("colliding rename"), err)
		}
		return tx.CreateUser(ctx, &store.User{Account: acct, ID: "AIDAc", Name: "c", Path: "/"})
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.View(ctx, func(tx store.Tx) error {
		u, err := tx.GetUserByID(ctx, acct, "AIDAb")
		if err == nil && u.Name != "b" {
			return errors.New("the failed rename was kept: " + u.Name)
		}
		if err == nil {
			_, err = tx.GetUser(ctx, acct, "c")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
