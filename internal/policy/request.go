package policy

import "strings"

// PrincipalType values as AWS names them in aws:PrincipalType.
const (
	PrincipalRoot        = "Account"
	PrincipalUser        = "User"
	PrincipalAssumedRole = "AssumedRole"
	PrincipalFederated   = "FederatedUser"
	PrincipalAnonymous   = "Anonymous"
	PrincipalService     = "Service" // an AWS service acting as principal (trust policies)
	// PrincipalWebIdentity and PrincipalSAMLUser are the callers of
	// AssumeRoleWithWebIdentity and AssumeRoleWithSAML: a subject an
	// identity provider vouched for. Only a resource (trust) policy naming
	// the provider as "Federated" (or "*") can allow them.
	PrincipalWebIdentity = "WebIdentityUser"
	PrincipalSAMLUser    = "SAMLUser"
)

// Principal describes the caller for principal matching in resource and
// trust policies.
type Principal struct {
	Type    string // one of the Principal* constants
	Account string // "" for anonymous
	// ARN is the identity ARN: root, user (with path) or
	// arn:aws:sts::ACCT:assumed-role/ROLE/SESSION.
	ARN string
	// RoleARN is the role (with path) of a role session.
	RoleARN string
	// EntityID is the unique id of the caller's IAM entity: the user's
	// AIDA… id (also for its GetSessionToken sessions), the role's AROA… id
	// for a role session, "" otherwise. Bound user and role principals
	// (Bindings) match on it.
	EntityID string
	// Service is set when an AWS service principal calls (trust policies).
	Service string
	// UserARN is the IAM user behind a federated-user session (with path;
	// "" for one federated by the account's root). A resource policy
	// naming that user grants the session what its session policies also
	// allow, as AWS evaluates it.
	UserARN string
	// Federated is the identity provider (an IAM OIDC or SAML provider's
	// ARN) a federation caller (PrincipalWebIdentity, PrincipalSAMLUser)
	// authenticated with: a trust policy's "Federated" principal names it.
	Federated string
	// CanonicalID is the S3 canonical user id of the caller's account
	// ("" for anonymous callers): ACL grants to it name the caller.
	CanonicalID string
}

// Request is one authorization question: who, what, on which resource, with
// which condition keys.
type Request struct {
	Principal Principal
	Action    string // service:Action, any case
	Resource  string // ARN or "*"
	// Keys holds condition key values by lower-cased key name. Single-valued
	// keys have one element; multi-valued keys (aws:TagKeys …) any number.
	Keys map[string][]string
}

// Set stores a single-valued key.
func (r *Request) Set(key, value string) {
	if r.Keys == nil {
		r.Keys = make(map[string][]string, 16)
	}
	r.Keys[strings.ToLower(key)] = []string{value}
}

// SetMulti stores a multi-valued key.
func (r *Request) SetMulti(key string, values []string) {
	if r.Keys == nil {
		r.Keys = make(map[string][]string, 16)
	}
	r.Keys[strings.ToLower(key)] = values
}

// lookup finds a key already lower-cased.
func (r *Request) lookup(lowerKey string) ([]string, bool) {
	v, ok := r.Keys[lowerKey]
	return v, ok
}
