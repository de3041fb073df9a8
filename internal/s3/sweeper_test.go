package s3

import (
	"context"
	"strings"
	"testing"
	"time"

	blobfs "github.com/gatehouse/gatehouse/internal/blob/fs"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// TestSweeper deletes only blobs that no record names (current version,
// noncurrent version or part) and that are older than the grace period.
func TestSweeper(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(dir + "/db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobs, err := blobfs.Open(dir + "/blobs")
	if err != nil {
		t.Fatal(err)
	}
	put := func() string {
		info, err := blobs.Put(ctx, strings.NewReader("bytes"), 5)
		if err != nil {
			t.Fatal(err)
		}
		return info.Key
	}
	kept, orphan, partKey, newer := put(), put(), put(), put()
	err = st.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateBucket(ctx, &store.Bucket{Name: "b", Account: "1"}); err != nil {
			return err
		}
		if _, err := tx.PutObject(ctx, &store.Object{Bucket: "b", Key: "k", VersionID: "v1", Blobs: []store.BlobRef{{Key: kept, Size: 5}}}); err != nil {
			return err
		}
		// A newer version: kept's version is noncurrent, and its bytes stay.
		if _, err := tx.PutObject(ctx, &store.Object{Bucket: "b", Key: "k", VersionID: "v2", Blobs: []store.BlobRef{{Key: newer, Size: 5}}}); err != nil {
			return err
		}
		if err := tx.CreateUpload(ctx, &store.Upload{ID: "u", Bucket: "b", Key: "m"}); err != nil {
			return err
		}
		_, err := tx.PutPart(ctx, &store.Part{UploadID: "u", Number: 1, Blob: store.BlobRef{Key: partKey, Size: 5}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	exists := func(key string) bool {
		o, err := blobs.Open(ctx, key)
		if err == nil {
			o.Close()
		}
		return err == nil
	}
	// Young orphans are left alone: their upload may be about to commit.
	w := &Sweeper{Store: st, Blobs: blobs, Grace: time.Hour, Now: time.Now}
	if res, err := w.Sweep(ctx); err != nil || res.Blobs != 0 || !exists(orphan) {
		t.Fatalf("young sweep: %+v %v", res, err)
	}
	w.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	res, err := w.Sweep(ctx)
	if err != nil || res.Blobs != 1 {
		t.Fatalf("old sweep: %+v %v", res, err)
	}
	if exists(orphan) || !exists(kept) || !exists(partKey) || !exists(newer) {
		t.Fatalf("after sweep: orphan %v noncurrent %v part %v current %v", exists(orphan), exists(kept), exists(partKey), exists(newer))
	}
}
