package authz

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/gencache"
	"github.com/gatehouse/gatehouse/internal/sigv2"
	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/token"
)

// KeySets gives the current session-token key set.
type KeySets interface {
	KeySet(ctx context.Context) (token.KeySet, error)
}

// TokenObserver is told the outcome of every session-token open (the
// metrics count them). TokenOpened must not block.
type TokenObserver interface {
	TokenOpened(outcome string)
}

// Outcomes of a session-token open, as TokenObserver is told them.
const (
	TokenOpenOK      = "ok"      // the token opened and names the request's access key
	TokenOpenExpired = "expired" // a valid token past its expiry
	TokenOpenInvalid = "invalid" // missing, forged, tampered, unknown key, or another key's token
	TokenOpenError   = "error"   // the key set could not be loaded
)

// AuthenticatorConfig are an Authenticator's dependencies.
type AuthenticatorConfig struct {
	Store    store.Store
	Opener   Opener
	Verifier *sigv4.Verifier
	Tokens   KeySets
	Region   string
	// SigningRegions are the regions a credential scope may name besides
	// Region (and us-east-1 for IAM and STS): nil or a list holding "*"
	// accepts any region name, as S3-compatible services do for clients
	// that sign with "auto" or their own region names.
	SigningRegions []string
	Now            func() time.Time
	// TokenObserver, when set, is told the outcome of every session-token
	// open.
	TokenObserver TokenObserver
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
	// regions accepted besides region; anyRegion: every region name.
	regions   map[string]bool
	anyRegion bool
	// regionLocal and regionGlobal are acceptRegion's two answers, as
	// method values made once (a method value made per request allocates).
	regionLocal, regionGlobal func(string) bool
	now                       func() time.Time
	keys                      *gencache.Cache[string, *resolvedKey]
	touches                   *touches
	observer                  TokenObserver // nil: none
}

// NewAuthenticator builds an Authenticator.
func NewAuthenticator(c AuthenticatorConfig) *Authenticator {
	if c.Now == nil {
		c.Now = time.Now
	}
	a := &Authenticator{store: c.Store, opener: c.Opener, verifier: c.Verifier, tokens: c.Tokens, region: c.Region, now: c.Now,
		keys: gencache.New[string, *resolvedKey](c.Store, 10000), touches: &touches{last: map[string]time.Time{}, max: 10000},
		regions: map[string]bool{}, anyRegion: len(c.SigningRegions) == 0, observer: c.TokenObserver}
	for _, r := range c.SigningRegions {
		if r == "*" {
			a.anyRegion = true
		}
		a.regions[r] = true
	}
	a.regionLocal, a.regionGlobal = a.acceptLocal, a.acceptGlobal
	return a
}

// AuthRequest says how to verify one request.
type AuthRequest struct {
	Service     string // iam, sts or s3, as routed
	PayloadHash string // what the canonical request carries
	S3          bool   // S3 canonicalization
	// Now is the request's time on the authenticator's clock, when the
	// caller has read it already (zero: Verify reads the clock).
	Now time.Time
}

// Authenticate verifies r and returns its principal. Errors wrap
// ErrNoCredentials, ErrUnknownAccessKey, ErrInvalidToken, ErrExpiredToken or
// a sigv4 sentinel.
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request, req AuthRequest) (*Principal, error) {
	v, err := a.Verify(ctx, r, req)
	if err != nil {
		return nil, err
	}
	return v.Principal, nil
}

// Verified is an authenticated request: its principal, what it claimed about
// its signature, and the derived signing key (for aws-chunked payloads whose
// chunk signatures chain from the request's). The key never leaves the
// process and is never logged.
type Verified struct {
	Principal *Principal
	Auth      *sigv4.Auth
	Key       [32]byte
}

// Verify is Authenticate that also returns the signature details.
func (a *Authenticator) Verify(ctx context.Context, r *http.Request, req AuthRequest) (*Verified, error) {
	auth, err := sigv4.Parse(r)
	if errors.Is(err, sigv4.ErrNotSigned) {
		return nil, ErrNoCredentials
	}
	if err != nil {
		return nil, err
	}
	now := req.Now
	if now.IsZero() {
		now = a.now()
	}
	secret, principal, err := a.credentials(ctx, auth.AccessKeyID, auth.SessionToken, now)
	if err != nil {
		return nil, err
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
	v := &Verified{Principal: principal, Auth: auth}
	if strings.HasPrefix(auth.PayloadHash, "STREAMING-AWS4-HMAC-SHA256-") {
		v.Key = a.verifier.SigningKey(auth.AccessKeyID, secret, auth.Date, auth.Region, auth.Service)
	}
	return v, nil
}

// credentials finds the secret and principal behind an access key id: AKIA
// keys from the store (cached), ASIA keys from their session token.
func (a *Authenticator) credentials(ctx context.Context, akid, sessionToken string, now time.Time) (string, *Principal, error) {
	if isTemporary(akid) {
		sess, err := a.openSession(ctx, akid, sessionToken, now)
		if err != nil {
			return "", nil, err
		}
		return sess.SecretAccessKey, sessionPrincipal(sess), nil
	}
	if sessionToken != "" {
		// Long-term keys never carry a session token.
		return "", nil, ErrInvalidToken
	}
	key, err := a.resolveLongTerm(ctx, akid)
	if err != nil {
		return "", nil, err
	}
	p := key.principal
	return key.secret, &p, nil
}

// VerifyQueryV2 authenticates a Signature Version 2 presigned URL, which
// S3 still accepts and the aws CLI v1 creates by default (`aws s3 presign`).
// resource is the URL's canonicalized resource (sigv2.Resource).
func (a *Authenticator) VerifyQueryV2(ctx context.Context, r *http.Request, resource string) (*Principal, error) {
	auth, err := sigv2.Parse(r)
	if errors.Is(err, sigv2.ErrNotSigned) {
		return nil, ErrNoCredentials
	}
	if err != nil {
		return nil, err
	}
	return a.verifyV2(ctx, auth.AccessKeyID, auth.SessionToken, func(secret string, now time.Time) error {
		return sigv2.Verify(r, auth, secret, resource, now)
	})
}

// VerifyHeaderV2 authenticates a request signed with Signature Version 2
// in its Authorization header ("AWS AccessKeyId:Signature"), which older
// S3 tools still send. resource is the request's canonicalized resource
// (sigv2.Resource).
func (a *Authenticator) VerifyHeaderV2(ctx context.Context, r *http.Request, resource string) (*Principal, error) {
	auth, err := sigv2.ParseHeader(r)
	if errors.Is(err, sigv2.ErrNotSigned) {
		return nil, ErrNoCredentials
	}
	if err != nil {
		return nil, err
	}
	return a.verifyV2(ctx, auth.AccessKeyID, auth.SessionToken, func(secret string, now time.Time) error {
		return sigv2.VerifyHeader(r, auth, secret, resource, now)
	})
}

// verifyV2 finishes a Signature Version 2 check of a request: the key's
// secret, the signature checked by verify at the same instant, and the last
// use of a long-term key.
func (a *Authenticator) verifyV2(ctx context.Context, akid, token string, verify func(secret string, now time.Time) error) (*Principal, error) {
	now := a.now()
	secret, principal, err := a.credentials(ctx, akid, token, now)
	if err != nil {
		return nil, err
	}
	if err := verify(secret, now); err != nil {
		return nil, err
	}
	if principal.Session == nil {
		a.touch(ctx, akid, "s3")
	}
	return principal, nil
}

// VerifyPostV2 authenticates a browser form upload signed with Signature
// Version 2 (AWSAccessKeyId, policy and signature fields): the signature
// is the HMAC-SHA1 of the policy under the key's secret.
func (a *Authenticator) VerifyPostV2(ctx context.Context, akid, sessionToken, policy, signature string) (*Principal, error) {
	secret, principal, err := a.credentials(ctx, akid, sessionToken, a.now())
	if err != nil {
		return nil, err
	}
	if err := sigv2.VerifyPost(secret, policy, signature); err != nil {
		return nil, err
	}
	return principal, nil
}

// PostKey authenticates the credential of a browser form upload (S3 POST
// object): it returns the principal and the signing key for (date, region,
// service), with which the caller checks the policy's signature. The
// region and service must be ones this server accepts.
func (a *Authenticator) PostKey(ctx context.Context, akid, sessionToken, date, region, service string) (*Principal, [32]byte, error) {
	secret, principal, err := a.credentials(ctx, akid, sessionToken, a.now())
	if err != nil {
		return nil, [32]byte{}, err
	}
	if !a.acceptRegion(service)(region) {
		return nil, [32]byte{}, &sigv4.Error{Err: sigv4.ErrRegion, Detail: "Credential should be scoped to a valid region: '" + region + "'", Region: region}
	}
	return principal, a.verifier.SigningKey(akid, secret, date, region, service), nil
}

// openSession opens the session token of an ASIA key and tells the
// observer how it went.
func (a *Authenticator) openSession(ctx context.Context, akid, sessionToken string, now time.Time) (*token.Session, error) {
	sess, err := a.open(ctx, akid, sessionToken, now)
	if a.observer != nil {
		outcome := TokenOpenOK
		switch {
		case err == nil:
		case errors.Is(err, ErrExpiredToken):
			outcome = TokenOpenExpired
		case errors.Is(err, ErrInvalidToken):
			outcome = TokenOpenInvalid
		default:
			outcome = TokenOpenError
		}
		a.observer.TokenOpened(outcome)
	}
	return sess, err
}

func (a *Authenticator) open(ctx context.Context, akid, sessionToken string, now time.Time) (*token.Session, error) {
	if sessionToken == "" || a.tokens == nil {
		return nil, ErrInvalidToken
	}
	keys, err := a.tokens.KeySet(ctx)
	if err != nil {
		return nil, err
	}
	sess, err := token.Open(keys, sessionToken, now)
	switch {
	case errors.Is(err, token.ErrExpired):
		return nil, ErrExpiredToken
	case err != nil:
		return nil, ErrInvalidToken
	case sess.AccessKeyID != akid:
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
	case token.KindFederated:
		// GetFederationToken: a principal of its own, with the
		// permissions of the user (or root) who federated.
		p.Type = TypeFederated
		p.ARN = "arn:aws:sts::" + s.Account + ":federated-user/" + s.SessionName
		p.UserID = s.Account + ":" + s.SessionName
		p.SessionName = s.SessionName
		if s.SourceUserID != s.Account {
			p.EntityID = s.SourceUserID
		}
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

// acceptRegion: any region name by default; with a list of signing
// regions, the configured region, the listed ones, and us-east-1 for the
// global IAM and STS endpoints.
func (a *Authenticator) acceptRegion(service string) func(string) bool {
	if service == "iam" || service == "sts" {
		return a.regionGlobal
	}
	return a.regionLocal
}

// acceptLocal and acceptGlobal are acceptRegion's answers, built once.
func (a *Authenticator) acceptLocal(region string) bool {
	return a.anyRegion || region == a.region || a.regions[region]
}

func (a *Authenticator) acceptGlobal(region string) bool {
	return a.acceptLocal(region) || region == "us-east-1"
}
