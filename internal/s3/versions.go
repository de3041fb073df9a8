package s3

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Object versions, as S3 has them. A bucket's versioning state decides
// what a write makes (store.Bucket.Versioning): while versioning is
// enabled every write (PUT, POST, copy, multipart completion, DELETE's
// delete marker) is a new version with a fresh id and the one it supersedes
// stays, noncurrent; unversioned and suspended buckets write the null
// version, which replaces the key's previous null version wherever it is.
// Requests naming a version (?versionId=) act on it and are authorized as
// the operation's version action (s3:GetObjectVersion, …) with the
// s3:VersionId condition key.

// versionIDLen is the length of a version id: 24 random bytes in S3's
// alphabet.
const versionIDLen = 32

// versionIDs encodes version ids in the characters S3's ids use.
var versionIDs = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._").WithPadding(base64.NoPadding)

// newVersionID is the id of a new version in bucket b: a fresh one while
// versioning is enabled, the null version's otherwise.
func newVersionID(b *store.Bucket) string {
	if b.Versioning != store.VersioningEnabled {
		return store.NullVersion
	}
	var raw [24]byte
	_, _ = rand.Read(raw[:]) // never fails (crypto/rand crashes the program instead)
	return versionIDs.EncodeToString(raw[:])
}

// validVersionID: "null", or an id of the form newVersionID makes.
func validVersionID(id string) bool {
	if id == store.NullVersion {
		return true
	}
	if len(id) != versionIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_':
		default:
			return false
		}
	}
	return true
}

// versionParam reads the request's versionId ("" when it names none).
func (c *call) versionParam() (string, error) {
	v, ok := c.q["versionId"]
	if !ok {
		return "", nil
	}
	id := v[0]
	if id == "" {
		return "", awsapi.VersionIDEmpty.Of().With("ArgumentName", "versionId").With("ArgumentValue", "")
	}
	if !validVersionID(id) {
		return "", awsapi.VersionIDInvalid.Of().With("ArgumentName", "versionId").With("ArgumentValue", id)
	}
	return id, nil
}

// action is the IAM action of the request: the operation's version action
// when the request names a version.
func (c *call) action() string {
	if _, ok := c.q["versionId"]; ok && c.op.versionAction != "" {
		return c.op.versionAction
	}
	return c.op.action
}

// versionKey adds s3:VersionId for a check on the version id names.
func versionKey(id string, keys func(*call, func(string, ...string))) func(*call, func(string, ...string)) {
	if id == "" {
		return keys
	}
	return func(c *call, set func(string, ...string)) {
		set("s3:VersionId", id)
		if keys != nil {
			keys(c, set)
		}
	}
}

// versionHeader shows the id of a version read or changed in place: once
// the bucket has had versioning (an unversioned bucket's null versions go
// unmentioned), or when the request named the version.
func (c *call) versionHeader(h http.Header, o *store.Object) {
	if c.b.Versioning != "" || c.version != "" {
		h.Set("x-amz-version-id", o.VersionID)
	}
}

// writtenVersionHeader shows the id of a version a write made: S3 shows
// only the fresh ids of a versioning-enabled bucket.
func writtenVersionHeader(h http.Header, id string) {
	if id != "" && id != store.NullVersion {
		h.Set("x-amz-version-id", id)
	}
}

// markerHeaders are the headers that tell a client it met a delete marker.
func markerHeaders(h http.Header, o *store.Object) {
	h.Set("x-amz-delete-marker", "true")
	h.Set("x-amz-version-id", o.VersionID)
}

// absent answers for an addressed version that is missing or a delete
// marker. A delete marker named by its id exists but has nothing to read:
// 405, as S3 answers. Otherwise the key (or version) is missing —
// NoSuchKey (with the delete marker's headers when one is the latest) or
// NoSuchVersion to a caller allowed s3:ListBucket, the ListBucket denial
// to anyone else.
func (c *call) absent(o *store.Object) error {
	h := c.w.Header()
	if o != nil && o.DeleteMarker && c.version != "" {
		markerHeaders(h, o)
		h.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
		h.Set("Allow", http.MethodDelete)
		return methodNotAllowed(c.r.Method, "DeleteMarker")
	}
	if c.listCheck >= 0 && !c.outcomes.Allowed(c.listCheck) {
		return c.outcomes.Denial(c.listCheck)
	}
	if c.version != "" {
		return awsapi.VersionNotFound.Of().With("Key", c.key).With("VersionId", c.version)
	}
	if o != nil && o.DeleteMarker {
		markerHeaders(h, o)
	}
	return noSuchKey(c.key)
}

// gone reports whether the addressed version is missing or a delete marker
// that stands for a missing key (the latest, not named by id): the cases
// where S3 hides existence from callers who may not list the bucket.
func (c *call) gone(o *store.Object) bool {
	return o == nil || (o.DeleteMarker && c.version == "")
}

// deleteKey is DELETE without a version: an unversioned bucket's object is
// removed; a bucket with versioning gets a delete marker (the null one
// while suspended, replacing the null version). With ifMatch, only if the
// current version has that ETag (decided in the deleting transaction). It
// returns the marker (nil when none was made). Removed bytes are freed
// after the commit.
func (c *call) deleteKey(key, ifMatch string) (*store.Object, error) {
	var gone, marker *store.Object
	err := store.UpdateIn(c.ctx, c.s.store, store.Scope{Bucket: c.bucket, Key: key}, func(tx store.Tx) error {
		gone, marker = nil, nil
		b, err := tx.GetBucket(c.ctx, c.bucket)
		if errors.Is(err, store.ErrNotFound) {
			return noSuchBucket(c.bucket)
		}
		if err != nil {
			return err
		}
		if ifMatch != "" {
			cur, err := tx.GetObject(c.ctx, c.bucket, key)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err := checkDelete(ifMatch, cur, key); err != nil {
				return err
			}
		}
		if b.Versioning == "" {
			gone, err = tx.DeleteVersion(c.ctx, c.bucket, key, store.NullVersion, c.removal())
			if errors.Is(err, store.ErrNotFound) {
				return nil // DeleteObject is idempotent
			}
			return err
		}
		m := &store.Object{Bucket: c.bucket, Key: key, VersionID: newVersionID(b), DeleteMarker: true,
			LastModified: c.s.now().UTC(), Owner: c.p.Account}
		gone, err = tx.PutObject(c.ctx, m)
		marker = m
		return err
	})
	if err != nil {
		return nil, lockErr(err)
	}
	if gone != nil {
		c.s.freeBlobs(context.WithoutCancel(c.ctx), gone.Blobs)
	}
	return marker, nil
}

// removeVersion permanently deletes one version and frees its bytes after
// the commit; a version that does not exist is not an error (nil, nil)
// unless the delete is conditional (ifMatch: only if the version has that
// ETag). With MFA Delete the request was authenticated in resolve; the
// bucket is read again here so that MFA Delete enabled since then still
// applies.
func (c *call) removeVersion(key, id, ifMatch string) (*store.Object, error) {
	var gone *store.Object
	err := store.UpdateIn(c.ctx, c.s.store, store.Scope{Bucket: c.bucket, Key: key}, func(tx store.Tx) error {
		b, err := tx.GetBucket(c.ctx, c.bucket)
		if errors.Is(err, store.ErrNotFound) {
			return noSuchBucket(c.bucket)
		}
		if err != nil {
			return err
		}
		if b.MFADelete == mfaEnabled && !c.mfaOK {
			return awsapi.MFARequired.Of()
		}
		if ifMatch != "" {
			cur, err := tx.GetVersion(c.ctx, c.bucket, key, id)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err := checkDelete(ifMatch, cur, key); err != nil {
				return err
			}
		}
		gone, err = tx.DeleteVersion(c.ctx, c.bucket, key, id, c.removal())
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, lockErr(err)
	}
	c.s.freeBlobs(context.WithoutCancel(c.ctx), gone.Blobs)
	return gone, nil
}

func (c *call) deleteObject() error {
	ifMatch, err := deleteCondition(c.r.Header)
	if err != nil {
		return err
	}
	if ifMatch != "" && (c.obj == nil || c.obj.DeleteMarker) {
		if c.obj != nil && c.version != "" {
			return preconditionFailed("If-Match") // a delete marker has no ETag
		}
		return noSuchKey(c.key)
	}
	h := c.w.Header()
	if c.version != "" {
		gone, err := c.removeVersion(c.key, c.version, ifMatch)
		if err != nil {
			return err
		}
		h.Set("x-amz-version-id", c.version)
		if gone != nil && gone.DeleteMarker {
			h.Set("x-amz-delete-marker", "true")
		}
		c.noContent()
		return nil
	}
	marker, err := c.deleteKey(c.key, ifMatch)
	if err != nil {
		return err
	}
	if marker != nil {
		markerHeaders(h, marker)
	}
	c.noContent()
	return nil
}

// updateVersion changes the addressed version's record in place (its
// bytes stay) and returns it.
func (c *call) updateVersion(fn func(*store.Object)) (*store.Object, error) {
	var o *store.Object
	err := store.UpdateIn(c.ctx, c.s.store, store.Scope{Bucket: c.bucket, Key: c.key}, func(tx store.Tx) error {
		var err error
		if c.version != "" {
			o, err = tx.GetVersion(c.ctx, c.bucket, c.key, c.version)
		} else {
			o, err = tx.GetObject(c.ctx, c.bucket, c.key)
		}
		if err != nil {
			return err
		}
		if o.DeleteMarker {
			return c.absent(o)
		}
		fn(o)
		return tx.UpdateVersion(c.ctx, o)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, c.absent(nil)
	}
	return o, err
}
