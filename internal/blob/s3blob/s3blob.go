// Package s3blob is the blob backend that keeps object bytes in an
// existing S3-compatible store (AWS S3, MinIO, Ceph RGW, …), so that many
// stateless Gatehouse nodes can share them.
//
// Contract (blob.Store, checked by blobtest, plus what the upstream adds):
//   - Every blob is one upstream object named PREFIX + key, where key is 32
//     random hex digits chosen by Put and never reused. Nothing else under
//     the prefix is touched; names that are not keys are ignored by Walk.
//   - Put streams. A blob whose declared size is at most the single-put
//     threshold (16 MiB by default) is sent as one PutObject whose body is
//     the caller's reader, of known length, never buffered whole. Anything
//     larger, or of unknown size, becomes an upstream multipart upload whose
//     parts (8 MiB by default, larger when the declared size needs more than
//     10,000 of them) are buffered at most two at a time: one being read
//     from the caller while the other is sent. Size, MD5 and extra hashes
//     are computed while streaming.
//   - A Put that fails, whose reader yields another size than declared
//     (blob.ErrSizeMismatch), or whose context is cancelled aborts its
//     multipart upload (and deletes the object a failed PutObject may have
//     left), so no partial bytes become visible and no upload lingers.
//   - Durability is the upstream's: a Put returns once the upstream has
//     acknowledged the PutObject or CompleteMultipartUpload.
//   - Open issues a HEAD for the size; ReadAt and the blob.RangeWriter
//     capability read with ranged GETs, streaming through a bounded buffer.
//     Sequential ReadAt calls continue one ranged GET instead of issuing one
//     per call.
//   - Delete is idempotent; Walk lists the prefix (ListObjectsV2, paged)
//     with each object's LastModified.
//   - Upstream throttling, 503s and unreachable endpoints are reported as
//     blob.ErrUnavailable (retryable; the S3 front end answers 503 SlowDown).
//     Every other upstream failure is an error naming the upstream operation
//     (PutObject, UploadPart, …) and the upstream's code, never credentials.
//   - Every upstream call is bounded by the caller's context and by the
//     HTTP client's dial, TLS and response-header timeouts.
//
// Multipart objects: Gatehouse keeps one blob per S3 part and an object is
// the concatenation of its parts' blobs (a manifest of part blobs in the
// metadata store), so CompleteMultipartUpload copies no bytes and issues no
// upstream UploadPartCopy. That keeps the upstream's own multipart limits
// (5 MiB minimum part, 10,000 parts) out of what Gatehouse's clients may
// send: their parts can be any size, and each becomes its own upstream
// object however it was stored.
package s3blob

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/blob/bloburl"
)

// Defaults of Options.
const (
	DefaultSinglePutMax = 16 << 20
	DefaultPartSize     = 8 << 20
	// minPartSize is S3's smallest part but the last.
	minPartSize = 5 << 20
	// maxParts is S3's most parts in an upload.
	maxParts = 10000
	// cleanupTimeout bounds the abort or delete that follows a failed Put,
	// which runs even when the Put's context was cancelled.
	cleanupTimeout = 30 * time.Second
)

// Options configure a Store.
type Options struct {
	Client *s3.Client // the upstream
	Bucket string
	// Prefix is prepended to every key ("" or ending in "/").
	Prefix string
	// SinglePutMax is the largest declared size sent as one PutObject
	// (0: DefaultSinglePutMax).
	SinglePutMax int64
	// PartSize is the size of upstream multipart parts (0:
	// DefaultPartSize; at least 5 MiB).
	PartSize int64
}

// Store keeps blobs in an upstream bucket.
type Store struct {
	c         *s3.Client
	bucket    string
	prefix    string
	singleMax int64
	partSize  int64
	parts     sync.Pool // *[]byte of partSize
	// bufsLive and bufsPeak count part buffers in use (tests check that
	// memory stays bounded).
	bufsLive, bufsPeak atomic.Int64
	copyBufs           sync.Pool // *[]byte of copyBufSize
}

var (
	_ blob.Store          = (*Store)(nil)
	_ blob.UnhashedPutter = (*Store)(nil)
	_ blob.Importer       = (*Store)(nil)
)

// New returns a Store over an upstream client.
func New(opt Options) (*Store, error) {
	if opt.Client == nil {
		return nil, errors.New("s3blob: no upstream client")
	}
	if err := bloburl.CheckBucket(opt.Bucket); err != nil {
		return nil, fmt.Errorf("s3blob: %w", err)
	}
	if opt.Prefix != "" && !strings.HasSuffix(opt.Prefix, "/") {
		return nil, errors.New("s3blob: the prefix must end with /")
	}
	s := &Store{c: s3.New(opt.Client.Options(), streaming), bucket: opt.Bucket, prefix: opt.Prefix, singleMax: opt.SinglePutMax, partSize: opt.PartSize}
	if s.singleMax <= 0 {
		s.singleMax = DefaultSinglePutMax
	}
	if s.partSize == 0 {
		s.partSize = DefaultPartSize
	}
	if s.partSize < minPartSize {
		return nil, fmt.Errorf("s3blob: part size %d is below S3's minimum of 5 MiB", s.partSize)
	}
	size := s.partSize
	s.parts.New = func() any { b := make([]byte, size); return &b }
	s.copyBufs.New = func() any { b := make([]byte, copyBufSize); return &b }
	return s, nil
}

// streaming adapts a client's options to the Store's bodies, which are
// the callers' streams: they are sent unsigned (the SDK cannot rewind them
// to hash them first; TLS protects them on the way to AWS), with no
// checksum computed by the SDK (the Store hashes while streaming), and
// responses are not checksum-validated (ranged GETs carry none).
func streaming(o *s3.Options) {
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
}

// name is the upstream object name of key; ok is false for a string Put
// could not have made.
func (s *Store) name(key string) (string, bool) {
	if !validKey(key) {
		return "", false
	}
	return s.prefix + key, true
}

func validKey(key string) bool {
	if len(key) != 32 {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func newKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// Delete removes a blob; a missing one is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	name, ok := s.name(key)
	if !ok {
		return nil
	}
	_, err := s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &name})
	if err != nil && !isNotFound(err) {
		return upstreamErr("DeleteObject", err)
	}
	return nil
}

// Walk lists every blob under the prefix with its LastModified.
func (s *Store) Walk(ctx context.Context, fn func(key string, modTime time.Time) error) error {
	p := s3.NewListObjectsV2Paginator(s.c, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: aws.String(s.prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return upstreamErr("ListObjectsV2", err)
		}
		for _, o := range page.Contents {
			key, ok := strings.CutPrefix(aws.ToString(o.Key), s.prefix)
			if !ok || !validKey(key) {
				continue // not a blob of ours
			}
			if err := fn(key, aws.ToTime(o.LastModified)); err != nil {
				return err
			}
		}
	}
	return nil
}

// throttled reports the upstream error codes of a temporarily unavailable
// or throttling service.
func throttled(code string) bool {
	switch code {
	case "SlowDown", "ServiceUnavailable", "Throttling", "ThrottlingException", "RequestLimitExceeded",
		"TooManyRequestsException", "RequestThrottled", "RequestThrottledException",
		"ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "XMinioServerNotInitialized":
		return true
	}
	return false
}

// upstreamErr maps an upstream failure of op: throttling, 503 and an
// unreachable endpoint to blob.ErrUnavailable, a cancelled context to
// itself, anything else to an error naming op and the upstream's code.
// The SDK's errors carry the request's method, URL and status, never its
// signature or credentials.
func upstreamErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("s3blob: upstream %s: %w", op, err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && throttled(ae.ErrorCode()) {
		return fmt.Errorf("%w: upstream %s: %s", blob.ErrUnavailable, op, ae.ErrorCode())
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 0 { // 0: no response came
		switch re.HTTPStatusCode() {
		case http.StatusServiceUnavailable, http.StatusTooManyRequests:
			return fmt.Errorf("%w: upstream %s: HTTP %d", blob.ErrUnavailable, op, re.HTTPStatusCode())
		}
		code := "unknown error"
		if ae != nil {
			code = ae.ErrorCode()
		}
		return fmt.Errorf("s3blob: upstream %s failed: HTTP %d %s (request id %s)", op, re.HTTPStatusCode(), code, re.ServiceRequestID())
	}
	if unreachable(err) {
		return fmt.Errorf("%w: upstream %s: %v", blob.ErrUnavailable, op, err)
	}
	return fmt.Errorf("s3blob: upstream %s failed: %w", op, err)
}

// unreachable reports a transport failure that says the upstream is down
// or overloaded (refused, reset, timed out, cut off) rather than
// misconfigured (a certificate it does not trust stays an internal error).
func unreachable(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// CleanTemp aborts the upstream multipart uploads under the prefix that
// were initiated before before: what a node that crashed mid-Put left
// (a live Put's upload is younger than the sweeper's grace). It returns how
// many it aborted.
func (s *Store) CleanTemp(ctx context.Context, before time.Time) (int, error) {
	n := 0
	in := &s3.ListMultipartUploadsInput{Bucket: &s.bucket, Prefix: aws.String(s.prefix)}
	for {
		page, err := s.c.ListMultipartUploads(ctx, in)
		if err != nil {
			return n, upstreamErr("ListMultipartUploads", err)
		}
		for _, u := range page.Uploads {
			key, ok := strings.CutPrefix(aws.ToString(u.Key), s.prefix)
			if !ok || !validKey(key) || !aws.ToTime(u.Initiated).Before(before) {
				continue
			}
			if _, err := s.c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: u.Key, UploadId: u.UploadId}); err != nil && !isNoSuchUpload(err) {
				return n, upstreamErr("AbortMultipartUpload", err)
			}
			n++
		}
		if !aws.ToBool(page.IsTruncated) {
			return n, nil
		}
		in.KeyMarker, in.UploadIdMarker = page.NextKeyMarker, page.NextUploadIdMarker
	}
}

// isNoSuchUpload reports an upload that is already gone.
func isNoSuchUpload(err error) bool {
	var nsu *types.NoSuchUpload
	return errors.As(err, &nsu) || isNotFound(err)
}

// Ping checks that the bucket answers (HeadBucket): the readiness probe's
// check, cheaper than listing.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket})
	return upstreamErr("HeadBucket", err)
}

// isNotFound reports an upstream 404 (NoSuchKey, NotFound of a HEAD).
func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}
