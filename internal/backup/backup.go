package backup

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/keyring"
)

// Format is the version of the backup layout this package writes and reads.
const Format = 1

// Names of the files in a backup directory.
const (
	ManifestFile = "manifest.json"
	StoreFile    = "gatehouse.db"
	BlobDir      = "blobs"
	BlobListFile = "blobs.sha256"
)

// Sentinel errors.
var (
	// ErrNotEmpty: the backup's destination exists and is not empty.
	ErrNotEmpty = errors.New("backup: destination is not empty")
	// ErrBlobMissing: a blob the snapshot references is not in the blob
	// store (deleted outside Gatehouse, or the blob hold lapsed).
	ErrBlobMissing = errors.New("backup: a referenced blob is missing")
	// ErrNotBackup: the directory has no manifest, or one of another format.
	ErrNotBackup = errors.New("backup: not a complete Gatehouse backup")
	// ErrCorrupt: a file of the backup does not match its checksum, or the
	// restored store does not match the manifest.
	ErrCorrupt = errors.New("backup: backup is damaged")
)

// Manifest describes one backup.
type Manifest struct {
	Format    int       `json:"format"`
	Version   string    `json:"gatehouse_version"`
	CreatedAt time.Time `json:"created_at"`
	// Store is the store snapshot, BlobList the list of blobs with their
	// checksums, MasterKey the master key file when it was included.
	Store     File  `json:"store"`
	BlobList  File  `json:"blob_list"`
	MasterKey *File `json:"master_key,omitempty"`
	// Blobs and BlobBytes count the blobs copied and their bytes.
	Blobs     int64 `json:"blobs"`
	BlobBytes int64 `json:"blob_bytes"`
	// Counts are the store's records by table (accounts, objects, …).
	Counts map[string]int64 `json:"counts"`
}

// File is one file of a backup.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// LiveStore is the metadata store of a running data directory.
type LiveStore interface {
	// SnapshotTo writes a consistent copy of the store to path.
	SnapshotTo(ctx context.Context, path string) error
	// HoldBlobs creates or extends the hold id until the given time: no
	// blob is deleted while it lasts.
	HoldBlobs(ctx context.Context, id string, until time.Time) error
	ReleaseBlobHold(ctx context.Context, id string) error
}

// Inventory is a store snapshot opened for reading.
type Inventory interface {
	// Inventory counts the records by table and calls fn once per
	// referenced blob key, in key order.
	Inventory(ctx context.Context, fn func(blobKey string) error) (map[string]int64, error)
	Close() error
}

// TakeConfig holds what Take reads and how it writes.
type TakeConfig struct {
	Store LiveStore
	Blobs blob.Store // the live blob store
	// OpenInventory opens the snapshot Take wrote; OpenTarget the blob
	// store the backup's blobs go to (created in dir).
	OpenInventory func(path string) (Inventory, error)
	OpenTarget    func(dir string) (blob.Importer, error)
	// MasterKey, when not nil, is written to the backup as master.key.
	MasterKey []byte
	Now       func() time.Time
	Version   string // of the Gatehouse that takes the backup
	// HoldFor is how long the blob hold lasts unless renewed (default 10
	// minutes); Take renews it every quarter of that.
	HoldFor time.Duration
}

// Take writes a backup of the live data directory to dest, which must not
// exist or be an empty directory. On failure it removes what it wrote.
func Take(ctx context.Context, dest string, c TakeConfig) (m *Manifest, err error) {
	if c.HoldFor <= 0 {
		c.HoldFor = 10 * time.Minute
	}
	created, err := prepareDest(dest)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			removeWritten(dest, created)
		}
	}()
	stopHold, err := hold(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("backup: hold blobs: %w", err)
	}
	defer func() {
		if herr := stopHold(); herr != nil && err == nil {
			err = fmt.Errorf("backup: blob hold: %w", herr)
		}
	}()
	storePath := filepath.Join(dest, StoreFile)
	if err := c.Store.SnapshotTo(ctx, storePath); err != nil {
		return nil, err
	}
	m = &Manifest{Format: Format, Version: c.Version, CreatedAt: c.Now().UTC()}
	if err := copyBlobs(ctx, dest, c, m); err != nil {
		return nil, err
	}
	if m.Store, err = describe(dest, StoreFile); err != nil {
		return nil, err
	}
	if c.MasterKey != nil {
		if err := keyring.WriteMasterKeyFile(dest, c.MasterKey); err != nil {
			return nil, err
		}
		f, err := describe(dest, keyring.MasterKeyFile)
		if err != nil {
			return nil, err
		}
		m.MasterKey = &f
	}
	return m, writeManifest(dest, m)
}

// hold takes the blob hold and renews it until the returned stop, which
// releases it and reports a failed renewal.
func hold(ctx context.Context, c TakeConfig) (stop func() error, err error) {
	idb := make([]byte, 8)
	if _, err := rand.Read(idb); err != nil {
		return nil, err
	}
	id := "backup-" + hex.EncodeToString(idb)
	if err := c.Store.HoldBlobs(ctx, id, c.Now().Add(c.HoldFor)); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	renewed := make(chan error, 1)
	go func() {
		t := time.NewTicker(c.HoldFor / 4)
		defer t.Stop()
		for {
			select {
			case <-done:
				renewed <- nil
				return
			case <-t.C:
				if err := c.Store.HoldBlobs(ctx, id, c.Now().Add(c.HoldFor)); err != nil {
					renewed <- err
					return
				}
			}
		}
	}()
	return func() error {
		close(done)
		err := <-renewed
		return errors.Join(err, c.Store.ReleaseBlobHold(context.WithoutCancel(ctx), id))
	}, nil
}

// copyBlobs copies every blob the snapshot references and writes the blob
// list, filling m's counts.
func copyBlobs(ctx context.Context, dest string, c TakeConfig, m *Manifest) error {
	inv, err := c.OpenInventory(filepath.Join(dest, StoreFile))
	if err != nil {
		return fmt.Errorf("backup: open snapshot: %w", err)
	}
	defer inv.Close()
	target, err := c.OpenTarget(filepath.Join(dest, BlobDir))
	if err != nil {
		return err
	}
	list, err := os.OpenFile(filepath.Join(dest, BlobListFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer list.Close()
	w := bufio.NewWriter(list)
	m.Counts, err = inv.Inventory(ctx, func(key string) error {
		obj, err := c.Blobs.Open(ctx, key)
		if errors.Is(err, blob.ErrNotFound) {
			return fmt.Errorf("%w: blob %s is referenced by the snapshot but not in the blob store", ErrBlobMissing, key)
		}
		if err != nil {
			return err
		}
		defer obj.Close()
		sum := sha256.New()
		info, err := target.Import(ctx, key, io.NewSectionReader(obj, 0, obj.Size()), obj.Size(), sum)
		if err != nil {
			return fmt.Errorf("backup: copy blob %s: %w", key, err)
		}
		if info.Size != obj.Size() {
			return fmt.Errorf("backup: blob %s: copied %d of %d bytes", key, info.Size, obj.Size())
		}
		m.Blobs++
		m.BlobBytes += info.Size
		_, err = fmt.Fprintf(w, "%x %d %s\n", sum.Sum(nil), info.Size, key)
		return err
	})
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := list.Sync(); err != nil {
		return err
	}
	m.BlobList, err = describe(dest, BlobListFile)
	return err
}

// prepareDest creates dest, or accepts an existing empty directory.
func prepareDest(dest string) (created bool, err error) {
	entries, err := os.ReadDir(dest)
	if errors.Is(err, fs.ErrNotExist) {
		return true, os.MkdirAll(dest, 0o700)
	}
	if err != nil {
		return false, err
	}
	if len(entries) > 0 {
		return false, fmt.Errorf("%w: %s", ErrNotEmpty, dest)
	}
	return false, nil
}

// removeWritten removes a failed backup: dest itself when Take created it,
// else the files Take writes.
func removeWritten(dest string, created bool) {
	if created {
		os.RemoveAll(dest)
		return
	}
	for _, name := range []string{ManifestFile, ManifestFile + ".tmp", StoreFile, BlobDir, BlobListFile, keyring.MasterKeyFile} {
		os.RemoveAll(filepath.Join(dest, name))
	}
}

// describe returns a file's size and SHA-256.
func describe(dir, name string) (File, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	sum := sha256.New()
	n, err := io.Copy(sum, f)
	return File{Name: name, Size: n, SHA256: hex.EncodeToString(sum.Sum(nil))}, err
}

// writeManifest writes m durably: temp file, sync, rename, directory sync.
func writeManifest(dest string, m *Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dest, ManifestFile+".tmp")
	if err := writeSynced(tmp, append(data, '\n')); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dest, ManifestFile)); err != nil {
		return err
	}
	return syncDir(dest)
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// hashingReader feeds what it reads to a hash.
type hashingReader struct {
	r io.Reader
	h hash.Hash
}

func (h hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	return n, err
}
