package s3

import (
	"bytes"
	"crypto/md5"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/awsapi"
)

const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

// maxXMLBody bounds request documents (DeleteObjects with 1,000 keys of
// 1,024 bytes is the largest S3 accepts).
const maxXMLBody = 2 << 20

// writeXML writes v as an S3 XML response document.
func (c *call) writeXML(v any) error { return c.writeXMLStatus(http.StatusOK, v) }

// writeXMLStatus writes v with the given status.
func (c *call) writeXMLStatus(status int, v any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	c.w.WriteHeader(status)
	// Once the status is sent a failed write (client gone) cannot become
	// an error response.
	_, _ = c.w.Write(buf.Bytes())
	return nil
}

// readBody reads a bounded request document, verifying the payload hash
// and checksums the request declared.
func (c *call) readBody(limit int64) ([]byte, error) {
	body, err := c.payload()
	if err != nil {
		return nil, err
	}
	if body.wantMD5 != nil {
		body.md5 = md5.New()
	}
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, awsapi.DocumentTooLarge.Of()
	}
	if err := body.verify(); err != nil {
		return nil, err
	}
	return data, nil
}

// readXML reads and decodes a request document.
func (c *call) readXML(v any) error {
	data, err := c.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return awsapi.XMLMalformed.Of()
	}
	return xmlUnmarshal(data, v)
}

// xmlUnmarshal decodes a request document; any decoding problem is S3's
// MalformedXML.
func xmlUnmarshal(data []byte, v any) error {
	if err := xml.Unmarshal(data, v); err != nil {
		return awsapi.XMLMalformed.Of()
	}
	return nil
}

// xmlBuf builds a response document by hand, for the listing pages whose
// size makes reflection-based encoding the largest cost.
type xmlBuf struct{ b []byte }

// text appends s escaped as XML character data.
func (x *xmlBuf) text(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' {
			var w bytes.Buffer
			_ = xml.EscapeText(&w, []byte(s))
			x.b = append(x.b, w.Bytes()...)
			return
		}
	}
	x.b = append(x.b, s...)
}

// elem appends <name>escaped value</name>.
func (x *xmlBuf) elem(name, value string) {
	x.b = append(x.b, '<')
	x.b = append(x.b, name...)
	x.b = append(x.b, '>')
	x.text(value)
	x.b = append(x.b, "</"...)
	x.b = append(x.b, name...)
	x.b = append(x.b, '>')
}

func (x *xmlBuf) raw(s string) { x.b = append(x.b, s...) }

// write sends the document.
func (x *xmlBuf) write(c *call) error {
	h := c.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(x.b)))
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(x.b)
	return nil
}

// appendISOTime appends t as S3 writes timestamps in XML
// (2006-01-02T15:04:05.000Z), without the layout interpreter.
func appendISOTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	ms := t.Nanosecond() / 1e6
	b = appendDigits(b, y, 4)
	b = append(b, '-')
	b = appendDigits(b, int(mo), 2)
	b = append(b, '-')
	b = appendDigits(b, d, 2)
	b = append(b, 'T')
	b = appendDigits(b, h, 2)
	b = append(b, ':')
	b = appendDigits(b, mi, 2)
	b = append(b, ':')
	b = appendDigits(b, s, 2)
	b = append(b, '.')
	b = appendDigits(b, ms, 3)
	return append(b, 'Z')
}

func appendDigits(b []byte, v, width int) []byte {
	var tmp [8]byte
	for i := width - 1; i >= 0; i-- {
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[:width]...)
}

// etag appends <ETag>"…"</ETag> with the quotes escaped, as S3 writes it.
func (x *xmlBuf) etag(v string) {
	inner := strings.Trim(v, `"`)
	x.raw("<ETag>&quot;")
	x.text(inner)
	x.raw("&quot;</ETag>")
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Owner is S3's owner element; Gatehouse uses the account id as the
// canonical id.
type Owner struct {
	ID string `xml:"ID"`
}

type bucketXML struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion,omitempty"`
}

type listAllMyBucketsResult struct {
	XMLName           xml.Name    `xml:"ListAllMyBucketsResult"`
	Xmlns             string      `xml:"xmlns,attr"`
	Owner             *Owner      `xml:"Owner"`
	Buckets           []bucketXML `xml:"Buckets>Bucket"`
	ContinuationToken string      `xml:"ContinuationToken,omitempty"`
	Prefix            *string     `xml:"Prefix"` // when the request named one
}

type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Value   string   `xml:",chardata"`
}

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

type tagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	TagSet  []tagXML `xml:"TagSet>Tag"`
}

type grantee struct {
	XMLNSXSI string `xml:"xmlns:xsi,attr"`
	Type     string `xml:"xsi:type,attr"`
	ID       string `xml:"ID,omitempty"`
	URI      string `xml:"URI,omitempty"`
}

type grant struct {
	Grantee    grantee `xml:"Grantee"`
	Permission string  `xml:"Permission"`
}

type accessControlPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Xmlns   string   `xml:"xmlns,attr"`
	Owner   *Owner   `xml:"Owner"`
	Grants  []grant  `xml:"AccessControlList>Grant"`
}
