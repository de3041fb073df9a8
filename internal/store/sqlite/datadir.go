package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// What the data directory needs beyond the store contract: a read-only
// open that writes nothing (to check a master key or a setting before a
// store is opened for writing), the installation record, the blob holds of
// backups, online snapshots and an inventory of a snapshot.

// ErrReadOnly: Update on a store opened with OpenReadOnly.
var ErrReadOnly = errors.New("sqlite: store opened read-only")

// OpenReadOnly opens the database at path for reading, writing nothing to
// it or its directory: no migration, no new files. Update returns
// ErrReadOnly; View reads as usual. A database that no process has open
// (no -wal file beside it) is read as an immutable file, which creates no
// -wal or -shm file; otherwise SQLite's read-only mode reads the committed
// state including the write-ahead log.
func OpenReadOnly(path string, cfg Config) (*Store, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	params := "immutable=1"
	if _, err := os.Stat(path + "-wal"); err == nil {
		params = "mode=ro&_pragma=busy_timeout(10000)"
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+params)
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(4)
	s := &Store{read: r, now: cfg.Now}
	if err := r.QueryRowContext(context.Background(), `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&s.schema); err != nil {
		r.Close()
		return nil, fmt.Errorf("sqlite: %s is not a Gatehouse store: %w", path, err)
	}
	ms, err := migrations()
	if err != nil {
		r.Close()
		return nil, err
	}
	if len(ms) > 0 && s.schema > ms[len(ms)-1].Version {
		r.Close()
		return nil, fmt.Errorf("%w (database version %d, binary knows %d)", ErrNewerSchema, s.schema, ms[len(ms)-1].Version)
	}
	if err := s.loadGeneration(context.Background()); err != nil {
		r.Close()
		return nil, err
	}
	return s, nil
}

// HoldBlobs creates or extends the blob hold id until the given time:
// until then (by the clock of each process reading the store) or until
// ReleaseBlobHold, BlobReferenced answers true for every blob, so neither a
// server freeing replaced objects' bytes nor the sweeper deletes any. A
// backup holds the blobs before it snapshots the store and releases them
// once it has copied every blob the snapshot references; blobs freed in the
// meantime are left to the sweeper. A hold that is not extended lapses, so
// a backup that dies cannot stop deletions for long.
func (s *Store) HoldBlobs(ctx context.Context, id string, until time.Time) error {
	return s.Update(ctx, func(tx store.Tx) error {
		return tx.(*sqlstore.Tx).HoldBlobs(ctx, id, until)
	})
}

// ReleaseBlobHold ends the hold id (and drops holds that have lapsed).
func (s *Store) ReleaseBlobHold(ctx context.Context, id string) error {
	return s.Update(ctx, func(tx store.Tx) error {
		return tx.(*sqlstore.Tx).ReleaseBlobHold(ctx, id)
	})
}

// SnapshotTo writes a consistent copy of the whole database to path, which
// must not exist, while other connections and processes go on writing
// (VACUUM INTO reads one snapshot). The copy keeps no blob holds — they
// belong to the processes of this store — and is synced to disk.
func (s *Store) SnapshotTo(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("sqlite: snapshot: %s already exists", path)
	}
	if _, err := s.read.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("sqlite: snapshot: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	_, err = db.ExecContext(ctx, `DELETE FROM blob_holds`)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sqlite: snapshot: %w", err)
	}
	return syncFile(path)
}

// syncFile fsyncs a file and its directory.
func syncFile(path string) error {
	for _, p := range []string{path, filepath.Dir(path)} {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// inventoryTables are the tables Inventory counts, by name, and
// object_versions in stores that have it (sqlstore.SchemaVersions).
var inventoryTables = []string{"accounts", "entities", "access_keys", "mfa_devices", "token_keys", "buckets", "objects", "uploads", "parts"}

// Inventory reads one consistent view of the store: it counts the records
// of its tables (by table name; "entities" are IAM users, groups, roles and
// managed policies) and calls fn once for each blob key an object or a part
// references, in key order. An error from fn stops it.
func (s *Store) Inventory(ctx context.Context, fn func(blobKey string) error) (map[string]int64, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	counts := map[string]int64{}
	tables := inventoryTables
	if s.schema >= sqlstore.SchemaVersions {
		tables = append(tables[:len(tables):len(tables)], "object_versions")
	}
	for _, table := range tables {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			return nil, err
		}
		counts[table] = n
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT blob_key FROM blob_refs ORDER BY blob_key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, err
		}
		if err := fn(key); err != nil {
			return nil, err
		}
	}
	return counts, rows.Err()
}

// Schema is the database's migration version (sqlstore.SchemaLatest for a
// fully migrated database).
func (s *Store) Schema() int { return s.schema }

// ReadRaw runs fn in one read-only transaction on the database itself,
// below the store contract: one consistent view of every table, for
// copying the whole store elsewhere (gatehouse migrate).
func (s *Store) ReadRaw(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}
