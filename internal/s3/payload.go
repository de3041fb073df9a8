package s3

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/checksum"
	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/store"
)

// maxPutSize is S3's limit for a single PUT (and for one part).
const maxPutSize = 5 << 30

// body is a request payload as a handler reads it: decoded from aws-chunked
// framing when streamed (chunk signatures checked as the bytes pass), and
// hashed on the way (payload SHA-256, Content-MD5, the flexible checksum).
// Nothing is trusted until verify returns nil after the last byte.
type body struct {
	r      io.Reader
	n      int64
	length int64 // expected decoded length, -1 unknown

	stream  *sigv4.StreamReader
	sha     hash.Hash // hex payload-hash mode
	wantSHA string

	md5     hash.Hash // when the caller does not hash MD5 itself
	wantMD5 []byte    // Content-MD5, nil if absent

	alg      checksum.Algorithm // "" when no checksum was asked for
	sum      hash.Hash
	wantSum  string // from the header; "" when it comes in a trailer
	trailer  string // trailer name carrying the checksum
	computed string // base64 after verify
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 {
		b.n += int64(n)
		if b.sha != nil {
			b.sha.Write(p[:n])
		}
		if b.md5 != nil {
			b.md5.Write(p[:n])
		}
		if b.sum != nil {
			b.sum.Write(p[:n])
		}
	}
	return n, err
}

// payload prepares the request body for reading. It validates the headers
// that describe the body (lengths, Content-MD5, checksum headers) before a
// byte is read.
func (c *call) payload() (*body, error) {
	r := c.r
	h := r.Header
	b := &body{r: r.Body, length: r.ContentLength}
	mode := sigv4.UnsignedPayload
	if c.v != nil {
		mode = c.v.Auth.PayloadHash
		if c.v.Auth.Mode == sigv4.ModePresigned && mode == "" {
			mode = sigv4.UnsignedPayload
		}
	}
	if signed, trailer, ok := sigv4.StreamMode(mode); ok {
		dl := h.Get("x-amz-decoded-content-length")
		n, err := strconv.ParseInt(dl, 10, 64)
		if err != nil || n < 0 {
			return nil, awsapi.ContentLengthMissing.Of()
		}
		opt := sigv4.StreamOptions{Signed: signed, Trailer: trailer, DecodedLength: n}
		if trailer {
			for _, t := range strings.Split(h.Get("x-amz-trailer"), ",") {
				if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
					opt.Trailers = append(opt.Trailers, t)
				}
			}
		}
		if signed {
			if c.v == nil {
				return nil, awsapi.StreamingNeedsSignature.Of()
			}
			opt.Key, opt.SeedSignature, opt.AmzDate, opt.Scope = c.v.Key, c.v.Auth.Signature, c.v.Auth.AmzDate, c.v.Auth.Scope()
		}
		b.stream = sigv4.NewStreamReader(r.Body, opt)
		b.r, b.length = b.stream, n
	} else if mode != sigv4.UnsignedPayload && c.v != nil {
		b.sha, b.wantSHA = sha256.New(), mode
	}
	if b.length > maxPutSize {
		return nil, awsapi.UploadTooLarge.Of().
			With("ProposedSize", strconv.FormatInt(b.length, 10)).With("MaxSizeAllowed", strconv.Itoa(maxPutSize))
	}
	if vs, ok := h["Content-Md5"]; ok { // present but empty is invalid too
		v := vs[0]
		sum, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(sum) != md5.Size {
			return nil, awsapi.ContentMD5Invalid.Of()
		}
		b.wantMD5 = sum
	}
	// On CompleteMultipartUpload the checksum headers describe the object
	// being assembled, not the request's XML (assemble checks them).
	if c.op == nil || c.op.name != "CompleteMultipartUpload" {
		if err := b.setChecksum(h); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// setChecksum finds the flexible checksum the request declares: a
// x-amz-checksum-* header, a trailer named in x-amz-trailer, or only the
// algorithm (x-amz-sdk-checksum-algorithm), in which case it is computed and
// stored.
func (b *body) setChecksum(h http.Header) error {
	alg, value, ok, err := checksum.FromHeader(h)
	if err != nil { // checksum.ErrMultipleChecksums, its only error
		return awsapi.ChecksumMultiple.Of()
	}
	if ok {
		if _, err := checksum.Decode(alg, value); err != nil {
			return awsapi.ChecksumHeaderInvalid.Of(alg.HeaderName())
		}
		b.alg, b.wantSum = alg, value
	}
	if b.stream != nil {
		for _, t := range strings.Split(h.Get("x-amz-trailer"), ",") {
			t = strings.ToLower(strings.TrimSpace(t))
			if name, found := strings.CutPrefix(t, "x-amz-checksum-"); found {
				a, ok := checksum.Parse(name)
				if !ok {
					return awsapi.TrailerUnsupported.Of()
				}
				if b.alg != "" && b.alg != a {
					return awsapi.ChecksumMultiple.Of()
				}
				b.alg, b.trailer = a, t
			}
		}
	}
	if b.alg == "" {
		if v := h.Get("x-amz-sdk-checksum-algorithm"); v != "" {
			a, ok := checksum.Parse(v)
			if !ok {
				return awsapi.ChecksumAlgorithmUnsupported.Of()
			}
			b.alg = a
		}
	}
	if b.alg != "" {
		b.sum = b.alg.New()
	}
	return nil
}

// verify checks what the body claimed, once it has been read to EOF.
// blobMD5 is the MD5 the blob store computed (nil: the body hashed it).
func (b *body) verify(blobMD5 ...[16]byte) error {
	if b.length >= 0 && b.n != b.length {
		return awsapi.BodyIncomplete.Of()
	}
	if b.sha != nil {
		got := hex.EncodeToString(b.sha.Sum(nil))
		if got != b.wantSHA {
			return awsapi.ContentSHA256Mismatch.Of().
				With("ClientComputedContentSHA256", b.wantSHA).With("S3ComputedContentSHA256", got)
		}
	}
	if b.wantMD5 != nil {
		var got []byte
		switch {
		case len(blobMD5) > 0:
			got = blobMD5[0][:]
		case b.md5 != nil:
			got = b.md5.Sum(nil)
		}
		if got != nil && string(got) != string(b.wantMD5) {
			return awsapi.ContentMD5Mismatch.Of()
		}
	}
	if b.sum != nil {
		b.computed = checksum.Encode(b.sum.Sum(nil))
		want := b.wantSum
		if b.trailer != "" {
			want = b.stream.Trailers()[b.trailer]
			if _, err := checksum.Decode(b.alg, want); err != nil {
				return awsapi.ChecksumTrailerInvalid.Of(b.trailer)
			}
		}
		if want != "" && want != b.computed {
			return awsapi.ChecksumMismatch.Of(b.alg)
		}
	}
	return nil
}

// checksum is the verified flexible checksum to store (nil if none).
func (b *body) checksum() *store.Checksum {
	if b.alg == "" || b.computed == "" {
		return nil
	}
	return &store.Checksum{Algorithm: string(b.alg), Value: b.computed, Type: "FULL_OBJECT"}
}
