package s3

import (
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/binding"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/s3/cors"
	"github.com/gatehouse/gatehouse/internal/store"
)

// validBucketName applies S3's general-purpose bucket naming rules.
func validBucketName(n string) bool {
	if len(n) < 3 || len(n) > 63 {
		return false
	}
	for i := 0; i < len(n); i++ {
		ch := n[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-') {
			return false
		}
	}
	first, last := n[0], n[len(n)-1]
	if first == '.' || first == '-' || last == '.' || last == '-' {
		return false
	}
	if strings.Contains(n, "..") || strings.Contains(n, ".-") || strings.Contains(n, "-.") {
		return false
	}
	if net.ParseIP(n) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(n, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(n, s) {
			return false
		}
	}
	return true
}

// maxBucketsPage is ListBuckets' page size limit (and its page size when
// the request pages without max-buckets).
const maxBucketsPage = 10000

// listBuckets lists the caller's buckets a page at a time: max-buckets,
// continuation-token (the last name of the previous page, encoded), prefix
// and bucket-region, as S3 pages them.
func (c *call) listBuckets() error {
	q := store.BucketQuery{Prefix: c.q.Get("prefix"), Region: c.q.Get("bucket-region")}
	limit := maxBucketsPage
	if v, ok := c.q["max-buckets"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 0 {
			return awsapi.ArgumentNotAnInteger.Of("max-buckets").With("ArgumentName", "max-buckets").With("ArgumentValue", v[0])
		}
		if n < 1 || n > maxBucketsPage {
			return awsapi.MaxBucketsInvalid.Of().With("ArgumentName", "max-buckets").With("ArgumentValue", v[0])
		}
		limit = n
	}
	if tok, ok := c.q["continuation-token"]; ok {
		raw, err := base64.RawURLEncoding.DecodeString(tok[0])
		if err != nil || tok[0] == "" {
			return awsapi.ContinuationTokenInvalid.Of().With("ArgumentName", "continuation-token")
		}
		q.After = string(raw)
	}
	q.Limit = limit + 1
	var list []*store.Bucket
	err := c.s.store.View(c.ctx, func(tx store.Tx) error {
		var err error
		list, err = tx.ListBuckets(c.ctx, c.p.Account, q)
		return err
	})
	if err != nil {
		return err
	}
	res := &listAllMyBucketsResult{Xmlns: xmlns, Owner: c.s.owner(c.p.Account), Buckets: []bucketXML{}}
	if _, ok := c.q["prefix"]; ok {
		res.Prefix = &q.Prefix
	}
	if len(list) > limit {
		list = list[:limit]
		res.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(list[limit-1].Name))
	}
	for _, b := range list {
		res.Buckets = append(res.Buckets, bucketXML{Name: b.Name, CreationDate: isoTime(b.CreatedAt), BucketRegion: c.s.regionOf(b)})
	}
	return c.writeXML(res)
}

func (s *Service) regionOf(b *store.Bucket) string {
	if b.Region == "" {
		return "us-east-1"
	}
	return b.Region
}

// resolveCreateBucket validates the name and reads the configuration, then
// declares s3:CreateBucket (and s3:PutBucketAcl when the request grants).
func (c *call) resolveCreateBucket() (pipeline.Plan, error) {
	if !validBucketName(c.bucket) {
		return pipeline.Plan{}, awsapi.BucketNameInvalid.Of().With("BucketName", c.bucket)
	}
	var conf createBucketConfiguration
	data, err := c.readBody(maxXMLBody)
	if err != nil {
		return pipeline.Plan{}, err
	}
	if len(strings.TrimSpace(string(data))) > 0 {
		if err := xmlUnmarshal(data, &conf); err != nil {
			return pipeline.Plan{}, err
		}
	}
	region, err := c.s.locationConstraint(conf.LocationConstraint, c.info.Region)
	if err != nil {
		return pipeline.Plan{}, err
	}
	c.stash = region
	acl := c.r.Header.Get("x-amz-acl")
	keys := func(_ *call, set func(string, ...string)) {
		set("s3:LocationConstraint", c.s.regionOrDefault(region))
		if acl != "" {
			set("s3:x-amz-acl", acl)
		}
	}
	create := c.check(nil, "s3:CreateBucket", bucketARN(c.bucket), keys)
	if publicACL(c.r.Header) {
		// A new bucket has no configuration yet: the account's applies.
		create = c.withPublicACL(create)
		create.PublicAccess, create.PublicAccessErr = c.accountPublicAccess(c.p.Account)
	}
	checks := []pipeline.Check{create}
	if grantsACL(c.r.Header) {
		checks = append(checks, c.check(nil, "s3:PutBucketAcl", bucketARN(c.bucket), keys))
	}
	if c.r.Header.Get("x-amz-object-ownership") != "" {
		checks = append(checks, c.check(nil, "s3:PutBucketOwnershipControls", bucketARN(c.bucket), keys))
	}
	return plan(checks...), nil
}

func (c *call) createBucket() error {
	region := c.stash.(string)
	b := &store.Bucket{Name: c.bucket, Account: c.p.Account, Region: region, CreatedAt: c.s.now().UTC(),
		Ownership: c.newOwnership, ACL: c.newACL}
	if c.s.blockPublicAccess {
		b.PublicAccessBlock = allBlocked()
	}
	if strings.EqualFold(c.r.Header.Get("x-amz-bucket-object-lock-enabled"), "true") {
		// Object Lock enables versioning, for good.
		b.ObjectLock, b.Versioning = true, store.VersioningEnabled
	}
	err := c.s.store.Update(c.ctx, func(tx store.Tx) error {
		if old, err := tx.GetBucket(c.ctx, c.bucket); err == nil {
			if old.Account == c.p.Account {
				if old.Region == "" && region == "" {
					// us-east-1 answers its owner's repeated CreateBucket
					// with 200 (S3's legacy behaviour there).
					return errRecreated
				}
				return awsapi.BucketAlreadyOwned.Of().With("BucketName", c.bucket)
			}
			return awsapi.BucketNameTaken.Of().With("BucketName", c.bucket)
		}
		return tx.CreateBucket(c.ctx, b)
	})
	if errors.Is(err, store.ErrExists) {
		return awsapi.BucketNameTaken.Of().With("BucketName", c.bucket)
	}
	if err != nil && err != errRecreated {
		return err
	}
	c.w.Header().Set("Location", "/"+c.bucket)
	c.emptyOK()
	return nil
}

// errRecreated: CreateBucket of a us-east-1 bucket its owner already has
// (nothing to write; the answer is 200).
var errRecreated = errors.New("s3: bucket recreated by its owner in us-east-1")

// locationConstraint checks a CreateBucket location against the region
// this endpoint serves, as a regional S3 endpoint does; it returns the
// region to record ("" for us-east-1). A request signed for another
// region name (S3-compatible clients sign with "auto" or their vendor's
// region; signing-regions accepts them) is answered as that region: its
// location may be that name or absent (then the server's region).
func (s *Service) locationConstraint(lc, signed string) (string, error) {
	if signed != "" && signed != s.region {
		switch lc {
		case "":
			lc = s.region
		case signed:
		default:
			return "", awsapi.LocationConstraintElsewhere.Of(lc)
		}
		if lc == "us-east-1" {
			return "", nil
		}
		return lc, nil
	}
	if lc == "" {
		if s.region != "us-east-1" {
			return "", awsapi.LocationConstraintMissing.Of()
		}
		return "", nil
	}
	if lc == "us-east-1" || lc == "EU" && s.region != "eu-west-1" {
		return "", awsapi.LocationConstraintInvalid.Of().With("LocationConstraint", lc)
	}
	if lc == "EU" {
		lc = "eu-west-1"
	}
	if lc != s.region {
		return "", awsapi.LocationConstraintElsewhere.Of(lc)
	}
	return lc, nil
}

func (s *Service) regionOrDefault(r string) string {
	if r == "" {
		return "us-east-1"
	}
	return r
}

// grantsACL reports whether a request sets an ACL beyond the owner's
// default (which needs s3:PutBucketAcl or s3:PutObjectAcl as well).
func grantsACL(h http.Header) bool {
	if acl := h.Get("x-amz-acl"); acl != "" && acl != "private" && acl != "bucket-owner-full-control" {
		return true
	}
	for _, g := range []string{"x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-grant-full-control"} {
		if h.Get(g) != "" {
			return true
		}
	}
	return false
}

func (c *call) headBucket() error {
	h := c.w.Header()
	h.Set("x-amz-bucket-region", c.s.regionOf(c.b))
	h.Set("Content-Type", "application/xml")
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// deleteBucket deletes an empty bucket, in a transaction scoped to the
// whole bucket (store.UpdateIn): on PostgreSQL it waits for the writers
// adding objects or uploads to it and sees what they committed.
func (c *call) deleteBucket() error {
	err := store.UpdateIn(c.ctx, c.s.store, store.Scope{Bucket: c.bucket}, func(tx store.Tx) error {
		busy, err := tx.BucketHasObjects(c.ctx, c.bucket)
		if err != nil {
			return err
		}
		if busy {
			return awsapi.BucketNotEmpty.Of().With("BucketName", c.bucket)
		}
		return tx.DeleteBucket(c.ctx, c.bucket)
	})
	if errors.Is(err, store.ErrNotFound) {
		return noSuchBucket(c.bucket)
	}
	if err != nil {
		return err
	}
	c.noContent()
	return nil
}

func (c *call) noContent() { c.w.WriteHeader(http.StatusNoContent) }

// emptyOK answers 200 with an empty body.
func (c *call) emptyOK() {
	c.w.Header().Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
}

func (c *call) getBucketLocation() error {
	return c.writeXML(&locationConstraint{Xmlns: xmlns, Value: c.b.Region})
}

// updateBucket applies fn to the current bucket record in one transaction.
func (c *call) updateBucket(fn func(b *store.Bucket) error) error {
	err := c.s.store.Update(c.ctx, func(tx store.Tx) error {
		b, err := tx.GetBucket(c.ctx, c.bucket)
		if err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
		return tx.UpdateBucket(c.ctx, b)
	})
	if errors.Is(err, store.ErrNotFound) {
		return noSuchBucket(c.bucket)
	}
	return err
}

// maxBucketPolicy is S3's bucket policy size limit.
const maxBucketPolicy = 20 * 1024

// resolvePolicyAPI applies S3's special rules for the bucket policy APIs:
// the bucket owner's root may always use them (a policy cannot lock its
// owner out), and identities of other accounts never may (403 without the
// permission, 405 with it: see policyAPIAccount).
func (c *call) resolvePolicyAPI() (pipeline.Plan, error) {
	if c.p.Account == c.b.Account && c.p.IsRoot() {
		return pipeline.Plan{NoCheck: "the bucket owner's root may always manage the bucket policy, as in S3"}, nil
	}
	return plan(c.check(c.b, c.op.action, bucketARN(c.bucket), nil)), nil
}

// policyAPIAccount refuses, after authorization, a caller of another
// account (S3 answers 405 once the permission is there).
func (c *call) policyAPIAccount() error {
	if c.p.Account != c.b.Account {
		return methodNotAllowed(c.r.Method, "BUCKET")
	}
	return nil
}

func (c *call) getBucketPolicy() error {
	if err := c.policyAPIAccount(); err != nil {
		return err
	}
	if c.b.Policy == "" {
		return awsapi.BucketPolicyNotFound.Of().With("BucketName", c.bucket)
	}
	// Bound principals whose entity is gone show as its unique id.
	doc := c.b.Policy
	if err := c.s.store.View(c.ctx, func(tx store.Tx) error {
		var err error
		doc, err = binding.Show(c.ctx, tx, c.b.Policy, c.b.PolicyPrincipals)
		return err
	}); err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/json")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write([]byte(doc))
	return nil
}

func (c *call) putBucketPolicy() error {
	if err := c.policyAPIAccount(); err != nil {
		return err
	}
	body := c.stash.(*policyBody)
	data, err := body.data, body.err
	if err != nil {
		return err
	}
	if len(data) > maxBucketPolicy {
		return awsapi.BucketPolicyTooLarge.Of()
	}
	doc := string(data)
	d, err := validateBucketPolicy(doc, c.bucket)
	if err != nil {
		return err
	}
	// The users and roles the policy names must exist; the policy names
	// those entities (their unique ids), not whoever holds the names later.
	err = c.s.store.Update(c.ctx, func(tx store.Tx) error {
		bound, err := binding.Bind(c.ctx, tx, d)
		var ip *binding.InvalidPrincipalError
		if errors.As(err, &ip) {
			return awsapi.BucketPolicyInvalidPrincipal.Of()
		}
		if err != nil {
			return err
		}
		b, err := tx.GetBucket(c.ctx, c.bucket)
		if err != nil {
			return err
		}
		b.Policy, b.PolicyPrincipals = doc, bound
		return tx.UpdateBucket(c.ctx, b)
	})
	if errors.Is(err, store.ErrNotFound) {
		return noSuchBucket(c.bucket)
	}
	if err != nil {
		return err
	}
	c.noContent()
	return nil
}

// validateBucketPolicy checks a bucket policy as S3 does: the policy
// grammar for resource policies, and every Resource inside this bucket.
func validateBucketPolicy(doc, bucket string) (*policy.Document, error) {
	d, err := policy.Validate(doc, policy.Resource)
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return nil, awsapi.BucketPolicyRejected.Of(pe.Message)
		}
		return nil, awsapi.BucketPolicyNotJSON.Of()
	}
	for _, st := range d.Statements {
		if len(st.Principal) == 0 && len(st.NotPrincipal) == 0 {
			return nil, awsapi.BucketPolicyMissingPrincipal.Of()
		}
		for _, r := range append(append([]string{}, st.Resource...), st.NotResource...) {
			if r == "*" || r == "arn:aws:s3:::*" {
				continue
			}
			rest, ok := strings.CutPrefix(r, "arn:aws:s3:::")
			name, _, _ := strings.Cut(rest, "/")
			if !ok || !policy.Glob(name, bucket) {
				return nil, awsapi.BucketPolicyInvalidResource.Of()
			}
		}
		for _, a := range append(append([]string{}, st.Action...), st.NotAction...) {
			if a != "*" && !strings.HasPrefix(strings.ToLower(a), "s3:") {
				return nil, awsapi.BucketPolicyInvalidAction.Of()
			}
		}
	}
	return d, nil
}

func (c *call) deleteBucketPolicy() error {
	if err := c.policyAPIAccount(); err != nil {
		return err
	}
	if err := c.updateBucket(func(b *store.Bucket) error { b.Policy, b.PolicyPrincipals = "", nil; return nil }); err != nil {
		return err
	}
	c.noContent()
	return nil
}

func (c *call) getBucketCors() error {
	if c.b.CORS == "" {
		return awsapi.CORSConfigurationNotFound.Of().With("BucketName", c.bucket)
	}
	cfg, err := cors.Parse([]byte(c.b.CORS))
	if err != nil {
		return err
	}
	data := cfg.XML()
	h := c.w.Header()
	h.Set("Content-Type", "application/xml")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(data)
	return nil
}

func (c *call) putBucketCors() error {
	data, err := c.readBody(64 * 1024)
	if err != nil {
		return err
	}
	cfg, err := cors.Parse(data)
	if err != nil {
		var ce *cors.Error
		if errors.As(err, &ce) {
			if ce.Code == cors.CodeMalformedXML {
				return awsapi.CORSConfigurationMalformed.Of(ce.Message)
			}
			return awsapi.CORSConfigurationInvalid.Of(ce.Message)
		}
		return awsapi.XMLMalformed.Of()
	}
	doc := string(cfg.XML())
	if err := c.updateBucket(func(b *store.Bucket) error { b.CORS = doc; return nil }); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (c *call) deleteBucketCors() error {
	if err := c.updateBucket(func(b *store.Bucket) error { b.CORS = ""; return nil }); err != nil {
		return err
	}
	c.noContent()
	return nil
}

func (c *call) getBucketTagging() error {
	if len(c.b.Tags) == 0 {
		return awsapi.BucketTagSetNotFound.Of().With("BucketName", c.bucket)
	}
	return c.writeXML(tagsXML(c.b.Tags))
}

func (c *call) putBucketTagging() error {
	tags, err := c.readTagging(50)
	if err != nil {
		return err
	}
	if err := c.updateBucket(func(b *store.Bucket) error { b.Tags = tags; return nil }); err != nil {
		return err
	}
	c.noContent()
	return nil
}

func (c *call) deleteBucketTagging() error {
	if err := c.updateBucket(func(b *store.Bucket) error { b.Tags = nil; return nil }); err != nil {
		return err
	}
	c.noContent()
	return nil
}
