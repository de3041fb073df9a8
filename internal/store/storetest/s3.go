package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

func testS3(t testing.TB, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	testBucketGeneration(t, s)
	update(t, s, func(tx store.Tx) error {
		for _, b := range []*store.Bucket{{Name: "beta", Account: "1"}, {Name: "alpha", Account: "1"}, {Name: "other", Account: "2"}} {
			b.CreatedAt = t0
			if err := tx.CreateBucket(ctx, b); err != nil {
				return err
			}
		}
		return nil
	})
	if err := updateErr(t, s, func(tx store.Tx) error { return tx.CreateBucket(ctx, &store.Bucket{Name: "alpha", Account: "2"}) }); !errors.Is(err, store.ErrExists) {
		t.Fatalf("bucket names are global: %v", err)
	}
	keys := []string{"a", "a/b", "a/c/d", "a0", "b", "\u00e9t\u00e9", "~"}
	update(t, s, func(tx store.Tx) error {
		for i, k := range keys {
			class := ""
			if k == "a/c/d" {
				class = "GLACIER"
			}
			old, err := tx.PutObject(ctx, &store.Object{Bucket: "alpha", Key: k, Size: int64(i), ETag: `"e"`, LastModified: t0, Owner: "1", StorageClass: class,
				Checksum: &store.Checksum{Algorithm: "CRC32", Value: "AAAAAA==", Type: "FULL_OBJECT"},
				Blobs:    []store.BlobRef{{Key: fmt.Sprintf("blob%d", i), Size: int64(i)}}})
			if err != nil {
				return err
			}
			if old != nil {
				return fmt.Errorf("PutObject of a new key %q replaced %+v", k, old)
			}
		}
		b, err := tx.GetBucket(ctx, "alpha")
		if err != nil {
			return fmt.Errorf("GetBucket: %v", err)
		}
		b.Policy = "{}"
		return tx.UpdateBucket(ctx, b)
	})
	view(t, s, func(tx store.Tx) error {
		bs, err := tx.ListBuckets(ctx, "1", store.BucketQuery{})
		if err != nil || len(bs) != 2 || bs[0].Name != "alpha" || bs[0].Policy != "{}" {
			return fmt.Errorf("buckets: %+v %v", bs, err)
		}
		if b, err := tx.GetBucket(ctx, "other"); err != nil || b.Account != "2" || !b.CreatedAt.Equal(t0) {
			return fmt.Errorf("GetBucket: %+v %v", b, err)
		}
		if _, err := tx.GetBucket(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("missing bucket: %v", err)
		}
		all, err := tx.ListObjects(ctx, "alpha", store.ObjectQuery{})
		if err != nil {
			return fmt.Errorf("ListObjects: %v", err)
		}
		var got []string
		for _, o := range all {
			got = append(got, o.Key)
		}
		if fmt.Sprint(got) != fmt.Sprint([]string{"a", "a/b", "a/c/d", "a0", "b", "~", "\u00e9t\u00e9"}) {
			return fmt.Errorf("binary order: %q", got)
		}
		if e := all[2]; e.Size != 2 || e.ETag != `"e"` || !e.LastModified.Equal(t0) || e.Owner != "1" || e.ChecksumAlgorithm != "CRC32" || e.ChecksumType != "FULL_OBJECT" || e.StorageClass != "GLACIER" || all[1].StorageClass != "" {
			return fmt.Errorf("listing entry: %+v", e)
		}
		pre, err := tx.ListObjects(ctx, "alpha", store.ObjectQuery{Prefix: "a/", Limit: 10})
		if err != nil || len(pre) != 2 || pre[0].Key != "a/b" {
			return fmt.Errorf("prefix: %+v %v", pre, err)
		}
		page, err := tx.ListObjects(ctx, "alpha", store.ObjectQuery{After: "a/b", Limit: 2})
		if err != nil || len(page) != 2 || page[0].Key != "a/c/d" || page[1].Key != "a0" {
			return fmt.Errorf("after: %+v %v", page, err)
		}
		o, err := tx.GetObject(ctx, "alpha", "a/c/d")
		if err != nil || o.Size != 2 || len(o.Blobs) != 1 || o.Blobs[0].Key != "blob2" || o.Blobs[0].Size != 2 || o.Blobs[0].Data != nil || o.Checksum == nil || o.Checksum.Value != "AAAAAA==" {
			return fmt.Errorf("GetObject: %+v %v", o, err)
		}
		if _, err := tx.GetObject(ctx, "alpha", "missing"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("missing object: %v", err)
		}
		if ok, err := tx.BlobReferenced(ctx, "blob3"); err != nil || !ok {
			return fmt.Errorf("blob3 should be referenced: %v %v", ok, err)
		}
		if ok, err := tx.BucketHasObjects(ctx, "beta"); err != nil || ok {
			return fmt.Errorf("beta is empty: %v %v", ok, err)
		}
		if ok, err := tx.BucketHasObjects(ctx, "alpha"); err != nil || !ok {
			return fmt.Errorf("alpha has objects: %v %v", ok, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		old, err := tx.PutObject(ctx, &store.Object{Bucket: "alpha", Key: "a", Blobs: []store.BlobRef{{Key: "new"}}})
		if err != nil || old == nil || len(old.Blobs) != 1 || old.Blobs[0].Key != "blob0" {
			return fmt.Errorf("replace returned %+v %v", old, err)
		}
		gone, err := tx.DeleteVersion(ctx, "alpha", "b", store.NullVersion, store.Removal{})
		if err != nil || gone == nil || len(gone.Blobs) != 1 || gone.Blobs[0].Key != "blob4" {
			return fmt.Errorf("delete returned %+v %v", gone, err)
		}
		if _, err := tx.DeleteVersion(ctx, "alpha", "b", store.NullVersion, store.Removal{}); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("second delete: %v", err)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		for blob, want := range map[string]bool{"blob0": false, "new": true, "blob4": false} {
			if ok, err := tx.BlobReferenced(ctx, blob); err != nil || ok != want {
				return fmt.Errorf("BlobReferenced(%s) = %v, %v", blob, ok, err)
			}
		}
		return nil
	})
	testUploads(t, s)
	testBucketPages(t, s)
}

// testBucketPages: ListBuckets pages by name, prefix and region, for one
// account only.
func testBucketPages(t testing.TB, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, b := range []*store.Bucket{{Name: "page-a", Account: "9"}, {Name: "page-b", Account: "9", Region: "eu-west-1"},
			{Name: "page-c", Account: "9"}, {Name: "pagf", Account: "9", Region: "eu-west-1"}, {Name: "page-z", Account: "8"}} {
			b.CreatedAt = t0
			if err := tx.CreateBucket(ctx, b); err != nil {
				return err
			}
		}
		return nil
	})
	names := func(q store.BucketQuery) string {
		var out []string
		view(t, s, func(tx store.Tx) error {
			bs, err := tx.ListBuckets(ctx, "9", q)
			for _, b := range bs {
				out = append(out, b.Name+"@"+b.Region)
			}
			return err
		})
		return fmt.Sprint(out)
	}
	for _, tc := range []struct {
		q    store.BucketQuery
		want string
	}{
		{store.BucketQuery{}, "[page-a@ page-b@eu-west-1 page-c@ pagf@eu-west-1]"},
		{store.BucketQuery{Limit: 2}, "[page-a@ page-b@eu-west-1]"},
		{store.BucketQuery{After: "page-b", Limit: 2}, "[page-c@ pagf@eu-west-1]"},
		{store.BucketQuery{Prefix: "page-"}, "[page-a@ page-b@eu-west-1 page-c@]"},
		{store.BucketQuery{Prefix: "page-", After: "page-a"}, "[page-b@eu-west-1 page-c@]"},
		{store.BucketQuery{Region: "eu-west-1"}, "[page-b@eu-west-1 pagf@eu-west-1]"},
		{store.BucketQuery{Region: "us-east-1", After: "page-a"}, "[page-c@]"},
		{store.BucketQuery{Region: "us-west-2"}, "[]"},
	} {
		if got := names(tc.q); got != tc.want {
			t.Errorf("ListBuckets(%+v) = %s, want %s", tc.q, got, tc.want)
		}
	}
}

// testUploads checks multipart uploads in the buckets testS3 made.
func testUploads(t testing.TB, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, id := range []string{"u2", "u1"} {
			if err := tx.CreateUpload(ctx, &store.Upload{ID: id, Bucket: "beta", Key: "big", CreatedAt: t0}); err != nil {
				return err
			}
		}
		// Started earlier, with a larger id: listed first for its key.
		if err := tx.CreateUpload(ctx, &store.Upload{ID: "u9", Bucket: "beta", Key: "big", CreatedAt: t0.Add(-time.Hour)}); err != nil {
			return err
		}
		if err := tx.CreateUpload(ctx, &store.Upload{ID: "u0", Bucket: "beta", Key: "cat", CreatedAt: t0}); err != nil {
			return err
		}
		for n := 3; n >= 1; n-- {
			old, err := tx.PutPart(ctx, &store.Part{UploadID: "u1", Number: n, Blob: store.BlobRef{Key: fmt.Sprintf("p%d", n)}, ETag: `"x"`})
			if err != nil {
				return err
			}
			if old != nil {
				return fmt.Errorf("a new part %d replaced %+v", n, old)
			}
		}
		old, err := tx.PutPart(ctx, &store.Part{UploadID: "u1", Number: 2, Blob: store.BlobRef{Key: "p2b"}})
		if err != nil || old == nil || old.Blob.Key != "p2" {
			return fmt.Errorf("part replace: %+v %v", old, err)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		// Ordered by key, then start time, then id; paging continues after
		// the marker upload in that order.
		if got := names(tx.ListUploads(ctx, "beta", "", "", "", 0)); got != "u9,u1,u2,u0" {
			return fmt.Errorf("uploads: %s", got)
		}
		for marker, want := range map[string]string{"u9": "u1,u2,u0", "u1": "u2,u0", "u2": "u0", "none": "u0"} {
			if got := names(tx.ListUploads(ctx, "beta", "", "big", marker, 0)); got != want {
				return fmt.Errorf("uploads after big/%s: %s, want %s", marker, got, want)
			}
		}
		if got := names(tx.ListUploads(ctx, "beta", "ca", "", "", 0)); got != "u0" {
			return fmt.Errorf("uploads with prefix: %s", got)
		}
		parts, err := tx.ListParts(ctx, "u1", 1, 0)
		if err != nil || len(parts) != 2 || parts[0].Number != 2 || parts[0].Blob.Key != "p2b" {
			return fmt.Errorf("parts: %+v %v", parts, err)
		}
		if u, err := tx.GetUpload(ctx, "beta", "big", "u1"); err != nil || u.ID != "u1" || u.Key != "big" {
			return fmt.Errorf("GetUpload: %+v %v", u, err)
		}
		if _, err := tx.GetUpload(ctx, "beta", "other-key", "u1"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("upload under another key: %v", err)
		}
		if ok, err := tx.BucketHasObjects(ctx, "beta"); err != nil || !ok {
			return fmt.Errorf("a bucket with uploads is not empty: %v %v", ok, err)
		}
		if ok, err := tx.BlobReferenced(ctx, "p1"); err != nil || !ok {
			return fmt.Errorf("a part's blob is referenced: %v %v", ok, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		parts, err := tx.DeleteUpload(ctx, "u1")
		if err != nil || len(parts) != 3 {
			return fmt.Errorf("DeleteUpload: %d %v", len(parts), err)
		}
		if ok, err := tx.BlobReferenced(ctx, "p1"); err != nil || ok {
			return fmt.Errorf("aborted part still referenced: %v %v", ok, err)
		}
		return tx.DeleteBucket(ctx, "other")
	})
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetBucket(ctx, "other"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleted bucket: %v", err)
		}
		if _, err := tx.GetUpload(ctx, "beta", "big", "u1"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleted upload: %v", err)
		}
		return nil
	})
}

// testPublicAccessBlocks: a bucket's Block Public Access configuration is
// part of its record; an account's has its own get/put/delete, with
// ErrNotFound when there is none, and its writes bump the IAM generation.
func testPublicAccessBlocks(t testing.TB, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetAccountPublicAccessBlock(ctx, "1"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no configuration yet: %v", err)
		}
		return nil
	})
	if err := updateErr(t, s, func(tx store.Tx) error { return tx.DeleteAccountPublicAccessBlock(ctx, "1") }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting a missing configuration: %v", err)
	}
	gen := generation(t, s)
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutAccountPublicAccessBlock(ctx, "1", &store.PublicAccessBlock{BlockPublicPolicy: true}); err != nil {
			return err
		}
		if err := tx.PutAccountPublicAccessBlock(ctx, "1", &store.PublicAccessBlock{BlockPublicAcls: true, RestrictPublicBuckets: true}); err != nil {
			return fmt.Errorf("replacing: %v", err)
		}
		if err := tx.PutAccountPublicAccessBlock(ctx, "2", &store.PublicAccessBlock{IgnorePublicAcls: true}); err != nil {
			return err
		}
		return tx.CreateBucket(ctx, &store.Bucket{Name: "b", Account: "1", CreatedAt: t0,
			PublicAccessBlock: &store.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}})
	})
	if g := generation(t, s); g == gen {
		t.Fatal("writing an account configuration did not bump the IAM generation")
	}
	view(t, s, func(tx store.Tx) error {
		a, err := tx.GetAccountPublicAccessBlock(ctx, "1")
		if err != nil || *a != (store.PublicAccessBlock{BlockPublicAcls: true, RestrictPublicBuckets: true}) {
			return fmt.Errorf("account 1: %+v %v", a, err)
		}
		a, err = tx.GetAccountPublicAccessBlock(ctx, "2")
		if err != nil || *a != (store.PublicAccessBlock{IgnorePublicAcls: true}) {
			return fmt.Errorf("account 2: %+v %v", a, err)
		}
		b, err := tx.GetBucket(ctx, "b")
		if err != nil || b.PublicAccessBlock == nil || *b.PublicAccessBlock != (store.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}) {
			return fmt.Errorf("bucket: %+v %v", b, err)
		}
		return nil
	})
	gen = generation(t, s)
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeleteAccountPublicAccessBlock(ctx, "1"); err != nil {
			return err
		}
		b, err := tx.GetBucket(ctx, "b")
		if err != nil {
			return err
		}
		b.PublicAccessBlock = nil
		return tx.UpdateBucket(ctx, b)
	})
	if g := generation(t, s); g == gen {
		t.Fatal("deleting an account configuration did not bump the IAM generation")
	}
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetAccountPublicAccessBlock(ctx, "1"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("after delete: %v", err)
		}
		if a, err := tx.GetAccountPublicAccessBlock(ctx, "2"); err != nil || !a.IgnorePublicAcls {
			return fmt.Errorf("account 2 after deleting account 1's: %+v %v", a, err)
		}
		if b, err := tx.GetBucket(ctx, "b"); err != nil || b.PublicAccessBlock != nil {
			return fmt.Errorf("bucket after removing its configuration: %+v %v", b, err)
		}
		return nil
	})
}

// testBucketGeneration: S3 metadata writes — creating, updating and
// deleting a bucket, writing and removing an object — leave the IAM
// generation alone (it flushes every IAM cache; a tenant's bucket writes
// must not). It leaves no bucket behind.
func testBucketGeneration(t testing.TB, s store.Store) {
	t.Helper()
	step := func(what string, bumps bool, fn func(tx store.Tx) error) {
		t.Helper()
		g := generation(t, s)
		update(t, s, fn)
		if changed := generation(t, s) != g; changed != bumps {
			t.Fatalf("%s: IAM generation changed %v, want %v", what, changed, bumps)
		}
	}
	step("CreateBucket", false, func(tx store.Tx) error {
		return tx.CreateBucket(ctx, &store.Bucket{Name: "gen", Account: "1", CreatedAt: t0})
	})
	step("UpdateBucket", false, func(tx store.Tx) error {
		return tx.UpdateBucket(ctx, &store.Bucket{Name: "gen", Account: "1", CreatedAt: t0, Policy: "{}"})
	})
	step("PutObject", false, func(tx store.Tx) error {
		_, err := tx.PutObject(ctx, &store.Object{Bucket: "gen", Key: "k", ETag: `"e"`, LastModified: t0, Owner: "1"})
		return err
	})
	step("DeleteVersion", false, func(tx store.Tx) error {
		o, err := tx.GetObject(ctx, "gen", "k")
		if err != nil {
			return err
		}
		_, err = tx.DeleteVersion(ctx, "gen", "k", o.VersionID, store.Removal{Now: t0})
		return err
	})
	step("DeleteBucket", false, func(tx store.Tx) error { return tx.DeleteBucket(ctx, "gen") })
}

// testInlineObject: an object whose bytes are kept in its record (a
// BlobRef with Data and no Key) reads back with them, refers to no blob,
// and its removal returns them for nothing to free.
func testInlineObject(t testing.TB, open Opener) {
	s := open(t, t.TempDir())
	defer s.Close()
	data := []byte("\x00inline bytes\xff")
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateBucket(ctx, &store.Bucket{Name: "in", Account: "1", CreatedAt: t0}); err != nil {
			return err
		}
		_, err := tx.PutObject(ctx, &store.Object{Bucket: "in", Key: "k", VersionID: store.NullVersion, ETag: `"e"`, LastModified: t0, Owner: "1",
			Size: int64(len(data)), Blobs: []store.BlobRef{{Size: int64(len(data)), Data: data}}})
		return err
	})
	view(t, s, func(tx store.Tx) error {
		o, err := tx.GetObject(ctx, "in", "k")
		if err != nil || len(o.Blobs) != 1 || !o.Blobs[0].Inline() || string(o.Blobs[0].Data) != string(data) || o.Blobs[0].Size != int64(len(data)) {
			return fmt.Errorf("inline object read back as %+v, %v", o, err)
		}
		if used, err := tx.BlobReferenced(ctx, ""); err != nil || used {
			return fmt.Errorf("an inline run counts as a reference to blob \"\": %v %v", used, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		gone, err := tx.DeleteVersion(ctx, "in", "k", store.NullVersion, store.Removal{Now: t0})
		if err != nil || gone == nil || len(gone.Blobs) != 1 || string(gone.Blobs[0].Data) != string(data) {
			return fmt.Errorf("removed inline object: %+v, %v", gone, err)
		}
		return nil
	})
	if err := updateErr(t, s, func(tx store.Tx) error {
		_, err := tx.DeleteVersion(ctx, "in", "k", store.NullVersion, store.Removal{Now: t0})
		return err
	}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removing the removed inline object: %v, want ErrNotFound", err)
	}
}
