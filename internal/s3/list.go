package s3

import (
	"encoding/base64"
	"encoding/xml"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

// maxListKeys is S3's page size limit.
const maxListKeys = 1000

// listKeys are the condition keys of the listing operations.
func (c *call) listKeys(set func(string, ...string)) {
	set("s3:prefix", c.q.Get("prefix"))
	if d, ok := c.q["delimiter"]; ok {
		set("s3:delimiter", d[0])
	}
	mk := c.q.Get("max-keys")
	if mk == "" {
		mk = strconv.Itoa(maxListKeys)
	}
	set("s3:max-keys", mk)
}

// listing is one page of keys and common prefixes.
type listing struct {
	objects   []store.ObjectEntry
	prefixes  []string
	truncated bool
	last      string // last key or common prefix returned
	cursor    string // where the next page continues (exclusive)
}

// afterPrefix is a cursor past every key that starts with p: object keys are
// UTF-8, so no key continues with the byte 0xff.
func afterPrefix(p string) string { return p + "\xff" }

// list reads one page in binary key order, rolling keys up to common
// prefixes at the delimiter. Each store query is a bounded range scan, so a
// page costs the same in a bucket of any size.
func (c *call) list(prefix, delimiter, after string, maxKeys int) (*listing, error) {
	l := &listing{cursor: after}
	if maxKeys == 0 { // S3 answers an empty page, not a truncated one
		return l, nil
	}
	count := 0
	err := c.s.store.View(c.ctx, func(tx store.Tx) error {
		for count < maxKeys {
			limit := min(maxKeys-count, maxListKeys)
			batch, err := tx.ListObjects(c.ctx, c.bucket, store.ObjectQuery{Prefix: prefix, After: l.cursor, Limit: limit})
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				return nil
			}
			jumped := false
			for _, o := range batch {
				if delimiter != "" {
					if i := strings.Index(o.Key[len(prefix):], delimiter); i >= 0 {
						cp := o.Key[:len(prefix)+i+len(delimiter)]
						l.cursor, jumped = afterPrefix(cp), true
						// A common prefix at or before the marker was on an
						// earlier page (it is its NextMarker, or the marker
						// lies inside it): skip it.
						if cp > after {
							l.prefixes = append(l.prefixes, cp)
							l.last = cp
							count++
						}
						break
					}
				}
				l.objects = append(l.objects, o)
				l.last, l.cursor = o.Key, o.Key
				count++
			}
			if !jumped && len(batch) < limit {
				return nil
			}
		}
		more, err := tx.ListObjects(c.ctx, c.bucket, store.ObjectQuery{Prefix: prefix, After: l.cursor, Limit: 1})
		l.truncated = len(more) > 0
		return err
	})
	return l, err
}

// maxKeysParam reads max-keys (default and cap 1,000).
func (c *call) maxKeysParam(name string) (int, error) {
	v, ok := c.q[name]
	if !ok {
		return maxListKeys, nil
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 0 {
		return 0, awsapi.ArgumentNotAnInteger.Of(name).
			With("ArgumentName", name).With("ArgumentValue", v[0])
	}
	return min(n, maxListKeys), nil
}

// encoder applies encoding-type=url to returned keys and prefixes.
func (c *call) encoder() (func(string) string, string, error) {
	switch et := c.q.Get("encoding-type"); et {
	case "":
		return func(s string) string { return s }, "", nil
	case "url":
		// S3 encodes like a form value but leaves '/' as it is.
		return func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/") }, "url", nil
	default:
		return nil, "", awsapi.EncodingTypeInvalid.Of().
			With("ArgumentName", "encoding-type").With("ArgumentValue", et)
	}
}

// page is what a listing response says besides its entries.
type page struct {
	v2                           bool
	prefix, delimiter, encoding  string
	marker, nextMarker           string // v1
	token, nextToken, startAfter string // v2
	maxKeys                      int
	truncated, withOwner         bool
}

// writeListing renders ListBucketResult by hand (a 1,000-key page is the
// largest response S3 sends; reflection-based encoding dominated its cost).
func (c *call) writeListing(p *page, l *listing, enc func(string) string) error {
	x := &xmlBuf{b: make([]byte, 0, 512+len(l.objects)*320+len(l.prefixes)*80)}
	x.raw(xml.Header)
	x.raw(`<ListBucketResult xmlns="` + xmlns + `">`)
	x.elem("Name", c.bucket)
	x.elem("Prefix", enc(p.prefix))
	if p.v2 {
		if p.token != "" {
			x.elem("ContinuationToken", p.token)
		}
		if p.nextToken != "" {
			x.elem("NextContinuationToken", p.nextToken)
		}
		if p.startAfter != "" {
			x.elem("StartAfter", enc(p.startAfter))
		}
		x.elem("KeyCount", strconv.Itoa(len(l.objects)+len(l.prefixes)))
	} else {
		x.elem("Marker", enc(p.marker))
		if p.nextMarker != "" {
			x.elem("NextMarker", enc(p.nextMarker))
		}
	}
	x.elem("MaxKeys", strconv.Itoa(p.maxKeys))
	if p.delimiter != "" {
		x.elem("Delimiter", enc(p.delimiter))
	}
	if p.encoding != "" {
		x.elem("EncodingType", p.encoding)
	}
	x.elem("IsTruncated", strconv.FormatBool(p.truncated))
	ownerID := c.ownerIDs()
	for i := range l.objects {
		o := &l.objects[i]
		x.raw("<Contents>")
		x.elem("Key", enc(o.Key))
		x.raw("<LastModified>")
		x.b = appendISOTime(x.b, o.LastModified)
		x.raw("</LastModified>")
		x.etag(o.ETag)
		if o.ChecksumAlgorithm != "" {
			x.elem("ChecksumAlgorithm", o.ChecksumAlgorithm)
			x.elem("ChecksumType", o.ChecksumType)
		}
		x.raw("<Size>")
		x.b = strconv.AppendInt(x.b, o.Size, 10)
		x.raw("</Size>")
		if p.withOwner {
			x.raw("<Owner>")
			x.elem("ID", ownerID(o.Owner))
			x.raw("</Owner>")
		}
		x.elem("StorageClass", classOf(o.StorageClass))
		x.raw("</Contents>")
	}
	for _, cp := range l.prefixes {
		x.raw("<CommonPrefixes>")
		x.elem("Prefix", enc(cp))
		x.raw("</CommonPrefixes>")
	}
	x.raw("</ListBucketResult>")
	return x.write(c)
}

// listParams reads max-keys and encoding-type, common to both listings.
func (c *call) listParams() (int, func(string) string, string, error) {
	maxKeys, err := c.maxKeysParam("max-keys")
	if err != nil {
		return 0, nil, "", err
	}
	enc, et, err := c.encoder()
	return maxKeys, enc, et, err
}

func (c *call) listObjectsV2() error {
	maxKeys, enc, et, err := c.listParams()
	if err != nil {
		return err
	}
	prefix, delimiter, startAfter := c.q.Get("prefix"), c.q.Get("delimiter"), c.q.Get("start-after")
	after := startAfter
	token, hasToken := c.q["continuation-token"]
	if hasToken {
		raw, derr := base64.RawURLEncoding.DecodeString(token[0])
		if derr != nil || token[0] == "" {
			return awsapi.ContinuationTokenInvalid.Of().
				With("ArgumentName", "continuation-token")
		}
		after = string(raw)
	}
	l, err := c.list(prefix, delimiter, after, maxKeys)
	if err != nil {
		return err
	}
	p := &page{v2: true, prefix: prefix, delimiter: delimiter, encoding: et, startAfter: startAfter, maxKeys: maxKeys,
		truncated: l.truncated, withOwner: c.q.Get("fetch-owner") == "true"}
	if hasToken {
		p.token = token[0]
	}
	if l.truncated {
		p.nextToken = base64.RawURLEncoding.EncodeToString([]byte(l.cursor))
	}
	return c.writeListing(p, l, enc)
}

func (c *call) listObjects() error {
	maxKeys, enc, et, err := c.listParams()
	if err != nil {
		return err
	}
	prefix, delimiter, marker := c.q.Get("prefix"), c.q.Get("delimiter"), c.q.Get("marker")
	l, err := c.list(prefix, delimiter, marker, maxKeys)
	if err != nil {
		return err
	}
	p := &page{prefix: prefix, delimiter: delimiter, encoding: et, marker: marker, maxKeys: maxKeys,
		truncated: l.truncated, withOwner: true}
	if l.truncated && delimiter != "" {
		p.nextMarker = l.last
	}
	return c.writeListing(p, l, enc)
}
