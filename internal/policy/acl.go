package policy

import "strings"

// S3 access control lists, evaluated with the policies of a request as S3
// does: a grant of an ACL that applies to the request's action allows like
// a resource policy statement naming the grantee. A grant to a canonical
// user (an account) delegates to that account's identity policies, as a
// bucket policy naming the account does; a grant to the AllUsers group
// allows anyone (anonymous callers included), to AuthenticatedUsers any
// signed caller of any account, as a bucket policy naming "*" does. An
// explicit Deny anywhere still wins, and across accounts the caller's own
// identity policies must allow as well.

// ACL grantee groups, as S3 names them.
const (
	GroupAllUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	GroupAuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	GroupLogDelivery        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// ACL permissions.
const (
	PermRead        = "READ"
	PermWrite       = "WRITE"
	PermReadACP     = "READ_ACP"
	PermWriteACP    = "WRITE_ACP"
	PermFullControl = "FULL_CONTROL"
)

// ACLGrant is one grant: to a canonical user id (ID) or a group (URI).
type ACLGrant struct {
	ID, URI    string
	Permission string
}

// ACL is the access control list that applies to one check.
type ACL struct {
	// Object: the ACL is an object's (its permissions map to object
	// actions); otherwise a bucket's.
	Object bool
	Grants []ACLGrant
	// IgnorePublic drops grants to AllUsers and AuthenticatedUsers
	// (Block Public Access's IgnorePublicAcls).
	IgnorePublic bool
	// Exclusive: the resource's owner is not the owner of the bucket
	// whose policy is the check's resource policy (an object another
	// account wrote): that policy's Allow statements grant nothing on it,
	// only its Deny statements apply, and the ACL decides.
	Exclusive bool
	// Initiator is the ARN of the principal that started the multipart
	// upload the check is on ("" for other checks). S3 lets the initiator
	// abort its upload and list its parts by default: a grant naming that
	// principal, weighed as a resource policy statement naming "*" would be
	// (a same-account caller's boundary and session policies still limit
	// it; across accounts its identity policies must allow too).
	Initiator string
}

// initiatorAction reports whether S3 allows a multipart upload's initiator
// action (lower case) by default.
func initiatorAction(action string) bool {
	return action == "s3:abortmultipartupload" || action == "s3:listmultipartuploadparts"
}

// ACLPermission is the ACL permission that grants action on a bucket
// (object false) or an object, "" when no ACL permission does (AWS's
// mapping of ACL permissions to access policy actions). FULL_CONTROL
// grants every action some permission grants.
func ACLPermission(action string, object bool) string {
	a := strings.ToLower(action)
	if object {
		switch a {
		case "s3:getobject", "s3:getobjectversion", "s3:getobjecttorrent":
			return PermRead
		case "s3:getobjectacl", "s3:getobjectversionacl":
			return PermReadACP
		case "s3:putobjectacl", "s3:putobjectversionacl":
			return PermWriteACP
		}
		return ""
	}
	switch a {
	case "s3:listbucket", "s3:listbucketversions", "s3:listbucketmultipartuploads":
		return PermRead
	case "s3:putobject", "s3:deleteobject":
		// Not s3:DeleteObjectVersion: S3 maps WRITE to it only for a grant
		// to the bucket owner, whose own identity policies decide anyway.
		return PermWrite
	case "s3:getbucketacl":
		return PermReadACP
	case "s3:putbucketacl":
		return PermWriteACP
	}
	return ""
}

// aclGrant is how the ACL names the caller for the action: grantOther for
// a group grant, grantAccount for a grant to the caller's canonical user
// id, grantNone when no grant applies.
func (a *ACL) aclGrant(action string, p Principal) grant {
	if a == nil {
		return grantNone
	}
	if a.Initiator != "" && p.Type != PrincipalAnonymous && p.ARN == a.Initiator && initiatorAction(strings.ToLower(action)) {
		return grantOther
	}
	perm := ACLPermission(action, a.Object)
	if perm == "" {
		return grantNone
	}
	best := grantNone
	for _, g := range a.Grants {
		if g.Permission != perm && g.Permission != PermFullControl {
			continue
		}
		switch {
		case g.URI == GroupAllUsers && !a.IgnorePublic:
			best = max(best, grantOther)
		case g.URI == GroupAuthenticatedUsers && !a.IgnorePublic && p.Type != PrincipalAnonymous && p.Account != "":
			best = max(best, grantOther)
		case g.URI == "" && g.ID != "" && p.CanonicalID != "" && g.ID == p.CanonicalID && p.Type != PrincipalAnonymous:
			best = max(best, grantAccount)
		}
	}
	return best
}
