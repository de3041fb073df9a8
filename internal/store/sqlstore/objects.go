package sqlstore

import (
	"context"
	"encoding/json"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/store"
)

// S3 metadata writes do not bump the IAM generation. (The S3 service of a
// single node caches bucket records by a counter of its own writes.)

func (t *Tx) CreateBucket(ctx context.Context, b *store.Bucket) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if t.schema < SchemaListing {
		return t.create(ctx, false, `INSERT INTO buckets (name, account, created_at, data) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, b.Name, b.Account, nanos(b.CreatedAt), string(data))
	}
	return t.create(ctx, false, `INSERT INTO buckets (name, account, created_at, data, region) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		b.Name, b.Account, nanos(b.CreatedAt), string(data), b.Region)
}

func (t *Tx) GetBucket(ctx context.Context, name string) (*store.Bucket, error) {
	defer t.within(bucketRecord, name, "")()
	if t.scopeBucket != nil && name == t.scope.Bucket {
		if *t.scopeBucket == "" {
			return nil, store.ErrNotFound
		}
		return decode[store.Bucket](*t.scopeBucket)
	}
	var data string
	if err := t.queryRow(ctx, `SELECT data FROM buckets WHERE name = ?`, name).Scan(&data); err != nil {
		return nil, t.mapErr(err)
	}
	return decode[store.Bucket](data)
}

// ListBuckets reads a range of the (account, name) index, or of the
// (account, region, name) index when filtering by region.
func (t *Tx) ListBuckets(ctx context.Context, account string, q store.BucketQuery) ([]*store.Bucket, error) {
	query := `SELECT data FROM buckets WHERE account = ? AND name > ?`
	args := []any{account, q.After}
	if q.Prefix != "" {
		if q.Prefix > q.After {
			query = `SELECT data FROM buckets WHERE account = ? AND name >= ?`
			args[1] = q.Prefix
		}
		if end, ok := prefixEnd(q.Prefix); ok {
			query += ` AND name < ?`
			args = append(args, end)
		}
	}
	if q.Region != "" {
		region := q.Region
		if region == "us-east-1" {
			region = ""
		}
		col := "region"
		if t.schema < SchemaListing { // read-only, before migration 9
			col = "coalesce(" + t.d.JSONText("data", "Region") + ", '')"
		}
		query += ` AND ` + col + ` = ?`
		args = append(args, region)
	}
	query += ` ORDER BY name`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	return queryList[store.Bucket](ctx, t, query, args...)
}

func (t *Tx) UpdateBucket(ctx context.Context, b *store.Bucket) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	res, err := t.execRaw(ctx, `UPDATE buckets SET data = ? WHERE name = ?`, string(data), b.Name)
	if err != nil {
		return t.mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (t *Tx) DeleteBucket(ctx context.Context, name string) error {
	defer t.within(wholeBucket, name, "")()
	if err := t.lockBucket(ctx, name, true); err != nil {
		return err
	}
	res, err := t.execRaw(ctx, `DELETE FROM buckets WHERE name = ?`, name)
	if err != nil {
		return t.mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	if t.schema >= SchemaLifecycle { // a bucket made again starts its passes afresh
		return t.DeleteLifecycleCursor(ctx, name)
	}
	return nil
}

// ListObjects pages through keys in binary order: a range scan on the
// primary key, so a page costs the same whatever the bucket's size.
func (t *Tx) ListObjects(ctx context.Context, bucket string, q store.ObjectQuery) ([]store.ObjectEntry, error) {
	cols := `SELECT key, size, etag, modified, owner, checksum_algorithm, checksum_type, storage_class FROM objects`
	if t.schema < SchemaListing { // read-only, before migration 9
		cols = `SELECT key, size, etag, modified, owner, checksum_algorithm, checksum_type, '' FROM objects`
	}
	query := cols + ` WHERE bucket = ? AND key > ?`
	args := []any{bucket, q.After}
	if q.Prefix != "" {
		if q.Prefix > q.After {
			args[1] = q.Prefix
			query = cols + ` WHERE bucket = ? AND key >= ?`
		}
		if end, ok := prefixEnd(q.Prefix); ok {
			query += ` AND key < ?`
			args = append(args, end)
		}
	}
	query += ` ORDER BY key`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	out := make([]store.ObjectEntry, 0, min(max(q.Limit, 0), 1000))
	for rows.Next() {
		var e store.ObjectEntry
		var modified int64
		if err := rows.Scan(&e.Key, &e.Size, &e.ETag, &modified, &e.Owner, &e.ChecksumAlgorithm, &e.ChecksumType, &e.StorageClass); err != nil {
			return nil, err
		}
		// A key equal to the prefix but not after After is included by >=.
		if e.Key <= q.After {
			continue
		}
		e.LastModified = fromNanos(modified)
		out = append(out, e)
	}
	return out, rows.Err()
}

// prefixEnd is a string greater than every string with the prefix and
// less than every string after them that lacks it (in binary order): the
// prefix with its last character incremented, so that the bound is valid
// UTF-8 when the prefix is (PostgreSQL refuses invalid text). For a prefix
// that is not valid UTF-8, its last byte below 0xff is incremented.
func prefixEnd(prefix string) (string, bool) {
	if utf8.ValidString(prefix) {
		r := []rune(prefix)
		for i := len(r) - 1; i >= 0; i-- {
			if r[i] < utf8.MaxRune {
				r[i]++
				if r[i] == 0xD800 { // surrogates are no characters
					r[i] = 0xE000
				}
				return string(r[:i+1]), true
			}
		}
		return "", false
	}
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

func (t *Tx) BucketHasObjects(ctx context.Context, bucket string) (bool, error) {
	defer t.within(wholeBucket, bucket, "")()
	var n int
	err := t.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM objects WHERE bucket = ? LIMIT 1) AS x)
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM object_versions WHERE bucket = ? LIMIT 1) AS x)
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM uploads WHERE bucket = ? LIMIT 1) AS x)`,
		bucket, bucket, bucket).Scan(&n)
	return n > 0, err
}

// BlobReferenced also answers true while a backup holds the blobs
// (HoldBlobs), whatever the key.
func (t *Tx) BlobReferenced(ctx context.Context, blobKey string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM blob_refs WHERE blob_key = ? LIMIT 1) AS x`, blobKey).Scan(&n)
	if err != nil || n > 0 || t.schema < SchemaInstallation {
		return n > 0, err
	}
	err = t.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM blob_holds WHERE until > ? LIMIT 1) AS x`, t.now().UnixNano()).Scan(&n)
	return n > 0, err
}

func (t *Tx) CreateUpload(ctx context.Context, u *store.Upload) error {
	if err := t.lockBucket(ctx, u.Bucket, false); err != nil {
		return err
	}
	data, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return t.create(ctx, false, `INSERT INTO uploads (id, bucket, key, created_at, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, u.ID, u.Bucket, u.Key, nanos(u.CreatedAt), string(data))
}

func (t *Tx) GetUpload(ctx context.Context, bucket, key, id string) (*store.Upload, error) {
	var data string
	if err := t.queryRow(ctx, `SELECT data FROM uploads WHERE id = ? AND bucket = ? AND key = ?`, id, bucket, key).Scan(&data); err != nil {
		return nil, t.mapErr(err)
	}
	return decode[store.Upload](data)
}

func (t *Tx) ListUploads(ctx context.Context, bucket, prefix, keyMarker, idMarker string, limit int) ([]*store.Upload, error) {
	// Continue after the marker upload in (key, created_at, id) order; an
	// upload id that does not exist continues after every upload of keyMarker.
	query := `SELECT data FROM uploads WHERE bucket = ? AND (key > ? OR (key = ? AND (created_at, id) > (SELECT created_at, id FROM uploads WHERE id = ?)))`
	args := []any{bucket, keyMarker, keyMarker, idMarker}
	if prefix != "" {
		query += ` AND substr(key, 1, ?) = ?`
		args = append(args, len(prefix), prefix)
	}
	query += ` ORDER BY key, created_at, id`
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	return queryList[store.Upload](ctx, t, query, args...)
}

func (t *Tx) DeleteUpload(ctx context.Context, id string) ([]*store.Part, error) {
	parts, err := t.ListParts(ctx, id, 0, 0)
	if err != nil {
		return nil, err
	}
	res, err := t.execRaw(ctx, `DELETE FROM uploads WHERE id = ?`, id)
	if err != nil {
		return nil, t.mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, store.ErrNotFound
	}
	if err := t.execS3(ctx, `DELETE FROM parts WHERE upload_id = ?`, id); err != nil {
		return nil, err
	}
	return parts, t.execS3(ctx, `DELETE FROM blob_refs WHERE upload = ?`, id)
}

func (t *Tx) PutPart(ctx context.Context, p *store.Part) (*store.Part, error) {
	var old *store.Part
	var data string
	err := t.queryRow(ctx, `SELECT data FROM parts WHERE upload_id = ? AND number = ?`, p.UploadID, p.Number).Scan(&data)
	switch t.mapErr(err) {
	case nil:
		if old, err = decode[store.Part](data); err != nil {
			return nil, err
		}
	case store.ErrNotFound:
	default:
		return nil, err
	}
	enc, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := t.execS3(ctx, `INSERT INTO parts (upload_id, number, data) VALUES (?, ?, ?) ON CONFLICT (upload_id, number) DO UPDATE SET data = excluded.data`,
		p.UploadID, p.Number, string(enc)); err != nil {
		return nil, err
	}
	if err := t.execS3(ctx, `DELETE FROM blob_refs WHERE upload = ? AND part = ?`, p.UploadID, p.Number); err != nil {
		return nil, err
	}
	return old, t.execS3(ctx, `INSERT INTO blob_refs (blob_key, bucket, key, upload, part) VALUES (?, '', '', ?, ?) ON CONFLICT DO NOTHING`, p.Blob.Key, p.UploadID, p.Number)
}

func (t *Tx) ListParts(ctx context.Context, uploadID string, after, limit int) ([]*store.Part, error) {
	query := `SELECT data FROM parts WHERE upload_id = ? AND number > ? ORDER BY number`
	args := []any{uploadID, after}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	return queryList[store.Part](ctx, t, query, args...)
}

// Account-level Block Public Access. Unlike other S3 metadata its writes
// bump the IAM generation: it decides access for every bucket of the
// account and is cached by generation (internal/gencache).

func (t *Tx) GetAccountPublicAccessBlock(ctx context.Context, account string) (*store.PublicAccessBlock, error) {
	var data string
	if err := t.queryRow(ctx, `SELECT data FROM account_public_access_blocks WHERE account = ?`, account).Scan(&data); err != nil {
		return nil, t.mapErr(err)
	}
	return decode[store.PublicAccessBlock](data)
}

func (t *Tx) PutAccountPublicAccessBlock(ctx context.Context, account string, b *store.PublicAccessBlock) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO account_public_access_blocks (account, data) VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET data = excluded.data`, account, string(data))
	return err
}

func (t *Tx) DeleteAccountPublicAccessBlock(ctx context.Context, account string) error {
	return t.execOne(ctx, `DELETE FROM account_public_access_blocks WHERE account = ?`, account)
}
