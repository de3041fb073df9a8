package s3

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/store"
)

// GetObjectAttributes: what HeadObject and ListParts say of an object, in
// one call, limited to the attributes x-amz-object-attributes names.

// objectAttributes are the attributes S3 knows.
var objectAttributes = map[string]bool{"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true}

type attributesChecksumXML struct {
	checksumsXML
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

type attributesPartXML struct {
	PartNumber int   `xml:"PartNumber"`
	Size       int64 `xml:"Size"`
	checksumsXML
}

type objectPartsXML struct {
	TotalPartsCount      int                 `xml:"PartsCount"`
	PartNumberMarker     int                 `xml:"PartNumberMarker"`
	NextPartNumberMarker int                 `xml:"NextPartNumberMarker"`
	MaxParts             int                 `xml:"MaxParts"`
	IsTruncated          bool                `xml:"IsTruncated"`
	Parts                []attributesPartXML `xml:"Part"`
}

type attributesResult struct {
	XMLName      xml.Name               `xml:"GetObjectAttributesResponse"`
	Xmlns        string                 `xml:"xmlns,attr"`
	ETag         string                 `xml:"ETag,omitempty"`
	Checksum     *attributesChecksumXML `xml:"Checksum"`
	ObjectParts  *objectPartsXML        `xml:"ObjectParts"`
	StorageClass string                 `xml:"StorageClass,omitempty"`
	ObjectSize   *int64                 `xml:"ObjectSize"`
}

// resolveAttributes declares s3:GetObjectAttributes and s3:GetObject (S3
// requires both; for a named version s3:GetObjectVersionAttributes and
// s3:GetObjectVersion), with ListBucket deciding a missing key's answer.
func (c *call) resolveAttributes() (pipeline.Plan, error) {
	p, err := c.resolveExisting()
	if err != nil {
		return p, err
	}
	get := "s3:GetObject"
	if c.version != "" {
		get = "s3:GetObjectVersion"
	}
	p.Checks = append(p.Checks, c.check(c.b, get, c.resource(), versionKey(c.version, existingTagKeys(c.obj))))
	return p, nil
}

// requestedAttributes reads x-amz-object-attributes (comma-separated, in
// one header or several).
func (c *call) requestedAttributes() (map[string]bool, error) {
	want := map[string]bool{}
	for _, v := range c.r.Header.Values("x-amz-object-attributes") {
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a == "" {
				continue
			}
			if !objectAttributes[a] {
				return nil, awsapi.ObjectAttributeInvalid.Of().With("ArgumentName", "x-amz-object-attributes").With("ArgumentValue", a)
			}
			want[a] = true
		}
	}
	if len(want) == 0 {
		return nil, awsapi.ObjectAttributesMissing.Of()
	}
	return want, nil
}

// headerInt reads a numeric request header; S3 ignores a value that is no
// non-negative integer.
func headerInt(h http.Header, name string, def int) int {
	n, err := strconv.Atoi(h.Get(name))
	if err != nil || n < 0 {
		return def
	}
	return n
}

func (c *call) getObjectAttributes() error {
	want, err := c.requestedAttributes()
	if err != nil {
		return err
	}
	o := c.obj
	if o == nil || o.DeleteMarker {
		return c.absent(o)
	}
	c.versionHeader(c.w.Header(), o)
	res := &attributesResult{Xmlns: xmlns}
	if want["ETag"] {
		res.ETag = strings.Trim(o.ETag, `"`)
	}
	if want["Checksum"] && o.Checksum != nil {
		res.Checksum = &attributesChecksumXML{ChecksumType: o.Checksum.Type}
		res.Checksum.set(o.Checksum)
	}
	if want["StorageClass"] {
		res.StorageClass = classOf(o.StorageClass)
	}
	if want["ObjectSize"] {
		size := o.Size
		res.ObjectSize = &size
	}
	if want["ObjectParts"] && o.Parts > 0 {
		maxParts := min(headerInt(c.r.Header, "x-amz-max-parts", maxListKeys), maxListKeys)
		marker := headerInt(c.r.Header, "x-amz-part-number-marker", 0)
		op := &objectPartsXML{TotalPartsCount: o.Parts, PartNumberMarker: marker, MaxParts: maxParts}
		// S3 lists the parts only of objects uploaded with a checksum;
		// parts are numbered 1..N in the order they were completed.
		if len(o.PartChecksums) == o.Parts && len(o.Blobs) == o.Parts && o.Checksum != nil {
			for n := marker + 1; n <= o.Parts; n++ {
				if len(op.Parts) == maxParts {
					op.IsTruncated = true
					break
				}
				px := attributesPartXML{PartNumber: n, Size: o.Blobs[n-1].Size}
				px.set(&store.Checksum{Algorithm: o.Checksum.Algorithm, Value: o.PartChecksums[n-1]})
				op.Parts = append(op.Parts, px)
				op.NextPartNumberMarker = n
			}
		}
		res.ObjectParts = op
	}
	c.w.Header().Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	return c.writeXML(res)
}
