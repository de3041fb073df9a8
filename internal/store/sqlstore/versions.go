package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Object versions (0010_object_versions.sql). objects holds each key's
// current version; object_versions holds the others (noncurrent versions,
// and delete markers, a latest one included). seq orders the versions of
// one key, newest largest: a new version gets one more than the key's
// largest, and keeps it whichever table holds it. An object version's blob
// references are blob_refs rows (blob, bucket, key, '', seq), so moving a
// version between the tables leaves them alone; a version's references go
// only when the version does.
//
// Invariant: a key's latest version is its objects row when it has one;
// otherwise it is the newest row of object_versions, and that is a delete
// marker (noncurrent_since 0).

// listingCols are the listing columns objects and object_versions share.
const listingCols = `size, etag, modified, owner, checksum_algorithm, checksum_type, storage_class`

// verHead is the head of a row of object_versions.
type verHead struct {
	seq    int64
	id     string
	marker bool
	latest bool // noncurrent_since is 0: a delete marker that is the latest
}

// current reads a key's current version and its seq (nil when none).
func (t *Tx) current(ctx context.Context, bucket, key string) (*store.Object, int64, error) {
	var data, id string
	var seq int64
	err := t.queryRow(ctx, `SELECT data, version_id, seq FROM objects WHERE bucket = ? AND key = ?`, bucket, key).Scan(&data, &id, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, t.mapErr(err)
	}
	o, err := decodeVersion(data, id)
	return o, seq, err
}

// decodeVersion decodes a version's record; the version_id column is the
// id (records written before versioning carry none).
func decodeVersion(data, id string) (*store.Object, error) {
	o, err := decode[store.Object](data)
	if err != nil {
		return nil, err
	}
	o.VersionID = id
	return o, nil
}

// newest reads the head of a key's newest row in object_versions (nil when
// none): one step of the primary key, which is ordered newest first.
func (t *Tx) newest(ctx context.Context, bucket, key string) (*verHead, error) {
	h := &verHead{}
	var since int64
	err := t.queryRow(ctx, `SELECT seq, version_id, delete_marker, noncurrent_since FROM object_versions
		WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1`, bucket, key).Scan(&h.seq, &h.id, &h.marker, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, t.mapErr(err)
	}
	h.latest = since == 0
	return h, nil
}

// dropRefs removes the blob references of the version with seq.
func (t *Tx) dropRefs(ctx context.Context, bucket, key string, seq int64) error {
	return t.execS3(ctx, `DELETE FROM blob_refs WHERE bucket = ? AND key = ? AND upload = '' AND part = ?`, bucket, key, seq)
}

// take removes a version from object_versions with its blob references and
// returns it with its seq (nil when there is none).
func (t *Tx) take(ctx context.Context, bucket, key, id string) (*store.Object, int64, error) {
	var data string
	var seq int64
	err := t.queryRow(ctx, `DELETE FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ? RETURNING seq, data`,
		bucket, key, id).Scan(&seq, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, t.mapErr(err)
	}
	o, err := decodeVersion(data, id)
	if err != nil {
		return nil, 0, err
	}
	return o, seq, t.dropRefs(ctx, bucket, key, seq)
}

func (t *Tx) PutObject(ctx context.Context, in *store.Object) (*store.Object, error) {
	defer t.within(oneKey, in.Bucket, in.Key)()
	if _, err := t.lockObject(ctx, in.Bucket, in.Key); err != nil {
		return nil, err
	}
	o := *in
	if o.VersionID == "" {
		o.VersionID = store.NullVersion
	}
	if o.DeleteMarker {
		o.Blobs, o.Size, o.ETag, o.Checksum = nil, 0, "", nil
	}
	cur, curSeq, err := t.current(ctx, o.Bucket, o.Key)
	if err != nil {
		return nil, err
	}
	top, err := t.newest(ctx, o.Bucket, o.Key)
	if err != nil {
		return nil, err
	}
	var seq int64
	if cur != nil {
		seq = curSeq + 1
	}
	if top != nil && top.seq >= seq {
		seq = top.seq + 1
	}
	now := nanos(o.LastModified)
	var replaced *store.Object
	switch {
	case cur != nil && cur.VersionID == o.VersionID:
		if err := cur.Removable(store.Removal{Now: o.LastModified}); err != nil {
			return nil, err
		}
		replaced = cur
		if err := t.dropRefs(ctx, o.Bucket, o.Key, curSeq); err != nil {
			return nil, err
		}
	case cur != nil:
		// The current version becomes noncurrent, its references intact.
		if err := t.execS3(ctx, `INSERT INTO object_versions (bucket, key, seq, version_id, delete_marker, `+listingCols+`, noncurrent_since, data)
			SELECT bucket, key, seq, version_id, 0, `+listingCols+`, CAST(? AS BIGINT), data FROM objects WHERE bucket = ? AND key = ?`,
			now, o.Bucket, o.Key); err != nil {
			return nil, err
		}
	case top != nil && top.latest && top.id != o.VersionID:
		if err := t.execS3(ctx, `UPDATE object_versions SET noncurrent_since = ? WHERE bucket = ? AND key = ? AND seq = ?`,
			now, o.Bucket, o.Key, top.seq); err != nil {
			return nil, err
		}
	}
	if replaced == nil && top != nil {
		if err := t.removable(ctx, o.Bucket, o.Key, o.VersionID, store.Removal{Now: o.LastModified}); err != nil {
			return nil, err
		}
		if replaced, _, err = t.take(ctx, o.Bucket, o.Key, o.VersionID); err != nil {
			return nil, err
		}
	}
	data, err := json.Marshal(&o)
	if err != nil {
		return nil, err
	}
	if o.DeleteMarker {
		if cur != nil {
			if err := t.execS3(ctx, `DELETE FROM objects WHERE bucket = ? AND key = ?`, o.Bucket, o.Key); err != nil {
				return nil, err
			}
		}
		return replaced, t.execS3(ctx, `INSERT INTO object_versions (bucket, key, seq, version_id, delete_marker, modified, owner, data)
			VALUES (?, ?, ?, ?, 1, ?, ?, ?)`, o.Bucket, o.Key, seq, o.VersionID, now, o.Owner, string(data))
	}
	var ckAlg, ckType string
	if o.Checksum != nil {
		ckAlg, ckType = o.Checksum.Algorithm, o.Checksum.Type
	}
	if err := t.execS3(ctx, `INSERT INTO objects (bucket, key, data, size, etag, modified, owner, checksum_algorithm, checksum_type, storage_class, version_id, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET data = excluded.data, size = excluded.size,
		etag = excluded.etag, modified = excluded.modified, owner = excluded.owner, checksum_algorithm = excluded.checksum_algorithm,
		checksum_type = excluded.checksum_type, storage_class = excluded.storage_class, version_id = excluded.version_id, seq = excluded.seq`,
		o.Bucket, o.Key, string(data), o.Size, o.ETag, now, o.Owner, ckAlg, ckType, o.StorageClass, o.VersionID, seq); err != nil {
		return nil, err
	}
	for _, b := range o.Blobs {
		if b.Inline() { // its bytes are in the record: no blob to refer to
			continue
		}
		if err := t.execS3(ctx, `INSERT INTO blob_refs (blob_key, bucket, key, upload, part) VALUES (?, ?, ?, '', ?) ON CONFLICT DO NOTHING`,
			b.Key, o.Bucket, o.Key, seq); err != nil {
			return nil, err
		}
	}
	return replaced, nil
}

func (t *Tx) GetObject(ctx context.Context, bucket, key string) (*store.Object, error) {
	defer t.within(oneKey, bucket, key)()
	o, _, err := t.current(ctx, bucket, key)
	if err == nil && o == nil {
		err = store.ErrNotFound
	}
	return o, err
}

func (t *Tx) GetVersion(ctx context.Context, bucket, key, versionID string) (*store.Object, error) {
	defer t.within(oneKey, bucket, key)()
	var data, id string
	var err error
	if versionID == "" {
		o, _, cerr := t.current(ctx, bucket, key)
		if o != nil || cerr != nil {
			return o, cerr
		}
		err = t.queryRow(ctx, `SELECT data, version_id FROM object_versions WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1`,
			bucket, key).Scan(&data, &id)
	} else {
		err = t.queryRow(ctx, `SELECT data, version_id FROM objects WHERE bucket = ? AND key = ? AND version_id = ?
			UNION ALL SELECT data, version_id FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ? LIMIT 1`,
			bucket, key, versionID, bucket, key, versionID).Scan(&data, &id)
	}
	if err != nil {
		return nil, t.mapErr(err)
	}
	return decodeVersion(data, id)
}

func (t *Tx) UpdateVersion(ctx context.Context, in *store.Object) error {
	defer t.within(oneKey, in.Bucket, in.Key)()
	if err := t.lockKey(ctx, in.Bucket, in.Key); err != nil {
		return err
	}
	o := *in
	if o.VersionID == "" {
		o.VersionID = store.NullVersion
	}
	data, err := json.Marshal(&o)
	if err != nil {
		return err
	}
	for _, table := range []string{"objects", "object_versions"} {
		res, err := t.execRaw(ctx, `UPDATE `+table+` SET data = ? WHERE bucket = ? AND key = ? AND version_id = ?`,
			string(data), o.Bucket, o.Key, o.VersionID)
		if err != nil {
			return t.mapErr(err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
	}
	return store.ErrNotFound
}

func (t *Tx) DeleteVersion(ctx context.Context, bucket, key, versionID string, r store.Removal) (*store.Object, error) {
	defer t.within(oneKey, bucket, key)()
	if err := t.lockKey(ctx, bucket, key); err != nil {
		return nil, err
	}
	cur, curSeq, err := t.current(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	if cur != nil && cur.VersionID == versionID {
		if err := cur.Removable(r); err != nil {
			return nil, err
		}
		if err := t.execS3(ctx, `DELETE FROM objects WHERE bucket = ? AND key = ?`, bucket, key); err != nil {
			return nil, err
		}
		if err := t.dropRefs(ctx, bucket, key, curSeq); err != nil {
			return nil, err
		}
		return cur, t.promote(ctx, bucket, key)
	}
	if err := t.removable(ctx, bucket, key, versionID, r); err != nil {
		return nil, err
	}
	gone, seq, err := t.take(ctx, bucket, key, versionID)
	if err != nil {
		return nil, err
	}
	if gone == nil {
		return nil, store.ErrNotFound
	}
	if cur == nil {
		// Without a current version the latest was a delete marker in
		// object_versions: if that was the one removed, the next takes over.
		top, err := t.newest(ctx, bucket, key)
		if err != nil {
			return nil, err
		}
		if top != nil && top.seq < seq {
			return gone, t.promote(ctx, bucket, key)
		}
	}
	return gone, nil
}

// removable checks, before anything is written, that a noncurrent version
// may be removed at r (nil when there is no such version).
func (t *Tx) removable(ctx context.Context, bucket, key, id string, r store.Removal) error {
	var data string
	err := t.queryRow(ctx, `SELECT data FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ?`,
		bucket, key, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return t.mapErr(err)
	}
	o, err := decodeVersion(data, id)
	if err != nil {
		return err
	}
	return o.Removable(r)
}

// promote makes a key's newest row of object_versions its latest version:
// an object moves to objects (its references stay), a delete marker stays
// and is the latest again.
func (t *Tx) promote(ctx context.Context, bucket, key string) error {
	top, err := t.newest(ctx, bucket, key)
	if err != nil || top == nil {
		return err
	}
	if top.marker {
		return t.execS3(ctx, `UPDATE object_versions SET noncurrent_since = 0 WHERE bucket = ? AND key = ? AND seq = ?`, bucket, key, top.seq)
	}
	if err := t.execS3(ctx, `INSERT INTO objects (bucket, key, data, `+listingCols+`, version_id, seq)
		SELECT bucket, key, data, `+listingCols+`, version_id, seq FROM object_versions WHERE bucket = ? AND key = ? AND seq = ?`,
		bucket, key, top.seq); err != nil {
		return err
	}
	return t.execS3(ctx, `DELETE FROM object_versions WHERE bucket = ? AND key = ? AND seq = ?`, bucket, key, top.seq)
}

// versionSeq is the seq of a key's version (ErrNotFound when none).
func (t *Tx) versionSeq(ctx context.Context, bucket, key, id string) (int64, error) {
	var seq int64
	err := t.queryRow(ctx, `SELECT seq FROM objects WHERE bucket = ? AND key = ? AND version_id = ?
		UNION ALL SELECT seq FROM object_versions WHERE bucket = ? AND key = ? AND version_id = ? LIMIT 1`,
		bucket, key, id, bucket, key, id).Scan(&seq)
	return seq, t.mapErr(err)
}

// ListVersions reads a page in two bounded range scans: the rest of the
// marker key's versions (older than the marker, from object_versions' key
// order), then the keys after it, merging objects and object_versions in
// (key, seq descending) order — a merge of two index scans that stops at
// the page's end, whatever the number of versions (TestListVersionsPlan
// checks SQLite's plans).
func (t *Tx) ListVersions(ctx context.Context, bucket string, q store.VersionQuery) ([]store.VersionEntry, error) {
	out := make([]store.VersionEntry, 0, min(max(q.Limit, 0), 1000))
	if q.VersionIDMarker != "" {
		seq, err := t.versionSeq(ctx, bucket, q.KeyMarker, q.VersionIDMarker)
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(q.KeyMarker, q.Prefix) {
			query, args := MarkerKeyQuery(bucket, q, seq)
			if out, err = t.scanVersions(ctx, out, q.KeyMarker, query, args...); err != nil {
				return nil, err
			}
		}
		if q.Limit > 0 && len(out) >= q.Limit {
			return out, nil
		}
	}
	// Every key here is after the marker: its first row is its latest.
	query, args := KeysAfterQuery(bucket, q, len(out))
	return t.scanVersions(ctx, out, "", query, args...)
}

// MarkerKeyQuery selects the versions of q.KeyMarker older than seq.
func MarkerKeyQuery(bucket string, q store.VersionQuery, seq int64) (string, []any) {
	query := `SELECT key, seq, version_id, delete_marker, ` + listingCols + `, noncurrent_since FROM object_versions
		WHERE bucket = ? AND key = ? AND seq < ? ORDER BY seq DESC`
	args := []any{bucket, q.KeyMarker, seq}
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	return query, args
}

// KeysAfterQuery selects the versions of the keys after q.KeyMarker (with
// q.Prefix), less the have rows the page already holds.
func KeysAfterQuery(bucket string, q store.VersionQuery, have int) (string, []any) {
	where, args := `bucket = ? AND key > ?`, []any{bucket, q.KeyMarker}
	if q.Prefix != "" {
		if q.Prefix > q.KeyMarker {
			where, args[1] = `bucket = ? AND key >= ?`, q.Prefix
		}
		if end, ok := prefixEnd(q.Prefix); ok {
			where += ` AND key < ?`
			args = append(args, end)
		}
	}
	query := `SELECT key, seq, version_id, 0, ` + listingCols + `, 0 FROM objects WHERE ` + where + `
		UNION ALL SELECT key, seq, version_id, delete_marker, ` + listingCols + `, noncurrent_since FROM object_versions WHERE ` + where + `
		ORDER BY key, seq DESC`
	args = append(args, args...)
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit-have)
	}
	return query, args
}

// scanVersions appends a query's rows to out; a row is the latest of its
// key when it is the first of its key and its key is not notLatest.
func (t *Tx) scanVersions(ctx context.Context, out []store.VersionEntry, notLatest, query string, args ...any) ([]store.VersionEntry, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	prev, first := "", true
	for rows.Next() {
		var e store.VersionEntry
		var seq, modified, since int64
		if err := rows.Scan(&e.Key, &seq, &e.VersionID, &e.DeleteMarker, &e.Size, &e.ETag, &modified, &e.Owner,
			&e.ChecksumAlgorithm, &e.ChecksumType, &e.StorageClass, &since); err != nil {
			return nil, err
		}
		e.LastModified = fromNanos(modified)
		if since != 0 {
			e.NoncurrentSince = fromNanos(since)
		}
		e.IsLatest = (first || e.Key != prev) && e.Key != notLatest
		prev, first = e.Key, false
		out = append(out, e)
	}
	return out, rows.Err()
}
