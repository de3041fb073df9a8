package authz

import (
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/token"
)

// PrincipalType is the value of the aws:PrincipalType condition key.
type PrincipalType string

// Principal types, as AWS names them in aws:PrincipalType.
const (
	TypeRoot        PrincipalType = "Account"
	TypeUser        PrincipalType = "User"
	TypeAssumedRole PrincipalType = "AssumedRole"
	TypeFederated   PrincipalType = "FederatedUser"
	TypeAnonymous   PrincipalType = "Anonymous"
	// TypeWebIdentity is the caller of AssumeRoleWithWebIdentity: a
	// token's subject an OIDC provider vouched for, not an AWS identity
	// (no ARN).
	TypeWebIdentity PrincipalType = "WebIdentityUser"
	// TypeSAMLUser is the caller of AssumeRoleWithSAML: a subject the
	// SAML provider vouched for, not an AWS identity (no ARN).
	TypeSAMLUser PrincipalType = "SAMLUser"
)

// Principal is the authenticated caller of one request.
type Principal struct {
	Type    PrincipalType
	Account string // 12-digit account id of the caller
	// ARN is the caller's identity ARN: arn:aws:iam::A:root,
	// arn:aws:iam::A:user/path/name, arn:aws:sts::A:assumed-role/ROLE/SESSION
	// or arn:aws:sts::A:federated-user/NAME.
	ARN string
	// UserID is aws:userid: the account id for root, AIDA… for users,
	// AROA…:session for role sessions, A:NAME for federated users.
	UserID string
	// UserName is set for IAM users only (aws:username).
	UserName string
	// AccessKeyID is the key that signed the request.
	AccessKeyID string

	// EntityID is the unique id whose policies apply: the user's AIDA… id
	// for users (and their GetSessionToken and GetFederationToken
	// sessions), the role's AROA… id for role sessions, "" for root (and
	// sessions federated by root).
	EntityID string
	// RoleARN (with path) and SessionName are set for role sessions.
	RoleARN     string
	SessionName string
	// Session is the sealed session behind temporary credentials (nil for
	// long-term keys).
	Session *token.Session
	// Federated is the identity provider ARN a federation caller
	// (TypeWebIdentity, TypeSAMLUser) authenticated with — an IAM OIDC or
	// SAML provider: what a trust policy's "Federated" principal names.
	Federated string
	// Subject and Issuer name a federation caller as AWS's CloudTrail
	// does (userName, identityProvider): the token's sub claim or the
	// assertion's NameID, and who vouched for it — the OIDC provider's
	// name (accounts.google.com), or SAML's saml:namequalifier. No policy
	// reads them.
	Subject, Issuer string
}

// Anonymous is the caller of an unsigned request (S3; STS's federation
// actions, whose checks are decided for the FederationCaller their token
// or assertion names instead): it has no identity policies, so only a
// resource policy naming "*" can allow it.
func Anonymous() *Principal { return &Principal{Type: TypeAnonymous, ARN: "anonymous"} }

// FederationCaller is the caller of AssumeRoleWithWebIdentity
// (TypeWebIdentity) or AssumeRoleWithSAML (TypeSAMLUser) once STS has
// verified its token or assertion as one of provider (an IAM OIDC or SAML
// provider ARN of account): it has no ARN and no identity policies, so
// only a trust policy naming the provider as "Federated" (or "*") can
// allow it.
func FederationCaller(typ PrincipalType, account, provider string) *Principal {
	return &Principal{Type: typ, Account: account, Federated: provider}
}

// IsFederationCaller reports whether the caller is the subject of a
// federation action's token or assertion.
func (p *Principal) IsFederationCaller() bool {
	return p != nil && (p.Type == TypeWebIdentity || p.Type == TypeSAMLUser)
}

// IsRoot reports whether the caller is an account's root identity.
func (p *Principal) IsRoot() bool { return p != nil && p.Type == TypeRoot }

// policyPrincipal is the caller as the policy engine sees it.
func (p *Principal) policyPrincipal() policy.Principal {
	pp := policy.Principal{Type: string(p.Type), Account: p.Account, ARN: p.ARN, RoleARN: p.RoleARN, EntityID: p.EntityID, Federated: p.Federated}
	if p.Type == TypeFederated && p.EntityID != "" && p.Session != nil {
		pp.UserARN = p.Session.SourceARN
	}
	return pp
}

// FederatedByRoot reports whether the caller is a federated user whose
// session the account's root issued: its identity side is the root's.
func (p *Principal) FederatedByRoot() bool {
	return p != nil && p.Type == TypeFederated && p.Session != nil && p.Session.SourceUserID == p.Account
}
