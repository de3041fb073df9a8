package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// testVersions checks object versions: new versions keep the old ones as
// noncurrent, delete markers, the null version, permanent deletion with
// promotion of the next version, blob references of every version, tag
// updates in place, and the version listing's order, latest flags and
// paging — and that all of it survives a reopen.
func testVersions(t testing.TB, open Opener) {
	dir := t.TempDir()
	s := open(t, dir)
	defer func() { s.Close() }()
	update(t, s, func(tx store.Tx) error {
		return tx.CreateBucket(ctx, &store.Bucket{Name: "vers", Account: "1", CreatedAt: t0, Versioning: store.VersioningEnabled})
	})
	tick := 0
	put := func(key, id, blob string) *store.Object {
		t.Helper()
		tick++
		o := &store.Object{Bucket: "vers", Key: key, VersionID: id, Size: int64(len(blob)), ETag: `"` + blob + `"`,
			LastModified: t0.Add(time.Duration(tick) * time.Second), Owner: "1"}
		if blob == "" {
			o.DeleteMarker = true
		} else {
			o.Blobs = []store.BlobRef{{Key: blob, Size: int64(len(blob))}}
		}
		var replaced *store.Object
		update(t, s, func(tx store.Tx) error {
			var err error
			replaced, err = tx.PutObject(ctx, o)
			return err
		})
		return replaced
	}
	// Two versions: the first stays, noncurrent, with its bytes referenced.
	if r := put("k", "v1", "b-v1"); r != nil {
		t.Fatalf("the first version replaced %+v", r)
	}
	if r := put("k", "v2", "b-v2"); r != nil {
		t.Fatalf("a new version replaced %+v", r)
	}
	view(t, s, func(tx store.Tx) error {
		if o, err := tx.GetObject(ctx, "vers", "k"); err != nil || o.VersionID != "v2" || o.Blobs[0].Key != "b-v2" {
			return fmt.Errorf("current: %+v %v", o, err)
		}
		if o, err := tx.GetVersion(ctx, "vers", "k", "v1"); err != nil || o.VersionID != "v1" || o.Blobs[0].Key != "b-v1" || o.ETag != `"b-v1"` {
			return fmt.Errorf("noncurrent v1: %+v %v", o, err)
		}
		if _, err := tx.GetVersion(ctx, "vers", "k", "v9"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("missing version: %v", err)
		}
		if _, err := tx.GetVersion(ctx, "vers", "nokey", ""); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("latest version of a key without versions: %v", err)
		}
		return referenced(tx, map[string]bool{"b-v1": true, "b-v2": true})
	})
	wantVersions(t, s, "k:v2* k:v1")

	// A delete marker hides the key; the versions stay.
	put("k", "m1", "")
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetObject(ctx, "vers", "k"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("a key under a delete marker has a current version: %v", err)
		}
		if o, err := tx.GetVersion(ctx, "vers", "k", ""); err != nil || !o.DeleteMarker || o.VersionID != "m1" || o.Owner != "1" {
			return fmt.Errorf("latest: %+v %v", o, err)
		}
		if l, err := tx.ListObjects(ctx, "vers", store.ObjectQuery{}); err != nil || len(l) != 0 {
			return fmt.Errorf("ListObjects shows a deleted key: %+v %v", l, err)
		}
		return referenced(tx, map[string]bool{"b-v1": true, "b-v2": true})
	})
	wantVersions(t, s, "k:m1*D k:v2 k:v1")
	// A new version over the marker, then removing the marker and the
	// newest version: each time the next one is the latest again.
	put("k", "v3", "b-v3")
	wantVersions(t, s, "k:v3* k:m1D k:v2 k:v1")
	gone := deleteVersion(t, s, "k", "v3")
	if gone.VersionID != "v3" || gone.Blobs[0].Key != "b-v3" {
		t.Fatalf("DeleteVersion returned %+v", gone)
	}
	wantVersions(t, s, "k:m1*D k:v2 k:v1")
	if gone := deleteVersion(t, s, "k", "m1"); !gone.DeleteMarker {
		t.Fatalf("DeleteVersion of a marker returned %+v", gone)
	}
	wantVersions(t, s, "k:v2* k:v1")
	view(t, s, func(tx store.Tx) error {
		if o, err := tx.GetObject(ctx, "vers", "k"); err != nil || o.VersionID != "v2" {
			return fmt.Errorf("after removing the marker: %+v %v", o, err)
		}
		return referenced(tx, map[string]bool{"b-v3": false, "b-v2": true, "b-v1": true})
	})
	// Removing a noncurrent version leaves the current one alone.
	deleteVersion(t, s, "k", "v1")
	wantVersions(t, s, "k:v2*")
	if err := updateErr(t, s, func(tx store.Tx) error { _, err := tx.DeleteVersion(ctx, "vers", "k", "v1"); return err }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second DeleteVersion: %v", err)
	}

	// The null version: replaced in place wherever it is; the latest other
	// version stays.
	if r := put("k", store.NullVersion, "b-n1"); r != nil {
		t.Fatalf("a first null version replaced %+v", r)
	}
	put("k", "v4", "b-v4")
	wantVersions(t, s, "k:v4* k:null k:v2")
	if r := put("k", "", "b-n2"); r == nil || r.VersionID != store.NullVersion || r.Blobs[0].Key != "b-n1" {
		t.Fatalf("a null version over a noncurrent null version replaced %+v", r)
	}
	wantVersions(t, s, "k:null* k:v4 k:v2")
	if r := put("k", store.NullVersion, ""); r == nil || r.Blobs[0].Key != "b-n2" {
		t.Fatalf("a null delete marker over the null version replaced %+v", r)
	}
	wantVersions(t, s, "k:null*D k:v4 k:v2")
	view(t, s, func(tx store.Tx) error {
		return referenced(tx, map[string]bool{"b-n1": false, "b-n2": false, "b-v4": true, "b-v2": true})
	})
	// Tags change in place, current or not, without reordering.
	update(t, s, func(tx store.Tx) error {
		o, err := tx.GetVersion(ctx, "vers", "k", "v2")
		if err != nil {
			return err
		}
		o.Tags = []store.Tag{{Key: "t", Value: "old"}}
		if err := tx.UpdateVersion(ctx, o); err != nil {
			return err
		}
		if err := tx.UpdateVersion(ctx, &store.Object{Bucket: "vers", Key: "k", VersionID: "v9"}); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("UpdateVersion of a missing version: %v", err)
		}
		return nil
	})
	wantVersions(t, s, "k:null*D k:v4 k:v2")
	view(t, s, func(tx store.Tx) error {
		if o, err := tx.GetVersion(ctx, "vers", "k", "v2"); err != nil || len(o.Tags) != 1 || o.Tags[0].Value != "old" || o.Blobs[0].Key != "b-v2" {
			return fmt.Errorf("tagged v2: %+v %v", o, err)
		}
		return nil
	})
	// Two versions sharing a blob (a restore by copy): removing one keeps
	// the bytes referenced.
	put("k", "v5", "b-v2")
	deleteVersion(t, s, "k", "v2")
	view(t, s, func(tx store.Tx) error { return referenced(tx, map[string]bool{"b-v2": true}) })
	wantVersions(t, s, "k:v5* k:nullD k:v4")

	testVersionPaging(t, s, put)
	// Everything is durable.
	s.Close()
	s = open(t, dir)
	wantVersions(t, s, "a:a3* a:a2 a:a1 b:bm*D b:b2 b:b1 c/x:c1* c/y:cm*D k:v5* k:nullD k:v4")
	testVersionsEmptyBucket(t, s)
}

// testVersionPaging pages through keys with several versions each.
func testVersionPaging(t testing.TB, s store.Store, put func(key, id, blob string) *store.Object) {
	for _, v := range [][3]string{{"a", "a1", "x-a1"}, {"a", "a2", "x-a2"}, {"a", "a3", "x-a3"}, {"b", "b1", "x-b1"},
		{"b", "b2", "x-b2"}, {"b", "bm", ""}, {"c/x", "c1", "x-c1"}, {"c/y", "cy", "x-cy"}, {"c/y", "cm", ""}} {
		put(v[0], v[1], v[2])
	}
	deleteVersion(t, s, "c/y", "cy")
	all := "a:a3* a:a2 a:a1 b:bm*D b:b2 b:b1 c/x:c1* c/y:cm*D k:v5* k:nullD k:v4"
	wantVersions(t, s, all)
	for limit := 1; limit <= 4; limit++ {
		var got []string
		q := store.VersionQuery{Limit: limit}
		for page := 0; ; page++ {
			if page > 20 {
				t.Fatalf("limit %d: paging does not end: %s", limit, strings.Join(got, " "))
			}
			var l []store.VersionEntry
			view(t, s, func(tx store.Tx) error {
				var err error
				l, err = tx.ListVersions(ctx, "vers", q)
				return err
			})
			if len(l) > limit {
				t.Fatalf("limit %d: a page of %d", limit, len(l))
			}
			got = append(got, describeVersions(l)...)
			if len(l) < limit {
				break
			}
			q.KeyMarker, q.VersionIDMarker = l[len(l)-1].Key, l[len(l)-1].VersionID
		}
		if g := strings.Join(got, " "); g != all {
			t.Fatalf("limit %d: paged listing\n %s\nwant\n %s", limit, g, all)
		}
	}
	for _, c := range []struct {
		q    store.VersionQuery
		want string
	}{
		{store.VersionQuery{Prefix: "c/"}, "c/x:c1* c/y:cm*D"},
		{store.VersionQuery{KeyMarker: "a"}, "b:bm*D b:b2 b:b1 c/x:c1* c/y:cm*D k:v5* k:nullD k:v4"},
		{store.VersionQuery{KeyMarker: "b", VersionIDMarker: "bm", Limit: 3}, "b:b2 b:b1 c/x:c1*"},
		{store.VersionQuery{KeyMarker: "a", VersionIDMarker: "a3", Prefix: "b"}, "b:bm*D b:b2 b:b1"},
		{store.VersionQuery{KeyMarker: "k", VersionIDMarker: "null"}, "k:v4"},
		{store.VersionQuery{KeyMarker: "k", VersionIDMarker: "v4"}, ""},
		{store.VersionQuery{Prefix: "c/", KeyMarker: "c/x", VersionIDMarker: "c1"}, "c/y:cm*D"},
	} {
		var l []store.VersionEntry
		view(t, s, func(tx store.Tx) error {
			var err error
			l, err = tx.ListVersions(ctx, "vers", c.q)
			return err
		})
		if g := strings.Join(describeVersions(l), " "); g != c.want {
			t.Fatalf("ListVersions(%+v) = %s, want %s", c.q, g, c.want)
		}
		if len(l) > 0 && (l[0].Owner != "1" || l[0].LastModified.IsZero()) {
			t.Fatalf("ListVersions(%+v): entry %+v", c.q, l[0])
		}
	}
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.ListVersions(ctx, "vers", store.VersionQuery{KeyMarker: "a", VersionIDMarker: "b1"}); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("a version marker of another key: %v", err)
		}
		l, err := tx.ListVersions(ctx, "vers", store.VersionQuery{Prefix: "a"})
		if err != nil || len(l) != 3 || l[0].Size != 4 || l[0].ETag != `"x-a3"` || l[1].IsLatest {
			return fmt.Errorf("entries of a: %+v %v", l, err)
		}
		return nil
	})
}

// testVersionsEmptyBucket removes every version of the bucket: while any
// is left (a delete marker alone included) the bucket is not empty.
func testVersionsEmptyBucket(t testing.TB, s store.Store) {
	var l []store.VersionEntry
	view(t, s, func(tx store.Tx) error {
		var err error
		l, err = tx.ListVersions(ctx, "vers", store.VersionQuery{})
		return err
	})
	for _, e := range l {
		if e.Key != "c/y" {
			deleteVersion(t, s, e.Key, e.VersionID)
		}
	}
	wantVersions(t, s, "c/y:cm*D")
	view(t, s, func(tx store.Tx) error {
		if busy, err := tx.BucketHasObjects(ctx, "vers"); err != nil || !busy {
			return fmt.Errorf("a bucket holding a delete marker is empty: %v %v", busy, err)
		}
		return nil
	})
	deleteVersion(t, s, "c/y", "cm")
	view(t, s, func(tx store.Tx) error {
		if busy, err := tx.BucketHasObjects(ctx, "vers"); err != nil || busy {
			return fmt.Errorf("an emptied bucket has objects: %v %v", busy, err)
		}
		return referenced(tx, map[string]bool{"b-v4": false, "b-v2": false, "x-a1": false, "x-c1": false})
	})
}

func deleteVersion(t testing.TB, s store.Store, key, id string) *store.Object {
	t.Helper()
	var gone *store.Object
	update(t, s, func(tx store.Tx) error {
		var err error
		gone, err = tx.DeleteVersion(ctx, "vers", key, id)
		return err
	})
	return gone
}

// referenced checks BlobReferenced for each blob.
func referenced(tx store.Tx, want map[string]bool) error {
	for blob, w := range want {
		if ok, err := tx.BlobReferenced(ctx, blob); err != nil || ok != w {
			return fmt.Errorf("BlobReferenced(%s) = %v, %v; want %v", blob, ok, err, w)
		}
	}
	return nil
}

// wantVersions compares the bucket's whole version listing with want
// ("key:id" per version, * for the latest, D for a delete marker).
func wantVersions(t testing.TB, s store.Store, want string) {
	t.Helper()
	view(t, s, func(tx store.Tx) error {
		l, err := tx.ListVersions(ctx, "vers", store.VersionQuery{})
		if err != nil {
			return err
		}
		if got := strings.Join(describeVersions(l), " "); got != want {
			return fmt.Errorf("versions\n %s\nwant\n %s", got, want)
		}
		return nil
	})
}

func describeVersions(l []store.VersionEntry) []string {
	var out []string
	for _, e := range l {
		d := e.Key + ":" + e.VersionID
		if e.IsLatest {
			d += "*"
		}
		if e.DeleteMarker {
			d += "D"
		}
		out = append(out, d)
	}
	return out
}
