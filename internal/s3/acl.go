package s3

import (
	"bytes"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ACLs. A bucket's Object Ownership decides whether they count: with
// BucketOwnerEnforced (S3's default since 2023, and Gatehouse's unless
// --s3-default-object-ownership says otherwise) ACLs are disabled, the
// bucket owner owns every object, reading an ACL answers the owner's full
// control, and setting one succeeds only when it grants exactly that
// (AccessControlListNotSupported otherwise). With BucketOwnerPreferred or
// ObjectWriter, buckets and objects keep the ACL their writers set (canned
// ACLs, x-amz-grant-* headers, AccessControlPolicy documents), and the
// authorization checks of the request carry it to the policy engine
// (policy.ACL), which weighs its grants with the policies as S3 does.
// Handlers never decide on grants.
//
// Grantees are canonical user ids (64 hex digits per account, see
// canonicalID) and the AllUsers, AuthenticatedUsers and LogDelivery
// groups; S3 no longer accepts grants by email address.

// maxGrants is how many grants an ACL may hold.
const maxGrants = 100

// aclXSI is the XML Schema instance namespace of a grantee's xsi:type.
const aclXSI = "http://www.w3.org/2001/XMLSchema-instance"

// awsExecReadID is the canonical user id S3's aws-exec-read canned ACL
// grants READ to (Amazon EC2, which reads AMI bundles).
const awsExecReadID = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c"

// aclPolicyDoc is an AccessControlPolicy document as clients send it.
type aclPolicyDoc struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Owner   *struct {
		ID string `xml:"ID"`
	} `xml:"Owner"`
	Grants *struct {
		Grant []struct {
			Grantee *struct {
				Type  string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
				ID    string `xml:"ID"`
				URI   string `xml:"URI"`
				Email string `xml:"EmailAddress"`
			} `xml:"Grantee"`
			Permission string `xml:"Permission"`
		} `xml:"Grant"`
	} `xml:"AccessControlList"`
}

// parseACLDoc reads an AccessControlPolicy document: the owner id it names
// and its grants. It checks the document's shape only (MalformedACLError,
// or the email-grantee refusal); whether the owner and the grantee ids are
// right is the caller's to check.
func parseACLDoc(data []byte) (owner string, grants []store.Grant, err error) {
	var doc aclPolicyDoc
	if len(bytes.TrimSpace(data)) == 0 || xml.Unmarshal(data, &doc) != nil || doc.Owner == nil || doc.Owner.ID == "" || doc.Grants == nil {
		return "", nil, awsapi.ACLMalformed.Of()
	}
	if len(doc.Grants.Grant) > maxGrants {
		return "", nil, awsapi.ACLMalformed.Of()
	}
	for _, g := range doc.Grants.Grant {
		if g.Grantee == nil || !validPermission(g.Permission) {
			return "", nil, awsapi.ACLMalformed.Of()
		}
		ge := g.Grantee
		switch {
		case ge.Email != "" || ge.Type == "AmazonCustomerByEmail":
			return "", nil, awsapi.ACLEmailGrantee.Of()
		case ge.ID != "" && ge.URI == "" && (ge.Type == "" || ge.Type == "CanonicalUser"):
			grants = append(grants, store.Grant{ID: ge.ID, Permission: g.Permission})
		case ge.URI != "" && ge.ID == "" && (ge.Type == "" || ge.Type == "Group"):
			grants = append(grants, store.Grant{URI: ge.URI, Permission: g.Permission})
		default:
			return "", nil, awsapi.ACLMalformed.Of()
		}
	}
	return doc.Owner.ID, grants, nil
}

func validPermission(p string) bool {
	switch p {
	case policy.PermRead, policy.PermWrite, policy.PermReadACP, policy.PermWriteACP, policy.PermFullControl:
		return true
	}
	return false
}

// grantHeaderPerms maps each x-amz-grant-* header to its permission.
var grantHeaderPerms = map[string]string{
	"x-amz-grant-read": policy.PermRead, "x-amz-grant-write": policy.PermWrite, "x-amz-grant-read-acp": policy.PermReadACP,
	"x-amz-grant-write-acp": policy.PermWriteACP, "x-amz-grant-full-control": policy.PermFullControl,
}

// hasACLHeaders reports whether a request names an ACL in its headers.
func hasACLHeaders(h http.Header) bool {
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

// parseGrantHeaders reads the x-amz-grant-* headers (id="…", uri="…",
// comma-separated) into grants, in header order.
func parseGrantHeaders(h http.Header) ([]store.Grant, error) {
	var out []store.Grant
	for _, name := range grantHeaders {
		v := h.Get(name)
		if v == "" {
			continue
		}
		for _, part := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			val = strings.Trim(strings.TrimSpace(val), `"`)
			if !ok || val == "" {
				return nil, awsapi.ACLGranteeIDInvalid.Of().With("ArgumentName", name)
			}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "id":
				out = append(out, store.Grant{ID: val, Permission: grantHeaderPerms[name]})
			case "uri":
				out = append(out, store.Grant{URI: val, Permission: grantHeaderPerms[name]})
			case "emailaddress":
				return nil, awsapi.ACLEmailGrantee.Of()
			default:
				return nil, awsapi.ACLGranteeIDInvalid.Of().With("ArgumentName", name)
			}
		}
	}
	if len(out) > maxGrants {
		return nil, awsapi.ACLMalformed.Of()
	}
	return out, nil
}

// cannedGrants expands a canned ACL into its grants, as S3 documents
// them, for a resource owned by owner in a bucket owned by bucketOwner
// (canonical ids). ok is false for a name S3 does not know.
func cannedGrants(name, owner, bucketOwner string) (grants []store.Grant, ok bool) {
	full := store.Grant{ID: owner, Permission: policy.PermFullControl}
	group := func(uri, perm string) store.Grant { return store.Grant{URI: uri, Permission: perm} }
	switch name {
	case "private":
		return []store.Grant{full}, true
	case "public-read":
		return []store.Grant{full, group(policy.GroupAllUsers, policy.PermRead)}, true
	case "public-read-write":
		return []store.Grant{full, group(policy.GroupAllUsers, policy.PermRead), group(policy.GroupAllUsers, policy.PermWrite)}, true
	case "aws-exec-read":
		return []store.Grant{full, {ID: awsExecReadID, Permission: policy.PermRead}}, true
	case "authenticated-read":
		return []store.Grant{full, group(policy.GroupAuthenticatedUsers, policy.PermRead)}, true
	case "bucket-owner-read":
		if bucketOwner == owner {
			return []store.Grant{full}, true
		}
		return []store.Grant{full, {ID: bucketOwner, Permission: policy.PermRead}}, true
	case "bucket-owner-full-control":
		if bucketOwner == owner {
			return []store.Grant{full}, true
		}
		return []store.Grant{full, {ID: bucketOwner, Permission: policy.PermFullControl}}, true
	case "log-delivery-write":
		return []store.Grant{full, group(policy.GroupLogDelivery, policy.PermWrite), group(policy.GroupLogDelivery, policy.PermReadACP)}, true
	}
	return nil, false
}

// headerACL reads the ACL a request's headers set on a resource owned by
// owner in a bucket owned by bucketOwner (accounts): nil when the headers
// name none. Grantee ids must be accounts' canonical ids and group URIs
// S3's groups.
func (c *call) headerACL(h http.Header, owner, bucketOwner string) ([]store.Grant, error) {
	canned := h.Get("x-amz-acl")
	grants, err := parseGrantHeaders(h)
	if err != nil {
		return nil, err
	}
	if canned != "" && len(grants) > 0 {
		return nil, awsapi.ACLCannedWithGrants.Of()
	}
	if canned != "" {
		g, ok := cannedGrants(canned, c.s.canonicalID(owner), c.s.canonicalID(bucketOwner))
		if !ok {
			return nil, awsapi.ACLCannedInvalid.Of().With("ArgumentName", "x-amz-acl").With("ArgumentValue", canned)
		}
		return g, nil
	}
	if len(grants) == 0 {
		return nil, nil
	}
	return grants, c.checkGrantees(grants)
}

// checkGrantees refuses grants to canonical ids no account has and to
// groups S3 does not know.
func (c *call) checkGrantees(grants []store.Grant) error {
	for _, g := range grants {
		if g.URI != "" {
			switch g.URI {
			case policy.GroupAllUsers, policy.GroupAuthenticatedUsers, policy.GroupLogDelivery:
				continue
			}
			return awsapi.ACLGroupInvalid.Of().With("ArgumentName", "Group/URI").With("ArgumentValue", g.URI)
		}
		if g.ID == awsExecReadID {
			continue
		}
		ok, err := c.s.knownCanonicalID(c.ctx, g.ID)
		if err != nil {
			return err
		}
		if !ok {
			return awsapi.ACLGranteeIDInvalid.Of().With("ArgumentName", "CanonicalUser/ID").With("ArgumentValue", g.ID)
		}
	}
	return nil
}

// requestedACL reads the ACL a PutBucketAcl or PutObjectAcl sets on a
// resource owned by owner: its headers or its AccessControlPolicy
// document (not both), whose Owner must be the resource's owner.
func (c *call) requestedACL(owner, bucketOwner string) ([]store.Grant, error) {
	data, err := c.aclDocument()
	if err != nil {
		return nil, err
	}
	body := len(bytes.TrimSpace(data)) > 0
	if hasACLHeaders(c.r.Header) {
		if body {
			return nil, awsapi.ACLBodyWithHeaders.Of()
		}
		return c.headerACL(c.r.Header, owner, bucketOwner)
	}
	if !body {
		return nil, awsapi.ACLMissing.Of()
	}
	docOwner, grants, err := parseACLDoc(data)
	if err != nil {
		return nil, err
	}
	if docOwner != c.s.canonicalID(owner) {
		return nil, awsapi.ACLOwnerChange.Of()
	}
	return grants, c.checkGrantees(grants)
}

// aclDocument is the body of a PutBucketAcl or PutObjectAcl, as
// resolvePutACL read it (it decides whether the ACL is public before
// authorization).
func (c *call) aclDocument() ([]byte, error) {
	if b, ok := c.stash.(*aclBody); ok {
		return b.data, b.err
	}
	return c.readBody(maxXMLBody)
}

// aclHeaderKeys are PutBucketAcl's and PutObjectAcl's condition keys.
func (c *call) aclHeaderKeys(set func(string, ...string)) { aclKeys(c.r.Header, set) }

// ownerOnlyACL reads the ACL a PutBucketAcl or PutObjectAcl sets on a
// bucket whose ACLs are disabled (headers or document) and refuses any
// that grants more than the owner's full control. cannedOK is the canned
// ACL that says so (objects: bucket-owner-full-control; buckets have none).
func (c *call) ownerOnlyACL(owner, cannedOK string) error {
	h := c.r.Header
	id := c.s.canonicalID(owner)
	if hasACLHeaders(h) {
		if acl := h.Get("x-amz-acl"); acl != "" && acl != cannedOK {
			return awsapi.ACLNotSupported.Of()
		}
		for _, g := range grantHeaders {
			if v := h.Get(g); v != "" && !(g == "x-amz-grant-full-control" && grantsOnly(v, id)) {
				return awsapi.ACLNotSupported.Of()
			}
		}
		return nil
	}
	data, err := c.aclDocument()
	if err != nil {
		return err
	}
	_, grants, err := parseACLDoc(data)
	if err != nil {
		return err
	}
	if len(grants) != 1 || grants[0].Permission != policy.PermFullControl || grants[0].ID != id {
		return awsapi.ACLNotSupported.Of()
	}
	return nil
}

func (c *call) putBucketACL() error {
	if !aclsEnabled(c.b) {
		if err := c.ownerOnlyACL(c.b.Account, ""); err != nil {
			return err
		}
	} else {
		grants, err := c.requestedACL(c.b.Account, c.b.Account)
		if err != nil {
			return err
		}
		if err := c.updateBucket(func(b *store.Bucket) error { b.ACL = grants; return nil }); err != nil {
			return err
		}
	}
	c.emptyOK()
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
	if !aclsEnabled(c.b) {
		if err := c.ownerOnlyACL(c.b.Account, "bucket-owner-full-control"); err != nil {
			return err
		}
	} else {
		owner := objectOwner(c.b, c.obj)
		grants, err := c.requestedACL(owner, c.b.Account)
		if err != nil {
			return err
		}
		updated, err := c.updateVersion(func(o *store.Object) { o.ACL = grants })
		if err != nil {
			return err
		}
		o = updated
	}
	c.versionOK(o)
	return nil
}

func (c *call) getACL() error {
	return c.writeXML(c.s.aclDoc(c.b.Account, bucketGrants(c.s, c.b)))
}

func (c *call) getObjectACL() error {
	o := c.obj
	if o == nil || o.DeleteMarker {
		return c.absent(o)
	}
	c.versionHeader(c.w.Header(), o)
	return c.writeXML(c.s.aclDoc(objectOwner(c.b, c.obj), objectGrants(c.s, c.b, c.obj)))
}

// aclDoc is the AccessControlPolicy answer for a resource owned by owner.
func (s *Service) aclDoc(owner string, grants []store.Grant) *accessControlPolicy {
	doc := &accessControlPolicy{Xmlns: xmlns, Owner: s.owner(owner), Grants: []grant{}}
	for _, g := range grants {
		ge := grantee{XMLNSXSI: aclXSI, Type: "CanonicalUser", ID: g.ID}
		if g.URI != "" {
			ge = grantee{XMLNSXSI: aclXSI, Type: "Group", URI: g.URI}
		}
		doc.Grants = append(doc.Grants, grant{Grantee: ge, Permission: g.Permission})
	}
	return doc
}

// bucketGrants is a bucket's ACL as it applies: its stored grants, or the
// owner's full control (the default, and all there is with ACLs disabled).
func bucketGrants(s *Service, b *store.Bucket) []store.Grant {
	if aclsEnabled(b) && b.ACL != nil {
		return b.ACL
	}
	return []store.Grant{{ID: s.canonicalID(b.Account), Permission: policy.PermFullControl}}
}

// objectGrants is an object's ACL as it applies.
func objectGrants(s *Service, b *store.Bucket, o *store.Object) []store.Grant {
	if aclsEnabled(b) && o.ACL != nil {
		return o.ACL
	}
	return []store.Grant{{ID: s.canonicalID(objectOwner(b, o)), Permission: policy.PermFullControl}}
}

// objectOwner is the account that owns an object: the bucket owner when
// ACLs are disabled, else the account its record names.
func objectOwner(b *store.Bucket, o *store.Object) string {
	if !aclsEnabled(b) || o.Owner == "" {
		return b.Account
	}
	return o.Owner
}

// checkACL is the ACL an authorization check of action on bucket b (and
// object o, nil for none) carries to the policy engine, nil when none
// applies (ACLs disabled, or no ACL permission grants the action), and the
// account that owns the resource. Bucket-ACL actions (listing, writing and
// deleting objects, the bucket's ACL) read the bucket's grants; object-ACL
// actions (reading an object, its ACL) the object's, and an object
// another account owns is that account's for every object action: the
// bucket owner's policy grants nothing on it.
func (c *call) checkACL(b *store.Bucket, o *store.Object, action string) (*policy.ACL, string) {
	if b == nil || !aclsEnabled(b) {
		return nil, ""
	}
	if perm := policy.ACLPermission(action, false); perm != "" {
		grants := bucketGrants(c.s, b)
		if perm == policy.PermWrite {
			existing := o
			if existing == nil && b == c.b {
				existing = c.replaced
			}
			if !c.mayReplace(b, existing) {
				grants = nil
			}
		}
		return &policy.ACL{Grants: policyGrants(grants)}, b.Account
	}
	if o == nil {
		return nil, ""
	}
	owner := objectOwner(b, o)
	if owner == b.Account && policy.ACLPermission(action, true) == "" {
		return nil, ""
	}
	// An object another account owns is that account's resource for every
	// object action, not only those an ACL permission grants: the bucket
	// policy's Allow statements do not reach it (S3: a bucket policy
	// applies to the objects the bucket owner owns), its Deny statements
	// do, and no ACL grant allows tagging, retention or the like.
	return &policy.ACL{Object: true, Grants: policyGrants(objectGrants(c.s, b, o)), Exclusive: owner != b.Account}, owner
}

// mayReplace reports whether the bucket's WRITE lets the caller delete or
// overwrite existing (nil: a new key): S3's WRITE lets a grantee create
// objects, and delete or overwrite only those it owns, or any when it is
// the bucket owner.
func (c *call) mayReplace(b *store.Bucket, existing *store.Object) bool {
	if existing == nil || existing.DeleteMarker {
		return true
	}
	acct := ""
	if c.p != nil {
		acct = c.p.Account
	}
	return acct != "" && (acct == b.Account || acct == objectOwner(b, existing))
}

// loadReplaced reads the current object at key, which a write by the
// request would replace, for mayReplace; only when it can matter (ACLs
// enabled, a caller outside the bucket owner's account).
func (c *call) loadReplaced(key string) error {
	if c.b == nil || !aclsEnabled(c.b) || (c.p != nil && c.p.Account == c.b.Account) {
		return nil
	}
	return c.s.store.View(c.ctx, func(tx store.Tx) error {
		o, err := tx.GetObject(c.ctx, c.bucket, key)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		c.replaced = o
		return err
	})
}

func policyGrants(gs []store.Grant) []policy.ACLGrant {
	out := make([]policy.ACLGrant, len(gs))
	for i, g := range gs {
		out[i] = policy.ACLGrant{ID: g.ID, URI: g.URI, Permission: g.Permission}
	}
	return out
}

// objectWrite decides who owns an object a request writes and the ACL it
// gets, from the bucket's Object Ownership and the request's ACL headers
// (h): with ACLs disabled the bucket owner, no ACL, and any ACL but the
// owner's full control refused; with BucketOwnerPreferred the bucket
// owner when the writer grants it bucket-owner-full-control; otherwise
// the writer's account.
func (c *call) objectWrite(h http.Header) (owner string, grants []store.Grant, err error) {
	if !aclsEnabled(c.b) {
		if !ownerOnlyObjectACL(h, c.s.canonicalID(c.b.Account)) {
			return "", nil, awsapi.ACLNotSupported.Of()
		}
		return c.b.Account, nil, nil
	}
	owner = c.p.Account
	if owner == "" {
		owner = c.b.Account // an anonymous write (a public-read-write bucket)
	}
	if ownership(c.b) == store.OwnershipPreferred && h.Get("x-amz-acl") == "bucket-owner-full-control" {
		owner = c.b.Account
	}
	grants, err = c.headerACL(h, owner, c.b.Account)
	return owner, grants, err
}
