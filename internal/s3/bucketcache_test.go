package s3

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// TestWatchedStoreCountsBucketWrites: the bucket cache's generation moves
// with every transaction that creates, changes or deletes a bucket — also
// one that failed after writing — and not with object or read-only ones.
func TestWatchedStoreCountsBucketWrites(t *testing.T) {
	ctx := context.Background()
	inner, err := sqlite.Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	writes := &bucketWrites{}
	st := watchedStore{Store: inner, writes: writes}
	t0 := time.Unix(0, 0)
	step := func(what string, bumps bool, fn func(tx store.Tx) error) {
		t.Helper()
		before := writes.n.Load()
		_ = st.Update(ctx, fn)
		if moved := writes.n.Load() != before; moved != bumps {
			t.Fatalf("%s: generation moved %v, want %v", what, moved, bumps)
		}
	}
	step("CreateBucket", true, func(tx store.Tx) error {
		return tx.CreateBucket(ctx, &store.Bucket{Name: "b", Account: "1", CreatedAt: t0})
	})
	step("UpdateBucket", true, func(tx store.Tx) error {
		return tx.UpdateBucket(ctx, &store.Bucket{Name: "b", Account: "1", CreatedAt: t0, Policy: "{}"})
	})
	step("a failed update after a bucket write", true, func(tx store.Tx) error {
		if err := tx.UpdateBucket(ctx, &store.Bucket{Name: "b", Account: "1", CreatedAt: t0}); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	step("PutObject", false, func(tx store.Tx) error {
		_, err := tx.PutObject(ctx, &store.Object{Bucket: "b", Key: "k", VersionID: store.NullVersion, LastModified: t0, Owner: "1"})
		return err
	})
	step("a read in an update", false, func(tx store.Tx) error {
		_, err := tx.GetBucket(ctx, "b")
		return err
	})
	step("DeleteBucket", true, func(tx store.Tx) error {
		if _, err := tx.DeleteVersion(ctx, "b", "k", store.NullVersion, store.Removal{Now: t0}); err != nil {
			return err
		}
		return tx.DeleteBucket(ctx, "b")
	})
}
