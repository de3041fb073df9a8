package gencache

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

type gens struct{ n atomic.Int64 }

func (g *gens) IAMGeneration(context.Context) (int64, error) { return g.n.Load(), nil }

type failingGens struct{}

func (failingGens) IAMGeneration(context.Context) (int64, error) { return 0, errors.New("store down") }

func TestHitAndGenerationChange(t *testing.T) {
	g := &gens{}
	c := New[string, int](g, 10)
	loads := 0
	load := func(v int) func(context.Context) (int, error) {
		return func(context.Context) (int, error) { loads++; return v, nil }
	}
	ctx := context.Background()
	if v, _ := c.Get(ctx, "k", load(1)); v != 1 {
		t.Fatalf("first get = %d", v)
	}
	if v, _ := c.Get(ctx, "k", load(2)); v != 1 || loads != 1 {
		t.Fatalf("cached get = %d after %d loads, want 1 after 1", v, loads)
	}
	g.n.Add(1)
	if v, _ := c.Get(ctx, "k", load(3)); v != 3 || loads != 2 {
		t.Fatalf("after a generation change = %d after %d loads, want 3 after 2", v, loads)
	}
}

// A load that races with an IAM write is used by its own request and never
// stored for later ones.
func TestLoadRacingAWriteIsNotStored(t *testing.T) {
	g := &gens{}
	c := New[string, string](g, 10)
	ctx := context.Background()
	v, err := c.Get(ctx, "bob", func(context.Context) (string, error) {
		g.n.Add(1) // the admin's write commits while the policies are being read
		return "old policies", nil
	})
	if err != nil || v != "old policies" {
		t.Fatalf("racing get = %q, %v", v, err)
	}
	if c.Len() != 0 {
		t.Fatalf("a value loaded across a generation change was stored")
	}
	v, _ = c.Get(ctx, "bob", func(context.Context) (string, error) { return "new policies", nil })
	if v != "new policies" {
		t.Fatalf("next request got %q, want the reloaded value", v)
	}
}

// A request that read an older generation than the cache holds never stores
// into the newer one.
func TestOlderGenerationNeverStores(t *testing.T) {
	g := &gens{}
	g.n.Store(5)
	c := New[string, string](g, 10)
	ctx := context.Background()
	_, _ = c.Get(ctx, "warm", func(context.Context) (string, error) { return "x", nil })
	g.n.Store(4) // a request whose generation read predates the cache's
	_, _ = c.Get(ctx, "k", func(context.Context) (string, error) { return "stale", nil })
	g.n.Store(5)
	v, _ := c.Get(ctx, "k", func(context.Context) (string, error) { return "fresh", nil })
	if v != "fresh" {
		t.Fatalf("got %q: a value loaded at an older generation was served", v)
	}
}

func TestErrorsAreNotCached(t *testing.T) {
	g := &gens{}
	c := New[string, int](g, 10)
	ctx := context.Background()
	boom := errors.New("boom")
	if _, err := c.Get(ctx, "k", func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if v, err := c.Get(ctx, "k", func(context.Context) (int, error) { return 7, nil }); err != nil || v != 7 {
		t.Fatalf("after a failed load: %d, %v", v, err)
	}
	if _, err := New[string, int](failingGens{}, 1).Get(ctx, "k", func(context.Context) (int, error) { return 1, nil }); err == nil {
		t.Fatal("a generation read error must fail the get")
	}
}

func TestBounded(t *testing.T) {
	c := New[int, int](&gens{}, 3)
	for i := 0; i < 10; i++ {
		_, _ = c.Get(context.Background(), i, func(context.Context) (int, error) { return i, nil })
		if c.Len() > 3 {
			t.Fatalf("holds %d entries, max 3", c.Len())
		}
	}
}
