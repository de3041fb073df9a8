package store

import "time"

// Account is one tenant: a 12-digit id and a display name. Its root identity
// is arn:aws:iam::ID:root.
type Account struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// Tag is a key/value pair on an IAM entity.
type Tag struct {
	Key   string
	Value string
}

// EntityKind names the kind of IAM identity that owns inline policies and
// managed-policy attachments.
type EntityKind string

// Entity kinds.
const (
	KindUser  EntityKind = "user"
	KindGroup EntityKind = "group"
	KindRole  EntityKind = "role"
)

// EntityRef points at one user, group or role by its unique id.
type EntityRef struct {
	Account string
	Kind    EntityKind
	ID      string // AIDA…, AGPA… or AROA…
}

// User is an IAM user.
type User struct {
	Account             string
	ID                  string // AIDA…
	Name                string
	Path                string
	CreatedAt           time.Time
	PermissionsBoundary string // managed policy ARN, or ""
	Tags                []Tag
}

// Group is an IAM group.
type Group struct {
	Account   string
	ID        string // AGPA…
	Name      string
	Path      string
	CreatedAt time.Time
}

// Role is an IAM role.
type Role struct {
	Account             string
	ID                  string // AROA…
	Name                string
	Path                string
	CreatedAt           time.Time
	AssumeRolePolicy    string // trust policy document, as written
	Description         string
	MaxSessionDuration  int // seconds, 3600..43200
	PermissionsBoundary string
	Tags                []Tag
	LastUsedAt          time.Time // zero when never used
	LastUsedRegion      string
	// TrustPrincipals binds each IAM user and role ARN that
	// AssumeRolePolicy names as a principal to the unique id (AIDA…,
	// AROA…) of the entity it named when the policy was written
	// (policy.Bindings). nil for a trust policy written before principals
	// were bound (matched by ARN); non-nil, possibly empty, otherwise — a
	// store must keep the two apart.
	TrustPrincipals map[string]string
}

// ManagedPolicy is a customer managed policy. AWS managed policies are not
// stored; they are embedded in the binary.
type ManagedPolicy struct {
	Account          string
	ID               string // ANPA…
	ARN              string
	Name             string
	Path             string
	Description      string
	DefaultVersionID string // "v1", "v2", …
	NextVersion      int    // number of the next version to create; never reused
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Tags             []Tag
}

// PolicyVersion is one version of a customer managed policy.
type PolicyVersion struct {
	PolicyARN string
	VersionID string // "v1", …
	Document  string
	CreatedAt time.Time
}

// InlinePolicy is a policy embedded in a user, group or role.
type InlinePolicy struct {
	Owner    EntityRef
	Name     string
	Document string
}

// MFARootUser is the MFADevice.UserID of a device enabled for the
// account's root (IAM user ids never take this form).
const MFARootUser = "root"

// Access key statuses.
const (
	KeyActive   = "Active"
	KeyInactive = "Inactive"
)

// AccessKey is a long-term access key of a user or of an account's root
// (UserID == "").
type AccessKey struct {
	ID           string // AKIA…
	Account      string
	UserID       string // "" for the account root
	SecretSealed []byte // secret access key sealed under the master key
	Status       string // KeyActive or KeyInactive
	CreatedAt    time.Time
	LastUsedAt   time.Time // zero when never used
	LastService  string
	LastRegion   string
}

// MFADevice is a virtual MFA device (a TOTP authenticator).
type MFADevice struct {
	Account      string
	SerialNumber string // arn:aws:iam::ACCOUNT:mfa/PATH/NAME (path without the leading "/")
	Name         string
	Path         string
	SeedSealed   []byte // the TOTP secret, sealed under the master key with SerialNumber as additional data
	UserID       string // the user it is enabled for (MFARootUser: the account's root); "" while unassigned
	EnabledAt    time.Time
	CreatedAt    time.Time
	// LastStep is the last TOTP time step whose code was accepted; a code
	// is accepted once, so only later steps may be used.
	LastStep int64
	Tags     []Tag
}

// OIDCProvider is an IAM OpenID Connect identity provider: an issuer whose
// tokens AssumeRoleWithWebIdentity accepts for roles of its account.
type OIDCProvider struct {
	Account string
	// ARN is arn:aws:iam::ACCOUNT:oidc-provider/NAME, where NAME is URL
	// without "https://" (HOST[:PORT][/PATH]). It is the provider's key:
	// unique, compared exactly.
	ARN         string
	URL         string   // https://NAME, as registered (host lower-cased)
	ClientIDs   []string // audiences, in the order added
	Thumbprints []string // SHA-1 of the issuer's top TLS certificate, 40 lower-case hex digits each
	CreatedAt   time.Time
	Tags        []Tag
}

// ListQuery selects one page of a list ordered by lower-cased name.
type ListQuery struct {
	PathPrefix string // only records whose path starts with this ("" = all)
	After      string // exclusive lower-cased name to start after ("" = from the start)
	Limit      int    // at most this many (0 = no limit)
}

// Token key states.
const (
	TokenKeyActive  = "active"
	TokenKeyRetired = "retired"
)

// TokenKey is one session-token key.
type TokenKey struct {
	ID        uint32
	Sealed    []byte // 32 bytes of key material sealed under the master key
	State     string // TokenKeyActive or TokenKeyRetired
	CreatedAt time.Time
	RetiredAt time.Time // zero while active
}

// Installation describes the data a store holds, as a whole.
type Installation struct {
	// MasterKeyCheck is a value sealed under the master key that seals this
	// store's secrets, so that a wrong key is noticed before anything is
	// written (nil: not recorded yet).
	MasterKeyCheck []byte
	// DefaultAccount is the id of the account created at the first start
	// ("" while there is none).
	DefaultAccount string
	// UpdatedAt is when the record was last written.
	UpdatedAt time.Time
}
