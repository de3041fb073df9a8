package s3

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/checksum"
	"github.com/gatehouse/gatehouse/internal/sse"
	"github.com/gatehouse/gatehouse/internal/store"
)

// copyKeys are CopyObject's and UploadPartCopy's condition keys.
func (c *call) copyKeys(set func(string, ...string)) {
	c.putKeys(set)
	set("s3:x-amz-copy-source", strings.TrimPrefix(c.r.Header.Get("x-amz-copy-source"), "/"))
	if v := c.r.Header.Get("x-amz-metadata-directive"); v != "" {
		set("s3:x-amz-metadata-directive", v)
	}
}

// source is the object named by x-amz-copy-source, as resolveCopy read
// it. A delete marker named by its version id is no source (400); a
// missing source — or one whose latest version is a delete marker — is
// NoSuchKey (NoSuchVersion for a named version) to a caller who may list
// the source bucket, the ListBucket denial otherwise. It sets
// x-amz-copy-source-version-id when the source has a version to show.
func (c *call) source() (*store.Object, error) {
	src := c.stash.(*copySource)
	o := src.obj
	if o != nil && o.DeleteMarker && src.version != "" {
		return nil, awsapi.CopySourceDeleteMarker.Of()
	}
	if o == nil || o.DeleteMarker {
		if src.listCheck >= 0 && !c.outcomes.Allowed(src.listCheck) {
			return nil, c.outcomes.Denial(src.listCheck)
		}
		if src.version != "" {
			return nil, awsapi.VersionNotFound.Of().With("Key", src.key).With("VersionId", src.version)
		}
		if o != nil {
			markerHeaders(c.w.Header(), o)
		}
		return nil, noSuchKey(src.key)
	}
	if err := copyConditions(c.r.Header, o); err != nil {
		return nil, err
	}
	if src.version != "" || src.bucket.Versioning != "" {
		c.w.Header().Set("x-amz-copy-source-version-id", o.VersionID)
	}
	return o, nil
}

// copyConditions applies the x-amz-copy-source-if-* headers; any failure
// is 412 PreconditionFailed.
func copyConditions(h http.Header, o *store.Object) error {
	if v := h.Get("x-amz-copy-source-if-match"); v != "" && !etagMatches(v, o.ETag) {
		return preconditionFailed("x-amz-copy-source-If-Match")
	}
	if v := h.Get("x-amz-copy-source-if-none-match"); v != "" && etagMatches(v, o.ETag) {
		return preconditionFailed("x-amz-copy-source-If-None-Match")
	}
	if v := h.Get("x-amz-copy-source-if-unmodified-since"); v != "" && h.Get("x-amz-copy-source-if-match") == "" {
		if t, ok := httpDate(v); ok && o.LastModified.Truncate(1e9).After(t) {
			return preconditionFailed("x-amz-copy-source-If-Unmodified-Since")
		}
	}
	if v := h.Get("x-amz-copy-source-if-modified-since"); v != "" && h.Get("x-amz-copy-source-if-none-match") == "" {
		if t, ok := httpDate(v); ok && !o.LastModified.Truncate(1e9).After(t) {
			return preconditionFailed("x-amz-copy-source-If-Modified-Since")
		}
	}
	return nil
}

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	checksumsXML
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	checksumsXML
}

// copyObject makes a new record over the source's blobs: blobs are
// immutable and freed only when no record refers to them, so a copy costs
// no bytes.
func (c *call) copyObject() error {
	src, err := c.source()
	if err != nil {
		return err
	}
	h := c.r.Header
	directive := h.Get("x-amz-metadata-directive")
	if directive != "" && directive != "COPY" && directive != "REPLACE" {
		return awsapi.MetadataDirectiveUnknown.Of().With("ArgumentName", "x-amz-metadata-directive")
	}
	tagDirective := h.Get("x-amz-tagging-directive")
	if tagDirective != "" && tagDirective != "COPY" && tagDirective != "REPLACE" {
		return awsapi.TaggingDirectiveUnknown.Of().With("ArgumentName", "x-amz-tagging-directive")
	}
	class, err := storageClass(h)
	if err != nil {
		return err
	}
	cond, err := writeConditions(h)
	if err != nil {
		return err
	}
	// Copying an older version over its key restores it: only a copy of
	// the current version onto itself must change something.
	if src.Bucket == c.bucket && src.Key == c.key && directive != "REPLACE" && h.Get("x-amz-storage-class") == "" &&
		c.stash.(*copySource).version == "" && !sseRequested(h) {
		return awsapi.CopyToItself.Of()
	}
	srcKey, err := c.readKey(src, ssecCopyPrefix)
	if err != nil {
		return err
	}
	spec, err := c.writeSpec(h)
	if err != nil {
		return err
	}
	o := *src
	// A copy is STANDARD unless the request names another class.
	o.Bucket, o.Key, o.LastModified, o.Owner, o.ACL, o.StorageClass = c.bucket, c.key, c.s.now().UTC(), c.writeOwner, c.writeACL, class
	o.UploadID = ""
	// A copy's lock is its request's (or the bucket's default), never the
	// source's.
	lock, err := lockHeaders(h, c.b, c.s.now())
	if err != nil {
		return err
	}
	o.LockMode, o.LockUntil, o.LegalHold = lock.mode, lock.until, lock.hold
	if directive == "REPLACE" {
		if o.ContentType, o.Headers, o.Metadata, err = objectHeaders(h); err != nil {
			return err
		}
	}
	if tagDirective == "REPLACE" {
		if o.Tags, err = parseTaggingHeader(h.Get("x-amz-tagging")); err != nil {
			return err
		}
	}
	if v := h.Get("x-amz-checksum-algorithm"); v != "" {
		alg, ok := checksum.Parse(v)
		if !ok {
			return awsapi.ChecksumAlgorithmUnsupported.Of()
		}
		if o.Checksum, err = c.copyChecksum(src, srcKey, alg); err != nil {
			return err
		}
		o.PartChecksums = nil
	}
	// The same encryption under the same key shares the source's blobs;
	// anything else re-encrypts (or decrypts) the bytes into a new blob.
	var written []store.BlobRef
	if c.sameEncryption(src.Encryption, spec) {
		if o.Encryption != nil && spec.Method == store.SSEKMS {
			e := *o.Encryption
			e.BucketKeyEnabled = spec.BucketKeyEnabled
			o.Encryption = &e
		}
	} else {
		if err := c.recrypt(&o, src, srcKey, spec); err != nil {
			return err
		}
		written = o.Blobs
	}
	var replaced *store.Object
	err = c.s.store.Update(c.ctx, func(tx store.Tx) error {
		// The source version must still be the one read: its blobs are
		// shared.
		cur, err := tx.GetVersion(c.ctx, src.Bucket, src.Key, src.VersionID)
		if errors.Is(err, store.ErrNotFound) {
			return noSuchKey(src.Key)
		}
		if err != nil {
			return err
		}
		if cur.ETag != src.ETag || !cur.LastModified.Equal(src.LastModified) {
			return awsapi.CopySourceChanged.Of()
		}
		b, err := tx.GetBucket(c.ctx, c.bucket)
		if err != nil {
			return err
		}
		if cond != nil {
			dst, err := tx.GetObject(c.ctx, c.bucket, c.key)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err := cond.check(dst, c.key); err != nil {
				return err
			}
		}
		o.VersionID = newVersionID(b)
		applyLock(&o, nil, b)
		replaced, err = tx.PutObject(c.ctx, &o)
		return err
	})
	if err != nil {
		c.s.deleteBlobs(context.WithoutCancel(c.ctx), written)
		return lockErr(err)
	}
	if replaced != nil {
		c.s.freeBlobs(context.WithoutCancel(c.ctx), replaced.Blobs)
	}
	setSSEHeaders(c.w.Header(), o.Encryption)
	writtenVersionHeader(c.w.Header(), o.VersionID)
	res := &copyObjectResult{Xmlns: xmlns, LastModified: isoTime(o.LastModified), ETag: o.ETag}
	res.set(o.Checksum)
	if o.Checksum != nil {
		res.ChecksumType = o.Checksum.Type
	}
	return c.writeXML(res)
}

// recrypt writes src's bytes into one new blob under spec's encryption
// (none: in clear) for the copy o: its blob, ETag and encryption change, a
// multipart source becomes a single part, and a composite checksum (of
// the source's parts) is dropped.
func (c *call) recrypt(o, src *store.Object, srcKey []byte, spec *sse.Spec) error {
	k, err := c.newObjectKey(spec)
	if err != nil {
		return err
	}
	rd := c.s.newObjectReader(c.ctx, src, srcKey, 0, src.Size)
	defer rd.Close()
	if err := rd.open(); err != nil {
		return err
	}
	ref, plainMD5, err := c.s.putObjectBytes(c.ctx, rd, src.Size, k)
	if err != nil {
		return err
	}
	if ref.Size != src.Size {
		c.s.deleteBlobs(context.WithoutCancel(c.ctx), []store.BlobRef{ref})
		return errBlobMissing
	}
	o.Blobs, o.Size, o.Parts, o.ETag, o.Encryption = []store.BlobRef{ref}, ref.Size, 0, k.etag(plainMD5), k.encryption()
	o.PartChecksums = nil
	if o.Checksum != nil && o.Checksum.Type != "FULL_OBJECT" {
		o.Checksum = nil
	}
	return nil
}

// copyChecksum is the full-object checksum of the source's bytes with the
// algorithm a CopyObject asks for (x-amz-checksum-algorithm): the source's
// own when it has that one, computed from its bytes (decrypted with
// srcKey) otherwise.
func (c *call) copyChecksum(src *store.Object, srcKey []byte, alg checksum.Algorithm) (*store.Checksum, error) {
	if ck := src.Checksum; ck != nil && ck.Algorithm == string(alg) && ck.Type == "FULL_OBJECT" {
		return ck, nil
	}
	rd := c.s.newObjectReader(c.ctx, src, srcKey, 0, src.Size)
	defer rd.Close()
	sum := checksumHash{alg: alg, h: alg.New()}
	buf := c.s.copyBufs.Get().(*[]byte)
	defer c.s.copyBufs.Put(buf)
	n, err := io.CopyBuffer(sum.h, rd, *buf)
	if err != nil {
		return nil, blobErr(err)
	}
	if n != src.Size {
		return nil, errBlobMissing
	}
	return sum.checksum(), nil
}

// uploadPartCopy copies a byte range of the source into a new part.
func (c *call) uploadPartCopy() error {
	n, u, err := c.partTarget()
	if err != nil {
		return err
	}
	src, err := c.source()
	if err != nil {
		return err
	}
	off, size := int64(0), src.Size
	if v := c.r.Header.Get("x-amz-copy-source-range"); v != "" {
		var ok bool
		if off, size, ok = copyRange(v, src.Size); !ok {
			return awsapi.CopySourceRangeInvalid.Of(src.Size).
				With("ArgumentName", "x-amz-copy-source-range").With("ArgumentValue", v)
		}
	}
	if size > maxPutSize {
		return awsapi.CopySourceTooLarge.Of()
	}
	srcKey, err := c.readKey(src, ssecCopyPrefix)
	if err != nil {
		return err
	}
	k, err := c.uploadKey(u)
	if err != nil {
		return err
	}
	rd := c.s.newObjectReader(c.ctx, src, srcKey, off, size)
	defer rd.Close()
	var sum checksumHash
	if u.ChecksumAlgorithm != "" {
		sum = checksumHash{alg: checksum.Algorithm(u.ChecksumAlgorithm)}
		sum.h = sum.alg.New()
	}
	ref, plainMD5, err := c.s.putBlob(c.ctx, rd, size, k, sum.extra()...) // parts are blobs, never inline
	if err != nil {
		return err
	}
	if ref.Size != size {
		c.s.deleteBlobs(context.WithoutCancel(c.ctx), []store.BlobRef{ref})
		return errBlobMissing
	}
	p := &store.Part{UploadID: u.ID, Number: n, Blob: ref,
		ETag: k.etag(plainMD5), LastModified: c.s.now().UTC(), Checksum: sum.checksum()}
	if err := c.commitPart(p); err != nil {
		return err
	}
	setSSEHeaders(c.w.Header(), u.Encryption)
	res := &copyPartResult{Xmlns: xmlns, LastModified: isoTime(p.LastModified), ETag: p.ETag}
	res.set(p.Checksum)
	return c.writeXML(res)
}

// copyRange parses x-amz-copy-source-range (bytes=first-last, both
// required and inside the source).
func copyRange(v string, size int64) (off, n int64, ok bool) {
	spec, found := strings.CutPrefix(v, "bytes=")
	if !found {
		return 0, 0, false
	}
	a, b, found := strings.Cut(spec, "-")
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if !found || err1 != nil || err2 != nil || first < 0 || last < first || last >= size {
		return 0, 0, false
	}
	return first, last - first + 1, true
}
