package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/store"
)

// maxPostPreData is S3's limit on the form fields before the file
// (MaxPostPreDataLengthBytes in its MaxPostPreDataLengthExceeded error).
const maxPostPreData = 20 << 10

// maxPostPreDataRaw bounds the raw bytes read before the file part: the
// fields, their part headers and boundaries, and the multipart parser's
// read-ahead (4 KiB). Part headers are not field values, so S3's limit
// does not count them, but they must not be unbounded either.
const maxPostPreDataRaw = maxPostPreData + 16<<10

var errPostPreData = errors.New("form fields before the file too large")

func maxPostPreDataExceeded() error {
	return awsapi.PostFieldsTooLarge.Of().
		With("MaxPostPreDataLengthBytes", strconv.Itoa(maxPostPreData))
}

// preDataReader limits the bytes read from a form upload's body until the
// file part starts; then it lets the file stream through.
type preDataReader struct {
	r     io.Reader
	left  int64
	limit bool
}

func (p *preDataReader) Read(b []byte) (int, error) {
	if !p.limit {
		return p.r.Read(b)
	}
	if p.left <= 0 {
		return 0, errPostPreData
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n, err := p.r.Read(b)
	p.left -= int64(n)
	return n, err
}

// postBodyError maps an error reading the form: the pre-data limit, an
// *awsapi.Error from the body (RequestTimeout) as it is, anything else as
// a malformed form.
func postBodyError(err error) error {
	var ae *awsapi.Error
	switch {
	case errors.Is(err, errPostPreData):
		return maxPostPreDataExceeded()
	case errors.As(err, &ae):
		return ae
	}
	return awsapi.PostBodyMalformed.Of()
}

type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// postForm reads the form fields up to the file part, which it returns
// unread (fields after the file are ignored, as S3 does). It holds at most
// maxPostPreDataRaw bytes of the body, whatever the client sends, and
// nothing of the file: the caller checks the policy and signature before a
// file byte is read.
func (c *call) postForm() (map[string]string, *multipart.Part, error) {
	_, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil, nil, awsapi.PostBodyMalformed.Of()
	}
	pre := &preDataReader{r: c.r.Body, left: maxPostPreDataRaw, limit: true}
	mr := multipart.NewReader(pre, params["boundary"])
	fields := map[string]string{}
	total := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, nil, awsapi.PostFileMissing.Of().With("ArgumentName", "file")
		}
		if err != nil {
			return nil, nil, postBodyError(err)
		}
		name := strings.ToLower(part.FormName())
		if name == "file" {
			pre.limit = false
			return fields, part, nil
		}
		v, err := io.ReadAll(io.LimitReader(part, int64(maxPostPreData-total+1)))
		if err != nil {
			return nil, nil, postBodyError(err)
		}
		total += len(v)
		if total > maxPostPreData {
			return nil, nil, maxPostPreDataExceeded()
		}
		fields[name] = string(v)
	}
}

// postUpload is a browser form upload read up to its file part.
type postUpload struct {
	fields           map[string]string
	file             *multipart.Part
	minSize, maxSize int64
}

// postAuthenticateForm is the authenticate step of a browser form upload:
// the credential, signature and policy come from the form fields, read up
// to the file part (which stays unread until the handler streams it).
func (c *call) postAuthenticateForm() error {
	c.authType = "POST"
	if err := c.loadBucket(); err != nil {
		return err
	}
	c.corsHeaders()
	fields, file, err := c.postForm()
	if err != nil {
		return err
	}
	fields["bucket"] = c.bucket
	key := fields["key"]
	if key == "" {
		return awsapi.PostFieldMissing.Of("key").With("ArgumentName", "key")
	}
	key = strings.ReplaceAll(key, "${filename}", file.FileName())
	if err := checkKey(key); err != nil {
		return err
	}
	up := &postUpload{fields: fields, file: file, minSize: 0, maxSize: maxPutSize}
	if err := c.postAuthenticate(fields); err != nil {
		return err
	}
	if c.postPolicy != nil {
		if lo, hi, ok := c.postPolicy.LengthRange(); ok {
			up.minSize, up.maxSize = lo, min(hi, maxPutSize)
		}
	}
	c.key, c.post = key, up
	return nil
}

// resolvePostObject declares s3:PutObject on the form's key, as for any
// PUT (s3:authType is POST; the form's fields give the condition keys a
// PUT's headers would, Object Lock's included), and the setterChecks of its
// tagging, ACL and Object Lock fields.
func (c *call) resolvePostObject() (pipeline.Plan, error) {
	if err := c.loadReplaced(c.key); err != nil {
		return pipeline.Plan{}, err
	}
	h, resource := c.requestHeaders(), objectARN(c.bucket, c.key)
	checks := []pipeline.Check{c.withPublicACL(c.check(c.b, "s3:PutObject", resource, (*call).putKeys))}
	var tags []store.Tag
	doc := c.post.fields["tagging"]
	if doc != "" {
		tags = formTags(doc)
	}
	return plan(append(checks, c.setterChecks(h, resource, doc != "", tags)...)...), nil
}

// formTags are the tags of a form's tagging field (a Tagging document),
// nil when it does not parse (the handler refuses it).
func formTags(doc string) []store.Tag {
	var t tagging
	if xml.Unmarshal([]byte(doc), &t) != nil {
		return nil
	}
	tags := make([]store.Tag, 0, len(t.TagSet))
	for _, x := range t.TagSet {
		tags = append(tags, store.Tag{Key: x.Key, Value: x.Value})
	}
	return tags
}

// postObject stores a browser form upload's file.
func (c *call) postObject() error {
	fields, file, key := c.post.fields, c.post.file, c.key
	minSize, maxSize := c.post.minSize, c.post.maxSize
	h := http.Header{}
	for k, v := range fields {
		h.Set(k, v)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", file.Header.Get("Content-Type"))
	}
	ct, std, meta, err := storedHeaderValues(h)
	if err != nil {
		return err
	}
	lock, err := lockHeaders(h, c.b, c.s.now())
	if err != nil {
		return err
	}
	// The Content-MD5 field, like PutObject's header, is checked against
	// the file.
	var wantMD5 []byte
	if v, ok := fields["content-md5"]; ok {
		sum, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(sum) != md5.Size {
			return awsapi.ContentMD5Invalid.Of()
		}
		wantMD5 = sum
	}
	class, err := storageClass(h)
	if err != nil {
		return err
	}
	var tags []store.Tag
	if v := fields["tagging"]; v != "" {
		if tags = formTags(v); tags == nil {
			return awsapi.XMLMalformed.Of()
		}
		if err := checkTags(tags, maxObjectTags); err != nil {
			return err
		}
	}
	spec, err := c.writeSpec(h)
	if err != nil {
		return err
	}
	k, err := c.newObjectKey(spec)
	if err != nil {
		return err
	}
	// One byte past the limit tells "too large" from "exactly the limit".
	ref, plainMD5, err := c.s.putBlob(c.ctx, io.LimitReader(file, maxSize+1), blob.UnknownSize, k)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return awsapi.PostFileIncomplete.Of()
	}
	if err != nil {
		return err
	}
	if ref.Size > maxSize || ref.Size < minSize {
		c.s.deleteBlobs(context.WithoutCancel(c.ctx), []store.BlobRef{ref})
		if ref.Size > maxSize {
			return awsapi.UploadTooLarge.Of().With("MaxSizeAllowed", strconv.FormatInt(maxSize, 10))
		}
		return awsapi.UploadTooSmall.Of().With("MinSizeAllowed", strconv.FormatInt(minSize, 10))
	}
	if wantMD5 != nil && !bytes.Equal(plainMD5[:], wantMD5) {
		c.s.deleteBlobs(context.WithoutCancel(c.ctx), []store.BlobRef{ref})
		return awsapi.ContentMD5Mismatch.Of()
	}
	o := &store.Object{Bucket: c.bucket, Key: key, Blobs: []store.BlobRef{ref}, Size: ref.Size,
		ETag: k.etag(plainMD5), LastModified: c.s.now().UTC(), ContentType: ct,
		Headers: std, Metadata: meta, Tags: tags, Owner: c.writeOwner, ACL: c.writeACL, StorageClass: class, Encryption: k.encryption()}
	o.LockMode, o.LockUntil, o.LegalHold = lock.mode, lock.until, lock.hold
	if err := c.commitObject(o, nil); err != nil {
		return err
	}
	return c.postSuccess(fields, o)
}

// postAuthenticate checks the form's credential, signature and policy; a
// form without a policy is anonymous.
func (c *call) postAuthenticate(fields map[string]string) error {
	if fields["policy"] == "" {
		if fields["x-amz-signature"] != "" || fields["x-amz-credential"] != "" || fields["awsaccesskeyid"] != "" || fields["signature"] != "" {
			return awsapi.PostFieldMissing.Of("policy").With("ArgumentName", "policy")
		}
		c.p = authz.Anonymous()
		return nil
	}
	if fields["awsaccesskeyid"] != "" && fields["x-amz-algorithm"] == "" {
		return c.postAuthenticateV2(fields)
	}
	for _, f := range []string{"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"} {
		if fields[f] == "" {
			return awsapi.PostFieldMissing.Of(f).With("ArgumentName", f)
		}
	}
	if fields["x-amz-algorithm"] != sigv4.Algorithm {
		return awsapi.PostAlgorithmUnsupported.Of().With("ArgumentName", "x-amz-algorithm")
	}
	akid, date, region, service, err := sigv4.PostCredential(fields["x-amz-credential"])
	if err != nil {
		return awsapi.PostCredentialInvalid.Of().With("ArgumentName", "x-amz-credential")
	}
	if service != "s3" {
		return awsapi.PostCredentialWrongService.Of().With("ArgumentName", "x-amz-credential")
	}
	p, key, err := c.s.authn.PostKey(c.ctx, akid, fields["x-amz-security-token"], date, region, service)
	if err != nil {
		return err
	}
	c.info.Region = region // aws:RequestedRegion: the region the form's credential is scoped to
	if err := sigv4.VerifyPostSignature(key, fields["policy"], fields["x-amz-signature"]); err != nil {
		return err
	}
	pol, err := sigv4.ParsePostPolicy(fields["policy"])
	if err != nil {
		return postPolicyError(err)
	}
	if err := pol.Check(fields, c.info.Now); err != nil {
		return postPolicyError(err)
	}
	c.p, c.postPolicy = p, pol
	return nil
}

// postAuthenticateV2 checks a form signed with Signature Version 2
// (AWSAccessKeyId, signature, policy): the signature is the HMAC-SHA1 of
// the policy; the policy's conditions apply as for SigV4 forms, and the
// two signature fields need none.
func (c *call) postAuthenticateV2(fields map[string]string) error {
	if fields["signature"] == "" {
		return awsapi.PostFieldMissing.Of("Signature").With("ArgumentName", "Signature")
	}
	p, err := c.s.authn.VerifyPostV2(c.ctx, fields["awsaccesskeyid"], fields["x-amz-security-token"], fields["policy"], fields["signature"])
	if err != nil {
		return err
	}
	pol, err := sigv4.ParsePostPolicy(fields["policy"])
	if err != nil {
		return postPolicyError(err)
	}
	checked := make(map[string]string, len(fields))
	for k, v := range fields {
		if k != "awsaccesskeyid" && k != "signature" {
			checked[k] = v
		}
	}
	if err := pol.Check(checked, c.info.Now); err != nil {
		return postPolicyError(err)
	}
	c.p, c.postPolicy, c.sigV2 = p, pol, true
	return nil
}

func postPolicyError(err error) error {
	var se *sigv4.Error
	detail := err.Error()
	if errors.As(err, &se) {
		detail = se.Detail
	}
	if errors.Is(err, sigv4.ErrPostPolicy) {
		return awsapi.PostPolicyInvalid.Of(detail)
	}
	return awsapi.PostPolicyDenied.Of(detail)
}

// postSuccess answers as the form asked: a redirect, or 200/201/204.
func (c *call) postSuccess(fields map[string]string, o *store.Object) error {
	h := c.w.Header()
	h.Set("ETag", o.ETag)
	setSSEHeaders(h, o.Encryption)
	writtenVersionHeader(h, o.VersionID)
	location := "/" + c.bucket + "/" + url.PathEscape(o.Key)
	h.Set("Location", location)
	if redirect := fields["success_action_redirect"]; redirect != "" {
		if u, err := url.Parse(redirect); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			q := u.Query()
			q.Set("bucket", c.bucket)
			q.Set("key", o.Key)
			q.Set("etag", o.ETag)
			u.RawQuery = q.Encode()
			h.Set("Location", u.String())
			c.w.WriteHeader(http.StatusSeeOther)
			return nil
		}
	}
	switch fields["success_action_status"] {
	case "200":
		c.w.WriteHeader(http.StatusOK)
	case "201":
		return c.writeXMLStatus(http.StatusCreated, &postResponse{Location: location, Bucket: c.bucket, Key: o.Key, ETag: o.ETag})
	default:
		c.w.WriteHeader(http.StatusNoContent)
	}
	return nil
}
