package authz

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/store"
)

// AuthenticatorConfig are an Authenticator's dependencies.
type AuthenticatorConfig struct {
	Store    store.Store
	Opener   Opener
	Verifier *sigv4.Verifier
	Region   string
	Now      func() time.Time
}

// Authenticator turns a signed request into a Principal: it parses the
// SigV4 credentials, finds the key's secret and owner (cached, validated
// against the store's IAM generation), and verifies the signature.
type Authenticator struct {
	store    store.Store
	opener   Opener
	verifier *sigv4.Verifier
	region   string
	now      func() time.Time
	keys     *keyCache
}

// NewAuthenticator builds an Authenticator.
func NewAuthenticator(c AuthenticatorConfig) *Authenticator {
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Authenticator{store: c.Store, opener: c.Opener, verifier: c.Verifier, region: c.Region, now: c.Now, keys: newKeyCache(10000)}
}

// AuthRequest says how to verify one request.
type AuthRequest struct {
	Service     string // iam, sts or s3, as routed
	PayloadHash string // what the canonical request carries
	S3          bool   // S3 canonicalization
}

// Authenticate verifies r and returns its principal. Errors wrap
// ErrNoCredentials, ErrUnknownAccessKey, ErrInvalidToken, ErrExpiredToken or
// a sigv4 sentinel.
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request, req AuthRequest) (*Principal, error) {
	auth, err := sigv4.Parse(r)
	if errors.Is(err, sigv4.ErrNotSigned) {
		return nil, ErrNoCredentials
	}
	if err != nil {
		return nil, err
	}
	if isTemporary(auth.AccessKeyID) {
		// Temporary credentials arrive with STS (sealed session tokens).
		return nil, ErrUnknownAccessKey
	}
	key, err := a.resolveLongTerm(ctx, auth.AccessKeyID)
	if err != nil {
		return nil, err
	}
	check := sigv4.Check{
		Secret:      key.secret,
		Now:         a.now(),
		Service:     req.Service,
		Region:      a.acceptRegion(req.Service),
		PayloadHash: req.PayloadHash,
		S3:          req.S3,
	}
	if err := a.verifier.Verify(r, auth, check); err != nil {
		return nil, err
	}
	a.touch(ctx, auth.AccessKeyID, req.Service)
	p := key.principal
	return &p, nil
}

// acceptRegion: the configured region, and us-east-1 for the global IAM
// and STS endpoints.
func (a *Authenticator) acceptRegion(service string) func(string) bool {
	return func(region string) bool {
		return region == a.region || ((service == "iam" || service == "sts") && region == "us-east-1")
	}
}
