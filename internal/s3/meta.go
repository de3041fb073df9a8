package s3

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

// storedHeaders are the standard headers S3 keeps with an object and
// returns on GET and HEAD.
var storedHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires", "X-Amz-Website-Redirect-Location"}

// maxMetadata is S3's limit on user-defined metadata (names and values).
const maxMetadata = 2048

// maxWriteHeaders is S3's limit on a PUT's request headers (names and
// values): it bounds what a record keeps of them (Content-Type and the
// stored headers). The credentials (Authorization, the session token) are
// not counted: Gatehouse's session tokens carry their session policies
// and tags and may be longer than AWS's.
const maxWriteHeaders = 8192

// maxKeyLength is S3's object key limit in bytes.
const maxKeyLength = 1024

func checkKey(key string) error {
	if len(key) > maxKeyLength {
		return awsapi.KeyTooLong.Of().With("Size", strconv.Itoa(len(key))).With("MaxSizeAllowed", strconv.Itoa(maxKeyLength))
	}
	if !utf8.ValidString(key) {
		return awsapi.KeyNotUTF8.Of()
	}
	return nil
}

// objectHeaders reads the content type, standard headers and user metadata
// of a PUT, CopyObject (REPLACE) or CreateMultipartUpload request.
func objectHeaders(h http.Header) (contentType string, std map[string]string, meta map[string]string, err error) {
	if err := checkWriteHeaders(h); err != nil {
		return "", nil, nil, err
	}
	return storedHeaderValues(h)
}

// checkWriteHeaders refuses a write request whose headers exceed S3's
// limit (maxWriteHeaders).
func checkWriteHeaders(h http.Header) error {
	total := 0
	for k, vs := range h {
		if k == "Authorization" || k == "X-Amz-Security-Token" {
			continue
		}
		for _, v := range vs {
			total += len(k) + len(v)
		}
	}
	if total > maxWriteHeaders {
		return awsapi.HeaderSectionTooLarge.Of().With("MaxSizeAllowed", strconv.Itoa(maxWriteHeaders))
	}
	return nil
}

// storedHeaderValues is objectHeaders without the size limit: a browser
// upload's form fields are bounded by S3's limit on what precedes the
// file (MaxPostPreDataLengthExceeded).
func storedHeaderValues(h http.Header) (contentType string, std map[string]string, meta map[string]string, err error) {
	contentType = h.Get("Content-Type")
	if contentType == "" {
		contentType = "binary/octet-stream"
	}
	for _, name := range storedHeaders {
		v := h.Get(name)
		if name == "Content-Encoding" {
			v = stripAWSChunked(v)
		}
		if v != "" {
			if std == nil {
				std = map[string]string{}
			}
			std[name] = v
		}
	}
	size := 0
	for k, vs := range h {
		lk := strings.ToLower(k)
		name, ok := strings.CutPrefix(lk, "x-amz-meta-")
		if !ok {
			continue
		}
		if meta == nil {
			meta = map[string]string{}
		}
		v := strings.Join(vs, ",")
		meta[name] = v
		size += len(name) + len(v)
	}
	if size > maxMetadata {
		return "", nil, nil, awsapi.MetadataTooLarge.Of().
			With("Size", strconv.Itoa(size)).With("MaxSizeAllowed", strconv.Itoa(maxMetadata))
	}
	return contentType, std, meta, nil
}

// storageClasses are the classes a general purpose bucket accepts: S3's
// StorageClass values less those of Outposts, Snowball, directory buckets
// and FSx. There is one tier: an object of any class is stored and read
// alike (GLACIER and DEEP_ARCHIVE objects need no restore).
var storageClasses = map[string]bool{"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "GLACIER_IR": true}

// storageClass reads x-amz-storage-class as it is stored ("" for
// STANDARD; an empty header names no class).
func storageClass(h http.Header) (string, error) {
	v := h.Get("x-amz-storage-class")
	if v == "" || v == "STANDARD" {
		return "", nil
	}
	if !storageClasses[v] {
		return "", awsapi.StorageClassInvalid.Of().With("StorageClassRequested", v)
	}
	return v, nil
}

// classOf names a stored storage class as S3 reports it.
func classOf(stored string) string {
	if stored == "" {
		return "STANDARD"
	}
	return stored
}

// stripAWSChunked removes the aws-chunked transfer coding from a
// Content-Encoding value: it describes the request framing, not the object.
func stripAWSChunked(v string) string {
	if v == "" || !strings.Contains(v, "aws-chunked") {
		return v
	}
	var keep []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" && p != "aws-chunked" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ",")
}

// writeObjectHeaders sets the response headers describing an object.
func writeObjectHeaders(h http.Header, o *store.Object) {
	h.Set("ETag", o.ETag)
	h.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Content-Type", o.ContentType)
	h.Set("Accept-Ranges", "bytes")
	for k, v := range o.Headers {
		h.Set(k, v)
	}
	for k, v := range o.Metadata {
		h["X-Amz-Meta-"+k] = []string{v}
	}
	if len(o.Tags) > 0 {
		h.Set("x-amz-tagging-count", strconv.Itoa(len(o.Tags)))
	}
	if o.StorageClass != "" { // S3 names the class unless it is STANDARD
		h.Set("x-amz-storage-class", o.StorageClass)
	}
}

// Tag limits of S3 objects.
const (
	maxObjectTags  = 10
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// parseTaggingHeader reads x-amz-tagging (URL query encoding).
func parseTaggingHeader(v string) ([]store.Tag, error) {
	if v == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, awsapi.TaggingHeaderMalformed.Of()
	}
	tags := make([]store.Tag, 0, len(q))
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, awsapi.TaggingHeaderMalformed.Of()
		}
		tags = append(tags, store.Tag{Key: k, Value: vs[0]})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return tags, checkTags(tags, maxObjectTags)
}

func checkTags(tags []store.Tag, limit int) error {
	if len(tags) > limit {
		return awsapi.TooManyTags.Of(limit)
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || utf8.RuneCountInString(t.Key) > maxTagKeyLen {
			return awsapi.TagKeyInvalid.Of()
		}
		if utf8.RuneCountInString(t.Value) > maxTagValueLen {
			return awsapi.TagValueInvalid.Of()
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return awsapi.S3TagKeyReserved.Of()
		}
		if seen[t.Key] {
			return awsapi.TagKeyDuplicate.Of()
		}
		seen[t.Key] = true
	}
	return nil
}

// readTagging reads a Tagging document (PutObjectTagging, PutBucketTagging).
func (c *call) readTagging(limit int) ([]store.Tag, error) {
	var doc tagging
	if err := c.readXML(&doc); err != nil {
		return nil, err
	}
	tags := make([]store.Tag, 0, len(doc.TagSet))
	for _, t := range doc.TagSet {
		tags = append(tags, store.Tag{Key: t.Key, Value: t.Value})
	}
	return tags, checkTags(tags, limit)
}

func tagsXML(tags []store.Tag) *tagging {
	out := &tagging{Xmlns: xmlns, TagSet: []tagXML{}}
	for _, t := range tags {
		out.TagSet = append(out.TagSet, tagXML{Key: t.Key, Value: t.Value})
	}
	return out
}

// tagKeys sets s3:RequestObjectTag/<k> and s3:RequestObjectTagKeys.
func requestTagKeys(tags []store.Tag, set func(string, ...string)) {
	keys := make([]string, 0, len(tags))
	for _, t := range tags {
		set("s3:RequestObjectTag/"+t.Key, t.Value)
		keys = append(keys, t.Key)
	}
	set("s3:RequestObjectTagKeys", keys...)
}

// existingTagKeys sets s3:ExistingObjectTag/<k> for an object's tags.
func existingTagKeys(o *store.Object) func(*call, func(string, ...string)) {
	return func(_ *call, set func(string, ...string)) {
		if o == nil {
			return
		}
		for _, t := range o.Tags {
			set("s3:ExistingObjectTag/"+t.Key, t.Value)
		}
	}
}

// httpDate parses an HTTP date header (RFC 1123 and the other forms
// net/http accepts).
func httpDate(v string) (time.Time, bool) {
	t, err := http.ParseTime(v)
	return t, err == nil
}
