package store

import (
	"context"
	"time"
)

// SAMLProviders stores IAM SAML identity providers. A provider's name is
// unique per account without regard to case; its ARN is
// arn:aws:iam::ACCOUNT:saml-provider/NAME.
type SAMLProviders interface {
	CreateSAMLProvider(ctx context.Context, p *SAMLProvider) error // ErrExists: same name (any case) in the account
	GetSAMLProvider(ctx context.Context, account, name string) (*SAMLProvider, error)
	// ListSAMLProviders returns an account's providers ordered by
	// lower-cased name.
	ListSAMLProviders(ctx context.Context, account string) ([]*SAMLProvider, error)
	UpdateSAMLProvider(ctx context.Context, p *SAMLProvider) error // by account and name: metadata, validity, tags
	DeleteSAMLProvider(ctx context.Context, account, name string) error
	CountSAMLProviders(ctx context.Context, account string) (int, error)
}

// SAMLProvider is an IAM SAML identity provider: the IdP's metadata
// document as uploaded, with what was read from it kept beside it.
type SAMLProvider struct {
	Account  string
	Name     string
	UUID     string // SAMLProviderUUID
	Metadata string // SAMLMetadataDocument, as written
	// EntityID is the IdP's entity id read from Metadata (the Issuer of
	// its assertions).
	EntityID   string
	CreatedAt  time.Time
	ValidUntil time.Time
	Tags       []Tag
}
