package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Leases and freed blobs (SchemaCluster). Neither is IAM data: writing them
// does not bump the IAM generation. A database of an older schema, which
// only a read-only SQLite store reads, has neither.

// errOldSchema: a write to a table an older database lacks.
var errOldSchema = errors.New("sqlstore: the database predates leases and freed blobs")

func (t *Tx) AcquireLease(ctx context.Context, name, holder string, now, until time.Time) (bool, error) {
	if t.schema < SchemaCluster {
		return false, errOldSchema
	}
	res, err := t.execRaw(ctx, `INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.holder = excluded.holder OR leases.until <= ?`, name, holder, nanos(until), nanos(now))
	if err != nil {
		return false, t.mapErr(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *Tx) GetLease(ctx context.Context, name string) (string, time.Time, error) {
	if t.schema < SchemaCluster {
		return "", time.Time{}, store.ErrNotFound
	}
	var holder string
	var until int64
	if err := t.queryRow(ctx, `SELECT holder, until FROM leases WHERE name = ?`, name).Scan(&holder, &until); err != nil {
		return "", time.Time{}, t.mapErr(err)
	}
	return holder, fromNanos(until), nil
}

func (t *Tx) ReleaseLease(ctx context.Context, name, holder string) error {
	if t.schema < SchemaCluster {
		return nil
	}
	return t.execS3(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
}

func (t *Tx) AddFreedBlobs(ctx context.Context, keys []string, at time.Time) error {
	if t.schema < SchemaCluster {
		return errOldSchema
	}
	for _, k := range keys {
		if err := t.execS3(ctx, `INSERT INTO freed_blobs (key, freed_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, k, nanos(at)); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) ListFreedBlobs(ctx context.Context, before time.Time, limit int) ([]string, error) {
	if t.schema < SchemaCluster {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT key FROM freed_blobs WHERE freed_at <= ? ORDER BY freed_at, key LIMIT ?`, nanos(before), limit)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

func (t *Tx) DropFreedBlobs(ctx context.Context, keys []string) error {
	if t.schema < SchemaCluster {
		return nil
	}
	for _, k := range keys {
		if err := t.execS3(ctx, `DELETE FROM freed_blobs WHERE key = ?`, k); err != nil {
			return err
		}
	}
	return nil
}

var (
	_ store.Leases     = (*Tx)(nil)
	_ store.FreedBlobs = (*Tx)(nil)
)
