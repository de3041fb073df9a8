package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// openClocked opens a store at path on a fake clock, and returns the
// clock's Advance.
func openClocked(t *testing.T, path string) (*Store, func(time.Duration)) {
	t.Helper()
	clock := &fakeClock{t: time.Unix(1_000_000, 0)}
	s, err := OpenConfig(path, Config{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clock.Advance
}

// TestWriteGeneration: the write generation moves with every commit of
// the store (by two: odd only while it commits) and not with reads or a
// transaction that wrote nothing; another process's commit moves it once
// a second of the store's clock has passed.
func TestWriteGeneration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	s, advance := openClocked(t, path)
	gen := func() int64 {
		t.Helper()
		g, err := s.WriteGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if g%2 != 0 {
			t.Fatalf("generation %d odd with no commit under way", g)
		}
		return g
	}
	bucket := func(name string) func(store.Tx) error {
		return func(tx store.Tx) error {
			return tx.CreateBucket(ctx, &store.Bucket{Name: name, Account: "111122223333", Region: "us-east-1"})
		}
	}
	g0 := gen()
	if err := s.Update(ctx, bucket("one")); err != nil {
		t.Fatal(err)
	}
	g1 := gen()
	if g1 != g0+2 {
		t.Fatalf("a commit moved the generation from %d to %d", g0, g1)
	}
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetBucket(ctx, "one"); return err }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(store.Tx) error { return errors.New("nothing written") }); err == nil {
		t.Fatal("a failing update succeeded")
	}
	if g := gen(); g != g1 {
		t.Fatalf("a read and a rolled-back update moved the generation from %d to %d", g1, g)
	}

	// The watch connection notices this store's own commits too (a
	// reload at most once a second): let it.
	advance(2 * time.Second)
	g1 = gen()
	advance(2 * time.Second)
	if g := gen(); g != g1 {
		t.Fatalf("no commit since, but the generation moved from %d to %d", g1, g)
	}

	// Another process on the same database.
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Update(ctx, bucket("two")); err != nil {
		t.Fatal(err)
	}
	advance(2 * time.Second)
	g2 := gen()
	if g2 == g1 {
		t.Fatal("another process's commit did not move the generation a second later")
	}
	advance(2 * time.Second)
	if g := gen(); g != g2 {
		t.Fatalf("no commit since, but the generation moved from %d to %d", g2, g)
	}
}

// TestWriteGenerationClockStepsBack: the wall clock steps back (an NTP
// correction of an hour) after the watch connection was last read; another
// process then commits, and more than a second passes: the write
// generation moves (else the object cache would serve the other process's
// deleted or changed records for as long as the step).
func TestWriteGenerationClockStepsBack(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	s, advance := openClocked(t, path)
	advance(2 * time.Second)
	g1, err := s.WriteGeneration(ctx) // polls data_version at t0+2s
	if err != nil {
		t.Fatal(err)
	}
	advance(-time.Hour) // the wall clock is corrected backwards
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Update(ctx, func(tx store.Tx) error {
		return tx.CreateBucket(ctx, &store.Bucket{Name: "two", Account: "111122223333", Region: "us-east-1"})
	}); err != nil {
		t.Fatal(err)
	}
	advance(5 * time.Second)
	g2, err := s.WriteGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g2 == g1 {
		t.Fatalf("5s after another process's commit (the clock having stepped back an hour) the write generation is still %d", g1)
	}
}

// TestWriteGenerationOddWhileCommitting: a reader asking during a commit
// gets an odd generation (the object cache then neither serves nor
// stores), and the commit leaves it even and newer.
func TestWriteGenerationOddWhileCommitting(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before, err := s.WriteGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var during int64 = -1
	s.committing = func() { during, _ = s.WriteGeneration(ctx) }
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateBucket(ctx, &store.Bucket{Name: "one", Account: "111122223333", Region: "us-east-1"})
	}); err != nil {
		t.Fatal(err)
	}
	after, err := s.WriteGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if during%2 != 1 || during <= before || after%2 != 0 || after <= during {
		t.Fatalf("generation %d before, %d during and %d after a commit: want even, odd, even and rising", before, during, after)
	}
}
