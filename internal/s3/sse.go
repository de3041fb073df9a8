package s3

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/sse"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Server-side encryption: what a write asks for (its headers, else the
// bucket's default encryption, else the server's), the data key of an
// object being read, and the reply headers. The bytes are encrypted and
// decrypted by package sse; the data keys are sealed by its Keyring.

const (
	sseHeader       = "x-amz-server-side-encryption"
	sseKMSKeyHeader = "x-amz-server-side-encryption-aws-kms-key-id"
	sseContext      = "x-amz-server-side-encryption-context"
	sseBucketKey    = "x-amz-server-side-encryption-bucket-key-enabled"
	// ssecPrefix and ssecCopyPrefix start the SSE-C headers of the
	// object written (or read) and of a copy's source.
	ssecPrefix     = "x-amz-server-side-encryption-customer-"
	ssecCopyPrefix = "x-amz-copy-source-server-side-encryption-customer-"
)

// objectKey is the encryption of an object being written: its data key and
// the record that seals it (nil, nil: stored in clear).
type objectKey struct {
	key []byte
	enc *store.Encryption
}

func (k *objectKey) encrypted() bool { return k != nil && k.enc != nil }

// customerKey reads the SSE-C headers that start with prefix: nil, nil
// when there are none. The key must come over TLS unless the server allows
// plain HTTP.
func (c *call) customerKey(h http.Header, prefix string) (*sse.Spec, error) {
	alg, key, sum := h.Get(prefix+"algorithm"), h.Get(prefix+"key"), h.Get(prefix+"key-MD5")
	if alg == "" && key == "" && sum == "" {
		return nil, nil
	}
	if c.r.TLS == nil && !c.s.sseCAllowHTTP {
		return nil, awsapi.SSECInsecure.Of()
	}
	if c.s.keys == nil {
		return nil, awsapi.SSEFeatureNotSupported.Of("no keyring configured").With("Header", prefix+"algorithm")
	}
	switch {
	case alg == "":
		return nil, awsapi.SSECAlgorithmMissing.Of().With("ArgumentName", prefix+"algorithm")
	case alg != "AES256":
		return nil, awsapi.SSECAlgorithmInvalid.Of().With("ArgumentName", prefix+"algorithm").With("ArgumentValue", alg)
	case key == "":
		return nil, awsapi.SSECKeyMissing.Of().With("ArgumentName", prefix+"key")
	}
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != sse.DataKeySize {
		return nil, awsapi.SSECKeyInvalid.Of().With("ArgumentName", prefix+"key")
	}
	if sum == "" {
		return nil, awsapi.SSECKeyMD5Missing.Of().With("ArgumentName", prefix+"key-MD5")
	}
	want := md5.Sum(raw)
	given, err := base64.StdEncoding.DecodeString(sum)
	if err != nil || subtle.ConstantTimeCompare(given, want[:]) != 1 {
		return nil, awsapi.SSECKeyMD5Mismatch.Of().With("ArgumentName", prefix+"key-MD5")
	}
	return &sse.Spec{Method: store.SSEC, CustomerKey: raw, CustomerKeyMD5: base64.StdEncoding.EncodeToString(want[:])}, nil
}

// writeSpec is the encryption a write asks for: its SSE-C headers, its
// x-amz-server-side-encryption headers, the bucket's default encryption,
// the server's setting (nil: none). h is the request's headers (a browser
// form's fields for POST).
func (c *call) writeSpec(h http.Header) (*sse.Spec, error) {
	method := h.Get(sseHeader)
	switch method {
	case "", "AES256", "aws:kms":
	case "aws:kms:dsse":
		return nil, awsapi.SSEFeatureNotSupported.Of("dual-layer KMS keys (aws:kms:dsse)").With("Header", sseHeader)
	default:
		return nil, awsapi.SSEMethodInvalid.Of().With("ArgumentName", sseHeader).With("ArgumentValue", method)
	}
	if method != "aws:kms" && (h.Get(sseKMSKeyHeader) != "" || h.Get(sseContext) != "") {
		return nil, awsapi.SSEKMSHeaderMissing.Of().With("ArgumentName", sseHeader).With("ArgumentValue", "null")
	}
	if h.Get(sseContext) != "" {
		return nil, awsapi.SSEFeatureNotSupported.Of("a KMS encryption context").With("Header", sseContext)
	}
	cust, err := c.customerKey(h, ssecPrefix)
	if err != nil {
		return nil, err
	}
	if cust != nil {
		if method != "" {
			return nil, awsapi.SSECWithOtherMethod.Of().With("ArgumentName", sseHeader).With("ArgumentValue", method)
		}
		return cust, nil
	}
	bucketKey := strings.EqualFold(h.Get(sseBucketKey), "true")
	kmsKey := h.Get(sseKMSKeyHeader)
	if method == "" {
		switch d := c.b.Encryption; {
		case d != nil:
			method, kmsKey, bucketKey = d.Algorithm, d.KMSKeyID, d.BucketKeyEnabled
		case c.s.encryptAll:
			method = "AES256"
		default:
			return nil, nil
		}
	}
	if c.s.keys == nil {
		return nil, awsapi.SSEFeatureNotSupported.Of("no keyring configured").With("Header", sseHeader)
	}
	if method == "AES256" {
		return &sse.Spec{Method: store.SSES3}, nil
	}
	arn, ok := c.s.keys.ResolveKMSKey(c.s.region, c.b.Account, kmsKey)
	if !ok {
		return nil, awsapi.KMSKeyNotFound.Of(kmsKey)
	}
	return &sse.Spec{Method: store.SSEKMS, KMSKeyARN: arn, BucketKeyEnabled: bucketKey}, nil
}

// newObjectKey makes the data key of a new object (nil spec: none).
func (c *call) newObjectKey(spec *sse.Spec) (*objectKey, error) {
	if spec == nil {
		return nil, nil
	}
	if c.s.keys == nil {
		return nil, awsapi.SSEFeatureNotSupported.Of("no keyring configured").With("Header", sseHeader)
	}
	key, enc, err := c.s.keys.NewDataKey(*spec, rand.Reader)
	if err != nil {
		return nil, err
	}
	return &objectKey{key: key, enc: enc}, nil
}

// readKey opens the data key of an object a request reads (GET, HEAD, a
// copy's source), with the request's SSE-C headers that start with prefix.
// A plain object needs none (and refuses them); an SSE-C object needs its
// key.
func (c *call) readKey(o *store.Object, prefix string) ([]byte, error) {
	cust, err := c.customerKey(c.r.Header, prefix)
	if err != nil {
		return nil, err
	}
	e := o.Encryption
	if e == nil || e.Method != store.SSEC {
		if cust != nil {
			return nil, awsapi.SSECNotApplicable.Of()
		}
		if e == nil {
			return nil, nil
		}
	}
	var ck []byte
	if cust != nil {
		ck = cust.CustomerKey
	}
	return c.openKey(e, ck)
}

// openKey opens a data key; a missing or wrong SSE-C key is the client's
// error, anything else the server's.
func (c *call) openKey(e *store.Encryption, customerKey []byte) ([]byte, error) {
	if c.s.keys == nil {
		return nil, errors.New("s3: an encrypted object, and no keyring configured")
	}
	key, err := c.s.keys.Open(e, customerKey)
	switch {
	case errors.Is(err, sse.ErrCustomerKeyRequired):
		return nil, awsapi.SSECKeyRequired.Of()
	case errors.Is(err, sse.ErrWrongCustomerKey):
		return nil, awsapi.SSECKeyWrong.Of()
	}
	return key, err
}

// uploadKey is the data key a part of u is written under (nil: in clear).
func (c *call) uploadKey(u *store.Upload) (*objectKey, error) {
	key, err := c.partKey(u)
	if err != nil || key == nil {
		return nil, err
	}
	return &objectKey{key: key, enc: u.Encryption}, nil
}

// partKey opens the data key of a multipart upload for one of its parts:
// an SSE-C upload needs the same key on every part.
func (c *call) partKey(u *store.Upload) ([]byte, error) {
	cust, err := c.customerKey(c.r.Header, ssecPrefix)
	if err != nil {
		return nil, err
	}
	e := u.Encryption
	switch {
	case e == nil || e.Method != store.SSEC:
		if cust != nil {
			return nil, awsapi.SSECPartKeyMismatch.Of()
		}
		if e == nil {
			return nil, nil
		}
		return c.openKey(e, nil)
	case cust == nil:
		return nil, awsapi.SSECPartKeyMissing.Of()
	case !c.s.keys.CustomerKeyMatches(e, cust.CustomerKey):
		return nil, awsapi.SSECPartKeyMismatch.Of()
	}
	return c.openKey(e, cust.CustomerKey)
}

// encryption is the record of k (nil: in clear).
func (k *objectKey) encryption() *store.Encryption {
	if k == nil {
		return nil
	}
	return k.enc
}

// etag is the ETag of bytes written under k: the MD5 of the plaintext in
// clear and with SSE-S3; with SSE-KMS and SSE-C, as in S3, not an MD5 of
// the object's data: the MD5 of the sealed data key and the plaintext's
// MD5, which tells nothing about the plaintext to whoever lacks the key.
func (k *objectKey) etag(plainMD5 [16]byte) string {
	sum := plainMD5
	if k.encrypted() && k.enc.Method != store.SSES3 {
		h := md5.New()
		h.Write(k.enc.SealedKey)
		h.Write(plainMD5[:])
		copy(sum[:], h.Sum(nil))
	}
	return quoteETag(hex.EncodeToString(sum[:]))
}

// sseRequested reports whether a request names any encryption header.
func sseRequested(h http.Header) bool {
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), sseHeader) {
			return true
		}
	}
	return false
}

// setSSEHeaders adds the reply headers that describe an object's (or an
// upload's) encryption, as S3 sends them.
func setSSEHeaders(h http.Header, e *store.Encryption) {
	if e == nil {
		return
	}
	switch e.Method {
	case store.SSES3:
		h.Set(sseHeader, "AES256")
	case store.SSEKMS:
		h.Set(sseHeader, "aws:kms")
		h.Set(sseKMSKeyHeader, e.KMSKeyID)
		if e.BucketKeyEnabled {
			h.Set(sseBucketKey, "true")
		}
	case store.SSEC:
		h.Set(ssecPrefix+"algorithm", "AES256")
		h.Set(ssecPrefix+"key-MD5", e.CustomerKeyMD5)
	}
}

// sameEncryption reports whether an object written with spec may share
// the blobs (and the sealed data key) of src: the same method under the
// same key.
func (c *call) sameEncryption(src *store.Encryption, spec *sse.Spec) bool {
	switch {
	case src == nil || spec == nil:
		return src == nil && spec == nil
	case src.Method != spec.Method:
		return false
	case src.Method == store.SSEKMS:
		return src.KMSKeyID == spec.KMSKeyARN
	case src.Method == store.SSEC:
		return c.s.keys.CustomerKeyMatches(src, spec.CustomerKey)
	}
	return true
}
