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

type objectXML struct {
	Key               string `xml:"Key"`
	LastModified      string `xml:"LastModified"`
	ETag              string `xml:"ETag"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
	Size              int64  `xml:"Size"`
	Owner             *Owner `xml:"Owner,omitempty"`
	StorageClass      string `xml:"StorageClass"`
}

type prefixXML struct {
	Prefix string `xml:"Prefix"`
}

type listBucketResult struct {
	XMLName        xml.Name    `xml:"ListBucketResult"`
	Xmlns          string      `xml:"xmlns,attr"`
	Name           string      `xml:"Name"`
	Prefix         string      `xml:"Prefix"`
	Marker         *string     `xml:"Marker"`
	NextMarker     string      `xml:"NextMarker,omitempty"`
	ContToken      string      `xml:"ContinuationToken,omitempty"`
	NextContToken  string      `xml:"NextContinuationToken,omitempty"`
	StartAfter     string      `xml:"StartAfter,omitempty"`
	KeyCount       *int        `xml:"KeyCount"`
	MaxKeys        int         `xml:"MaxKeys"`
	Delimiter      string      `xml:"Delimiter,omitempty"`
	EncodingType   string      `xml:"EncodingType,omitempty"`
	IsTruncated    bool        `xml:"IsTruncated"`
	Contents       []objectXML `xml:"Contents"`
	CommonPrefixes []prefixXML `xml:"CommonPrefixes"`
}

// listing is one page of keys and common prefixes.
type listing struct {
	objects   []*store.Object
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
						l.prefixes = append(l.prefixes, cp)
						l.last, l.cursor = cp, afterPrefix(cp)
						count++
						jumped = true
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
		return 0, awsapi.NewError("InvalidArgument", "Provided "+name+" not an integer or within integer range").
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
		return url.QueryEscape, "url", nil
	default:
		return nil, "", awsapi.NewError("InvalidArgument", "Invalid Encoding Method specified in Request").
			With("ArgumentName", "encoding-type").With("ArgumentValue", et)
	}
}

func (c *call) fillPage(res *listBucketResult, l *listing, enc func(string) string, withOwner bool) {
	res.Contents = make([]objectXML, 0, len(l.objects))
	for _, o := range l.objects {
		ox := objectXML{Key: enc(o.Key), LastModified: isoTime(o.LastModified), ETag: o.ETag, Size: o.Size, StorageClass: "STANDARD"}
		if o.Checksum != nil {
			ox.ChecksumAlgorithm, ox.ChecksumType = o.Checksum.Algorithm, o.Checksum.Type
		}
		if withOwner {
			ox.Owner = owner(o.Owner)
		}
		res.Contents = append(res.Contents, ox)
	}
	for _, p := range l.prefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, prefixXML{Prefix: enc(p)})
	}
}

func (c *call) listObjectsV2() error {
	maxKeys, err := c.maxKeysParam("max-keys")
	if err != nil {
		return err
	}
	enc, et, err := c.encoder()
	if err != nil {
		return err
	}
	prefix, delimiter, startAfter := c.q.Get("prefix"), c.q.Get("delimiter"), c.q.Get("start-after")
	after := startAfter
	token, hasToken := c.q["continuation-token"]
	if hasToken {
		raw, derr := base64.RawURLEncoding.DecodeString(token[0])
		if derr != nil || token[0] == "" {
			return awsapi.NewError("InvalidArgument", "The continuation token provided is incorrect").
				With("ArgumentName", "continuation-token")
		}
		after = string(raw)
	}
	l, err := c.list(prefix, delimiter, after, maxKeys)
	if err != nil {
		return err
	}
	n := len(l.objects) + len(l.prefixes)
	res := &listBucketResult{Xmlns: xmlns, Name: c.bucket, Prefix: enc(prefix), MaxKeys: maxKeys, Delimiter: enc(delimiter),
		EncodingType: et, IsTruncated: l.truncated, KeyCount: &n, StartAfter: enc(startAfter)}
	if hasToken {
		res.ContToken = token[0]
	}
	if l.truncated {
		res.NextContToken = base64.RawURLEncoding.EncodeToString([]byte(l.cursor))
	}
	c.fillPage(res, l, enc, c.q.Get("fetch-owner") == "true")
	return c.writeXML(res)
}

func (c *call) listObjects() error {
	maxKeys, err := c.maxKeysParam("max-keys")
	if err != nil {
		return err
	}
	enc, et, err := c.encoder()
	if err != nil {
		return err
	}
	prefix, delimiter, marker := c.q.Get("prefix"), c.q.Get("delimiter"), c.q.Get("marker")
	after := marker
	if delimiter != "" && strings.HasSuffix(marker, delimiter) && strings.HasPrefix(marker, prefix) {
		// A NextMarker that is a common prefix continues after all of it.
		after = afterPrefix(marker)
	}
	l, err := c.list(prefix, delimiter, after, maxKeys)
	if err != nil {
		return err
	}
	m := enc(marker)
	res := &listBucketResult{Xmlns: xmlns, Name: c.bucket, Prefix: enc(prefix), Marker: &m, MaxKeys: maxKeys,
		Delimiter: enc(delimiter), EncodingType: et, IsTruncated: l.truncated}
	if l.truncated && delimiter != "" {
		res.NextMarker = enc(l.last)
	}
	c.fillPage(res, l, enc, true)
	return c.writeXML(res)
}
