// Package gencache is the one cache for state derived from the store's IAM
// data: resolved access keys, compiled identity policies, roles with their
// trust policies, session policies, token key sets.
//
// Its contract is correctness by construction. Every entry is stamped with
// the IAM generation read before its value was loaded; an entry is returned
// only to a request that read the same generation, and it is stored only if
// the generation is unchanged once the load has finished. A load that races
// with an IAM write is therefore used by the request that made it and never
// by a later one, and a failed load is never stored.
package gencache

import (
	"context"
	"sync"
)

// Generations reports the current IAM generation (store.Store does).
type Generations interface {
	IAMGeneration(ctx context.Context) (int64, error)
}

// Cache maps keys to values loaded from IAM state.
type Cache[K comparable, V any] struct {
	gens Generations
	max  int

	mu      sync.Mutex
	gen     int64 // the newest generation seen; entries of older ones are gone
	entries map[K]V
}

// New returns a cache holding at most max entries (it empties itself when
// full: IAM-derived state is cheap to reload and rarely that large).
func New[K comparable, V any](gens Generations, max int) *Cache[K, V] {
	if max < 1 {
		max = 1
	}
	return &Cache[K, V]{gens: gens, max: max, entries: make(map[K]V)}
}

// Get returns the value of k at the current generation, calling load when
// there is none. load runs without any lock held, so concurrent misses of
// one key may load it more than once.
func (c *Cache[K, V]) Get(ctx context.Context, k K, load func(context.Context) (V, error)) (V, error) {
	var zero V
	gen, err := c.gens.IAMGeneration(ctx)
	if err != nil {
		return zero, err
	}
	c.mu.Lock()
	c.advance(gen)
	v, ok := c.entries[k]
	fresh := ok && c.gen == gen
	c.mu.Unlock()
	if fresh {
		return v, nil
	}
	v, err = load(ctx)
	if err != nil {
		return zero, err
	}
	after, err := c.gens.IAMGeneration(ctx)
	if err != nil || after != gen {
		// IAM changed while loading: v may predate the change. This request
		// began before it and may use v; no later request will.
		return v, nil
	}
	c.mu.Lock()
	if c.gen == gen {
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
		c.entries[k] = v
	}
	c.mu.Unlock()
	return v, nil
}

// advance moves the cache to generation gen, dropping every entry, when gen
// is newer than what it holds. Callers hold c.mu.
func (c *Cache[K, V]) advance(gen int64) {
	if gen > c.gen {
		c.gen = gen
		clear(c.entries)
	}
}

// Len reports how many entries are held (for tests and metrics).
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
