package s3

import (
	"context"
	"sync/atomic"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Bucket records are cached between requests only where this process
// writes every bucket (Config.CacheBuckets: one node on its own store).
// The cache's generation is the count of this process's bucket writes
// (bucketWrites): every Update goes through watchedStore, which counts a
// transaction that created, changed or deleted a bucket once it has
// returned — after its commit, before the writer answers. gencache stamps
// an entry with the count read before its load and serves it only while
// the count is unchanged, so a policy written, or a bucket deleted and
// made again by another account, decides the next request. With several
// nodes nothing is cached: each request reads its bucket record.

// bucketWrites counts the bucket writes this process committed.
type bucketWrites struct{ n atomic.Int64 }

// IAMGeneration is gencache's generation: the count (the name is
// gencache.Generations').
func (w *bucketWrites) IAMGeneration(context.Context) (int64, error) { return w.n.Load(), nil }

// watchedStore counts, in writes, the Updates whose function wrote a
// bucket record.
type watchedStore struct {
	store.Store
	writes *bucketWrites
}

var (
	_ store.Store         = watchedStore{}
	_ store.ScopedUpdater = watchedStore{}
)

func (s watchedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.count(fn, func(fn func(store.Tx) error) error { return s.Store.Update(ctx, fn) })
}

// UpdateIn passes a scoped transaction on as the store takes it
// (store.UpdateIn), counted as Update is.
func (s watchedStore) UpdateIn(ctx context.Context, sc store.Scope, fn func(store.Tx) error) error {
	return s.count(fn, func(fn func(store.Tx) error) error { return store.UpdateIn(ctx, s.Store, sc, fn) })
}

// count runs fn through run with its bucket writes noted, and counts the
// transaction once run has returned if it wrote a bucket — whether or not
// it committed: a count too many only costs a reload.
func (s watchedStore) count(fn func(store.Tx) error, run func(func(store.Tx) error) error) error {
	var touched atomic.Bool
	err := run(func(tx store.Tx) error { return fn(watchedTx{Tx: tx, touched: &touched}) })
	if touched.Load() {
		s.writes.n.Add(1)
	}
	return err
}

// watchedTx notes bucket writes.
type watchedTx struct {
	store.Tx
	touched *atomic.Bool
}

func (t watchedTx) CreateBucket(ctx context.Context, b *store.Bucket) error {
	t.touched.Store(true)
	return t.Tx.CreateBucket(ctx, b)
}

func (t watchedTx) UpdateBucket(ctx context.Context, b *store.Bucket) error {
	t.touched.Store(true)
	return t.Tx.UpdateBucket(ctx, b)
}

func (t watchedTx) DeleteBucket(ctx context.Context, name string) error {
	t.touched.Store(true)
	return t.Tx.DeleteBucket(ctx, name)
}
