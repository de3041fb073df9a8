package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// A version listing page must cost the same whatever the number of
// versions: every query ListVersions runs is a search of a primary key (or
// a merge of two), never a sort into a temporary b-tree, which would read
// every matching version before returning the first. The plans are read
// from a store holding versions, after ANALYZE, so that the planner has
// statistics to be tempted by.
func TestListVersionsPlan(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	t0 := time.Unix(1_700_000_000, 0)
	if err := s.Update(ctx, func(tx store.Tx) error {
		for i := range 300 {
			o := &store.Object{Bucket: "b", Key: fmt.Sprintf("k%d", i%7), VersionID: fmt.Sprintf("v%d", i), LastModified: t0,
				DeleteMarker: i%5 == 0, Blobs: []store.BlobRef{{Key: fmt.Sprintf("blob%d", i)}}}
			if _, err := tx.PutObject(ctx, o); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	type plan struct {
		name  string
		query string
		args  []any
	}
	var plans []plan
	for _, q := range []store.VersionQuery{{}, {Limit: 10}, {Prefix: "k1", Limit: 10}, {KeyMarker: "k3", Limit: 1000},
		{KeyMarker: "k3", Prefix: "k", Limit: 5}, {KeyMarker: "a", Prefix: "k\xff"}} {
		query, args := keysAfterQuery("b", q, 0)
		plans = append(plans, plan{fmt.Sprintf("keys after %+v", q), query, args})
	}
	for _, q := range []store.VersionQuery{{KeyMarker: "k3", VersionIDMarker: "v3", Limit: 10}, {KeyMarker: "k3", VersionIDMarker: "v3"}} {
		query, args := markerKeyQuery("b", q, 200)
		plans = append(plans, plan{fmt.Sprintf("the marker's key %+v", q), query, args})
	}
	for _, p := range plans {
		rows, err := s.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+p.query, p.args...)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			steps = append(steps, detail)
		}
		rows.Close()
		all := strings.Join(steps, "; ")
		if strings.Contains(all, "TEMP B-TREE") || strings.Contains(all, "SCAN") {
			t.Errorf("%s: the plan sorts or scans: %s", p.name, all)
		}
		for _, table := range []string{"object_versions", "objects"} {
			if strings.Contains(p.query, "FROM "+table+" ") && !strings.Contains(all, "SEARCH "+table+" USING PRIMARY KEY") {
				t.Errorf("%s: %s is not searched by its primary key: %s", p.name, table, all)
			}
		}
		if strings.Contains(p.query, "UNION ALL") && !strings.Contains(all, "MERGE (UNION ALL)") {
			t.Errorf("%s: not a merge: %s", p.name, all)
		}
	}
}

// TestVersionsOfOlderSchema: objects written before versioning (migration
// 10) are their keys' null versions, their blob references intact, and a
// store from before it still reads and inventories without the new table.
// A snapshot of a versioned store carries its noncurrent versions.
func TestVersionsOfOlderSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "g.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// Make it a version-9 database holding one object, as version 9 wrote it.
	for _, q := range []string{`DROP TABLE object_versions`, `ALTER TABLE objects DROP COLUMN version_id`, `ALTER TABLE objects DROP COLUMN seq`,
		`DELETE FROM schema_migrations WHERE version >= 10`,
		`INSERT INTO objects (bucket, key, data, size, etag, modified, owner) VALUES ('b', 'old', '{"Bucket":"b","Key":"old","Blobs":[{"Key":"blob-old","Size":3}],"Size":3,"ETag":"\"e\""}', 3, '"e"', 1, '1')`,
		`INSERT INTO blob_refs (blob_key, bucket, key, upload, part) VALUES ('blob-old', 'b', 'old', '', 0)`} {
		if _, err := s.write.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()
	ro, err := OpenReadOnly(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	counts, err := ro.Inventory(ctx, func(string) error { return nil })
	ro.Close()
	if err != nil || counts["objects"] != 1 {
		t.Fatalf("inventory of a version-9 store: %v %v", counts, err)
	}
	if _, ok := counts["object_versions"]; ok {
		t.Fatalf("a version-9 store counts object versions: %v", counts)
	}
	s, err = Open(path) // migrates
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Update(ctx, func(tx store.Tx) error {
		o, err := tx.GetObject(ctx, "b", "old")
		if err != nil || o.VersionID != store.NullVersion || o.Blobs[0].Key != "blob-old" {
			return fmt.Errorf("the old object: %+v %v", o, err)
		}
		replaced, err := tx.PutObject(ctx, &store.Object{Bucket: "b", Key: "old", VersionID: "v1", Blobs: []store.BlobRef{{Key: "blob-new"}}})
		if err != nil || replaced != nil {
			return fmt.Errorf("a version over the old object replaced %+v: %v", replaced, err)
		}
		if ref, err := tx.BlobReferenced(ctx, "blob-old"); err != nil || !ref {
			return fmt.Errorf("the old object's bytes, now noncurrent, are unreferenced: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	snap := filepath.Join(dir, "snap.db")
	if err := s.SnapshotTo(ctx, snap); err != nil {
		t.Fatal(err)
	}
	ro, err = OpenReadOnly(snap, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var blobs []string
	counts, err = ro.Inventory(ctx, func(k string) error { blobs = append(blobs, k); return nil })
	if err != nil || counts["objects"] != 1 || counts["object_versions"] != 1 || strings.Join(blobs, ",") != "blob-new,blob-old" {
		t.Fatalf("snapshot inventory: %v %v %v", counts, blobs, err)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		gone, err := tx.DeleteVersion(ctx, "b", "old", store.NullVersion)
		if err != nil || gone.Blobs[0].Key != "blob-old" {
			return fmt.Errorf("DeleteVersion of the old null version: %+v %v", gone, err)
		}
		if ref, err := tx.BlobReferenced(ctx, "blob-old"); err != nil || ref {
			return fmt.Errorf("the removed null version's bytes are still referenced: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
