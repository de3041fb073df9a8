package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// testScopedWrites races writers of one key on two nodes of one store, as
// the S3 handlers write (store.UpdateIn scoped to the key, which
// PostgreSQL runs at READ COMMITTED under locks), half of them mixed with
// plain Updates (SERIALIZABLE there): no version may be lost or doubled,
// exactly one version is the latest, a replaced version is reported once
// and its blob no longer referenced while every live version's blob is;
// and a bucket deleted while objects are written into it leaves none
// behind.
func testScopedWrites(t testing.TB, open Opener) {
	dir := t.TempDir()
	a := open(t, dir)
	defer a.Close()
	b := open(t, dir)
	defer b.Close()
	nodes := []store.Store{a, b}
	update(t, a, func(tx store.Tx) error {
		if err := tx.CreateBucket(ctx, &store.Bucket{Name: "vers", Account: "1", CreatedAt: t0, Versioning: store.VersioningEnabled}); err != nil {
			return err
		}
		return tx.CreateBucket(ctx, &store.Bucket{Name: "plain", Account: "1", CreatedAt: t0})
	})
	// A scoped transaction whose function fails keeps nothing and returns
	// the function's error.
	boom := errors.New("boom")
	scoped := func(sc store.Scope) func(context.Context, func(store.Tx) error) error {
		return func(ctx context.Context, fn func(store.Tx) error) error { return store.UpdateIn(ctx, a, sc, fn) }
	}
	if err := inTx(t, scoped(store.Scope{Bucket: "plain", Key: "k0"}), func(tx store.Tx) error {
		if _, err := tx.PutObject(ctx, &store.Object{Bucket: "plain", Key: "k0", LastModified: t0}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("a failed scoped transaction returned %v", err)
	}
	view(t, b, func(tx store.Tx) error {
		if _, err := tx.GetObject(ctx, "plain", "k0"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("the object of a failed scoped transaction: %v, want ErrNotFound", err)
		}
		return nil
	})
	const writers = 12
	// write runs fn as writer i: scoped to (bucket, key) for even i, a
	// plain Update for odd i, on node i%2.
	write := func(i int, bucket, key string, fn func(store.Tx) error) error {
		s := nodes[i%2]
		if i%4 < 2 {
			return store.UpdateIn(ctx, s, store.Scope{Bucket: bucket, Key: key}, fn)
		}
		return s.Update(ctx, fn)
	}
	race := func(fn func(i int) error) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i := range writers {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = fn(i) }()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
	}
	obj := func(bucket, key, vid, blob string, i int) *store.Object {
		return &store.Object{Bucket: bucket, Key: key, VersionID: vid, Size: 1, ETag: `"` + blob + `"`,
			LastModified: t0.Add(time.Duration(i) * time.Second), Blobs: []store.BlobRef{{Key: blob, Size: 1}}}
	}

	// Versioned: every writer's version exists, exactly one is latest.
	race(func(i int) error {
		return write(i, "vers", "k", func(tx store.Tx) error {
			if _, err := tx.GetBucket(ctx, "vers"); err != nil {
				return err
			}
			_, err := tx.PutObject(ctx, obj("vers", "k", fmt.Sprintf("v%02d", i), fmt.Sprintf("vb%02d", i), i))
			return err
		})
	})
	view(t, b, func(tx store.Tx) error {
		vs, err := tx.ListVersions(ctx, "vers", store.VersionQuery{})
		if err != nil {
			return err
		}
		ids, latest := map[string]bool{}, 0
		for _, v := range vs {
			ids[v.VersionID] = true
			if v.IsLatest {
				latest++
			}
		}
		if len(vs) != writers || len(ids) != writers || latest != 1 {
			return fmt.Errorf("after %d racing versioned writes: %d versions (%d distinct), %d latest", writers, len(vs), len(ids), latest)
		}
		cur, err := tx.GetObject(ctx, "vers", "k")
		if err != nil || cur.VersionID != vs[0].VersionID {
			return fmt.Errorf("current %+v, %v; the listing's latest is %s", cur, err, vs[0].VersionID)
		}
		for i := range writers {
			if used, err := tx.BlobReferenced(ctx, fmt.Sprintf("vb%02d", i)); err != nil || !used {
				return fmt.Errorf("blob of version v%02d referenced: %v, %v", i, used, err)
			}
		}
		return nil
	})

	// Unversioned, PUTs racing DELETEs of one key: each blob is either the
	// survivor's, or reported replaced/removed exactly once (and then not
	// referenced), or was never the current one (a delete of nothing).
	var mu sync.Mutex
	reported := map[string]int{}
	race(func(i int) error {
		var gone *store.Object
		err := write(i, "plain", "k", func(tx store.Tx) error {
			gone = nil
			if _, err := tx.GetBucket(ctx, "plain"); err != nil {
				return err
			}
			var err error
			if i%3 == 2 {
				gone, err = tx.DeleteVersion(ctx, "plain", "k", store.NullVersion, store.Removal{Now: t0})
				if errors.Is(err, store.ErrNotFound) {
					return nil
				}
				return err
			}
			gone, err = tx.PutObject(ctx, obj("plain", "k", store.NullVersion, fmt.Sprintf("pb%02d", i), i))
			return err
		})
		if err == nil && gone != nil {
			mu.Lock()
			reported[gone.Blobs[0].Key]++
			mu.Unlock()
		}
		return err
	})
	view(t, b, func(tx store.Tx) error {
		cur, err := tx.GetObject(ctx, "plain", "k")
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		vs, err := tx.ListVersions(ctx, "plain", store.VersionQuery{})
		if err != nil || len(vs) > 1 {
			return fmt.Errorf("an unversioned key has versions %+v, %v", vs, err)
		}
		for i := range writers {
			if i%3 == 2 {
				continue
			}
			blob := fmt.Sprintf("pb%02d", i)
			live := cur != nil && cur.Blobs[0].Key == blob
			used, err := tx.BlobReferenced(ctx, blob)
			switch {
			case err != nil:
				return err
			case reported[blob] > 1:
				return fmt.Errorf("blob %s reported freed %d times", blob, reported[blob])
			case live && (!used || reported[blob] != 0):
				return fmt.Errorf("the current version's blob %s: referenced %v, reported freed %d times", blob, used, reported[blob])
			case !live && used:
				return fmt.Errorf("blob %s of no version is still referenced (reported freed %d times)", blob, reported[blob])
			}
		}
		return nil
	})

	// A bucket deleted (scoped to the whole bucket) while objects are put
	// into it: afterwards it exists, or no object of it does.
	for round := range 4 {
		name := fmt.Sprintf("gone%d", round)
		update(t, a, func(tx store.Tx) error {
			return tx.CreateBucket(ctx, &store.Bucket{Name: name, Account: "1", CreatedAt: t0})
		})
		deleted := false
		race(func(i int) error {
			s := nodes[i%2]
			if i == writers/2 {
				return store.UpdateIn(ctx, s, store.Scope{Bucket: name}, func(tx store.Tx) error {
					deleted = false
					busy, err := tx.BucketHasObjects(ctx, name)
					if err != nil || busy {
						return err
					}
					deleted = true
					return tx.DeleteBucket(ctx, name)
				})
			}
			key := fmt.Sprintf("k%02d", i)
			err := write(i, name, key, func(tx store.Tx) error {
				if _, err := tx.GetBucket(ctx, name); err != nil {
					return err
				}
				_, err := tx.PutObject(ctx, obj(name, key, store.NullVersion, name+key, i))
				return err
			})
			if errors.Is(err, store.ErrNotFound) {
				return nil // the bucket was gone
			}
			return err
		})
		view(t, b, func(tx store.Tx) error {
			_, berr := tx.GetBucket(ctx, name)
			objs, err := tx.ListObjects(ctx, name, store.ObjectQuery{})
			if err != nil {
				return err
			}
			if errors.Is(berr, store.ErrNotFound) != deleted || (deleted && len(objs) > 0) {
				return fmt.Errorf("round %d: bucket deleted %v (read: %v) with %d objects left", round, deleted, berr, len(objs))
			}
			return nil
		})
	}
}
