package s3

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// S3 Block Public Access: the bucket's configuration (?publicAccessBlock),
// the account's (S3 Control, control.go), GetBucketPolicyStatus, and what
// the checks of every request carry so that internal/authz can apply them.
// Whether a policy is public is the policy engine's analysis
// (policy.Policy.Public); this file only declares facts.

// publicAccessBlockConfiguration is the PublicAccessBlockConfiguration
// document of S3 and S3 Control (they differ only in namespace).
type publicAccessBlockConfiguration struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	Xmlns                 string   `xml:"xmlns,attr,omitempty"`
	BlockPublicAcls       xmlBool  `xml:"BlockPublicAcls"`
	IgnorePublicAcls      xmlBool  `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     xmlBool  `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets xmlBool  `xml:"RestrictPublicBuckets"`
}

// xmlBool is an xsd:boolean element: true, false, 1 or 0 (absent: false).
type xmlBool bool

func (b *xmlBool) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := d.DecodeElement(&s, &start); err != nil {
		return err
	}
	switch strings.TrimSpace(s) {
	case "true", "1":
		*b = true
	case "false", "0":
		*b = false
	default:
		return errors.New("not an xsd:boolean")
	}
	return nil
}

func (b xmlBool) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	v := "false"
	if b {
		v = "true"
	}
	return e.EncodeElement(v, start)
}

func configurationXML(ns string, b *store.PublicAccessBlock) *publicAccessBlockConfiguration {
	return &publicAccessBlockConfiguration{Xmlns: ns, BlockPublicAcls: xmlBool(b.BlockPublicAcls), IgnorePublicAcls: xmlBool(b.IgnorePublicAcls),
		BlockPublicPolicy: xmlBool(b.BlockPublicPolicy), RestrictPublicBuckets: xmlBool(b.RestrictPublicBuckets)}
}

// readPublicAccessBlock reads a PutPublicAccessBlock body (MalformedXML
// for anything but the configuration document).
func (c *call) readPublicAccessBlock() (*store.PublicAccessBlock, error) {
	data, err := c.readBody(64 * 1024)
	if err != nil {
		return nil, err
	}
	var conf publicAccessBlockConfiguration
	if err := xmlUnmarshal(data, &conf); err != nil {
		return nil, err
	}
	return &store.PublicAccessBlock{BlockPublicAcls: bool(conf.BlockPublicAcls), IgnorePublicAcls: bool(conf.IgnorePublicAcls),
		BlockPublicPolicy: bool(conf.BlockPublicPolicy), RestrictPublicBuckets: bool(conf.RestrictPublicBuckets)}, nil
}

// allBlocked is the configuration of a new bucket on a server that blocks
// public access by default (Config.BlockPublicAccess), as AWS's since
// April 2023.
func allBlocked() *store.PublicAccessBlock {
	return &store.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
}

func (c *call) getPublicAccessBlock() error {
	if c.b.PublicAccessBlock == nil {
		return awsapi.PublicAccessBlockNotFound.Of().With("BucketName", c.bucket)
	}
	return c.writeXML(configurationXML(xmlns, c.b.PublicAccessBlock))
}

func (c *call) putPublicAccessBlock() error {
	conf, err := c.readPublicAccessBlock()
	if err != nil {
		return err
	}
	if err := c.updateBucket(func(b *store.Bucket) error { b.PublicAccessBlock = conf; return nil }); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (c *call) deletePublicAccessBlock() error {
	if err := c.updateBucket(func(b *store.Bucket) error { b.PublicAccessBlock = nil; return nil }); err != nil {
		return err
	}
	c.noContent()
	return nil
}

// policyStatus is GetBucketPolicyStatus's document.
type policyStatus struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	Xmlns    string   `xml:"xmlns,attr"`
	IsPublic xmlBool  `xml:"IsPublic"`
}

// getBucketPolicyStatus says whether the bucket policy is public, as the
// policy engine analyses the compiled policy; NoSuchBucketPolicy when the
// bucket has none. A stored policy that does not compile fails the
// request (its status is unknown).
func (c *call) getBucketPolicyStatus() error {
	if c.b.Policy == "" {
		return awsapi.BucketPolicyNotFound.Of().With("BucketName", c.bucket)
	}
	cp := c.s.policies.get(c.b)
	if cp.err != nil {
		return cp.err
	}
	return c.writeXML(&policyStatus{Xmlns: xmlns, IsPublic: xmlBool(cp.policy.Public())})
}

// publicAccess is the Block Public Access configuration in force for
// bucket b: its own flags OR its owner account's. An error loading the
// account's configuration is returned for the check to fail on.
func (c *call) publicAccess(b *store.Bucket) (*store.PublicAccessBlock, error) {
	acct, err := c.accountPublicAccess(b.Account)
	if err != nil {
		return nil, err
	}
	eff := b.PublicAccessBlock.Or(acct)
	return &eff, nil
}

// accountPublicAccess is an account's configuration (nil: none), read
// through the Service's generation-stamped cache: account configurations
// bump the IAM generation when written.
func (c *call) accountPublicAccess(account string) (*store.PublicAccessBlock, error) {
	return c.s.accountPABs.Get(c.ctx, account, func(ctx context.Context) (*store.PublicAccessBlock, error) {
		var pab *store.PublicAccessBlock
		err := c.s.store.View(ctx, func(tx store.Tx) error {
			var err error
			pab, err = tx.GetAccountPublicAccessBlock(ctx, account)
			if errors.Is(err, store.ErrNotFound) {
				pab, err = nil, nil
			}
			return err
		})
		return pab, err
	})
}

// publicACL reports whether a request sets a public ACL: a canned ACL
// granting AllUsers or AuthenticatedUsers, or a grant header naming
// either group ("The meaning of public": ACLs).
func publicACL(h http.Header) bool {
	switch h.Get("x-amz-acl") {
	case "public-read", "public-read-write", "authenticated-read":
		return true
	}
	for _, g := range []string{"x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-grant-full-control"} {
		v := h.Get(g)
		if strings.Contains(v, "acs.amazonaws.com/groups/global/AllUsers") || strings.Contains(v, "acs.amazonaws.com/groups/global/AuthenticatedUsers") {
			return true
		}
	}
	return false
}

// withPublicACL marks a check of a request that sets a public ACL (its
// headers, or a browser form's acl and x-amz-grant-* fields).
func (c *call) withPublicACL(ch pipeline.Check) pipeline.Check {
	ch.PublicACL = publicACL(c.requestHeaders())
	return ch
}

// publicGrantee reports whether an ACL grantee URI is one of the groups
// that make an ACL public.
func publicGrantee(uri string) bool {
	return strings.HasSuffix(uri, "acs.amazonaws.com/groups/global/AllUsers") || strings.HasSuffix(uri, "acs.amazonaws.com/groups/global/AuthenticatedUsers")
}

// aclBody is a PutBucketAcl or PutObjectAcl document as resolve read it
// (an ACL set by headers has none): the handler answers its errors.
type aclBody struct {
	data []byte
	err  error
}

// resolvePutACL declares PutBucketAcl's or PutObjectAcl's check (for an
// object, with resolveExisting's), marked when the ACL it sets is public:
// by its headers, or by its AccessControlPolicy document, read here and
// kept for the handler.
func (c *call) resolvePutACL() (pipeline.Plan, error) {
	var p pipeline.Plan
	if c.op.level == levelObject {
		var err error
		if p, err = c.resolveExisting(); err != nil {
			return p, err
		}
	} else {
		p = plan(c.check(c.b, c.op.action, c.resource(), c.op.keys))
	}
	h := c.r.Header
	pub := publicACL(h)
	data, err := c.readBody(maxXMLBody)
	c.stash = &aclBody{data, err}
	if !hasACLHeaders(h) && err == nil {
		if _, grants, err := parseACLDoc(data); err == nil {
			for _, g := range grants {
				pub = pub || publicGrantee(g.URI)
			}
		}
	}
	p.Checks[0].PublicACL = pub
	return p, nil
}

// policyBody is a PutBucketPolicy body as resolve read it: the handler
// answers its errors (after authorization, as S3 does).
type policyBody struct {
	data []byte
	err  error
}

// resolvePutBucketPolicy reads the policy the request writes and declares
// s3:PutBucketPolicy with it compiled (when it is valid), so that the
// authorizer can apply BlockPublicPolicy. The bucket owner's root may
// always write the bucket policy, whatever the current one says, but not
// a public one under BlockPublicPolicy: its check is decided without the
// bucket policy (the root of the owner's account is allowed) and with the
// Block Public Access configuration.
func (c *call) resolvePutBucketPolicy() (pipeline.Plan, error) {
	data, err := c.readBody(maxBucketPolicy + 1)
	c.stash = &policyBody{data, err}
	ch := c.check(c.b, c.op.action, bucketARN(c.bucket), nil)
	if err == nil && len(data) <= maxBucketPolicy {
		if d, err := validateBucketPolicy(string(data), c.bucket); err == nil {
			ch.NewResourcePolicy = policy.Compile("new-bucket-policy/"+c.bucket, d)
		}
	}
	if c.p.Account == c.b.Account && c.p.IsRoot() {
		ch.ResourcePolicy, ch.ResourcePolicyErr = nil, nil
	}
	return plan(ch), nil
}
