package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob"
	blobfs "github.com/gatehouse/gatehouse/internal/blob/fs"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

var ctx = context.Background()

// live is a data directory: a SQLite store and a blob/fs blob store.
type live struct {
	store *sqlite.Store
	blobs *blobfs.FS
	data  map[string][]byte // object key → bytes
}

func newLive(t *testing.T) *live {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "gatehouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bs, err := blobfs.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	l := &live{store: st, blobs: bs, data: map[string][]byte{}}
	if err := st.Update(ctx, func(tx store.Tx) error {
		return tx.CreateBucket(ctx, &store.Bucket{Name: "b", Account: "111111111111"})
	}); err != nil {
		t.Fatal(err)
	}
	return l
}

// put stores an object of one blob per part.
func (l *live) put(t *testing.T, key string, parts ...[]byte) {
	t.Helper()
	o := &store.Object{Bucket: "b", Key: key}
	for _, p := range parts {
		info, err := l.blobs.Put(ctx, bytes.NewReader(p), int64(len(p)))
		if err != nil {
			t.Fatal(err)
		}
		o.Blobs = append(o.Blobs, store.BlobRef{Key: info.Key, Size: info.Size})
		o.Size += info.Size
	}
	if err := l.store.Update(ctx, func(tx store.Tx) error { _, err := tx.PutObject(ctx, o); return err }); err != nil {
		t.Fatal(err)
	}
	l.data[key] = bytes.Join(parts, nil)
}

// remove deletes an object and frees its blobs as a server does: each one
// no record references (BlobReferenced, asked after the commit) is deleted.
func (l *live) remove(key string) error {
	var old *store.Object
	if err := l.store.Update(ctx, func(tx store.Tx) error {
		var err error
		old, err = tx.DeleteVersion(ctx, "b", key, store.NullVersion, store.Removal{})
		return err
	}); err != nil {
		return err
	}
	for _, b := range old.Blobs {
		var used bool
		if err := l.store.View(ctx, func(tx store.Tx) error {
			var err error
			used, err = tx.BlobReferenced(ctx, b.Key)
			return err
		}); err != nil {
			return err
		}
		if !used {
			if err := l.blobs.Delete(ctx, b.Key); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *live) config(s LiveStore) TakeConfig {
	return TakeConfig{
		Store: s, Blobs: l.blobs, Now: time.Now, Version: "test",
		OpenInventory: func(p string) (Inventory, error) { return sqlite.OpenReadOnly(p, sqlite.Config{}) },
		OpenTarget:    func(d string) (blob.Importer, error) { return blobfs.Open(d) },
	}
}

func restoreConfig() RestoreConfig {
	return RestoreConfig{
		OpenSource:    func(d string) (blob.Store, error) { return blobfs.Open(d) },
		OpenTarget:    func(d string) (blob.Importer, error) { return blobfs.Open(d) },
		OpenInventory: func(p string) (Inventory, error) { return sqlite.OpenReadOnly(p, sqlite.Config{}) },
		StoreFile:     "gatehouse.db", BlobDir: "blobs",
	}
}

// readObjects reads every object of a restored data directory.
func readObjects(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	st, err := sqlite.OpenReadOnly(filepath.Join(dir, "gatehouse.db"), sqlite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bs, err := blobfs.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	err = st.View(ctx, func(tx store.Tx) error {
		entries, err := tx.ListObjects(ctx, "b", store.ObjectQuery{Limit: 1000})
		if err != nil {
			return err
		}
		for _, e := range entries {
			o, err := tx.GetObject(ctx, "b", e.Key)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			for _, ref := range o.Blobs {
				obj, err := bs.Open(ctx, ref.Key)
				if err != nil {
					return fmt.Errorf("object %s: blob %s: %w", e.Key, ref.Key, err)
				}
				io.Copy(&buf, io.NewSectionReader(obj, 0, obj.Size()))
				obj.Close()
			}
			out[e.Key] = buf.Bytes()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTakeAndRestore(t *testing.T) {
	l := newLive(t)
	l.put(t, "small", []byte("hello"))
	l.put(t, "multipart", bytes.Repeat([]byte("a"), 300<<10), []byte("tail"))
	l.put(t, "empty")
	dest := filepath.Join(t.TempDir(), "backup")
	m, err := Take(ctx, dest, l.config(l.store))
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != Format || m.Version != "test" || m.Blobs != 3 || m.BlobBytes != 5+300<<10+4 || m.Counts["objects"] != 3 || m.Counts["buckets"] != 1 || m.MasterKey != nil {
		t.Fatalf("manifest %+v", m)
	}
	opened, err := Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	if opened.Store != m.Store || opened.BlobList != m.BlobList {
		t.Fatalf("Open read %+v, Take wrote %+v", opened, m)
	}
	dir := t.TempDir()
	if err := Restore(ctx, dest, opened, dir, restoreConfig()); err != nil {
		t.Fatal(err)
	}
	got := readObjects(t, dir)
	if len(got) != len(l.data) {
		t.Fatalf("restored %d objects, want %d", len(got), len(l.data))
	}
	for k, want := range l.data {
		if !bytes.Equal(got[k], want) {
			t.Errorf("object %s: restored %d bytes, want %d", k, len(got[k]), len(want))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "gatehouse.db.tmp")); err == nil {
		t.Fatal("the store's temp file was left behind")
	}
}

func TestTakeRefusesANonEmptyDestination(t *testing.T) {
	l := newLive(t)
	dest := t.TempDir()
	os.WriteFile(filepath.Join(dest, "precious"), []byte("x"), 0o600)
	if _, err := Take(ctx, dest, l.config(l.store)); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Take into a non-empty directory: %v", err)
	}
	if entries, _ := os.ReadDir(dest); len(entries) != 1 {
		t.Fatalf("Take touched a non-empty destination: %v", entries)
	}
}

// snapshotThenDelete deletes an object right after the snapshot, before
// its blobs are copied: the race a blob hold closes.
type snapshotThenDelete struct {
	LiveStore
	l       *live
	key     string
	noHolds bool // a store without holds: the blob is freed at once
	err     error
}

func (s *snapshotThenDelete) SnapshotTo(ctx context.Context, path string) error {
	if err := s.LiveStore.SnapshotTo(ctx, path); err != nil {
		return err
	}
	s.err = s.l.remove(s.key)
	return nil
}

func (s *snapshotThenDelete) HoldBlobs(ctx context.Context, id string, until time.Time) error {
	if s.noHolds {
		return nil
	}
	return s.LiveStore.HoldBlobs(ctx, id, until)
}

func TestHoldKeepsBlobsDeletedDuringTheBackup(t *testing.T) {
	l := newLive(t)
	l.put(t, "doomed", []byte("deleted while backing up"))
	l.put(t, "kept", []byte("stays"))
	s := &snapshotThenDelete{LiveStore: l.store, l: l, key: "doomed"}
	dest := filepath.Join(t.TempDir(), "backup")
	m, err := Take(ctx, dest, l.config(s))
	if err != nil || s.err != nil {
		t.Fatalf("Take: %v (delete: %v)", err, s.err)
	}
	dir := t.TempDir()
	if err := Restore(ctx, dest, m, dir, restoreConfig()); err != nil {
		t.Fatal(err)
	}
	if got := readObjects(t, dir); string(got["doomed"]) != "deleted while backing up" || string(got["kept"]) != "stays" {
		t.Fatalf("restored %q", got)
	}
	// The hold is released: the freed blob is an orphan now, the sweeper's.
	var held bool
	l.store.View(ctx, func(tx store.Tx) error {
		held, _ = tx.BlobReferenced(ctx, "00000000000000000000000000000000")
		return nil
	})
	if held {
		t.Fatal("the backup's blob hold outlived it")
	}

	// Without the hold the same race loses the blob, and the backup says so
	// and removes what it wrote.
	l.put(t, "doomed", []byte("again"))
	s = &snapshotThenDelete{LiveStore: l.store, l: l, key: "doomed", noHolds: true}
	dest = filepath.Join(t.TempDir(), "backup")
	if _, err := Take(ctx, dest, l.config(s)); !errors.Is(err, ErrBlobMissing) {
		t.Fatalf("Take without a hold: %v, want ErrBlobMissing", err)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Fatalf("a failed backup left %s: %v", dest, err)
	}
}

func TestRestoreFindsDamage(t *testing.T) {
	l := newLive(t)
	l.put(t, "o", []byte("original bytes"))
	dest := filepath.Join(t.TempDir(), "backup")
	if _, err := Take(ctx, dest, l.config(l.store)); err != nil {
		t.Fatal(err)
	}
	list, _ := os.ReadFile(filepath.Join(dest, BlobListFile))
	key := strings.Fields(string(list))[2]
	blobPath := filepath.Join(dest, BlobDir, key[:2], key[2:4], key)

	// A changed blob: Open passes (it checks the listed files), Restore fails.
	os.WriteFile(blobPath, []byte("Original bytes"), 0o600)
	m, err := Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	if err := Restore(ctx, dest, m, t.TempDir(), restoreConfig()); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("restore of a changed blob: %v", err)
	}
	os.WriteFile(blobPath, []byte("original bytes"), 0o600)

	// A changed store or blob list: Open fails.
	for _, name := range []string{StoreFile, BlobListFile} {
		p := filepath.Join(dest, name)
		orig, _ := os.ReadFile(p)
		os.WriteFile(p, append(append([]byte(nil), orig...), 0), 0o600)
		if _, err := Open(dest); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Open with a changed %s: %v", name, err)
		}
		os.WriteFile(p, orig, 0o600)
	}
	if _, err := Open(dest); err != nil {
		t.Fatalf("restored files: %v", err)
	}
	// No manifest, or another format.
	if _, err := Open(t.TempDir()); !errors.Is(err, ErrNotBackup) {
		t.Fatalf("Open of an empty directory: %v", err)
	}
	mf := filepath.Join(dest, ManifestFile)
	data, _ := os.ReadFile(mf)
	os.WriteFile(mf, bytes.Replace(data, []byte(`"format": 1`), []byte(`"format": 99`), 1), 0o600)
	if _, err := Open(dest); !errors.Is(err, ErrNotBackup) {
		t.Fatalf("Open of format 99: %v", err)
	}
}
