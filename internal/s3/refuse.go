package s3

import (
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

// What Gatehouse refuses rather than ignore: Object Lock fields of browser
// form uploads (PutObject, CopyObject and CreateMultipartUpload carry them),
// and ACLs other than the bucket owner's on buckets whose ACLs are disabled
// (BucketOwnerEnforced, AWS's default). The same step reads the ACL and
// owner of what a request creates (objectWrite, refuseBucketSettings). A
// request asking for any of these is answered with an error once it is
// authorized (a caller who may not act learns nothing more) and before its
// handler reads a byte of the body; silently storing an object without the
// protection its writer asked for is never an outcome.

// grantHeaders grant ACL permissions to named grantees.
var grantHeaders = []string{"x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-grant-full-control"}

// requestHeaders are what the request says about the object it writes: its
// headers, or a browser form's fields (whose ACL field is "acl").
func (c *call) requestHeaders() http.Header {
	if c.post == nil {
		return c.r.Header
	}
	h := http.Header{}
	for k, v := range c.post.fields {
		h.Set(k, v)
	}
	if acl := c.post.fields["acl"]; acl != "" {
		h.Set("x-amz-acl", acl)
	}
	return h
}

// refuse answers a request that asks for what Gatehouse does not do.
func (c *call) refuse() error {
	h := c.requestHeaders()
	switch c.op {
	case opCreateBucket:
		return c.refuseBucketSettings(h)
	case opPutObject, opCopyObject, opCreateUpload, opPostObject:
		// Encryption headers are the handlers' (sse.go: writeSpec).
		owner, grants, err := c.objectWrite(h)
		if err != nil {
			return err
		}
		c.writeOwner, c.writeACL = owner, grants
	}
	return nil
}

// refuseBucketSettings reads a new bucket's Object Ownership
// (x-amz-object-ownership, else the server's default) and ACL. With
// BucketOwnerEnforced, CreateBucket may say private or grant the owner full
// control, nothing more.
func (c *call) refuseBucketSettings(h http.Header) error {
	own := c.s.defaultOwnership
	if v := h.Get("x-amz-object-ownership"); v != "" {
		if !validOwnership(v) {
			return awsapi.ObjectOwnershipInvalid.Of().With("ArgumentName", "x-amz-object-ownership").With("ArgumentValue", v)
		}
		own = v
	}
	c.newOwnership = own
	if own == store.OwnershipEnforced {
		if acl := h.Get("x-amz-acl"); acl != "" && acl != "private" {
			return awsapi.BucketACLWithOwnership.Of()
		}
		for _, g := range grantHeaders {
			if v := h.Get(g); v != "" && !(g == "x-amz-grant-full-control" && grantsOnly(v, c.s.canonicalID(c.p.Account))) {
				return awsapi.BucketACLWithOwnership.Of()
			}
		}
		return nil
	}
	if c.s.blockPublicAccess && publicACL(h) {
		// The new bucket starts with all four Block Public Access settings
		// on: S3 refuses to create it with a public ACL rather than store
		// grants that would apply the moment the settings are turned off.
		return awsapi.BucketACLWithBlockPublicAccess.Of()
	}
	grants, err := c.headerACL(h, c.p.Account, c.p.Account)
	c.newACL = grants
	return err
}

// ownerOnlyObjectACL reports whether an object write's ACL headers give
// the bucket owner (canonical id) full control and nobody anything: no
// ACL, the bucket-owner-full-control canned ACL, or a full-control grant
// to the owner alone (what a bucket with ACLs disabled accepts).
func ownerOnlyObjectACL(h http.Header, owner string) bool {
	if acl := h.Get("x-amz-acl"); acl != "" && acl != "bucket-owner-full-control" {
		return false
	}
	for _, g := range grantHeaders {
		if v := h.Get(g); v != "" && !(g == "x-amz-grant-full-control" && grantsOnly(v, owner)) {
			return false
		}
	}
	return true
}

// grantsOnly reports whether an x-amz-grant-* value (id="…", uri="…",
// emailAddress="…", comma-separated) names the canonical user id alone.
func grantsOnly(v, id string) bool {
	for _, g := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(g), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "id") || strings.Trim(strings.TrimSpace(val), `"`) != id {
			return false
		}
	}
	return true
}

// aclKeys are the condition keys of a request's ACL headers (s3:x-amz-acl,
// s3:x-amz-grant-*).
func aclKeys(h http.Header, set func(string, ...string)) {
	if v := h.Get("x-amz-acl"); v != "" {
		set("s3:x-amz-acl", v)
	}
	for _, g := range grantHeaders {
		if v := h.Get(g); v != "" {
			set("s3:"+g, v)
		}
	}
}
