package authz

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/token"
)

// KeySets gives the current session-token key set.
type KeySets interface {
	KeySet(ctx context.Context) (token.KeySet, error)
}

// AuthenticatorConfig are an Authenticator's dependencies.
type AuthenticatorConfig struct {
	Store    store.Store
	Opener   Opener
	Verifier *sigv4.Verifier
	Tokens   KeySets
	Region   string
	Now      func() time.Time
}

// Authenticator turns a signed request into a Principal: it parses the
// SigV4 credentials, finds the secret — for AKIA keys in the store (cached,
// validated against the IAM generation), for ASIA keys inside the sealed
// session token, with no store access — and verifies the signature.
type Authenticator struct {
	store    store.Store
	opener   Opener
	verifier *sigv4.Verifier
	tokens   KeySets
	region   string
	now      func() time.Time
	keys     *keyCache
}

// NewAuthenticator builds an Authenticator.
func NewAuthenticator(c AuthenticatorConfig) *Authenticator {
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Authenticator{store: c.Store, opener: c.Opener, verifier: c.Verifier, tokens: c.Tokens, region: c.Region, now: c.Now, keys: newKeyCache(10000)}
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
	now := a.now()
	var secret string
	var principal *Principal
	if isTemporary(auth.AccessKeyID) {
		sess, err := a.openSession(ctx, auth, now)
		if err != nil {
			return nil, err
		}
		secret, principal = sess.SecretAccessKey, sessionPrincipal(sess)
	} else {
		if auth.SessionToken != "" {
			// Long-term keys never carry a session token.
			return nil, ErrInvalidToken
		}
		key, err := a.resolveLongTerm(ctx, auth.AccessKeyID)
		if err != nil {
			return nil, err
		}
		p := key.principal
		secret, principal = key.secret, &p
	}
	check := sigv4.Check{
		Secret:      secret,
		Now:         now,
		Service:     req.Service,
		Region:      a.acceptRegion(req.Service),
		PayloadHash: req.PayloadHash,
		S3:          req.S3,
	}
	if err := a.verifier.Verify(r, auth, check); err != nil {
		return nil, err
	}
	if principal.Session == nil {
		a.touch(ctx, auth.AccessKeyID, req.Service)
	}
	return principal, nil
}

// openSession opens the session token of an ASIA key.
func (a *Authenticator) openSession(ctx context.Context, auth *sigv4.Auth, now time.Time) (*token.Session, error) {
	if auth.SessionToken == "" || a.tokens == nil {
		return nil, ErrInvalidToken
	}
	keys, err := a.tokens.KeySet(ctx)
	if err != nil {
		return nil, err
	}
	sess, err := token.Open(keys, auth.SessionToken, now)
	switch {
	case errors.Is(err, token.ErrExpired):
		return nil, ErrExpiredToken
	case err != nil:
		return nil, ErrInvalidToken
	case sess.AccessKeyID != auth.AccessKeyID:
		return nil, ErrInvalidToken
	}
	return sess, nil
}

// sessionPrincipal describes the caller behind a session token.
func sessionPrincipal(s *token.Session) *Principal {
	p := &Principal{Account: s.Account, AccessKeyID: s.AccessKeyID, Session: s}
	switch s.Kind {
	case token.KindRole:
		roleName := s.RoleARN[lastSlash(s.RoleARN)+1:]
		p.Type = TypeAssumedRole
		p.ARN = "arn:aws:sts::" + s.Account + ":assumed-role/" + roleName + "/" + s.SessionName
		p.UserID = s.RoleID + ":" + s.SessionName
		p.EntityID, p.RoleARN, p.SessionName = s.RoleID, s.RoleARN, s.SessionName
	default: // GetSessionToken: the user's (or root's) own identity
		p.ARN, p.UserID, p.UserName, p.EntityID = s.SourceARN, s.SourceUserID, s.SourceName, s.SourceUserID
		p.Type = TypeUser
		if s.SourceUserID == s.Account {
			p.Type, p.UserName, p.EntityID = TypeRoot, "", ""
		}
	}
	return p
}

func lastSlash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// acceptRegion: the configured region, and us-east-1 for the global IAM
// and STS endpoints.
func (a *Authenticator) acceptRegion(service string) func(string) bool {
	return func(region string) bool {
		return region == a.region || ((service == "iam" || service == "sts") && region == "us-east-1")
	}
}
