package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// putWriters is the number of concurrent writers of the contention
// benchmarks (the 16 clients).
const putWriters = 16

// putSmall writes a small object record as the S3 PUT handler does
// (s3.call.commitObject): one transaction scoped to the key
// (store.UpdateIn) reading the bucket, then PutObject with a version id
// following the bucket's versioning state. It returns the version id
// written. With plain, the transaction is a plain Update (SERIALIZABLE),
// as the handler's was before scoped transactions.
func putSmall(ctx context.Context, s store.Store, plain bool, bucket, key, blob string) (string, error) {
	var vid string
	run := func(fn func(store.Tx) error) error {
		return store.UpdateIn(ctx, s, store.Scope{Bucket: bucket, Key: key}, fn)
	}
	if plain {
		run = func(fn func(store.Tx) error) error { return s.Update(ctx, fn) }
	}
	err := run(func(tx store.Tx) error {
		b, err := tx.GetBucket(ctx, bucket)
		if err != nil {
			return err
		}
		o := &store.Object{Bucket: bucket, Key: key, Size: 10, ETag: `"e"`, LastModified: time.Unix(1700000000, 0).UTC(),
			Blobs: []store.BlobRef{{Key: blob, Size: 10}}, VersionID: store.NullVersion}
		if b.Versioning == store.VersioningEnabled {
			o.VersionID = fmt.Sprintf("v-%s", blob)
		}
		vid = o.VersionID
		_, err = tx.PutObject(ctx, o)
		return err
	})
	return vid, err
}

// makeBucket creates a bucket with the given versioning state.
func makeBucket(t testing.TB, s store.Store, name, versioning string) {
	t.Helper()
	if err := s.Update(context.Background(), func(tx store.Tx) error {
		return tx.CreateBucket(context.Background(), &store.Bucket{Name: name, Account: "111111111111", Versioning: versioning})
	}); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkConcurrentPuts: putWriters goroutines write distinct keys of
// small objects into one bucket, in scoped transactions (as the S3 PUT
// handler does) or in plain SERIALIZABLE Updates (as it did before). It
// reports the retries the store made per 1,000 writes, the writes that
// gave up (store.ErrConflict) per 1,000, and the writes per second.
func BenchmarkConcurrentPuts(b *testing.B) {
	for _, bc := range []struct {
		name       string
		plain      bool
		versioning string
	}{
		{"scoped/unversioned", false, ""},
		{"scoped/versioned", false, store.VersioningEnabled},
		{"serializable/unversioned", true, ""},
		{"serializable/versioned", true, store.VersioningEnabled},
	} {
		versioning := bc.versioning
		b.Run(bc.name, func(b *testing.B) {
			cfg := testConfig()
			cfg.Sleep, cfg.MaxAttempts = sleep, 0 // the production backoff
			s := open(b, pg.DSN(b), cfg)
			makeBucket(b, s, "bench", versioning)
			var n, failed atomic.Int64
			before := s.Retries()
			start := time.Now()
			b.ResetTimer()
			var wg sync.WaitGroup
			per := max(b.N/putWriters, 1)
			for w := range putWriters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range per {
						k := fmt.Sprintf("w%02d/k%06d", w, i)
						if _, err := putSmall(context.Background(), s, bc.plain, "bench", k, k); err != nil {
							if !errors.Is(err, store.ErrConflict) {
								b.Error(err)
								return
							}
							failed.Add(1)
						}
						n.Add(1)
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			writes := float64(n.Load())
			b.ReportMetric(float64(s.Retries()-before)*1000/writes, "retries/1000writes")
			b.ReportMetric(float64(failed.Load())*1000/writes, "gaveup/1000writes")
			b.ReportMetric(writes/elapsed.Seconds(), "writes/s")
		})
	}
}

// A scoped function that steps outside its scope runs again as a plain
// Update: its IAM write commits with a generation bump, and a write of
// another key than the scope's is made under that key's lock.
func TestScopedStrays(t *testing.T) {
	s := open(t, pg.DSN(t), testConfig())
	makeBucket(t, s, "b", "")
	g0, _ := s.IAMGeneration(ctx)
	runs := 0
	err := s.UpdateIn(ctx, store.Scope{Bucket: "b", Key: "k"}, func(tx store.Tx) error {
		runs++
		if _, err := tx.PutObject(ctx, &store.Object{Bucket: "b", Key: "k", LastModified: time.Unix(1, 0)}); err != nil {
			return err
		}
		if _, err := tx.PutObject(ctx, &store.Object{Bucket: "b", Key: "other", LastModified: time.Unix(1, 0)}); err != nil {
			return err
		}
		return tx.CreateUser(ctx, &store.User{Account: "111111111111", ID: "AIDA1", Name: "u", Path: "/"})
	})
	if err != nil || runs != 2 {
		t.Fatalf("UpdateIn straying: %v after %d runs, want nil after 2", err, runs)
	}
	if g, _ := s.IAMGeneration(ctx); g <= g0 {
		t.Fatalf("IAM generation %d after a user was created (was %d)", g, g0)
	}
	if err := s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetUser(ctx, "111111111111", "u"); err != nil {
			return err
		}
		for _, k := range []string{"k", "other"} {
			if _, err := tx.GetObject(ctx, "b", k); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A function's own error rolls a scoped transaction back.
	boom := errors.New("boom")
	err = s.UpdateIn(ctx, store.Scope{Bucket: "b", Key: "k2"}, func(tx store.Tx) error {
		if _, err := tx.PutObject(ctx, &store.Object{Bucket: "b", Key: "k2", LastModified: time.Unix(1, 0)}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("UpdateIn returned %v, want the function's error", err)
	}
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.GetObject(ctx, "b", "k2"); return err }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a failed scoped transaction's object: %v, want ErrNotFound", err)
	}
}
