package s3

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/checksum"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Multipart limits of S3.
const (
	maxParts    = 10000
	minPartSize = 5 << 20
)

type checksumsXML struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

func (x *checksumsXML) set(ck *store.Checksum) {
	if ck == nil {
		return
	}
	switch checksum.Algorithm(ck.Algorithm) {
	case checksum.CRC32:
		x.ChecksumCRC32 = ck.Value
	case checksum.CRC32C:
		x.ChecksumCRC32C = ck.Value
	case checksum.CRC64NVME:
		x.ChecksumCRC64NVME = ck.Value
	case checksum.SHA1:
		x.ChecksumSHA1 = ck.Value
	case checksum.SHA256:
		x.ChecksumSHA256 = ck.Value
	}
}

func (x *checksumsXML) get(alg checksum.Algorithm) string {
	switch alg {
	case checksum.CRC32:
		return x.ChecksumCRC32
	case checksum.CRC32C:
		return x.ChecksumCRC32C
	case checksum.CRC64NVME:
		return x.ChecksumCRC64NVME
	case checksum.SHA1:
		return x.ChecksumSHA1
	case checksum.SHA256:
		return x.ChecksumSHA256
	}
	return ""
}

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func newUploadID() (string, error) {
	var b [33]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func (c *call) createUpload() error {
	no, err := c.objectRequest()
	if err != nil {
		return err
	}
	spec, err := c.writeSpec(c.r.Header)
	if err != nil {
		return err
	}
	k, err := c.newObjectKey(spec)
	if err != nil {
		return err
	}
	lock, err := lockHeaders(c.r.Header, c.b, c.s.now())
	if err != nil {
		return err
	}
	u := &store.Upload{Bucket: c.bucket, Key: c.key, Initiator: c.p.ARN, InitiatorID: c.p.UserID, Owner: c.writeOwner, ACL: c.writeACL, CreatedAt: c.s.now().UTC(),
		ContentType: no.contentType, Headers: no.headers, Metadata: no.meta, Tags: no.tags, StorageClass: no.class,
		Encryption: k.encryption(), LockMode: lock.mode, LockUntil: lock.until, LegalHold: lock.hold}
	if v := c.r.Header.Get("x-amz-checksum-algorithm"); v != "" {
		alg, ok := checksum.Parse(v)
		if !ok {
			return awsapi.ChecksumAlgorithmUnsupported.Of()
		}
		u.ChecksumAlgorithm, u.ChecksumType = string(alg), "COMPOSITE"
		if alg == checksum.CRC64NVME {
			u.ChecksumType = "FULL_OBJECT"
		}
	}
	if v := c.r.Header.Get("x-amz-checksum-type"); v != "" {
		switch {
		case u.ChecksumAlgorithm == "":
			return awsapi.ChecksumTypeWithoutAlgorithm.Of()
		case v == "FULL_OBJECT" && !checksum.Algorithm(u.ChecksumAlgorithm).IsCRC(), v != "FULL_OBJECT" && v != "COMPOSITE",
			v == "COMPOSITE" && u.ChecksumAlgorithm == string(checksum.CRC64NVME):
			return awsapi.ChecksumTypeIncompatible.Of(strings.ToLower(v), strings.ToLower(u.ChecksumAlgorithm))
		}
		u.ChecksumType = v
	}
	if u.ID, err = newUploadID(); err != nil {
		return err
	}
	if err := c.s.store.Update(c.ctx, func(tx store.Tx) error { return tx.CreateUpload(c.ctx, u) }); err != nil {
		return err
	}
	if u.ChecksumAlgorithm != "" {
		c.w.Header().Set("x-amz-checksum-algorithm", u.ChecksumAlgorithm)
		c.w.Header().Set("x-amz-checksum-type", u.ChecksumType)
	}
	setSSEHeaders(c.w.Header(), u.Encryption)
	return c.writeXML(&initiateResult{Xmlns: xmlns, Bucket: c.bucket, Key: c.key, UploadID: u.ID})
}

func noSuchUpload(id string) error {
	return awsapi.UploadNotFound.Of().With("UploadId", id)
}

// partTarget reads the part number and the upload of UploadPart and
// UploadPartCopy.
func (c *call) partTarget() (int, *store.Upload, error) {
	n, err := c.partNumber()
	if err != nil {
		return 0, nil, err
	}
	u, err := c.upload()
	return n, u, err
}

// upload reads the addressed multipart upload.
func (c *call) upload() (*store.Upload, error) {
	id := c.q.Get("uploadId")
	var u *store.Upload
	err := c.s.store.View(c.ctx, func(tx store.Tx) error {
		var err error
		u, err = tx.GetUpload(c.ctx, c.bucket, c.key, id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuchUpload(id)
	}
	return u, err
}

func (c *call) partNumber() (int, error) {
	n, err := strconv.Atoi(c.q.Get("partNumber"))
	if err != nil || n < 1 || n > maxParts {
		return 0, awsapi.PartNumberOutOfRange.Of().
			With("ArgumentName", "partNumber").With("ArgumentValue", c.q.Get("partNumber"))
	}
	return n, nil
}

func (c *call) uploadPart() error {
	if v, ok := c.q["versionId"]; ok {
		return awsapi.VersionIDNotAccepted.Of().With("ArgumentName", "versionId").With("ArgumentValue", v[0])
	}
	n, u, err := c.partTarget()
	if err != nil {
		return err
	}
	k, err := c.uploadKey(u)
	if err != nil {
		return err
	}
	b, err := c.payload()
	if err != nil {
		return err
	}
	if u.ChecksumAlgorithm != "" {
		if b.alg == "" {
			b.alg = checksum.Algorithm(u.ChecksumAlgorithm)
			b.sum = b.alg.New()
		} else if string(b.alg) != u.ChecksumAlgorithm {
			return awsapi.PartChecksumAlgorithmMismatch.Of(
				strings.ToLower(u.ChecksumAlgorithm), strings.ToLower(string(b.alg)))
		}
	}
	if b.length < 0 {
		return awsapi.ContentLengthMissing.Of()
	}
	ref, plainMD5, err := c.s.putBlob(c.ctx, b, b.length, k)
	if err != nil {
		return bodyError(err)
	}
	if err := b.verify(plainMD5); err != nil {
		c.s.deleteBlobs(context.WithoutCancel(c.ctx), []store.BlobRef{ref})
		return err
	}
	p := &store.Part{UploadID: u.ID, Number: n, Blob: ref, ETag: k.etag(plainMD5),
		Checksum: b.checksum(), LastModified: c.s.now().UTC()}
	if err := c.commitPart(p); err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("ETag", p.ETag)
	setSSEHeaders(h, u.Encryption)
	if p.Checksum != nil {
		h.Set("x-amz-checksum-"+strings.ToLower(p.Checksum.Algorithm), p.Checksum.Value)
	}
	h.Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// commitPart records a part if its upload still exists, then frees the part
// it replaced; on failure the new bytes are freed.
func (c *call) commitPart(p *store.Part) error {
	var replaced *store.Part
	err := c.s.store.Update(c.ctx, func(tx store.Tx) error {
		if _, err := tx.GetUpload(c.ctx, c.bucket, c.key, p.UploadID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return noSuchUpload(p.UploadID)
			}
			return err
		}
		var err error
		replaced, err = tx.PutPart(c.ctx, p)
		return err
	})
	if err != nil {
		c.s.deleteBlobs(context.WithoutCancel(c.ctx), []store.BlobRef{p.Blob})
		return err
	}
	if replaced != nil {
		c.s.freeBlobs(context.WithoutCancel(c.ctx), []store.BlobRef{replaced.Blob})
	}
	return nil
}

type completePart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
	checksumsXML
}

type completeRequest struct {
	XMLName xml.Name       `xml:"CompleteMultipartUpload"`
	Parts   []completePart `xml:"Part"`
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	checksumsXML
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

func invalidPart() error {
	return awsapi.PartNotFound.Of()
}

func (c *call) completeUpload() error {
	id := c.q.Get("uploadId")
	var req completeRequest
	if err := c.readXML(&req); err != nil {
		return err
	}
	if len(req.Parts) == 0 {
		return awsapi.XMLMalformed.Of()
	}
	for i := 1; i < len(req.Parts); i++ {
		if req.Parts[i].PartNumber <= req.Parts[i-1].PartNumber {
			return awsapi.PartsNotInOrder.Of()
		}
	}
	wantFull := c.r.Header.Get("x-amz-checksum-type")
	cond, err := writeConditions(c.r.Header)
	if err != nil {
		return err
	}
	var o *store.Object
	var replaced *store.Object
	var unused []store.BlobRef
	err = c.s.store.Update(c.ctx, func(tx store.Tx) error {
		cur, err := tx.GetObject(c.ctx, c.bucket, c.key)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		u, err := tx.GetUpload(c.ctx, c.bucket, c.key, id)
		if errors.Is(err, store.ErrNotFound) {
			// A repeated completion (a client retrying after a lost
			// reply) is answered with the first one's result for as
			// long as the object it made is the key's.
			if cur != nil && cur.UploadID == id && completedETag(req.Parts) == cur.ETag {
				o = cur
				return nil
			}
			return noSuchUpload(id)
		}
		if err != nil {
			return err
		}
		if err := cond.check(cur, c.key); err != nil {
			return err
		}
		parts, err := tx.ListParts(c.ctx, id, 0, 0)
		if err != nil {
			return err
		}
		byNum := make(map[int]*store.Part, len(parts))
		for _, p := range parts {
			byNum[p.Number] = p
		}
		o, err = c.assemble(u, req.Parts, byNum, wantFull)
		if err != nil {
			return err
		}
		b, err := tx.GetBucket(c.ctx, c.bucket)
		if errors.Is(err, store.ErrNotFound) {
			return noSuchBucket(c.bucket)
		}
		if err != nil {
			return err
		}
		o.VersionID = newVersionID(b)
		applyLock(o, nil, b)
		if replaced, err = tx.PutObject(c.ctx, o); err != nil {
			return lockErr(err)
		}
		used := map[string]bool{}
		for _, b := range o.Blobs {
			used[b.Key] = true
		}
		for _, p := range parts {
			if !used[p.Blob.Key] {
				unused = append(unused, p.Blob)
			}
		}
		_, err = tx.DeleteUpload(c.ctx, id)
		return err
	})
	if err != nil {
		return err
	}
	bg := context.WithoutCancel(c.ctx)
	c.s.freeBlobs(bg, unused)
	if replaced != nil {
		c.s.freeBlobs(bg, replaced.Blobs)
	}
	setSSEHeaders(c.w.Header(), o.Encryption)
	writtenVersionHeader(c.w.Header(), o.VersionID)
	res := &completeResult{Xmlns: xmlns, Location: "/" + c.bucket + "/" + c.key, Bucket: c.bucket, Key: c.key, ETag: o.ETag}
	if o.Checksum != nil {
		res.set(o.Checksum)
		res.ChecksumType = o.Checksum.Type
		setChecksumHeader(c.w.Header(), o.Checksum)
	}
	return c.writeXML(res)
}

// assemble checks the client's part list against the stored parts and
// builds the object: its blobs are the parts' blobs, in order (no byte is
// copied); its ETag is the MD5 of the parts' MD5s with the part count.
func (c *call) assemble(u *store.Upload, list []completePart, byNum map[int]*store.Part, wantType string) (*store.Object, error) {
	alg := checksum.Algorithm(u.ChecksumAlgorithm)
	etags := md5.New()
	o := &store.Object{Bucket: c.bucket, Key: c.key, LastModified: c.s.now().UTC(), ContentType: u.ContentType,
		Headers: u.Headers, Metadata: u.Metadata, Tags: u.Tags, Owner: u.Owner, ACL: u.ACL, Parts: len(list), StorageClass: u.StorageClass,
		UploadID: u.ID, Encryption: u.Encryption, LockMode: u.LockMode, LockUntil: u.LockUntil, LegalHold: u.LegalHold}
	var digests [][]byte
	var full []byte
	for i, cp := range list {
		p := byNum[cp.PartNumber]
		if p == nil || strings.Trim(cp.ETag, `" `) != strings.Trim(p.ETag, `"`) {
			return nil, invalidPart()
		}
		if i < len(list)-1 && p.Blob.Size < minPartSize {
			return nil, awsapi.UploadTooSmall.Of().
				With("ProposedSize", strconv.FormatInt(p.Blob.Size, 10)).With("MinSizeAllowed", strconv.Itoa(minPartSize)).
				With("PartNumber", strconv.Itoa(p.Number)).With("ETag", p.ETag)
		}
		sum, err := hex.DecodeString(strings.Trim(p.ETag, `"`))
		if err != nil {
			return nil, invalidPart()
		}
		etags.Write(sum)
		o.Blobs = append(o.Blobs, p.Blob)
		o.Size += p.Blob.Size
		if alg == "" {
			continue
		}
		given := cp.get(alg)
		// Composite checksums are built from the parts' checksums, so the
		// request must list them (as S3 requires); a full-object checksum
		// is combined from the stored parts either way.
		if p.Checksum == nil || (given == "" && u.ChecksumType != "FULL_OBJECT") {
			return nil, awsapi.PartChecksumMissing.Of(strings.ToLower(string(alg)), p.Number)
		}
		if given != "" && given != p.Checksum.Value {
			return nil, invalidPart()
		}
		o.PartChecksums = append(o.PartChecksums, p.Checksum.Value)
		d, err := checksum.Decode(alg, p.Checksum.Value)
		if err != nil {
			return nil, invalidPart()
		}
		if u.ChecksumType == "FULL_OBJECT" {
			if full == nil {
				full = d
			} else if full, err = checksum.Combine(alg, full, d, p.Blob.Size); err != nil {
				return nil, err
			}
		} else {
			digests = append(digests, d)
		}
	}
	o.ETag = quoteETag(hex.EncodeToString(etags.Sum(nil)) + "-" + strconv.Itoa(len(list)))
	if alg != "" {
		if u.ChecksumType == "FULL_OBJECT" {
			o.Checksum = &store.Checksum{Algorithm: string(alg), Value: checksum.Encode(full), Type: "FULL_OBJECT"}
		} else {
			o.Checksum = &store.Checksum{Algorithm: string(alg), Value: checksum.Composite(alg, digests), Type: "COMPOSITE"}
		}
		if want := c.r.Header.Get(alg.HeaderName()); want != "" && want != o.Checksum.Value {
			return nil, awsapi.ChecksumMismatch.Of(alg)
		}
		if wantType != "" && wantType != o.Checksum.Type {
			return nil, awsapi.ChecksumModeMismatch.Of(strings.ToLower(u.ChecksumType))
		}
	}
	return o, nil
}

// completedETag is the ETag an object completed from the listed parts
// has (the MD5 of the parts' MD5s, with their count), "" when a part's
// ETag is no MD5.
func completedETag(list []completePart) string {
	etags := md5.New()
	for _, cp := range list {
		sum, err := hex.DecodeString(strings.Trim(cp.ETag, `" `))
		if err != nil || len(sum) != md5.Size {
			return ""
		}
		etags.Write(sum)
	}
	return quoteETag(hex.EncodeToString(etags.Sum(nil)) + "-" + strconv.Itoa(len(list)))
}

// resolveInitiated declares AbortMultipartUpload's or ListParts's check.
// When the caller started the upload (the same ARN and aws:userid: the
// same entity, not one recreated under its name), the check carries it as
// the upload's initiator, whom S3 allows both by default
// (policy.ACL.Initiator): the policy engine decides, with every Deny. A
// missing upload leaves the plain check; the handler answers NoSuchUpload.
func (c *call) resolveInitiated() (pipeline.Plan, error) {
	ch := c.check(c.b, c.action(), c.resource(), c.op.keys)
	var u *store.Upload
	err := c.s.store.View(c.ctx, func(tx store.Tx) error {
		var err error
		u, err = tx.GetUpload(c.ctx, c.bucket, c.key, c.q.Get("uploadId"))
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return plan(ch), nil
	case err != nil:
		return pipeline.Plan{}, err
	}
	if c.p != nil && c.p.ARN != "" && u.InitiatorID != "" && c.p.ARN == u.Initiator && c.p.UserID == u.InitiatorID {
		if ch.ACL == nil {
			ch.ACL = &policy.ACL{}
		}
		ch.ACL.Initiator = u.Initiator
	}
	return plan(ch), nil
}

func (c *call) abortUpload() error {
	id := c.q.Get("uploadId")
	var parts []*store.Part
	err := c.s.store.Update(c.ctx, func(tx store.Tx) error {
		if _, err := tx.GetUpload(c.ctx, c.bucket, c.key, id); err != nil {
			return err
		}
		var err error
		parts, err = tx.DeleteUpload(c.ctx, id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return noSuchUpload(id)
	}
	if err != nil {
		return err
	}
	refs := make([]store.BlobRef, 0, len(parts))
	for _, p := range parts {
		refs = append(refs, p.Blob)
	}
	c.s.freeBlobs(context.WithoutCancel(c.ctx), refs)
	c.noContent()
	return nil
}

type partXML struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksumsXML
}

type initiatorXML struct {
	ID string `xml:"ID"`
}

// initiator names who started an upload: the IAM principal's ARN, or the
// account's canonical id for its root (as S3 does; no DisplayName).
func (s *Service) initiator(u *store.Upload) *initiatorXML {
	if acct, ok := strings.CutSuffix(u.Initiator, ":root"); ok {
		if i := strings.LastIndexByte(acct, ':'); i >= 0 {
			return &initiatorXML{ID: s.canonicalID(acct[i+1:])}
		}
	}
	return &initiatorXML{ID: u.Initiator}
}

type listPartsResult struct {
	XMLName              xml.Name      `xml:"ListPartsResult"`
	Xmlns                string        `xml:"xmlns,attr"`
	Bucket               string        `xml:"Bucket"`
	Key                  string        `xml:"Key"`
	UploadID             string        `xml:"UploadId"`
	Initiator            *initiatorXML `xml:"Initiator"`
	Owner                *Owner        `xml:"Owner"`
	StorageClass         string        `xml:"StorageClass"`
	PartNumberMarker     int           `xml:"PartNumberMarker"`
	NextPartNumberMarker int           `xml:"NextPartNumberMarker"`
	MaxParts             int           `xml:"MaxParts"`
	IsTruncated          bool          `xml:"IsTruncated"`
	ChecksumAlgorithm    string        `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string        `xml:"ChecksumType,omitempty"`
	Parts                []partXML     `xml:"Part"`
}

func (c *call) listParts() error {
	u, err := c.upload()
	if err != nil {
		return err
	}
	maxParts, err := c.maxKeysParam("max-parts")
	if err != nil {
		return err
	}
	marker := 0
	if v := c.q.Get("part-number-marker"); v != "" {
		if marker, err = strconv.Atoi(v); err != nil || marker < 0 {
			return awsapi.ArgumentNotAnInteger.Of("part-number-marker").With("ArgumentName", "part-number-marker")
		}
	}
	var parts []*store.Part
	err = c.s.store.View(c.ctx, func(tx store.Tx) error {
		var err error
		parts, err = tx.ListParts(c.ctx, u.ID, marker, maxParts+1)
		return err
	})
	if err != nil {
		return err
	}
	res := &listPartsResult{Xmlns: xmlns, Bucket: c.bucket, Key: c.key, UploadID: u.ID, StorageClass: classOf(u.StorageClass),
		Initiator: c.s.initiator(u), Owner: c.s.owner(u.Owner),
		PartNumberMarker: marker, MaxParts: maxParts, ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType, Parts: []partXML{}}
	if len(parts) > maxParts {
		parts, res.IsTruncated = parts[:maxParts], true
	}
	for _, p := range parts {
		px := partXML{PartNumber: p.Number, LastModified: isoTime(p.LastModified), ETag: p.ETag, Size: p.Blob.Size}
		px.set(p.Checksum)
		res.Parts = append(res.Parts, px)
		res.NextPartNumberMarker = p.Number
	}
	return c.writeXML(res)
}

type uploadXML struct {
	Key          string        `xml:"Key"`
	UploadID     string        `xml:"UploadId"`
	Initiator    *initiatorXML `xml:"Initiator"`
	Owner        *Owner        `xml:"Owner"`
	StorageClass string        `xml:"StorageClass"`
	Initiated    string        `xml:"Initiated"`
}

type listUploadsResult struct {
	XMLName            xml.Name    `xml:"ListMultipartUploadsResult"`
	Xmlns              string      `xml:"xmlns,attr"`
	Bucket             string      `xml:"Bucket"`
	KeyMarker          string      `xml:"KeyMarker"`
	UploadIDMarker     string      `xml:"UploadIdMarker"`
	NextKeyMarker      string      `xml:"NextKeyMarker"`
	NextUploadIDMarker string      `xml:"NextUploadIdMarker"`
	Prefix             string      `xml:"Prefix"`
	MaxUploads         int         `xml:"MaxUploads"`
	IsTruncated        bool        `xml:"IsTruncated"`
	Uploads            []uploadXML `xml:"Upload"`
}

func (c *call) listUploads() error {
	maxUploads, err := c.maxKeysParam("max-uploads")
	if err != nil {
		return err
	}
	prefix, keyMarker, idMarker := c.q.Get("prefix"), c.q.Get("key-marker"), c.q.Get("upload-id-marker")
	var ups []*store.Upload
	err = c.s.store.View(c.ctx, func(tx store.Tx) error {
		var err error
		ups, err = tx.ListUploads(c.ctx, c.bucket, prefix, keyMarker, idMarker, maxUploads+1)
		return err
	})
	if err != nil {
		return err
	}
	res := &listUploadsResult{Xmlns: xmlns, Bucket: c.bucket, KeyMarker: keyMarker, UploadIDMarker: c.q.Get("upload-id-marker"),
		Prefix: prefix, MaxUploads: maxUploads}
	if len(ups) > maxUploads {
		ups, res.IsTruncated = ups[:maxUploads], true
	}
	for _, u := range ups {
		res.Uploads = append(res.Uploads, uploadXML{Key: u.Key, UploadID: u.ID, Initiator: c.s.initiator(u),
			Owner: c.s.owner(u.Owner), StorageClass: classOf(u.StorageClass), Initiated: isoTime(u.CreatedAt)})
		res.NextKeyMarker, res.NextUploadIDMarker = u.Key, u.ID
	}
	return c.writeXML(res)
}
