package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// listing describes every file of dir: name, size, mode and modification
// time, and the directory's own modification time.
func listing(t *testing.T, dir string) string {
	t.Helper()
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf(". %v\n", st.ModTime().UnixNano())
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s %d %v %d\n", e.Name(), info.Size(), info.Mode(), info.ModTime().UnixNano())
	}
	return out
}

// ageFiles sets the times of dir and everything in it to an hour ago, so
// that any later write shows in a listing.
func ageFiles(t *testing.T, dir string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.Chtimes(filepath.Join(dir, e.Name()), old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(dir, old, old); err != nil {
		t.Fatal(err)
	}
}

func putObjectErr(s *Store, key string, blobs ...string) error {
	o := &store.Object{Bucket: "b", Key: key, LastModified: time.Unix(1, 0)}
	for _, b := range blobs {
		o.Blobs = append(o.Blobs, store.BlobRef{Key: b, Size: 1})
	}
	return s.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.PutObject(context.Background(), o)
		return err
	})
}

func putObject(t testing.TB, s *Store, key string, blobs ...string) {
	t.Helper()
	if err := putObjectErr(s, key, blobs...); err != nil {
		t.Fatal(err)
	}
}

// TestOpenReadOnlyWritesNothing: reading a closed store, and one another
// connection has open, leaves every file and the directory as they were;
// Update is refused.
func TestOpenReadOnlyWritesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "g.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateAccount(ctx, &store.Account{ID: "111111111111", Name: "a", CreatedAt: time.Unix(1, 0)})
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ageFiles(t, dir)
	before := listing(t, dir)
	ro, err := OpenReadOnly(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := ro.View(ctx, func(tx store.Tx) error {
		as, err := tx.ListAccounts(ctx)
		n = len(as)
		return err
	}); err != nil || n != 1 {
		t.Fatalf("read-only view: %d accounts, %v", n, err)
	}
	if err := ro.Update(ctx, func(store.Tx) error { return nil }); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Update on a read-only store: %v", err)
	}
	ro.Close()
	if after := listing(t, dir); after != before {
		t.Fatalf("a read-only open changed the directory:\nbefore:\n%safter:\n%s", before, after)
	}

	// With a writer open (a -wal file exists), reads see its commits.
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Update(ctx, func(tx store.Tx) error {
		return tx.CreateAccount(ctx, &store.Account{ID: "222222222222", Name: "b", CreatedAt: time.Unix(2, 0)})
	}); err != nil {
		t.Fatal(err)
	}
	ro, err = OpenReadOnly(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.View(ctx, func(tx store.Tx) error {
		as, err := tx.ListAccounts(ctx)
		n = len(as)
		return err
	}); err != nil || n != 2 {
		t.Fatalf("read-only view beside a writer: %d accounts, %v", n, err)
	}
	if _, err := OpenReadOnly(filepath.Join(dir, "missing.db"), Config{}); err == nil {
		t.Fatal("OpenReadOnly of a missing file succeeded")
	}
}

// TestInstallationOfOlderSchema: a store from before migration 6 has no
// installation record, read-only (no migration) or not.
func TestInstallationOfOlderSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// Make it a version-5 database.
	for _, q := range []string{`DROP TABLE installation`, `DROP TABLE blob_holds`, `DROP TABLE saml_providers`, `DROP TABLE oidc_providers`,
		`DROP TABLE object_versions`, `ALTER TABLE objects DROP COLUMN version_id`, `ALTER TABLE objects DROP COLUMN seq`,
		`ALTER TABLE objects DROP COLUMN storage_class`, `DROP INDEX buckets_region`, `ALTER TABLE buckets DROP COLUMN region`,
		`DELETE FROM schema_migrations WHERE version >= 6`} {
		if _, err := s.write.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	ro, err := OpenReadOnly(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	err = ro.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetInstallation(ctx); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("GetInstallation on a version-5 store: %v", err)
		}
		ref, err := tx.BlobReferenced(ctx, "k")
		if err != nil || ref {
			return fmt.Errorf("BlobReferenced on a version-5 store: %v %v", ref, err)
		}
		return nil
	})
	ro.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(path) // migrates
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.PutInstallation(ctx, &store.Installation{DefaultAccount: "111111111111"})
	}); err != nil {
		t.Fatal(err)
	}
}

// TestBlobHolds: while a hold lasts, BlobReferenced says yes for every
// blob; it stops at release or when the hold lapses by the store's clock.
func TestBlobHolds(t *testing.T) {
	ctx := context.Background()
	var now atomic.Int64
	now.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	s, err := OpenConfig(filepath.Join(t.TempDir(), "g.db"), Config{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	putObject(t, s, "o", "kept")
	referenced := func(key string) bool {
		t.Helper()
		var ref bool
		if err := s.View(ctx, func(tx store.Tx) error {
			var err error
			ref, err = tx.BlobReferenced(ctx, key)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ref
	}
	if !referenced("kept") || referenced("orphan") {
		t.Fatal("BlobReferenced without holds")
	}
	if err := s.HoldBlobs(ctx, "h1", clock().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !referenced("orphan") {
		t.Fatal("a held blob store must keep every blob")
	}
	now.Add(int64(2 * time.Minute))
	if referenced("orphan") {
		t.Fatal("a lapsed hold still keeps blobs")
	}
	if err := s.HoldBlobs(ctx, "h1", clock().Add(time.Minute)); err != nil { // renewed
		t.Fatal(err)
	}
	if err := s.HoldBlobs(ctx, "h2", clock().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseBlobHold(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	if !referenced("orphan") {
		t.Fatal("releasing one hold ended another")
	}
	if err := s.ReleaseBlobHold(ctx, "h2"); err != nil {
		t.Fatal(err)
	}
	if referenced("orphan") || !referenced("kept") {
		t.Fatal("BlobReferenced after every hold was released")
	}
}

// TestSnapshotWhileWriting snapshots a store while writers commit, and
// reads the snapshot's inventory: a consistent view (every object of a
// writer up to some point, none after a gap), no blob holds, and every
// referenced blob once in key order.
func TestSnapshotWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	putObject(t, s, "shared-a", "00shared")
	putObject(t, s, "shared-b", "00shared", "01other")
	if err := s.HoldBlobs(ctx, "backup", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written [4]atomic.Int64
	busy := make(chan struct{}) // closed when writer 0 has committed 20 objects
	for w := range written {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := putObjectErr(s, fmt.Sprintf("w%d/%06d", w, i), fmt.Sprintf("w%d-%06d", w, i)); err != nil {
					t.Error(err)
					return
				}
				written[w].Store(int64(i + 1))
				if w == 0 && i == 19 {
					close(busy)
				}
			}
		}()
	}
	<-busy
	var before [4]int64
	for w := range written {
		before[w] = written[w].Load()
	}
	snap := filepath.Join(t.TempDir(), "snap.db")
	err = s.SnapshotTo(ctx, snap)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SnapshotTo(ctx, snap); err == nil {
		t.Fatal("SnapshotTo over an existing file succeeded")
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(snap + suffix); err == nil {
			t.Fatalf("the snapshot is not one self-contained file: %s exists", snap+suffix)
		}
	}
	ro, err := OpenReadOnly(snap, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var keys []string
	counts, err := ro.Inventory(ctx, func(k string) error { keys = append(keys, k); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if !sort.StringsAreSorted(keys) || keys[0] != "00shared" || keys[1] != "01other" {
		t.Fatalf("blob keys not once each in order: %v", keys[:3])
	}
	if counts["objects"] != int64(len(keys)) || counts["objects"] < 2+before[0]+before[1]+before[2]+before[3] {
		t.Fatalf("counts %v, %d keys, writers had committed at least %v", counts, len(keys), before)
	}
	// Per writer, the snapshot holds a prefix of its objects.
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k] = true
	}
	for w := range written {
		gap := false
		for i := 0; i < int(written[w].Load()); i++ {
			has := seen[fmt.Sprintf("w%d-%06d", w, i)]
			if i < int(before[w]) && !has {
				t.Fatalf("object %d of writer %d, committed before the snapshot, is missing", i, w)
			}
			if has && gap {
				t.Fatalf("writer %d: object %d is in the snapshot after a missing one", w, i)
			}
			gap = gap || !has
		}
	}
	if err := ro.View(ctx, func(tx store.Tx) error {
		ref, err := tx.BlobReferenced(ctx, "not-referenced")
		if ref {
			return errors.New("the snapshot kept the live store's blob hold")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
