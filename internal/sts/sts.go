package sts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/token"
)

// Authorizer decides policy questions (authz.Authorizer).
type Authorizer interface {
	Authorize(ctx context.Context, p *authz.Principal, info authz.RequestInfo, c authz.Check) error
}

// KeySets gives the current session-token key set.
type KeySets interface {
	KeySet(ctx context.Context) (token.KeySet, error)
}

// ManagedPolicies tells whether an AWS managed policy exists.
type ManagedPolicies interface {
	Document(arn string) (string, bool)
}

// Config are the service's dependencies.
type Config struct {
	Store      store.Store
	Authorizer Authorizer
	Tokens     KeySets
	Managed    ManagedPolicies
	// Opener unseals MFA device secrets (nil: MFA codes are refused).
	Opener Opener
}

// Service answers STS actions.
type Service struct {
	cfg Config

	mu    sync.Mutex
	gen   int64
	roles map[string]*cachedRole // by account + "/" + lower-cased name
	touch map[string]time.Time   // last-used bookkeeping per role id
}

// New returns the STS service.
func New(cfg Config) *Service {
	return &Service{cfg: cfg, roles: map[string]*cachedRole{}, touch: map[string]time.Time{}}
}

// GetCallerIdentityResult is the content of GetCallerIdentityResult.
type GetCallerIdentityResult struct {
	Arn     string `xml:"Arn"`
	UserId  string `xml:"UserId"`
	Account string `xml:"Account"`
}

// Handle runs one STS action for an authenticated caller (nil for the
// unsigned federation actions).
func (s *Service) Handle(ctx context.Context, caller *authz.Principal, info authz.RequestInfo, action string, p url.Values) (any, error) {
	if caller == nil && action != "AssumeRoleWithWebIdentity" && action != "AssumeRoleWithSAML" {
		return nil, awsapi.NewError("MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	// GetSessionToken sessions may call only AssumeRole and GetCallerIdentity.
	if caller != nil && caller.Session != nil && caller.Session.Kind == token.KindSession && action != "AssumeRole" && action != "GetCallerIdentity" {
		return nil, awsapi.Errorf("AccessDenied", "Cannot call %s with session credentials", action)
	}
	switch action {
	case "GetCallerIdentity":
		return &GetCallerIdentityResult{Arn: caller.ARN, UserId: caller.UserID, Account: caller.Account}, nil
	case "AssumeRole":
		return s.assumeRole(ctx, caller, info, p)
	case "GetSessionToken":
		return s.getSessionToken(ctx, caller, info, p)
	case "GetAccessKeyInfo":
		return s.getAccessKeyInfo(ctx, caller, info, p)
	}
	return nil, awsapi.Errorf("InvalidAction", "Could not find operation %s for version 2011-06-15", action)
}

// AppendXML writes the result without reflection (a hot path).
func (r *GetCallerIdentityResult) AppendXML(dst []byte) []byte {
	dst = awsapi.AppendElement(dst, "Arn", r.Arn)
	dst = awsapi.AppendElement(dst, "UserId", r.UserId)
	return awsapi.AppendElement(dst, "Account", r.Account)
}

func (c *xCredentials) appendXML(dst []byte) []byte {
	dst = append(dst, "<Credentials>"...)
	dst = awsapi.AppendElement(dst, "AccessKeyId", c.AccessKeyId)
	dst = awsapi.AppendElement(dst, "SecretAccessKey", c.SecretAccessKey)
	dst = awsapi.AppendElement(dst, "SessionToken", c.SessionToken)
	dst = awsapi.AppendElement(dst, "Expiration", c.Expiration)
	return append(dst, "</Credentials>"...)
}

// xCredentials is the Credentials element.
type xCredentials struct {
	AccessKeyId     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

// mint seals a session and returns its credentials.
func (s *Service) mint(ctx context.Context, sess *token.Session) (xCredentials, error) {
	sess.AccessKeyID, sess.SecretAccessKey = newAccessKeyID(), newSecret()
	keys, err := s.cfg.Tokens.KeySet(ctx)
	if err != nil {
		return xCredentials{}, err
	}
	tok, err := token.Seal(keys, sess)
	if err != nil {
		return xCredentials{}, err
	}
	return xCredentials{AccessKeyId: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey, SessionToken: tok,
		Expiration: sess.Expires.UTC().Format("2006-01-02T15:04:05Z")}, nil
}

const base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func newAccessKeyID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	out := make([]byte, 20)
	copy(out, "ASIA")
	for i := range b {
		out[4+i] = base32Upper[b[i]&31]
	}
	return string(out)
}

func newSecret() string {
	b := make([]byte, 30)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// getAccessKeyInfo returns the account of any access key id.
func (s *Service) getAccessKeyInfo(ctx context.Context, caller *authz.Principal, info authz.RequestInfo, p url.Values) (any, error) {
	id := p.Get("AccessKeyId")
	if len(id) < 16 || len(id) > 128 {
		return nil, awsapi.ValidationError(id, "accessKeyId", "Member must have length greater than or equal to 16")
	}
	if err := s.cfg.Authorizer.Authorize(ctx, caller, info, authz.Check{Action: "sts:GetAccessKeyInfo", Resource: "*"}); err != nil {
		return nil, err
	}
	account := ""
	_ = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		if k, err := tx.GetAccessKey(ctx, id); err == nil {
			account = k.Account
		}
		return nil
	})
	if account == "" {
		// AWS derives the account from the key id itself; an unknown key
		// here belongs to no local account.
		return nil, awsapi.Errorf("InvalidParameterValue", "The access key %s does not belong to any account.", id)
	}
	return struct {
		Account string `xml:"Account"`
	}{account}, nil
}
