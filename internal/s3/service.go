package s3

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/gencache"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/s3/cors"
	"github.com/gatehouse/gatehouse/internal/s3/lifecycle"
	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/sse"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Authenticator verifies signed requests (internal/authz.Authenticator).
type Authenticator interface {
	Verify(ctx context.Context, r *http.Request, req authz.AuthRequest) (*authz.Verified, error)
	VerifyQueryV2(ctx context.Context, r *http.Request, resource string) (*authz.Principal, error)
	VerifyHeaderV2(ctx context.Context, r *http.Request, resource string) (*authz.Principal, error)
	VerifyPostV2(ctx context.Context, akid, sessionToken, policy, signature string) (*authz.Principal, error)
	PostKey(ctx context.Context, akid, sessionToken, date, region, service string) (*authz.Principal, [32]byte, error)
}

// Driver runs a request through the pipeline (internal/pipeline.Driver).
type Driver interface {
	Serve(ctx context.Context, x pipeline.Exchange, rec *pipeline.Record)
}

// Config are a Service's dependencies.
type Config struct {
	Store    store.Store
	Blobs    blob.Store
	Authn    Authenticator
	Pipeline Driver
	Region   string
	// Domain enables virtual-host-style addressing: a request for host
	// BUCKET.Domain (any port) addresses BUCKET. Empty: path style only.
	Domain string
	// BlockPublicAccess turns all four Block Public Access settings on for
	// every new bucket, as AWS does since April 2023 (off: new buckets
	// have no configuration; the account's still applies).
	BlockPublicAccess bool
	// MFA unseals virtual MFA device secrets for MFA Delete (the keyring's
	// master key); nil: x-amz-mfa codes are refused.
	MFA authz.Opener
	Now func() time.Time
	Log *slog.Logger
	// Keys seals and opens objects' data keys (nil: requests for
	// encryption are refused, and encrypted objects cannot be read).
	Keys *sse.Keyring
	// EncryptAll encrypts every object whose write asks for no encryption
	// and whose bucket has no default with SSE-S3, as S3 does.
	EncryptAll bool
	// InlineMax is the largest object a PUT keeps inside its record
	// instead of a blob (store.BlobRef.Data): one store commit instead of
	// a blob file's writes and syncs. 0: none.
	InlineMax int64
	// CacheBuckets caches bucket records between requests: only for a
	// store no other process writes buckets to (one node; bucketcache.go).
	CacheBuckets bool
	// Objects, when set, is the store's write generation, and GetObject
	// and HeadObject read records through a cache it invalidates
	// (objectcache.go): only for a store whose every commit it counts.
	Objects WriteGenerations
	// SSECAllowHTTP accepts customer-provided keys over plain HTTP (S3
	// refuses them).
	SSECAllowHTTP bool
	// FreeDelay, when positive, is how long a blob freed by an overwrite
	// or delete is kept before the sweeper deletes it: several nodes share
	// the store and may be reading it (read leases are per process). Zero:
	// one node, blobs deleted as soon as no read of this process uses them.
	FreeDelay time.Duration
	// Node names this process as the holder of background passes' leases
	// (NewNodeID; "" makes one up).
	Node string
	// CanonicalKey keys accounts' canonical user ids (a key the master
	// key derives: keyring.Master.Derive); it must not change for an
	// installation, or stored ACL grants name nobody.
	CanonicalKey []byte
	// DefaultObjectOwnership is the Object Ownership of a bucket created
	// without x-amz-object-ownership ("" is BucketOwnerEnforced, S3's
	// default: ACLs disabled).
	DefaultObjectOwnership string
	// MFAAllowHTTP accepts x-amz-mfa over plain HTTP (S3 requires HTTPS
	// for requests carrying it).
	MFAAllowHTTP bool
}

// Service is the S3 front end and domain.
type Service struct {
	store    store.Store
	blobs    blob.Store
	authn    Authenticator
	pipeline Driver
	region   string
	domain   string
	mfa      authz.Opener
	// blockPublicAccess: new buckets start with allBlocked.
	blockPublicAccess bool
	now               func() time.Time
	log               *slog.Logger
	policies          *policyCache
	// accountPABs are the accounts' Block Public Access configurations.
	accountPABs *gencache.Cache[string, *store.PublicAccessBlock]
	// buckets are the bucket records by name (nil: not cached, see
	// bucketcache.go): shared by concurrent requests, so read-only (every
	// change re-reads the bucket inside its store transaction:
	// updateBucket).
	buckets *gencache.Cache[string, *store.Bucket]
	// objects are GET and HEAD's records (nil: not cached).
	objects *objectCache
	cors    *docCache[*cors.Config]
	// lifecycles are the buckets' parsed lifecycle configurations (for
	// x-amz-expiration).
	lifecycles *docCache[*lifecycle.Config]
	leases     *leases
	// copyBufs holds copyBufSize buffers for streaming object bytes.
	copyBufs *sync.Pool
	// keys, encryptAll, sseCAllowHTTP, mfaAllowHTTP: Config's Keys,
	// EncryptAll, SSECAllowHTTP and MFAAllowHTTP.
	keys          *sse.Keyring
	encryptAll    bool
	sseCAllowHTTP bool
	canon         *canonicalIDs
	// defaultOwnership is a new bucket's Object Ownership.
	defaultOwnership string
	mfaAllowHTTP     bool
	// freeDelay and node: Config's FreeDelay and Node.
	freeDelay time.Duration
	node      string
	// inlineMax: Config's InlineMax (-1 when 0: no body is that small).
	inlineMax int64
}

// New builds a Service.
func New(c Config) *Service {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.DefaultObjectOwnership == "" {
		c.DefaultObjectOwnership = store.OwnershipEnforced
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Node == "" {
		c.Node = NewNodeID("gatehouse")
	}
	inlineMax := c.InlineMax
	if inlineMax <= 0 {
		inlineMax = -1
	}
	st := c.Store
	var buckets *gencache.Cache[string, *store.Bucket]
	if c.CacheBuckets {
		writes := &bucketWrites{}
		st = watchedStore{Store: c.Store, writes: writes}
		buckets = gencache.New[string, *store.Bucket](writes, maxCachedBuckets)
	}
	var objects *objectCache
	if c.Objects != nil {
		objects = newObjectCache(c.Objects, maxCachedObjectBytes)
	}
	return &Service{store: st, blobs: c.Blobs, authn: c.Authn, pipeline: c.Pipeline, region: c.Region,
		domain: strings.ToLower(c.Domain), blockPublicAccess: c.BlockPublicAccess, mfa: c.MFA, now: c.Now, log: c.Log,
		policies: newPolicyCache(1024), accountPABs: gencache.New[string, *store.PublicAccessBlock](c.Store, 10000),
		buckets: buckets, objects: objects, cors: newDocCache(1024, compileCORS),
		lifecycles: newDocCache(1024, compileLifecycle), leases: newLeases(),
		copyBufs: newCopyBufs(), inlineMax: inlineMax, keys: c.Keys, encryptAll: c.EncryptAll, sseCAllowHTTP: c.SSECAllowHTTP, mfaAllowHTTP: c.MFAAllowHTTP,
		canon: &canonicalIDs{key: c.CanonicalKey, ids: map[string]string{}}, defaultOwnership: c.DefaultObjectOwnership,
		freeDelay: c.FreeDelay, node: c.Node}
}

// Node names this process as a holder of background passes' leases.
func (s *Service) Node() string { return s.node }

// call is one S3 request on its way through the pipeline.
type call struct {
	s      *Service
	w      http.ResponseWriter
	r      *http.Request
	ctx    context.Context
	id     string // request id
	q      url.Values
	op     *operation
	p      *authz.Principal
	v      *authz.Verified // nil for anonymous and form uploads
	info   authz.RequestInfo
	bucket string
	key    string
	vhost  bool          // the bucket came from the Host header
	b      *store.Bucket // loaded for bucket and object operations
	// authType is s3:authType: REST-HEADER, REST-QUERY-STRING or POST.
	authType string
	// sigV2 marks a Signature Version 2 presigned URL.
	sigV2 bool
	// postPolicy is a browser upload's verified policy.
	postPolicy *sigv4.PostPolicy
	// post is a browser upload's form, read up to its file.
	post *postUpload

	// rec is the request's decision record.
	rec *pipeline.Record
	// outcomes are the decisions of the plan's checks.
	outcomes pipeline.Outcomes
	// obj is the addressed object as resolve read it (nil: missing), and
	// listCheck the index of the soft s3:ListBucket check that decides
	// between 404 and 403 for a missing key (-1: none declared).
	obj       *store.Object
	listCheck int
	// prefetched: loadBucketFor read obj (for version) with the bucket,
	// and resolveObject has not used it yet.
	prefetched bool
	// version is the request's versionId ("": none), read by Resolve for
	// operations that take one; mfaOK: the request passed MFA Delete's
	// check (checkMFA).
	version string
	mfaOK   bool
	// bypass: the request asked to bypass governance retention and was
	// allowed s3:BypassGovernanceRetention (resolveBypass).
	bypass bool
	// lockRead, for GET and HEAD in an Object Lock bucket, are the indexes
	// of the soft s3:GetObjectRetention and s3:GetObjectLegalHold checks
	// that decide whether the response shows the lock (nil: none).
	lockRead []int
	// stash carries what an operation's resolve step prepared for its
	// handler (parsed request bodies, copy sources).
	stash any
	// control marks an S3 Control request (control.go).
	control bool
	// writeOwner and writeACL are the owner and ACL of the object a write
	// creates (objectWrite); newOwnership and newACL a new bucket's.
	// replaced is the current object a write by another account than the
	// bucket owner's would replace (loadReplaced), for the bucket ACL's
	// WRITE.
	replaced     *store.Object
	writeOwner   string
	writeACL     []store.Grant
	newOwnership string
	newACL       []store.Grant
}

var _ pipeline.Exchange = (*call)(nil)

// Serve answers one S3 request through the pipeline: route, authenticate,
// resolve (the bucket, the object, the checks), authorize, handle. rec is
// the request's record, started by the server (its RequestID is echoed in
// x-amz-request-id); Serve fills in what S3 saw.
func (s *Service) Serve(w http.ResponseWriter, r *http.Request, rec *pipeline.Record) {
	requestID := rec.RequestID
	c := &call{s: s, w: w, r: r, ctx: r.Context(), id: requestID, q: r.URL.Query(), listCheck: -1}
	w.Header().Set("x-amz-request-id", requestID)
	w.Header().Set("x-amz-id-2", requestID)
	if isControl(r) {
		c.control = true
	} else {
		c.bucket, c.key, c.vhost = s.target(r)
	}
	rec.Service, rec.Bucket, rec.Key, rec.Params = "s3", c.bucket, c.key, c.q
	c.rec = rec
	s.pipeline.Serve(c.ctx, c, rec)
	if c.p != nil && c.p.Type != authz.TypeAnonymous {
		rec.Auth, rec.SignatureVersion = authMethods[c.authType], "SigV4"
		if c.sigV2 {
			rec.SignatureVersion = "SigV2"
		}
	}
	if s.log.Enabled(c.ctx, slog.LevelDebug) {
		who := ""
		if c.p != nil {
			who = c.p.ARN
		}
		s.log.Debug("s3 request", "request_id", requestID, "method", r.Method, "operation", rec.Operation, "bucket", c.bucket,
			"principal", who, "payload", r.Header.Get("x-amz-content-sha256"), "error", rec.ErrorCode)
	}
}

// authMethods names s3:authType values as the record does.
var authMethods = map[string]string{"REST-HEADER": "header", "REST-QUERY-STRING": "query", "POST": "post"}

// Authenticate routes the request to its operation and names the caller:
// SigV4 (header or presigned), SigV2 presigned, a browser form's signed
// policy, or anonymous. A CORS preflight carries no credentials.
func (c *call) Authenticate(ctx context.Context) (*authz.Principal, authz.RequestInfo, error) {
	op, err := c.operation()
	if err != nil {
		return nil, authz.RequestInfo{}, err
	}
	c.op, c.rec.Operation = op, op.name
	c.info = c.requestInfo()
	switch op {
	case opPreflight:
		c.p = authz.Anonymous()
	case opPostObject:
		// Browser form uploads carry their credential in the form.
		if err := c.postAuthenticateForm(); err != nil {
			return nil, authz.RequestInfo{}, err
		}
	default:
		if err := c.authenticate(); err != nil {
			return nil, authz.RequestInfo{}, err
		}
		// aws:RequestedRegion is the region a SigV4 request was signed for.
		if c.v != nil {
			c.info.Region = c.v.Auth.Region
		}
	}
	return c.p, c.info, nil
}

// Resolve loads the bucket the operation addresses and returns its checks.
func (c *call) Resolve(ctx context.Context) (pipeline.Plan, error) {
	// S3 requires HTTPS for any request carrying an MFA code.
	if c.r.Header.Get("x-amz-mfa") != "" && c.r.TLS == nil && !c.s.mfaAllowHTTP {
		return pipeline.Plan{}, awsapi.MFAInsecure.Of()
	}
	if c.op.level >= levelBucket && c.b == nil {
		if err := c.loadBucketFor(c.op.prefetch); err != nil {
			return pipeline.Plan{}, err
		}
		c.corsHeaders()
	}
	if c.op.noCheck != "" {
		return pipeline.Plan{NoCheck: c.op.noCheck}, nil
	}
	if c.op.versionAction != "" {
		var err error
		if c.version, err = c.versionParam(); err != nil {
			return pipeline.Plan{}, err
		}
	}
	if c.op.resolve != nil {
		return c.op.resolve(c)
	}
	return plan(c.check(c.b, c.action(), c.resource(), versionKey(c.version, c.op.keys))), nil
}

// Handle runs the operation's handler with the decisions of its checks.
func (c *call) Handle(ctx context.Context, o pipeline.Outcomes) error {
	c.outcomes = o
	if c.op != opPreflight {
		if err := c.refuse(); err != nil {
			return err
		}
	}
	return c.op.handle(c)
}

// Fail writes err as S3's XML error and returns its code and message.
func (c *call) Fail(err error) (string, string) {
	e := toS3Error(err, c)
	if e.HTTPStatus() >= 500 {
		c.s.log.Error("s3 request failed", "request_id", c.id, "method", c.r.Method, "bucket", c.bucket, "err", err)
	}
	if c.control {
		awsapi.WriteS3ControlError(c.w, e, c.id)
		return e.Code, e.Message
	}
	awsapi.WriteS3Error(c.w, c.r, e, c.id)
	return e.Code, e.Message
}

// requestInfo is what the HTTP request contributes to policy evaluation.
func (c *call) requestInfo() authz.RequestInfo {
	ip := c.r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	return authz.RequestInfo{Now: c.s.now(), SourceIP: ip, SecureTransport: c.r.TLS != nil, Region: c.s.region, UserAgent: c.r.UserAgent()}
}

// target extracts the bucket and key from a virtual-host or path-style
// request.
func (s *Service) target(r *http.Request) (bucket, key string, vhost bool) {
	path := r.URL.Path
	if s.domain != "" {
		host := strings.ToLower(r.Host)
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if b, ok := strings.CutSuffix(host, "."+s.domain); ok && b != "" {
			return b, strings.TrimPrefix(path, "/"), true
		}
	}
	path = strings.TrimPrefix(path, "/")
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key, false
}

// resource is the ARN the operation acts on.
func (c *call) resource() string {
	switch c.op.level {
	case levelObject:
		return objectARN(c.bucket, c.key)
	case levelBucket:
		return bucketARN(c.bucket)
	}
	return "*"
}

func bucketARN(b string) string      { return "arn:aws:s3:::" + b }
func objectARN(b, k string) string   { return "arn:aws:s3:::" + b + "/" + k }
func quoteETag(md5hex string) string { return `"` + md5hex + `"` }
