package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// testLifecycle: ListAllBuckets pages every account's buckets by name;
// lifecycle cursors are per bucket, replaced by Put, survive a reopen, go
// with Delete (and with the bucket), and noncurrent versions list when they
// stopped being the latest.
func testLifecycle(t testing.TB, open Opener) {
	dir := t.TempDir()
	s := open(t, dir)
	update(t, s, func(tx store.Tx) error {
		for i, name := range []string{"c-bucket", "a-bucket", "b-bucket"} {
			if err := tx.CreateBucket(ctx, &store.Bucket{Name: name, Account: fmt.Sprint(i), CreatedAt: t0, Versioning: store.VersioningEnabled}); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		page, err := tx.ListAllBuckets(ctx, "", 2)
		if err != nil || len(page) != 2 || page[0].Name != "a-bucket" || page[1].Name != "b-bucket" {
			return fmt.Errorf("first page %v %v", page, err)
		}
		page, err = tx.ListAllBuckets(ctx, "b-bucket", 2)
		if err != nil || len(page) != 1 || page[0].Name != "c-bucket" {
			return fmt.Errorf("second page %v %v", page, err)
		}
		if _, err := tx.GetLifecycleCursor(ctx, "a-bucket"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no cursor yet: %v", err)
		}
		return nil
	})
	// A cursor commits with its transaction or not at all (the worker's
	// page: actions and cursor together).
	errPage := errors.New("the page's action failed")
	if err := updateErr(t, s, func(tx store.Tx) error {
		if err := tx.PutLifecycleCursor(ctx, &store.LifecycleCursor{Bucket: "c-bucket", Phase: "versions", KeyMarker: "x", Started: t0}); err != nil {
			return err
		}
		return errPage
	}); !errors.Is(err, errPage) {
		t.Fatalf("a failed page's update answered %v", err)
	}
	view(t, s, func(tx store.Tx) error {
		if c, err := tx.GetLifecycleCursor(ctx, "c-bucket"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("a rolled-back cursor is there: %+v %v", c, err)
		}
		return nil
	})
	started := t0.Add(time.Hour)
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutLifecycleCursor(ctx, &store.LifecycleCursor{Bucket: "a-bucket", Phase: "versions", KeyMarker: "k1", Started: started}); err != nil {
			return err
		}
		if err := tx.PutLifecycleCursor(ctx, &store.LifecycleCursor{Bucket: "a-bucket", Phase: "uploads", KeyMarker: "k2", VersionIDMarker: "u", Started: started}); err != nil {
			return err
		}
		return tx.PutLifecycleCursor(ctx, &store.LifecycleCursor{Bucket: "b-bucket", Phase: "versions", Started: started})
	})
	s.Close()
	s = open(t, dir)
	defer func() { s.Close() }()
	view(t, s, func(tx store.Tx) error {
		c, err := tx.GetLifecycleCursor(ctx, "a-bucket")
		if err != nil || c.Phase != "uploads" || c.KeyMarker != "k2" || c.VersionIDMarker != "u" || !c.Started.Equal(started) {
			return fmt.Errorf("cursor after reopen %+v %v", c, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeleteLifecycleCursor(ctx, "a-bucket"); err != nil {
			return err
		}
		if err := tx.DeleteLifecycleCursor(ctx, "a-bucket"); err != nil {
			return fmt.Errorf("deleting no cursor: %v", err)
		}
		return tx.DeleteBucket(ctx, "b-bucket")
	})
	view(t, s, func(tx store.Tx) error {
		for _, b := range []string{"a-bucket", "b-bucket"} {
			if _, err := tx.GetLifecycleCursor(ctx, b); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%s's cursor after delete: %v", b, err)
			}
		}
		return nil
	})

	// NoncurrentSince: when the next version was written.
	for i, id := range []string{"v1", "v2"} {
		update(t, s, func(tx store.Tx) error {
			_, err := tx.PutObject(ctx, &store.Object{Bucket: "c-bucket", Key: "k", VersionID: id, LastModified: t0.Add(time.Duration(i) * time.Hour),
				Blobs: []store.BlobRef{{Key: id, Size: 1}}, Size: 1})
			return err
		})
	}
	view(t, s, func(tx store.Tx) error {
		vs, err := tx.ListVersions(ctx, "c-bucket", store.VersionQuery{})
		if err != nil || len(vs) != 2 || !vs[0].NoncurrentSince.IsZero() || !vs[1].NoncurrentSince.Equal(t0.Add(time.Hour)) {
			return fmt.Errorf("versions %+v %v", vs, err)
		}
		return nil
	})
}
