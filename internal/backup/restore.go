package backup

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/blob"
)

// Open reads the manifest of the backup in src and checks the checksums of
// its store snapshot, blob list and master key file; it writes nothing.
// (Blobs are checked as Restore copies them.)
func Open(src string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(src, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no %s (an interrupted backup, or not a backup)", ErrNotBackup, src, ManifestFile)
	}
	if err != nil {
		return nil, err
	}
	m := &Manifest{}
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotBackup, ManifestFile, err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("%w: %s is format %d; this gatehouse reads format %d", ErrNotBackup, src, m.Format, Format)
	}
	files := []File{m.Store, m.BlobList}
	if m.MasterKey != nil {
		files = append(files, *m.MasterKey)
	}
	for _, want := range files {
		if want.Name == "" || want.Name != filepath.Base(want.Name) {
			return nil, fmt.Errorf("%w: bad file name %q in the manifest", ErrCorrupt, want.Name)
		}
		got, err := describe(src, want.Name)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if got != want {
			return nil, fmt.Errorf("%w: %s has size %d and SHA-256 %s; the manifest says %d and %s",
				ErrCorrupt, want.Name, got.Size, got.SHA256, want.Size, want.SHA256)
		}
	}
	return m, nil
}

// RestoreConfig holds how Restore reads and writes blobs and stores.
type RestoreConfig struct {
	// OpenSource opens the backup's blobs (in dir) for reading, OpenTarget
	// the data directory's blob store (dir, created when missing).
	OpenSource func(dir string) (blob.Store, error)
	OpenTarget func(dir string) (blob.Importer, error)
	// OpenInventory opens a restored store for reading.
	OpenInventory func(path string) (Inventory, error)
	// StoreFile and BlobDir are the names of the store and of the blob
	// directory in the data directory.
	StoreFile string
	BlobDir   string
}

// Restore copies the backup in src, whose manifest Open returned, into the
// data directory dir, which the caller has made empty and keeps others out
// of. It copies and checks every blob, then the store (written last, under
// a temporary name until it is complete), and finally reads the restored
// store's inventory and compares it with the manifest. A failure leaves a
// partial directory for the caller to remove.
func Restore(ctx context.Context, src string, m *Manifest, dir string, c RestoreConfig) error {
	source, err := c.OpenSource(filepath.Join(src, BlobDir))
	if err != nil {
		return err
	}
	target, err := c.OpenTarget(filepath.Join(dir, c.BlobDir))
	if err != nil {
		return err
	}
	keys, err := restoreBlobs(ctx, src, m, source, target)
	if err != nil {
		return err
	}
	storePath := filepath.Join(dir, c.StoreFile)
	if err := copyChecked(filepath.Join(src, m.Store.Name), storePath, m.Store); err != nil {
		return err
	}
	inv, err := c.OpenInventory(storePath)
	if err != nil {
		return fmt.Errorf("restore: open the restored store: %w", err)
	}
	defer inv.Close()
	i := 0
	counts, err := inv.Inventory(ctx, func(key string) error {
		if i >= len(keys) || keys[i] != key {
			return fmt.Errorf("%w: the store references blob %s, which the blob list does not have", ErrCorrupt, key)
		}
		i++
		return nil
	})
	if err != nil {
		return err
	}
	if i != len(keys) {
		return fmt.Errorf("%w: the blob list has %d blobs, the store references %d", ErrCorrupt, len(keys), i)
	}
	if !maps.Equal(counts, m.Counts) {
		return fmt.Errorf("%w: the restored store holds %v records, the manifest says %v", ErrCorrupt, counts, m.Counts)
	}
	return nil
}

// restoreBlobs copies the blobs of the list, checking each one's size and
// SHA-256, and returns their keys in list order.
func restoreBlobs(ctx context.Context, src string, m *Manifest, source blob.Store, target blob.Importer) ([]string, error) {
	list, err := os.Open(filepath.Join(src, m.BlobList.Name))
	if err != nil {
		return nil, err
	}
	defer list.Close()
	var keys []string
	var total int64
	sc := bufio.NewScanner(list)
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		var size int64
		if len(fields) == 3 {
			size, err = strconv.ParseInt(fields[1], 10, 64)
		}
		if len(fields) != 3 || err != nil {
			return nil, fmt.Errorf("%w: %s line %d is not \"SHA256 SIZE KEY\"", ErrCorrupt, m.BlobList.Name, line)
		}
		sum, key := fields[0], fields[2]
		if err := restoreBlob(ctx, source, target, key, size, sum); err != nil {
			return nil, err
		}
		keys = append(keys, key)
		total += size
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if int64(len(keys)) != m.Blobs || total != m.BlobBytes {
		return nil, fmt.Errorf("%w: the blob list has %d blobs of %d bytes, the manifest says %d of %d",
			ErrCorrupt, len(keys), total, m.Blobs, m.BlobBytes)
	}
	return keys, nil
}

func restoreBlob(ctx context.Context, source blob.Store, target blob.Importer, key string, size int64, sum string) error {
	obj, err := source.Open(ctx, key)
	if err != nil {
		return fmt.Errorf("%w: blob %s: %v", ErrCorrupt, key, err)
	}
	defer obj.Close()
	h := sha256.New()
	info, err := target.Import(ctx, key, io.NewSectionReader(obj, 0, obj.Size()), obj.Size(), h)
	if err != nil {
		return fmt.Errorf("restore: blob %s: %w", key, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); info.Size != size || got != sum {
		return fmt.Errorf("%w: blob %s has size %d and SHA-256 %s; the blob list says %d and %s", ErrCorrupt, key, info.Size, got, size, sum)
	}
	return nil
}

// copyChecked copies src to dst (through dst.tmp, synced, renamed), and
// fails unless the bytes match want.
func copyChecked(src, dst string, want File) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(tmp)
		}
	}()
	sum := sha256.New()
	n, err := io.Copy(out, hashingReader{in, sum})
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(sum.Sum(nil)); n != want.Size || got != want.SHA256 {
		return fmt.Errorf("%w: %s changed while it was restored", ErrCorrupt, want.Name)
	}
	if err = out.Sync(); err != nil {
		return err
	}
	if err = out.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, dst); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst))
}
