package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB, dir string) store.Store {
		s, err := Open(filepath.Join(dir, "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestWALAndNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("WAL file missing: %v", err)
	}
	if _, err := s.write.Exec(`INSERT INTO schema_migrations (version, name) VALUES (999, 'future')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(path); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("newer schema: %v", err)
	}
}

func BenchmarkGetRole(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateRole(ctx, &store.Role{Account: "111111111111", ID: "AROA1", Name: "demo", Path: "/", AssumeRolePolicy: "{}"})
	})
	b.ReportAllocs()
	for b.Loop() {
		if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetRole(ctx, "111111111111", "demo"); return err }); err != nil {
			b.Fatal(err)
		}
	}
}

// A panicking update fails alone; the writers after it go on.
func TestUpdatePanicDoesNotStallWriters(t *testing.T) {
	s, err := Open(t.TempDir() + "/db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "a"}); err != nil {
			return err
		}
		panic("bug")
	})
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("panicking update: %v", err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "a"})
	}); err != nil {
		t.Fatalf("the next update: %v (the panicking one must have left nothing)", err)
	}
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Another process's IAM write (here a second Store on the same file) is
// seen once genRefresh of the store's clock has passed, not before; this
// process's own writes are seen at once.
func TestIAMGenerationRefreshFollowsTheClock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	clock := &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	s, err := OpenConfig(path, Config{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	gen := func() int64 {
		t.Helper()
		g, err := s.IAMGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g0 := gen()
	if err := other.Update(ctx, func(tx store.Tx) error {
		return tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "a"})
	}); err != nil {
		t.Fatal(err)
	}
	if g := gen(); g != g0 {
		t.Fatalf("generation re-read before any time passed: %d, want %d", g, g0)
	}
	clock.Advance(genRefresh)
	if g := gen(); g != g0 {
		t.Fatalf("generation re-read after exactly genRefresh: %d, want %d", g, g0)
	}
	clock.Advance(time.Nanosecond)
	g1 := gen()
	if g1 <= g0 {
		t.Fatalf("another process's write not seen after genRefresh: %d, was %d", g1, g0)
	}
	// The re-read restarted the interval.
	if err := other.Update(ctx, func(tx store.Tx) error {
		return tx.CreateAccount(ctx, &store.Account{ID: "222222222222", Name: "b"})
	}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(genRefresh / 2)
	if g := gen(); g != g1 {
		t.Fatalf("generation re-read within genRefresh of the last read: %d, want %d", g, g1)
	}
	// This process's own write is seen without the clock moving (and, the
	// counter being shared, carries the other write's bump with it).
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateAccount(ctx, &store.Account{ID: "333333333333", Name: "c"})
	}); err != nil {
		t.Fatal(err)
	}
	g2, want := gen(), g1+2
	if g2 != want {
		t.Fatalf("after its own write: generation %d, want %d", g2, want)
	}
	// The clock steps back an hour (an NTP correction): the next read is
	// due at once, not an hour later.
	clock.Advance(-time.Hour)
	if err := other.Update(ctx, func(tx store.Tx) error {
		return tx.CreateAccount(ctx, &store.Account{ID: "444444444444", Name: "d"})
	}); err != nil {
		t.Fatal(err)
	}
	if g := gen(); g <= g2 {
		t.Fatalf("after the clock stepped back another process's write is not seen: %d, was %d", g, g2)
	}
}
