package s3

import (
	"bytes"
	"encoding/xml"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/awsapi"
)

// ACLs. Every bucket is BucketOwnerEnforced (S3's default since 2023): ACLs
// are disabled, the bucket owner owns every object, and policies alone
// decide access. Reading an ACL answers the owner's full control; setting
// one succeeds only when it grants exactly that (as S3 accepts), and is
// AccessControlListNotSupported otherwise.

// aclRequest is a PutBucketAcl or PutObjectAcl AccessControlPolicy.
type aclRequest struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Grants  []struct {
		Grantee struct {
			ID    string `xml:"ID"`
			URI   string `xml:"URI"`
			Email string `xml:"EmailAddress"`
		} `xml:"Grantee"`
		Permission string `xml:"Permission"`
	} `xml:"AccessControlList>Grant"`
}

// aclHeaders reports whether a request sets its ACL by headers (a canned
// ACL or grants) rather than by an AccessControlPolicy document.
func aclHeaders(h http.Header) bool {
	if h.Get("x-amz-acl") != "" {
		return true
	}
	for _, g := range grantHeaders {
		if h.Get(g) != "" {
			return true
		}
	}
	return false
}

// aclHeaderKeys are PutBucketAcl's and PutObjectAcl's condition keys.
func (c *call) aclHeaderKeys(set func(string, ...string)) { aclKeys(c.r.Header, set) }

// ownerOnlyACL reads the ACL a PutBucketAcl or PutObjectAcl sets (headers
// or document) and refuses any that grants more than the owner's full
// control. cannedOK is the canned ACL that says so (objects:
// bucket-owner-full-control; buckets have none).
func (c *call) ownerOnlyACL(owner, cannedOK string) error {
	h := c.r.Header
	if aclHeaders(h) {
		if acl := h.Get("x-amz-acl"); acl != "" && acl != cannedOK {
			return awsapi.ACLNotSupported.Of()
		}
		for _, g := range grantHeaders {
			if v := h.Get(g); v != "" && !(g == "x-amz-grant-full-control" && grantsOnly(v, owner)) {
				return awsapi.ACLNotSupported.Of()
			}
		}
		return nil
	}
	// resolvePutACL read the document.
	body := c.stash.(*aclBody)
	if body.err != nil {
		return body.err
	}
	if len(bytes.TrimSpace(body.data)) == 0 {
		return awsapi.XMLMalformed.Of()
	}
	var req aclRequest
	if err := xmlUnmarshal(body.data, &req); err != nil {
		return err
	}
	if len(req.Grants) != 1 {
		return awsapi.ACLNotSupported.Of()
	}
	g := req.Grants[0]
	if g.Permission != "FULL_CONTROL" || g.Grantee.ID != owner || g.Grantee.URI != "" || g.Grantee.Email != "" {
		return awsapi.ACLNotSupported.Of()
	}
	return nil
}

func (c *call) putBucketACL() error {
	if err := c.ownerOnlyACL(c.b.Account, ""); err != nil {
		return err
	}
	c.w.Header().Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (c *call) putObjectACL() error {
	o := c.obj
	if o == nil {
		return c.absent(nil)
	}
	if o.DeleteMarker {
		// S3 answers 405 for a delete marker, named by id or the latest.
		h := c.w.Header()
		if c.version != "" {
			markerHeaders(h, o)
		}
		h.Set("Allow", http.MethodDelete)
		return methodNotAllowed(c.r.Method, "DeleteMarker")
	}
	if err := c.ownerOnlyACL(c.b.Account, "bucket-owner-full-control"); err != nil {
		return err
	}
	c.versionHeader(c.w.Header(), o)
	c.w.Header().Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusOK)
	return nil
}
