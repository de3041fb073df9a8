package s3

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/sigv2"
	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/store"
)

// authenticate verifies the request's signature (or makes it anonymous) and
// checks the x-amz-content-sha256 value S3 requires of header-signed requests.
func (c *call) authenticate() error {
	r := c.r
	if strings.HasPrefix(r.Header.Get("Authorization"), "AWS ") {
		// Signature Version 2 in the header: it signs no payload.
		c.authType = "REST-HEADER"
		p, err := c.s.authn.VerifyHeaderV2(c.ctx, r, c.v2Resource())
		if err != nil {
			return err
		}
		c.p, c.sigV2 = p, true
		return nil
	}
	payload := r.Header.Get("x-amz-content-sha256")
	if r.Header.Get("Authorization") == "" {
		c.authType = "REST-QUERY-STRING"
		if v := c.q.Get("X-Amz-Content-Sha256"); v != "" {
			payload = v
		} else {
			payload = sigv4.UnsignedPayload
		}
	} else {
		c.authType = "REST-HEADER"
		if payload == "" && strings.HasPrefix(r.Header.Get("Authorization"), sigv4.Algorithm) {
			return awsapi.ContentSHA256Missing.Of()
		}
	}
	if !validPayloadHash(payload) {
		return awsapi.ContentSHA256Invalid.Of()
	}
	v, err := c.s.authn.Verify(c.ctx, r, authz.AuthRequest{Service: "s3", PayloadHash: payload, S3: true})
	if errors.Is(err, authz.ErrNoCredentials) {
		p, err := c.s.authn.VerifyQueryV2(c.ctx, r, c.v2Resource())
		if errors.Is(err, authz.ErrNoCredentials) {
			c.p, c.authType = authz.Anonymous(), ""
			return nil
		}
		if err != nil {
			return err
		}
		c.p, c.sigV2 = p, true
		c.hoistSignedQuery()
		return nil
	}
	if err != nil {
		return err
	}
	c.p, c.v = v.Principal, v
	if v.Auth.Mode == sigv4.ModePresigned {
		c.hoistSignedQuery()
	}
	return nil
}

// hoistSignedQuery makes the x-amz-* parameters of a presigned URL's query
// (which its signature covers) request headers, as S3 reads them: SDKs
// presign x-amz-meta-*, x-amz-acl, x-amz-storage-class, x-amz-tagging, ...
// into the query. A header the request also sends wins. The signature's
// own parameters and x-amz-copy-source (which chose the operation) stay
// where they are, and so do the payload's: S3 does not hold an upload to
// the checksum an SDK presigns into the URL (the JavaScript SDK v3 puts
// the CRC32 of an empty body there).
func (c *call) hoistSignedQuery() {
	for k, vs := range c.q {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "x-amz-") || len(vs) == 0 {
			continue
		}
		switch lk {
		case "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires", "x-amz-signedheaders", "x-amz-signature",
			"x-amz-security-token", "x-amz-content-sha256":
			continue
		}
		if strings.HasPrefix(lk, "x-amz-copy-source") || strings.HasPrefix(lk, "x-amz-checksum-") ||
			lk == "x-amz-sdk-checksum-algorithm" || lk == "x-amz-trailer" || lk == "x-amz-decoded-content-length" {
			continue
		}
		if _, ok := c.r.Header[http.CanonicalHeaderKey(lk)]; !ok {
			c.r.Header[http.CanonicalHeaderKey(lk)] = vs
		}
	}
}

func validPayloadHash(v string) bool {
	switch v {
	case sigv4.UnsignedPayload, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
		return true
	}
	if len(v) != 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !(v[i] >= '0' && v[i] <= '9' || v[i] >= 'a' && v[i] <= 'f') {
			return false
		}
	}
	return true
}

// v2Resource is the canonicalized resource a Signature Version 2 URL
// signs: /bucket/key with the key as encoded on the wire.
func (c *call) v2Resource() string {
	path, _, _ := strings.Cut(c.r.RequestURI, "?")
	if c.bucket == "" {
		return sigv2.Resource("", "")
	}
	if rest, ok := strings.CutPrefix(path, "/"+c.bucket); ok && (rest == "" || rest[0] == '/') && !c.vhost {
		path = rest
	}
	return sigv2.Resource(c.bucket, strings.TrimPrefix(path, "/"))
}

// bucket reads a bucket record (store.ErrNotFound when there is none).
func (s *Service) bucket(ctx context.Context, name string) (*store.Bucket, error) {
	load := func(ctx context.Context) (*store.Bucket, error) {
		var b *store.Bucket
		err := s.store.View(ctx, func(tx store.Tx) error {
			var err error
			b, err = tx.GetBucket(ctx, name)
			return err
		})
		return b, err
	}
	if s.buckets == nil {
		return load(ctx)
	}
	return s.buckets.Get(ctx, name, load)
}

// maxCachedBuckets bounds the bucket cache (it empties itself when full).
const maxCachedBuckets = 10000

// loadBucket reads the addressed bucket.
func (c *call) loadBucket() error { return c.loadBucketFor(false) }

// loadBucketFor reads the addressed bucket (from the bucket cache when it
// holds it); with prefetch, when the request's versionId is valid, also the
// addressed version (as lookup reads it), for resolveObject — in the same
// store read when the bucket is not cached. An invalid versionId is left
// for Resolve to refuse, after the bucket's existence, as without prefetch.
func (c *call) loadBucketFor(prefetch bool) error {
	var b *store.Bucket
	var err error
	version, verr := "", error(nil)
	if prefetch {
		version, verr = c.versionParam()
	}
	if prefetch && verr == nil {
		var o *store.Object
		read := false // the version was read with the bucket
		load := func(ctx context.Context) (*store.Bucket, error) {
			// Not cached: bucket and version in one read.
			read = true
			var b *store.Bucket
			err := c.s.store.View(ctx, func(tx store.Tx) error {
				var err error
				if b, err = tx.GetBucket(ctx, c.bucket); err != nil {
					return err
				}
				o, err = lookupIn(ctx, tx, c.bucket, c.key, version)
				return err
			})
			return b, err
		}
		if c.s.buckets == nil {
			b, err = load(c.ctx)
		} else {
			b, err = c.s.buckets.Get(c.ctx, c.bucket, load)
		}
		if err == nil && !read {
			// The bucket came from the cache: the version alone, from the
			// object cache when there is one.
			lookup := func(ctx context.Context) (*store.Object, error) {
				var o *store.Object
				err := c.s.store.View(ctx, func(tx store.Tx) error {
					var err error
					o, err = lookupIn(ctx, tx, c.bucket, c.key, version)
					return err
				})
				return o, err
			}
			if c.s.objects == nil {
				o, err = lookup(c.ctx)
			} else {
				o, err = c.s.objects.get(c.ctx, recordAddr{c.bucket, c.key, version}, lookup)
			}
		}
		if err == nil {
			c.obj, c.version, c.prefetched = o, version, true
		}
	} else {
		b, err = c.s.bucket(c.ctx, c.bucket)
	}
	if errors.Is(err, store.ErrNotFound) {
		return noSuchBucket(c.bucket)
	}
	if err != nil {
		return err
	}
	c.b = b
	return nil
}

func noSuchBucket(name string) error {
	return awsapi.BucketNotFound.Of().With("BucketName", name)
}

// check declares one authorization check on a resource in bucket b (nil:
// no bucket yet), with the bucket's policy as the resource policy, its
// owner as the resource account and the Block Public Access configuration
// in force for it (the bucket's OR the owner account's). A stored policy
// that does not compile, or an account configuration that cannot be
// read, fails the check (and the request) rather than being ignored. The
// object is the request's own (c.obj) when b is its bucket.
func (c *call) check(b *store.Bucket, action, resource string, keys func(*call, func(string, ...string))) pipeline.Check {
	var o *store.Object
	if b != nil && b == c.b {
		o = c.obj
	}
	return c.checkOn(b, o, action, resource, keys)
}

// checkOn is check on object o of bucket b (nil: none). When the bucket's
// ACLs are enabled, the check carries the ACL that applies to the action
// (checkACL), and an object another account owns is that account's
// resource; the caller's canonical id is what its grants name.
func (c *call) checkOn(b *store.Bucket, o *store.Object, action, resource string, keys func(*call, func(string, ...string))) pipeline.Check {
	chk := authz.Check{Action: action, Resource: resource}
	if b != nil {
		chk.ResourceAccount = b.Account
		cp := c.s.policies.get(b)
		chk.ResourcePolicy, chk.ResourcePolicyErr = cp.policy, cp.err
		chk.PublicAccess, chk.PublicAccessErr = c.publicAccess(b)
		if acl, owner := c.checkACL(b, o, action); acl != nil {
			// IgnorePublicAcls: grants to AllUsers and AuthenticatedUsers
			// count for nothing.
			acl.IgnorePublic = chk.PublicAccess != nil && chk.PublicAccess.IgnorePublicAcls
			chk.ACL, chk.ResourceAccount = acl, owner
			if c.p != nil && c.p.Type != authz.TypeAnonymous {
				chk.CanonicalID = c.s.canonicalID(c.p.Account)
			}
		}
	}
	chk.MoreKeys = func(set func(string, ...string)) {
		if b != nil {
			set("s3:ResourceAccount", b.Account)
		}
		c.commonKeys(set)
		if keys != nil {
			keys(c, set)
		}
	}
	return pipeline.Check{Check: chk}
}

// soft marks a check whose denial the handler answers itself.
func soft(ch pipeline.Check) pipeline.Check {
	ch.Soft = true
	return ch
}

// plan is the plan of the given checks.
func plan(checks ...pipeline.Check) pipeline.Plan { return pipeline.Plan{Checks: checks} }

// commonKeys are the S3 condition keys of every request.
func (c *call) commonKeys(set func(string, ...string)) {
	switch {
	case c.sigV2:
		set("s3:signatureversion", "AWS")
		set("s3:authType", c.authType)
	case c.v != nil || c.authType == "POST":
		set("s3:signatureversion", sigv4.Algorithm)
		set("s3:authType", c.authType)
	}
	if c.v != nil {
		set("s3:x-amz-content-sha256", c.v.Auth.PayloadHash)
		if c.v.Auth.Mode == sigv4.ModePresigned {
			set("s3:x-amz-content-sha256", sigv4.UnsignedPayload)
		}
		age := c.info.Now.Sub(c.v.Auth.Time) / time.Millisecond
		set("s3:signatureAge", strconv.FormatInt(int64(max(age, 0)), 10))
	}
	if c.r.TLS != nil {
		set("s3:TlsVersion", tlsVersion(c.r.TLS.Version))
	}
}

func tlsVersion(v uint16) string {
	switch v {
	case 0x0304:
		return "1.3"
	case 0x0303:
		return "1.2"
	case 0x0302:
		return "1.1"
	}
	return "1.0"
}

// docCache keeps what was compiled from a bucket's stored document (its
// CORS rules; policies, which also carry bindings, use policyCache) by
// bucket and document text, so a changed document is compiled once and an
// unchanged one never again.
type docCache[T any] struct {
	mu      sync.Mutex
	entries map[string]docEntry[T]
	max     int
	compile func(bucket, doc string) T
}

type docEntry[T any] struct {
	doc string
	v   T
}

func newDocCache[T any](max int, compile func(bucket, doc string) T) *docCache[T] {
	return &docCache[T]{entries: map[string]docEntry[T]{}, max: max, compile: compile}
}

func (dc *docCache[T]) get(bucket, doc string) T {
	dc.mu.Lock()
	e, ok := dc.entries[bucket]
	dc.mu.Unlock()
	if ok && e.doc == doc {
		return e.v
	}
	v := dc.compile(bucket, doc)
	dc.mu.Lock()
	if len(dc.entries) >= dc.max {
		clear(dc.entries)
	}
	dc.entries[bucket] = docEntry[T]{doc: doc, v: v}
	dc.mu.Unlock()
	return v
}

// toS3Error maps any error to S3's code and message, in AWS's words: a
// denial as accessDeniedError words it, everything else through the one
// table in awsapi.
func toS3Error(err error, c *call) *awsapi.Error {
	var ae *awsapi.Error
	if errors.As(err, &ae) {
		return ae
	}
	var d *authz.DeniedError
	if errors.As(err, &d) {
		return accessDeniedError(d, c)
	}
	if errors.Is(err, blob.ErrUnavailable) {
		// The blob backend's upstream is overloaded or unreachable:
		// retryable, as S3 answers its own throttling.
		return awsapi.S3Busy.Of()
	}
	req := awsapi.S3Request{Presigned: c.r.Header.Get("Authorization") == "", V2AccessKeyID: c.q.Get("AWSAccessKeyId"), Region: c.s.region}
	if rest, ok := strings.CutPrefix(c.r.Header.Get("Authorization"), "AWS "); ok {
		req.V2AccessKeyID, _, _ = strings.Cut(rest, ":")
	}
	if a, perr := sigv4.Parse(c.r); perr == nil {
		req.AccessKeyID = a.AccessKeyID
	}
	return awsapi.S3Error(err, req)
}

// accessDeniedError is S3's AccessDenied. Like AWS, the message explains
// the denial to a caller of the bucket owner's own account and says only
// "Access Denied" to anyone else.
func accessDeniedError(d *authz.DeniedError, c *call) *awsapi.Error {
	if c.p == nil || c.p.Type == authz.TypeAnonymous || (c.b != nil && c.b.Account != c.p.Account) || (c.control && c.account() != c.p.Account) {
		return awsapi.S3AccessDenied.Of()
	}
	// S3 quotes the resource ARN in its messages, unlike IAM and STS.
	q := *d
	q.Resource = `"` + d.Resource + `"`
	return awsapi.S3AccessDeniedExplained.Of(q.Error())
}
