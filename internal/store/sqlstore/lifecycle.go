package sqlstore

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Lifecycle cursors (0011_lifecycle_cursors.sql) and the walk over every
// bucket.

// ListAllBuckets reads a range of the buckets' primary key.
func (t *Tx) ListAllBuckets(ctx context.Context, after string, limit int) ([]*store.Bucket, error) {
	return queryList[store.Bucket](ctx, t, `SELECT data FROM buckets WHERE name > ? ORDER BY name LIMIT ?`, after, limit)
}

func (t *Tx) GetLifecycleCursor(ctx context.Context, bucket string) (*store.LifecycleCursor, error) {
	if t.schema < SchemaLifecycle {
		return nil, store.ErrNotFound
	}
	c := &store.LifecycleCursor{Bucket: bucket}
	var started int64
	err := t.queryRow(ctx, `SELECT phase, key_marker, version_id_marker, started FROM lifecycle_cursors WHERE bucket = ?`, bucket).
		Scan(&c.Phase, &c.KeyMarker, &c.VersionIDMarker, &started)
	if err != nil {
		return nil, t.mapErr(err)
	}
	c.Started = fromNanos(started)
	return c, nil
}

func (t *Tx) PutLifecycleCursor(ctx context.Context, c *store.LifecycleCursor) error {
	return t.execS3(ctx, `INSERT INTO lifecycle_cursors (bucket, phase, key_marker, version_id_marker, started) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (bucket) DO UPDATE SET phase = excluded.phase, key_marker = excluded.key_marker,
		version_id_marker = excluded.version_id_marker, started = excluded.started`,
		c.Bucket, c.Phase, c.KeyMarker, c.VersionIDMarker, nanos(c.Started))
}

func (t *Tx) DeleteLifecycleCursor(ctx context.Context, bucket string) error {
	return t.execS3(ctx, `DELETE FROM lifecycle_cursors WHERE bucket = ?`, bucket)
}
