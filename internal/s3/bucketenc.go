package s3

import (
	"encoding/xml"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Default bucket encryption: GetBucketEncryption, PutBucketEncryption and
// DeleteBucketEncryption. A bucket's default applies to writes that ask
// for no encryption themselves.

type sseByDefaultXML struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm"`
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
}

type sseRuleXML struct {
	Default          *sseByDefaultXML `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled *bool            `xml:"BucketKeyEnabled"`
}

type sseConfigXML struct {
	XMLName xml.Name     `xml:"ServerSideEncryptionConfiguration"`
	Xmlns   string       `xml:"xmlns,attr,omitempty"`
	Rules   []sseRuleXML `xml:"Rule"`
}

// parseBucketEncryption reads a ServerSideEncryptionConfiguration as S3
// validates it: one rule with a default algorithm (AES256 or aws:kms; a
// KMS key id only with aws:kms).
func parseBucketEncryption(data []byte) (*store.BucketEncryption, error) {
	var doc sseConfigXML
	if err := xmlUnmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Rules) != 1 || doc.Rules[0].Default == nil {
		return nil, awsapi.XMLMalformed.Of()
	}
	r := doc.Rules[0]
	be := &store.BucketEncryption{Algorithm: r.Default.SSEAlgorithm, KMSKeyID: r.Default.KMSMasterKeyID}
	if r.BucketKeyEnabled != nil {
		be.BucketKeyEnabled = *r.BucketKeyEnabled
	}
	switch be.Algorithm {
	case "AES256", "aws:kms":
	case "aws:kms:dsse":
		return nil, awsapi.SSEFeatureNotSupported.Of("dual-layer KMS keys (aws:kms:dsse)")
	default:
		return nil, awsapi.XMLMalformed.Of()
	}
	if be.KMSKeyID != "" && be.Algorithm != "aws:kms" {
		return nil, awsapi.BucketEncryptionKeyNotApplicable.Of()
	}
	return be, nil
}

func bucketEncryptionXML(be *store.BucketEncryption) *sseConfigXML {
	rule := sseRuleXML{Default: &sseByDefaultXML{SSEAlgorithm: be.Algorithm, KMSMasterKeyID: be.KMSKeyID}}
	enabled := be.BucketKeyEnabled
	rule.BucketKeyEnabled = &enabled
	return &sseConfigXML{Xmlns: xmlns, Rules: []sseRuleXML{rule}}
}

func (c *call) getBucketEncryption() error {
	be := c.b.Encryption
	if be == nil {
		if !c.s.encryptAll {
			return awsapi.BucketEncryptionNotFound.Of().With("BucketName", c.bucket)
		}
		// The server encrypts every object: the bucket's default is
		// SSE-S3, as every S3 bucket's is.
		be = &store.BucketEncryption{Algorithm: "AES256"}
	}
	return c.writeXML(bucketEncryptionXML(be))
}

func (c *call) putBucketEncryption() error {
	data, err := c.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	be, err := parseBucketEncryption(data)
	if err != nil {
		return err
	}
	if err := c.updateBucket(func(b *store.Bucket) error { b.Encryption = be; return nil }); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (c *call) deleteBucketEncryption() error {
	if err := c.updateBucket(func(b *store.Bucket) error { b.Encryption = nil; return nil }); err != nil {
		return err
	}
	c.noContent()
	return nil
}
