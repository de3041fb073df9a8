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
	Key string `xml:"Key"`
}

type deleteErrorXML struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

type deleteResult struct {
	XMLName xml.Name         `xml:"DeleteResult"`
	Xmlns   string           `xml:"xmlns,attr"`
	Deleted []deletedXML     `xml:"Deleted"`
	Errors  []deleteErrorXML `xml:"Error"`
}

// deleteObjects deletes up to 1,000 keys, each authorized on its own
// (s3:DeleteObject, declared per key in resolve); per-key failures are
// listed, the call itself succeeds.
func (c *call) deleteObjects() error {
	dp := c.stash.(*deletePlan)
	req := &dp.req
	res := &deleteResult{Xmlns: xmlns}
	for i, obj := range req.Objects {
		allowed := c.outcomes.Allowed(i)
		if j, ok := dp.getCheck[i]; ok {
			allowed = allowed && c.outcomes.Allowed(j)
		}
		if err := c.deleteOne(obj.Key, obj.VersionID, obj.ETag, allowed); err != nil {
			e := toS3Error(err, c)
			if e.HTTPStatus() >= 500 {
				c.s.log.Error("s3 delete failed", "request_id", c.id, "bucket", c.bucket, "err", err)
			}
			res.Errors = append(res.Errors, deleteErrorXML{Key: obj.Key, Code: e.Code, Message: e.Message})
			continue
		}
		if !req.Quiet {
			res.Deleted = append(res.Deleted, deletedXML{Key: obj.Key})
		}
	}
	return c.writeXML(res)
}

func (c *call) deleteOne(key, version, etag string, allowed bool) error {
	if key == "" {
		return awsapi.KeyEmpty.Of()
	}
	if version != "" && version != "null" {
		return awsapi.VersionNotFound.Of()
	}
	if !allowed {
		return awsapi.S3AccessDenied.Of()
	}
	return c.removeObject(key, etag)
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
