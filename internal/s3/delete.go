package s3

import (
	"encoding/xml"
	"hash"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/checksum"
	"github.com/gatehouse/gatehouse/internal/store"
)

// maxDeleteKeys is the most keys one DeleteObjects request may name.
const maxDeleteKeys = 1000

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
		ETag      string `xml:"ETag"` // delete only if the object has this ETag
	} `xml:"Object"`
}

type deletedXML struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

type deleteErrorXML struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

type deleteResult struct {
	XMLName xml.Name         `xml:"DeleteResult"`
	Xmlns   string           `xml:"xmlns,attr"`
	Deleted []deletedXML     `xml:"Deleted"`
	Errors  []deleteErrorXML `xml:"Error"`
}

// deleteObjects deletes up to 1,000 keys or versions, each authorized on
// its own (s3:DeleteObject, or s3:DeleteObjectVersion for an entry naming a
// version, declared per entry in resolve); per-entry failures are listed,
// the call itself succeeds.
func (c *call) deleteObjects() error {
	dp := c.stash.(*deletePlan)
	req := &dp.req
	res := &deleteResult{Xmlns: xmlns}
	for i, obj := range req.Objects {
		allowed := c.outcomes.Allowed(i)
		if j, ok := dp.getCheck[i]; ok {
			allowed = allowed && c.outcomes.Allowed(j)
		}
		done, err := c.deleteOne(obj.Key, obj.VersionID, obj.ETag, allowed)
		if err != nil {
			e := toS3Error(err, c)
			if e.HTTPStatus() >= 500 {
				c.s.log.Error("s3 delete failed", "request_id", c.id, "bucket", c.bucket, "err", err)
			}
			res.Errors = append(res.Errors, deleteErrorXML{Key: obj.Key, VersionID: obj.VersionID, Code: e.Code, Message: e.Message})
			continue
		}
		if !req.Quiet {
			res.Deleted = append(res.Deleted, done)
		}
	}
	return c.writeXML(res)
}

// deleteOne deletes one entry as DeleteObject would: a version named by
// id permanently, a key by removal or a delete marker (only if what it
// deletes has the entry's ETag, when it gives one).
func (c *call) deleteOne(key, version, etag string, allowed bool) (deletedXML, error) {
	done := deletedXML{Key: key, VersionID: version}
	if key == "" {
		return done, awsapi.KeyEmpty.Of()
	}
	if version != "" && !validVersionID(version) {
		return done, awsapi.VersionNotFound.Of()
	}
	if !allowed {
		return done, awsapi.S3AccessDenied.Of()
	}
	if version != "" {
		gone, err := c.removeVersion(key, version, etag)
		if err == nil && gone != nil && gone.DeleteMarker {
			done.DeleteMarker, done.DeleteMarkerVersionID = true, version
		}
		return done, err
	}
	marker, err := c.deleteKey(key, etag)
	if err == nil && marker != nil {
		done.DeleteMarker, done.DeleteMarkerVersionID = true, marker.VersionID
	}
	return done, err
}

// checksumHash is an optional flexible checksum computed while bytes are
// copied.
type checksumHash struct {
	alg checksum.Algorithm
	h   hash.Hash
}

func (s checksumHash) extra() []hash.Hash {
	if s.h == nil {
		return nil
	}
	return []hash.Hash{s.h}
}

func (s checksumHash) checksum() *store.Checksum {
	if s.h == nil {
		return nil
	}
	return &store.Checksum{Algorithm: string(s.alg), Value: checksum.Encode(s.h.Sum(nil)), Type: "FULL_OBJECT"}
}
