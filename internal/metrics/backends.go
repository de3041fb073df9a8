package metrics

import (
	"context"
	"errors"
	"hash"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/store"
)

// The op label values of the backend metrics.
const (
	opView   = "view"
	opUpdate = "update"

	opPut    = "put"
	opOpen   = "open"
	opDelete = "delete"
	opWalk   = "walk"
)

// Store returns inner timed: every View and Update call is observed in
// gatehouse_store_duration_seconds. A transaction's time
// includes the work its caller does inside it. Transactions pass through
// unwrapped, so the store's Tx costs nothing more.
//
// When inner counts the transactions it ran again because a concurrent one
// aborted them (a Retries() uint64 method: the PostgreSQL store), the count
// is exported as gatehouse_store_retries_total.
func (m *Metrics) Store(inner store.Store) store.Store {
	if rc, ok := inner.(retryCounter); ok {
		c := prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "gatehouse_store_retries_total",
			Help: "Store transactions run again because the database aborted them for a concurrent one (serialization failure, deadlock)."},
			func() float64 { return float64(rc.Retries()) })
		// A second store of one registry keeps the first's counter.
		_ = m.reg.Register(c)
	}
	return &timedStore{inner: inner, m: m}
}

// retryCounter is a store that counts its retried transactions.
type retryCounter interface{ Retries() uint64 }

type timedStore struct {
	inner store.Store
	m     *Metrics
}

var (
	_ store.Store         = (*timedStore)(nil)
	_ store.ScopedUpdater = (*timedStore)(nil)
)

func (s *timedStore) View(ctx context.Context, fn func(store.Tx) error) error {
	start := s.m.now()
	err := s.inner.View(ctx, fn)
	s.m.store[opView].Observe(s.m.now().Sub(start).Seconds())
	return err
}

func (s *timedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	start := s.m.now()
	err := s.inner.Update(ctx, fn)
	s.m.store[opUpdate].Observe(s.m.now().Sub(start).Seconds())
	return err
}

// UpdateIn times a scoped write transaction as an Update, and keeps the
// inner store's cheaper scoped transactions (store.ScopedUpdater).
func (s *timedStore) UpdateIn(ctx context.Context, sc store.Scope, fn func(store.Tx) error) error {
	start := s.m.now()
	err := store.UpdateIn(ctx, s.inner, sc, fn)
	s.m.store[opUpdate].Observe(s.m.now().Sub(start).Seconds())
	return err
}

// IAMGeneration is not timed: the stores keep the generation in memory
// (it is read several times per request), and timing it would cost more
// than the call.
func (s *timedStore) IAMGeneration(ctx context.Context) (int64, error) {
	return s.inner.IAMGeneration(ctx)
}

func (s *timedStore) Close() error { return s.inner.Close() }

// Blobs returns inner timed: Put, Open, Delete and Walk are observed in
// gatehouse_blob_duration_seconds and their failures counted in
// gatehouse_blob_errors_total. A Put's time is the whole upload's, as it
// streams the request body. Open returns inner's Object itself, so its
// optional capabilities (blob.RangeWriter) stay visible; reads are not
// timed.
func (m *Metrics) Blobs(inner blob.Store) blob.Store {
	return &timedBlobs{inner: inner, m: m}
}

type timedBlobs struct {
	inner blob.Store
	m     *Metrics
}

var _ blob.Store = (*timedBlobs)(nil)

func (b *timedBlobs) done(op string, start time.Time, err error) {
	b.m.blob[op].Observe(b.m.now().Sub(start).Seconds())
	if err != nil && !errors.Is(err, blob.ErrNotFound) && !errors.Is(err, context.Canceled) {
		b.m.blobErrors[op].Inc()
	}
}

func (b *timedBlobs) Put(ctx context.Context, r io.Reader, size int64, extra ...hash.Hash) (blob.Info, error) {
	start := b.m.now()
	info, err := b.inner.Put(ctx, r, size, extra...)
	b.done(opPut, start, err)
	return info, err
}

// PutUnhashed times the inner store's PutUnhashed (its Put, with the MD5,
// when it has none).
func (b *timedBlobs) PutUnhashed(ctx context.Context, r io.Reader, size int64, extra ...hash.Hash) (blob.Info, error) {
	up, ok := b.inner.(blob.UnhashedPutter)
	if !ok {
		return b.Put(ctx, r, size, extra...)
	}
	start := b.m.now()
	info, err := up.PutUnhashed(ctx, r, size, extra...)
	b.done(opPut, start, err)
	return info, err
}

var _ blob.UnhashedPutter = (*timedBlobs)(nil)

func (b *timedBlobs) Open(ctx context.Context, key string) (blob.Object, error) {
	start := b.m.now()
	o, err := b.inner.Open(ctx, key)
	b.done(opOpen, start, err)
	return o, err
}

func (b *timedBlobs) Delete(ctx context.Context, key string) error {
	start := b.m.now()
	err := b.inner.Delete(ctx, key)
	b.done(opDelete, start, err)
	return err
}

func (b *timedBlobs) Walk(ctx context.Context, fn func(key string, modTime time.Time) error) error {
	start := b.m.now()
	err := b.inner.Walk(ctx, fn)
	b.done(opWalk, start, err)
	return err
}
