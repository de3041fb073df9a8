package store

import (
	"context"
	"time"
)

// Store is a transactional metadata store.
type Store interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction; if fn returns an error
	// nothing it wrote is kept.
	Update(ctx context.Context, fn func(Tx) error) error
	// IAMGeneration returns a counter that changes whenever IAM data changes.
	IAMGeneration(ctx context.Context) (int64, error)
	Close() error
}

// Tx is the set of aggregate stores available inside a transaction.
type Tx interface {
	Accounts
	Users
	Groups
	Roles
	Policies
	InlinePolicies
	Attachments
	AccessKeys
	MFADevices
	OIDCProviders
	SAMLProviders
	TokenKeys
	Installations
	Buckets
	Objects
	Uploads
	LifecycleCursors
	Leases
	FreedBlobs
}

// MFADevices stores virtual MFA devices.
type MFADevices interface {
	CreateMFADevice(ctx context.Context, d *MFADevice) error // ErrExists when the serial number is taken
	GetMFADevice(ctx context.Context, serial string) (*MFADevice, error)
	// ListMFADevices returns an account's devices ordered by serial number.
	ListMFADevices(ctx context.Context, account string) ([]*MFADevice, error)
	UpdateMFADevice(ctx context.Context, d *MFADevice) error // by serial number: user, enable time, last step, tags
	DeleteMFADevice(ctx context.Context, serial string) error
}

// OIDCProviders stores IAM OpenID Connect identity providers.
type OIDCProviders interface {
	CreateOIDCProvider(ctx context.Context, p *OIDCProvider) error // ErrExists when the ARN is taken
	GetOIDCProvider(ctx context.Context, arn string) (*OIDCProvider, error)
	// ListOIDCProviders returns an account's providers ordered by ARN.
	ListOIDCProviders(ctx context.Context, account string) ([]*OIDCProvider, error)
	UpdateOIDCProvider(ctx context.Context, p *OIDCProvider) error // by ARN: client ids, thumbprints, tags
	DeleteOIDCProvider(ctx context.Context, arn string) error
}

// Accounts stores tenants.
type Accounts interface {
	CreateAccount(ctx context.Context, a *Account) error // ErrExists on a duplicate id
	GetAccount(ctx context.Context, id string) (*Account, error)
	ListAccounts(ctx context.Context) ([]*Account, error) // ordered by id
	// GetAccountPublicAccessBlock returns the account's S3 Block Public
	// Access configuration (S3 Control); ErrNotFound when it has none.
	GetAccountPublicAccessBlock(ctx context.Context, account string) (*PublicAccessBlock, error)
	// PutAccountPublicAccessBlock creates or replaces it. Unlike other S3
	// metadata it bumps the IAM generation (so does a delete): it decides
	// access to every bucket of the account and is cached by generation.
	PutAccountPublicAccessBlock(ctx context.Context, account string, b *PublicAccessBlock) error
	// DeleteAccountPublicAccessBlock removes it; ErrNotFound when none.
	DeleteAccountPublicAccessBlock(ctx context.Context, account string) error
}

// Users stores IAM users.
type Users interface {
	CreateUser(ctx context.Context, u *User) error // ErrExists: same name (any case) in the account
	GetUser(ctx context.Context, account, name string) (*User, error)
	GetUserByID(ctx context.Context, account, id string) (*User, error)
	ListUsers(ctx context.Context, account string, q ListQuery) ([]*User, error)
	// UpdateUser replaces the record with the same ID (rename, path,
	// boundary, tags). ErrExists if a rename collides.
	UpdateUser(ctx context.Context, u *User) error
	// DeleteUser removes the user record only; callers check for
	// dependants first (keys, policies, groups).
	DeleteUser(ctx context.Context, account, id string) error
	CountUsers(ctx context.Context, account string) (int, error)
}

// Groups stores IAM groups and their membership.
type Groups interface {
	CreateGroup(ctx context.Context, g *Group) error
	GetGroup(ctx context.Context, account, name string) (*Group, error)
	GetGroupByID(ctx context.Context, account, id string) (*Group, error)
	ListGroups(ctx context.Context, account string, q ListQuery) ([]*Group, error)
	UpdateGroup(ctx context.Context, g *Group) error
	DeleteGroup(ctx context.Context, account, id string) error // also removes memberships
	CountGroups(ctx context.Context, account string) (int, error)
	AddUserToGroup(ctx context.Context, account, groupID, userID string) error      // idempotent
	RemoveUserFromGroup(ctx context.Context, account, groupID, userID string) error // ErrNotFound if not a member
	ListGroupMembers(ctx context.Context, account, groupID string, q ListQuery) ([]*User, error)
	ListGroupsForUser(ctx context.Context, account, userID string, q ListQuery) ([]*Group, error)
}

// Roles stores IAM roles.
type Roles interface {
	CreateRole(ctx context.Context, r *Role) error
	GetRole(ctx context.Context, account, name string) (*Role, error)
	GetRoleByID(ctx context.Context, account, id string) (*Role, error)
	ListRoles(ctx context.Context, account string, q ListQuery) ([]*Role, error)
	UpdateRole(ctx context.Context, r *Role) error // replaces the record with the same ID
	DeleteRole(ctx context.Context, account, id string) error
	CountRoles(ctx context.Context, account string) (int, error)
	// TouchRole records the last use of a role without bumping the IAM
	// generation.
	TouchRole(ctx context.Context, account, id string, at time.Time, region string) error
}

// Policies stores customer managed policies and their versions.
type Policies interface {
	// CreatePolicy stores the policy and its first version together.
	CreatePolicy(ctx context.Context, p *ManagedPolicy, first *PolicyVersion) error
	GetPolicy(ctx context.Context, arn string) (*ManagedPolicy, error)
	ListPolicies(ctx context.Context, account string, q ListQuery) ([]*ManagedPolicy, error)
	UpdatePolicy(ctx context.Context, p *ManagedPolicy) error // by ARN: default version, next version, tags, update time
	DeletePolicy(ctx context.Context, arn string) error       // also deletes its versions
	CountPolicies(ctx context.Context, account string) (int, error)
	CreatePolicyVersion(ctx context.Context, v *PolicyVersion) error
	GetPolicyVersion(ctx context.Context, arn, versionID string) (*PolicyVersion, error)
	ListPolicyVersions(ctx context.Context, arn string) ([]*PolicyVersion, error) // newest first
	DeletePolicyVersion(ctx context.Context, arn, versionID string) error
}

// InlinePolicies stores policies embedded in users, groups and roles.
type InlinePolicies interface {
	PutInlinePolicy(ctx context.Context, p *InlinePolicy) error // create or replace
	GetInlinePolicy(ctx context.Context, owner EntityRef, name string) (*InlinePolicy, error)
	ListInlinePolicies(ctx context.Context, owner EntityRef) ([]*InlinePolicy, error) // ordered by name
	DeleteInlinePolicy(ctx context.Context, owner EntityRef, name string) error
	DeleteInlinePolicies(ctx context.Context, owner EntityRef) error
}

// Attachments stores managed-policy attachments to users, groups and roles.
// A policy ARN may name a customer managed policy or an AWS managed one.
type Attachments interface {
	AttachPolicy(ctx context.Context, owner EntityRef, policyARN string) error   // idempotent
	DetachPolicy(ctx context.Context, owner EntityRef, policyARN string) error   // ErrNotFound if not attached
	ListAttachedPolicies(ctx context.Context, owner EntityRef) ([]string, error) // ordered by ARN
	// ListPolicyAttachments returns the entities of the account that the
	// policy is attached to, ordered by kind then id.
	ListPolicyAttachments(ctx context.Context, account, policyARN string) ([]EntityRef, error)
}

// AccessKeys stores long-term access keys of users and account roots.
type AccessKeys interface {
	CreateAccessKey(ctx context.Context, k *AccessKey) error
	GetAccessKey(ctx context.Context, id string) (*AccessKey, error)
	// ListAccessKeys returns the keys of one user (userID "" = the root),
	// ordered by creation time.
	ListAccessKeys(ctx context.Context, account, userID string) ([]*AccessKey, error)
	UpdateAccessKeyStatus(ctx context.Context, id, status string) error
	DeleteAccessKey(ctx context.Context, id string) error
	// TouchAccessKey records the last use of a key without bumping the IAM
	// generation.
	TouchAccessKey(ctx context.Context, id string, at time.Time, service, region string) error
}

// TokenKeys stores the session-token keyring: key material sealed under the
// master key, one key active at a time.
type TokenKeys interface {
	ListTokenKeys(ctx context.Context) ([]*TokenKey, error) // ordered by id
	CreateTokenKey(ctx context.Context, k *TokenKey) error
	UpdateTokenKey(ctx context.Context, k *TokenKey) error // state and retirement time, by id
	DeleteTokenKey(ctx context.Context, id uint32) error
}

// Installations stores the one Installation record of a store: facts about
// the data it holds that are checked before it is opened for writing.
type Installations interface {
	// GetInstallation returns the record; ErrNotFound when none was written
	// yet (a new store, or one written by a version that kept none).
	GetInstallation(ctx context.Context) (*Installation, error)
	// PutInstallation creates or replaces the record. It is not IAM data:
	// it does not bump the IAM generation.
	PutInstallation(ctx context.Context, in *Installation) error
}
