package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/backup"
	"github.com/gatehouse/gatehouse/internal/blob"
	blobfs "github.com/gatehouse/gatehouse/internal/blob/fs"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/datadir"
	"github.com/gatehouse/gatehouse/internal/keyring"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

var (
	_ backup.LiveStore = (*sqlite.Store)(nil)
	_ backup.Inventory = (*sqlite.Store)(nil)
)

// ErrBackupUnsupported: the store is not the data directory's SQLite
// database (PostgreSQL is backed up with its own tools).
var ErrBackupUnsupported = errors.New("backup: the metadata store is in PostgreSQL; back it up with pg_dump (and the object bytes separately)")

// ErrDataDirNotEmpty: a restore's target holds data, and --force was not given.
var ErrDataDirNotEmpty = errors.New("data directory is not empty")

// BackupOptions are the choices of `gatehouse backup`.
type BackupOptions struct {
	// IncludeMasterKey writes the master key into the backup as
	// master.key: the backup alone then opens every secret it holds.
	IncludeMasterKey bool
	Version          string // of this gatehouse, for the manifest
}

// Backup writes a backup of the data directory to dest (see package
// backup): a consistent snapshot of the store and the object bytes it
// references, taken while servers keep serving.
func (a *Admin) Backup(ctx context.Context, dest string, opt BackupOptions) (*backup.Manifest, error) {
	if inside(dest, a.c.dataDir) {
		return nil, fmt.Errorf("backup destination %s is inside the data directory %s; choose a directory elsewhere", dest, a.c.dataDir)
	}
	live, ok := a.c.db.(backup.LiveStore)
	if !ok {
		return nil, ErrBackupUnsupported
	}
	blobs, err := openBlobStore(ctx, a.c.cfg)
	if err != nil {
		return nil, err
	}
	var key []byte
	if opt.IncludeMasterKey {
		if key, err = masterKeyBytes(a.c.cfg); err != nil {
			return nil, err
		}
	}
	return backup.Take(ctx, dest, backup.TakeConfig{
		Store:         live,
		Blobs:         blobs,
		OpenInventory: openInventory,
		OpenTarget:    openImporter,
		MasterKey:     key,
		Now:           time.Now,
		Version:       opt.Version,
	})
}

func openInventory(path string) (backup.Inventory, error) {
	return sqlite.OpenReadOnly(path, sqlite.Config{})
}

func openImporter(dir string) (blob.Importer, error) { return blobfs.Open(dir) }

func openBlobs(dir string) (blob.Store, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	return blobfs.Open(dir)
}

// inside reports whether path is dir or below it.
func inside(path, dir string) bool {
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	return p == d || strings.HasPrefix(p, d+string(filepath.Separator))
}

// masterKeyBytes is the raw master key cfg names (setting or key file).
func masterKeyBytes(cfg *config.Config) ([]byte, error) {
	if cfg.MasterKey != "" {
		return keyring.ParseMasterKey(cfg.MasterKey)
	}
	return keyring.ReadMasterKeyFile(filepath.Join(cfg.DataDir, keyring.MasterKeyFile))
}

// RestoreOptions are the choices of `gatehouse restore`.
type RestoreOptions struct {
	// Force replaces the store, object bytes, master.key and
	// root-credentials of a data directory that has them.
	Force bool
	// MasterKeyFile is a master key file to check the backup against and
	// to install in the data directory (when the backup has no master.key
	// and the master-key setting is empty).
	MasterKeyFile string
}

// dataDirEntries are what a data directory holds, and what a forced
// restore replaces.
var dataDirEntries = []string{StoreFile, StoreFile + "-wal", StoreFile + "-shm", StoreFile + ".tmp", BlobDir, keyring.MasterKeyFile, RootCredentialsFile}

// Restore brings the backup in src back into the data directory cfg
// names, which must not exist or be empty (RestoreOptions.Force replaces
// a data directory's contents). Before it writes anything it checks the
// backup's checksums and that the master key — the master-key setting,
// opt.MasterKeyFile, or the backup's own master.key, in that order —
// opens the backup's store. It holds the directory's lock while it
// writes, so no server can start on a half-restored directory, and removes
// what it wrote when it fails.
func Restore(ctx context.Context, cfg *config.Config, src string, opt RestoreOptions) (*backup.Manifest, error) {
	if cfg.Store != "" {
		return nil, ErrBackupUnsupported // a backup restores a SQLite store
	}
	if cfg.Blob != "" {
		return nil, errors.New("restore writes object bytes into the data directory only; restoring into the S3-compatible store the blob setting names is not supported yet: restore with the blob setting empty")
	}
	m, err := backup.Open(src)
	if err != nil {
		return nil, err
	}
	key, keySource, err := restoreKey(cfg, src, m, opt)
	if err != nil {
		return nil, err
	}
	master, err := keyring.NewMaster(key)
	if err != nil {
		return nil, err
	}
	if err := checkBackupKey(ctx, filepath.Join(src, m.Store.Name), master, keySource, src); err != nil {
		return nil, err
	}
	dir := cfg.DataDir
	created, err := prepareRestoreDir(dir, opt.Force)
	if err != nil {
		return nil, err
	}
	lock, err := datadir.Acquire(dir)
	if err != nil {
		if created {
			os.Remove(dir)
		}
		return nil, err
	}
	removeData := func() error {
		var errs []error
		for _, name := range dataDirEntries {
			errs = append(errs, os.RemoveAll(filepath.Join(dir, name)))
		}
		return errors.Join(errs...)
	}
	err = func() error {
		if opt.Force {
			if err := removeData(); err != nil {
				return err
			}
		}
		if cfg.MasterKey == "" {
			if err := keyring.WriteMasterKeyFile(dir, key); err != nil {
				return err
			}
		}
		return backup.Restore(ctx, src, m, dir, backup.RestoreConfig{
			OpenSource: openBlobs, OpenTarget: openImporter, OpenInventory: openInventory,
			StoreFile: StoreFile, BlobDir: BlobDir,
		})
	}()
	if err != nil {
		removeData()
		lock.Unlock()
		if created {
			os.RemoveAll(dir)
		}
		return nil, err
	}
	return m, lock.Unlock()
}

// restoreKey picks the master key of a restore and names its source.
func restoreKey(cfg *config.Config, src string, m *backup.Manifest, opt RestoreOptions) (key []byte, source string, err error) {
	switch {
	case cfg.MasterKey != "":
		key, err = keyring.ParseMasterKey(cfg.MasterKey)
		return key, "the master-key setting (GATEHOUSE_MASTER_KEY or the config file)", err
	case opt.MasterKeyFile != "":
		key, err = keyring.ReadMasterKeyFile(opt.MasterKeyFile)
		return key, opt.MasterKeyFile, err
	case m.MasterKey != nil:
		path := filepath.Join(src, m.MasterKey.Name)
		key, err = keyring.ReadMasterKeyFile(path)
		return key, path, err
	}
	return nil, "", &problem{ErrMasterKeyMissing, fmt.Sprintf(
		"the backup in %s does not include the master key, and none was given. %s; the restored store is useless without "+
			"the key it was sealed under. Give it with --master-key-file (the master.key of the data directory that was "+
			"backed up) or the master-key setting (GATEHOUSE_MASTER_KEY or master-key in the config file). Nothing was written",
		src, masterKeyRole)}
}

// checkBackupKey checks, reading only, that master opens the backup's store.
func checkBackupKey(ctx context.Context, path string, master *keyring.Master, keySource, src string) error {
	ro, err := sqlite.OpenReadOnly(path, sqlite.Config{})
	if err != nil {
		return fmt.Errorf("open the backup's store: %w", err)
	}
	defer ro.Close()
	return ro.View(ctx, func(tx store.Tx) error {
		_, err := keyring.CheckStore(ctx, tx, master)
		if errors.Is(err, keyring.ErrWrongMasterKey) {
			return &problem{ErrMasterKeyMismatch, fmt.Sprintf(
				"the master key from %s does not match the store in the backup %s%s. %s; give the key of the data "+
					"directory that was backed up. Nothing was written", keySource, src, mismatchDetail(err), masterKeyRole)}
		}
		return err
	})
}

// prepareRestoreDir checks that dir may be restored into and creates it
// when missing. Without force it must be empty (but for a lock file).
func prepareRestoreDir(dir string, force bool) (created bool, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return true, os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		if e.Name() != datadir.LockFile && !force {
			return false, &problem{ErrDataDirNotEmpty, fmt.Sprintf(
				"data directory %s is not empty; restore into a new or empty directory, or pass --force to replace its "+
					"store, object bytes, master.key and root-credentials", dir)}
		}
	}
	return false, nil
}
