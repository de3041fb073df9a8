package s3

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/store"
)

// putKeys are PutObject's (and CreateMultipartUpload's) condition keys.
func (c *call) putKeys(set func(string, ...string)) {
	h := c.requestHeaders()
	aclKeys(h, set)
	for _, k := range []string{"x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
		"x-amz-server-side-encryption-customer-algorithm", "x-amz-storage-class"} {
		if v := h.Get(k); v != "" {
			set("s3:"+k, v)
		}
	}
	if tags, err := parseTaggingHeader(h.Get("x-amz-tagging")); err == nil && tags != nil {
		requestTagKeys(tags, set)
	}
	lockKeys(h, set)
	c.conditionKeys(set)
}

// storedBlob is a blob written for a request that is not committed yet.
type storedBlob struct {
	ref  store.BlobRef
	etag string
}

// receive streams the request body into a new blob (encrypted under k when
// set) and verifies it. On any failure the blob is deleted and nothing
// refers to it.
func (c *call) receive(k *objectKey) (*storedBlob, *body, error) {
	b, err := c.payload()
	if err != nil {
		return nil, nil, err
	}
	if b.length < 0 {
		return nil, nil, awsapi.ContentLengthMissing.Of()
	}
	ref, plainMD5, err := c.s.putObjectBytes(c.ctx, b, b.length, k)
	if err != nil {
		return nil, nil, bodyError(err)
	}
	if err := b.verify(plainMD5); err != nil {
		c.s.deleteBlobs(context.WithoutCancel(c.ctx), []store.BlobRef{ref})
		return nil, nil, err
	}
	return &storedBlob{ref: ref, etag: k.etag(plainMD5)}, b, nil
}

// bodyError maps a body that ended early (an encrypted blob's source
// failure) or yielded another length than it declared (a blob store that
// checks the declared size) to S3's IncompleteBody, as verify does for a
// blob in clear.
func bodyError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, blob.ErrSizeMismatch) {
		return awsapi.BodyIncomplete.Of()
	}
	return err
}

// newObject holds what a PUT or CreateMultipartUpload request says about
// the object it creates.
type newObject struct {
	contentType string
	headers     map[string]string
	meta        map[string]string
	tags        []store.Tag
	class       string // storage class ("" is STANDARD)
}

// objectRequest checks the key and reads the new object's headers and tags
// (s3:PutObjectTagging and s3:PutObjectAcl were declared by resolvePut).
func (c *call) objectRequest() (*newObject, error) {
	if err := checkKey(c.key); err != nil {
		return nil, err
	}
	ct, std, meta, err := objectHeaders(c.r.Header)
	if err != nil {
		return nil, err
	}
	tags, err := parseTaggingHeader(c.r.Header.Get("x-amz-tagging"))
	if err != nil {
		return nil, err
	}
	class, err := storageClass(c.r.Header)
	if err != nil {
		return nil, err
	}
	return &newObject{contentType: ct, headers: std, meta: meta, tags: tags, class: class}, nil
}

func (c *call) putObject() error {
	no, err := c.objectRequest()
	if err != nil {
		return err
	}
	cond, err := writeConditions(c.r.Header)
	if err != nil {
		return err
	}
	lock, err := lockHeaders(c.r.Header, c.b, c.s.now())
	if err != nil {
		return err
	}
	if lock.set && !hasDigest(c.r.Header) {
		return awsapi.ObjectLockDigestMissing.Of()
	}
	if cond != nil {
		cur, err := c.lookup()
		if err != nil {
			return err
		}
		if cur != nil && cur.DeleteMarker {
			cur = nil // the key has no current version
		}
		cond.start(cur)
	}
	spec, err := c.writeSpec(c.r.Header)
	if err != nil {
		return err
	}
	k, err := c.newObjectKey(spec)
	if err != nil {
		return err
	}
	sb, body, err := c.receive(k)
	if err != nil {
		return err
	}
	o := &store.Object{Bucket: c.bucket, Key: c.key, Blobs: []store.BlobRef{sb.ref}, Size: sb.ref.Size,
		ETag: sb.etag, LastModified: c.s.now().UTC(), ContentType: no.contentType,
		Headers: no.headers, Metadata: no.meta, Checksum: body.checksum(), Tags: no.tags, Owner: c.writeOwner, ACL: c.writeACL,
		StorageClass: no.class, Encryption: k.encryption()}
	o.LockMode, o.LockUntil, o.LegalHold = lock.mode, lock.until, lock.hold
	if err := c.commitObject(o, cond); err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("ETag", o.ETag)
	setSSEHeaders(h, o.Encryption)
	writtenVersionHeader(h, o.VersionID)
	if v := c.s.expirationHeader(c.b, o); v != "" {
		h.Set("x-amz-expiration", v)
	}
	setChecksumHeader(h, o.Checksum)
	h.Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// commitObject writes the object record as a new version (deciding a
// conditional write's condition in the same transaction, against the
// current version; the version id follows the bucket's versioning state as
// the transaction reads it), then frees the blobs of the version it
// replaced (a null version; none while versioning is enabled). If the
// commit fails, the new blobs are freed instead. The transaction is scoped
// to the key (store.UpdateIn): writers of other keys do not contend.
func (c *call) commitObject(o *store.Object, cond *writeCond) error {
	var replaced *store.Object
	err := store.UpdateIn(c.ctx, c.s.store, store.Scope{Bucket: o.Bucket, Key: o.Key}, func(tx store.Tx) error {
		if cond != nil {
			cur, err := tx.GetObject(c.ctx, o.Bucket, o.Key)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err := cond.check(cur, o.Key); err != nil {
				return err
			}
		}
		b, err := tx.GetBucket(c.ctx, o.Bucket)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return noSuchBucket(o.Bucket)
			}
			return err
		}
		o.VersionID = newVersionID(b)
		if (o.LockMode != "" || o.LegalHold != "") && !b.ObjectLock {
			return awsapi.ObjectLockMissing.Of()
		}
		applyLock(o, nil, b)
		replaced, err = tx.PutObject(c.ctx, o)
		return err
	})
	if err != nil {
		c.s.deleteBlobs(context.WithoutCancel(c.ctx), o.Blobs)
		return lockErr(err)
	}
	if replaced != nil {
		c.s.freeBlobs(context.WithoutCancel(c.ctx), replaced.Blobs)
	}
	return nil
}

func preconditionFailed(cond string) error {
	return awsapi.PreconditionNotMet.Of().With("Condition", cond)
}

func setChecksumHeader(h http.Header, ck *store.Checksum) {
	if ck == nil {
		return
	}
	h.Set("x-amz-checksum-"+strings.ToLower(ck.Algorithm), ck.Value)
	if ck.Type != "" {
		h.Set("x-amz-checksum-type", ck.Type)
	}
}

// lookup reads the addressed version (nil, nil when missing): the one the
// request names, else the current one, else the delete marker that is the
// latest.
func (c *call) lookup() (*store.Object, error) {
	var o *store.Object
	err := c.s.store.View(c.ctx, func(tx store.Tx) error {
		var err error
		o, err = lookupIn(c.ctx, tx, c.bucket, c.key, c.version)
		return err
	})
	return o, err
}

// lookupIn is lookup's read in tx, of version ("": the current one, else
// the latest delete marker); nil, nil when missing.
func lookupIn(ctx context.Context, tx store.Tx, bucket, key, version string) (*store.Object, error) {
	var o *store.Object
	var err error
	if version != "" {
		o, err = tx.GetVersion(ctx, bucket, key, version)
	} else if o, err = tx.GetObject(ctx, bucket, key); errors.Is(err, store.ErrNotFound) {
		o, err = tx.GetVersion(ctx, bucket, key, "")
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return o, err
}

func noSuchKey(key string) error {
	return awsapi.KeyNotFound.Of().With("Key", key)
}

// getObject serves GetObject and HeadObject.
func (c *call) getObject() error {
	// The first attempt serves the record resolve read (and authorized);
	// a retry reads the record again.
	o := c.obj
	for attempt := 1; ; attempt++ {
		err := c.serveObject(o, attempt > 1)
		// The record was replaced (and its bytes freed) between reading it
		// and opening its first blob: read the new record.
		if errors.Is(err, errBlobMissing) && attempt < 3 {
			continue
		}
		return err
	}
}

func (c *call) serveObject(o *store.Object, reread bool) error {
	if reread {
		authorized := o
		var err error
		if o, err = c.lookup(); err != nil {
			return err
		}
		if o != nil && authorized != nil && !slices.Equal(o.Tags, authorized.Tags) {
			// The new record's tags were not what the request was
			// authorized against (s3:ExistingObjectTag): fail (clients
			// retry, and the retry is authorized on the new record).
			return errBlobMissing
		}
	}
	// Malformed SSE-C headers (or a key sent in clear) are refused
	// whether or not the object exists.
	if _, err := c.customerKey(c.r.Header, ssecPrefix); err != nil {
		return err
	}
	if o == nil || o.DeleteMarker {
		return c.absent(o)
	}
	if status, err := checkConditions(c.r.Header, o); err != nil || status != 0 {
		if status == http.StatusNotModified {
			h := c.w.Header()
			h.Set("ETag", o.ETag)
			h.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
			c.w.WriteHeader(status)
			return nil
		}
		return err
	}
	key, err := c.readKey(o, ssecPrefix)
	if err != nil {
		return err
	}
	off, n, partial, err := c.readRange(o)
	if err != nil {
		return err
	}
	// Open the first blob before any header is set, so that a missing blob
	// is still an error response (or a retry).
	var rd *objectReader
	if c.r.Method != http.MethodHead {
		rd = c.s.newObjectReader(c.ctx, o, key, off, n)
		defer rd.Close()
		if err := rd.open(); err != nil {
			return err
		}
	}
	h := c.w.Header()
	writeObjectHeaders(h, o)
	setSSEHeaders(h, o.Encryption)
	c.writeLockHeaders(h, o)
	c.versionHeader(h, o)
	if v := c.s.expirationHeader(c.b, o); v != "" && c.version == "" {
		h.Set("x-amz-expiration", v)
	}
	if err := c.responseOverrides(h); err != nil {
		return err
	}
	if strings.EqualFold(c.r.Header.Get("x-amz-checksum-mode"), "ENABLED") && !partial {
		setChecksumHeader(h, o.Checksum)
	}
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	status := http.StatusOK
	if partial {
		h.Set("Content-Range", "bytes "+strconv.FormatInt(off, 10)+"-"+strconv.FormatInt(off+n-1, 10)+"/"+strconv.FormatInt(o.Size, 10))
		status = http.StatusPartialContent
	}
	c.w.WriteHeader(status)
	if rd == nil {
		return nil
	}
	if _, err := rd.WriteTo(c.w); err != nil && c.ctx.Err() == nil {
		c.s.log.Warn("s3 GET interrupted", "request_id", c.id, "bucket", c.bucket, "err", err)
	}
	return nil
}

// readRange picks the bytes a GET or HEAD returns: the Range header, or
// one part of a multipart object with ?partNumber=N.
func (c *call) readRange(o *store.Object) (off, n int64, partial bool, err error) {
	pn, ok := c.q["partNumber"]
	if !ok {
		return parseRange(c.r.Header.Get("Range"), o.Size)
	}
	if c.r.Header.Get("Range") != "" {
		return 0, 0, false, awsapi.RangeWithPartNumber.Of()
	}
	part, perr := strconv.Atoi(pn[0])
	if perr != nil || part < 1 || part > maxParts {
		return 0, 0, false, awsapi.PartNumberOutOfRange.Of().
			With("ArgumentName", "partNumber").With("ArgumentValue", pn[0])
	}
	if o.Parts == 0 { // a simple object is one part, read as a range
		if part != 1 {
			return 0, 0, false, awsapi.PartNumberNotSatisfiable.Of().With("PartNumberRequested", pn[0])
		}
		return 0, o.Size, o.Size > 0, nil
	}
	if part > len(o.Blobs) {
		return 0, 0, false, awsapi.PartNumberNotSatisfiable.Of().
			With("PartNumberRequested", pn[0]).With("ActualPartCount", strconv.Itoa(o.Parts))
	}
	for _, b := range o.Blobs[:part-1] {
		off += b.Size
	}
	c.w.Header().Set("x-amz-mp-parts-count", strconv.Itoa(o.Parts))
	return off, o.Blobs[part-1].Size, true, nil
}

// responseOverrides applies the response-* query parameters of a signed GET.
func (c *call) responseOverrides(h http.Header) error {
	overrides := [][2]string{{"response-content-type", "Content-Type"}, {"response-content-language", "Content-Language"},
		{"response-expires", "Expires"}, {"response-cache-control", "Cache-Control"},
		{"response-content-disposition", "Content-Disposition"}, {"response-content-encoding", "Content-Encoding"}}
	for _, o := range overrides {
		v, ok := c.q[o[0]]
		if !ok {
			continue
		}
		if c.p.Type == authz.TypeAnonymous {
			return awsapi.ResponseHeadersAnonymous.Of()
		}
		h.Set(o[1], v[0])
	}
	return nil
}

// checkConditions applies If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since in RFC 7232's order; it returns 304 for a GET or HEAD
// that need not be answered, or a PreconditionFailed error.
func checkConditions(h http.Header, o *store.Object) (int, error) {
	if v := h.Get("If-Match"); v != "" {
		if !etagMatches(v, o.ETag) {
			return 0, preconditionFailed("If-Match")
		}
	} else if v := h.Get("If-Unmodified-Since"); v != "" {
		if t, ok := httpDate(v); ok && o.LastModified.Truncate(1e9).After(t) {
			return 0, preconditionFailed("If-Unmodified-Since")
		}
	}
	if v := h.Get("If-None-Match"); v != "" {
		if etagMatches(v, o.ETag) {
			return http.StatusNotModified, nil
		}
	} else if v := h.Get("If-Modified-Since"); v != "" {
		if t, ok := httpDate(v); ok && !o.LastModified.Truncate(1e9).After(t) {
			return http.StatusNotModified, nil
		}
	}
	return 0, nil
}

// etagMatches compares a list of entity tags (or "*") with an ETag.
func etagMatches(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "W/")
		if t == "*" || strings.Trim(t, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}

// parseRange reads a single byte range; a header S3 would ignore (absent,
// malformed, several ranges) selects the whole object.
func parseRange(v string, size int64) (off, n int64, partial bool, err error) {
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, size, false, nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return 0, size, false, nil
	}
	invalid := func() (int64, int64, bool, error) {
		return 0, 0, false, awsapi.RangeNotSatisfiable.Of().
			With("RangeRequested", v).With("ActualObjectSize", strconv.FormatInt(size, 10))
	}
	if first == "" { // suffix: the last N bytes
		k, perr := strconv.ParseInt(last, 10, 64)
		if perr != nil || k < 0 {
			return 0, size, false, nil
		}
		if k == 0 {
			return invalid()
		}
		k = min(k, size)
		if size == 0 {
			return invalid()
		}
		return size - k, k, true, nil
	}
	start, perr := strconv.ParseInt(first, 10, 64)
	if perr != nil || start < 0 {
		return 0, size, false, nil
	}
	end := size - 1
	if last != "" {
		e, perr := strconv.ParseInt(last, 10, 64)
		if perr != nil || e < start {
			return 0, size, false, nil
		}
		end = min(e, size-1)
	}
	if start >= size {
		return invalid()
	}
	return start, end - start + 1, true, nil
}

func (c *call) getObjectTagging() error {
	o := c.obj
	if o == nil || o.DeleteMarker {
		return c.absent(o)
	}
	c.versionHeader(c.w.Header(), o)
	return c.writeXML(tagsXML(o.Tags))
}

func (c *call) putObjectTagging() error {
	if o := c.obj; o == nil || o.DeleteMarker {
		return c.absent(o)
	}
	tags := c.stash.([]store.Tag)
	o, err := c.updateVersion(func(o *store.Object) { o.Tags = tags })
	if err != nil {
		return err
	}
	c.versionHeader(c.w.Header(), o)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (c *call) deleteObjectTagging() error {
	if o := c.obj; o == nil || o.DeleteMarker {
		return c.absent(o)
	}
	o, err := c.updateVersion(func(o *store.Object) { o.Tags = nil })
	if err != nil {
		return err
	}
	c.versionHeader(c.w.Header(), o)
	c.noContent()
	return nil
}

// errBlobMissing: an object record names a blob that is gone (data loss
// outside Gatehouse's control).
var errBlobMissing = errors.New("s3: object bytes missing")

func blobErr(err error) error {
	if errors.Is(err, blob.ErrNotFound) {
		return errBlobMissing
	}
	return err
}

var _ io.WriterTo = (*objectReader)(nil)
