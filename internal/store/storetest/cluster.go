package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// testLeases: a lease has one holder at a time until it lapses; its holder
// renews it; another takes it only once it expired; release frees it; a
// lease taken in a rolled-back transaction was never taken; of many
// concurrent takers exactly one wins.
func testLeases(t testing.TB, open Opener) {
	s := open(t, t.TempDir())
	acquire := func(name, holder string, now time.Time, ttl time.Duration) bool {
		t.Helper()
		var ok bool
		update(t, s, func(tx store.Tx) error {
			var err error
			ok, err = tx.AcquireLease(ctx, name, holder, now, now.Add(ttl))
			return err
		})
		return ok
	}
	lease := func(name string) (string, time.Time, error) {
		t.Helper()
		var holder string
		var until time.Time
		var err error
		view(t, s, func(tx store.Tx) error {
			holder, until, err = tx.GetLease(ctx, name)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		})
		return holder, until, err
	}
	if _, _, err := lease("sweeper"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a lease nobody took: %v", err)
	}
	if !acquire("sweeper", "node-a", t0, time.Minute) {
		t.Fatal("a free lease was not taken")
	}
	if h, until, err := lease("sweeper"); err != nil || h != "node-a" || !until.Equal(t0.Add(time.Minute)) {
		t.Fatalf("the lease taken: %q %v %v", h, until, err)
	}
	if acquire("sweeper", "node-b", t0.Add(30*time.Second), time.Minute) {
		t.Fatal("another holder took a lease that had not lapsed")
	}
	if !acquire("lifecycle", "node-b", t0, time.Minute) {
		t.Fatal("leases of other names are independent")
	}
	if !acquire("sweeper", "node-a", t0.Add(50*time.Second), time.Minute) {
		t.Fatal("the holder could not renew its lease")
	}
	// Renewed until t0+110s: still node-a's at t0+100s.
	if acquire("sweeper", "node-b", t0.Add(100*time.Second), time.Minute) {
		t.Fatal("a renewed lease was taken before it lapsed")
	}
	if !acquire("sweeper", "node-b", t0.Add(110*time.Second), time.Minute) {
		t.Fatal("a lapsed lease was not taken")
	}
	if h, until, err := lease("sweeper"); err != nil || h != "node-b" || !until.Equal(t0.Add(170*time.Second)) {
		t.Fatalf("the lease after another took it: %q %v %v", h, until, err)
	}
	update(t, s, func(tx store.Tx) error { return tx.ReleaseLease(ctx, "sweeper", "node-a") }) // not node-a's: nothing
	if acquire("sweeper", "node-a", t0.Add(120*time.Second), time.Minute) {
		t.Fatal("a release by a former holder freed the lease")
	}
	update(t, s, func(tx store.Tx) error { return tx.ReleaseLease(ctx, "sweeper", "node-b") })
	if _, _, err := lease("sweeper"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a released lease: %v", err)
	}
	if !acquire("sweeper", "node-a", t0.Add(121*time.Second), time.Minute) {
		t.Fatal("a released lease was not free")
	}
	errAbort := errors.New("abort")
	if err := updateErr(t, s, func(tx store.Tx) error {
		if ok, err := tx.AcquireLease(ctx, "rolled-back", "node-a", t0, t0.Add(time.Hour)); !ok || err != nil {
			return fmt.Errorf("take: %v %v", ok, err)
		}
		return errAbort
	}); !errors.Is(err, errAbort) {
		t.Fatalf("the rolled-back update answered %v", err)
	}
	if !acquire("rolled-back", "node-b", t0, time.Minute) {
		t.Fatal("a lease taken in a rolled-back transaction stayed taken")
	}

	// Concurrent takers of a free lease: exactly one wins.
	var mu sync.Mutex
	var winners []string
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			holder := fmt.Sprintf("racer-%d", i)
			var ok bool
			err := s.Update(ctx, func(tx store.Tx) error {
				var err error
				ok, err = tx.AcquireLease(ctx, "race", holder, t0, t0.Add(time.Minute))
				return err
			})
			if err != nil && !errors.Is(err, store.ErrConflict) {
				t.Errorf("%s: %v", holder, err)
				return
			}
			if ok && err == nil {
				mu.Lock()
				winners = append(winners, holder)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("concurrent takers of one lease: winners %v", winners)
	}
}

// testFreedBlobs: freed keys come back due by their time, oldest first, in
// pages; a key freed twice keeps its first time; dropped keys are gone; a
// rolled-back free never happened.
func testFreedBlobs(t testing.TB, open Opener) {
	s := open(t, t.TempDir())
	update(t, s, func(tx store.Tx) error {
		if err := tx.AddFreedBlobs(ctx, []string{"b", "a"}, t0.Add(time.Minute)); err != nil {
			return err
		}
		if err := tx.AddFreedBlobs(ctx, []string{"c"}, t0); err != nil {
			return err
		}
		return tx.AddFreedBlobs(ctx, []string{"c"}, t0.Add(time.Hour)) // keeps t0
	})
	due := func(before time.Time, limit int) []string {
		t.Helper()
		var keys []string
		view(t, s, func(tx store.Tx) error {
			var err error
			keys, err = tx.ListFreedBlobs(ctx, before, limit)
			return err
		})
		return keys
	}
	if got := due(t0.Add(-time.Second), 10); len(got) != 0 {
		t.Fatalf("due before any was freed: %v", got)
	}
	if got := due(t0, 10); !slices.Equal(got, []string{"c"}) {
		t.Fatalf("due at t0: %v (a second free must keep the first time)", got)
	}
	if got := due(t0.Add(time.Minute), 2); !slices.Equal(got, []string{"c", "a"}) {
		t.Fatalf("first page of due keys: %v", got)
	}
	update(t, s, func(tx store.Tx) error { return tx.DropFreedBlobs(ctx, []string{"c", "a", "missing"}) })
	if got := due(t0.Add(time.Hour), 10); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("after dropping: %v", got)
	}
	errAbort := errors.New("abort")
	if err := updateErr(t, s, func(tx store.Tx) error {
		if err := tx.AddFreedBlobs(ctx, []string{"z"}, t0); err != nil {
			return err
		}
		return errAbort
	}); !errors.Is(err, errAbort) {
		t.Fatalf("the rolled-back update answered %v", err)
	}
	if got := due(t0.Add(time.Hour), 10); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("a rolled-back free is there: %v", got)
	}
}
