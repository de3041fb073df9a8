package sts

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/gencache"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/quota"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/token"
)

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
	Store   store.Store
	Tokens  KeySets
	Managed ManagedPolicies
	// Opener unseals MFA device secrets (nil: MFA codes are refused).
	Opener Opener
	// IssuerKeys fetches OIDC issuers' signing keys for
	// AssumeRoleWithWebIdentity (nil: it answers IDPCommunicationError).
	IssuerKeys IssuerKeys
	// SAMLEndpoints are the audiences and recipients AssumeRoleWithSAML
	// accepts beside AWS's https://signin.aws.amazon.com/saml (the
	// server's own endpoint).
	SAMLEndpoints []string
	// Quota throttles the calls that issue credentials (nil: no limit).
	Quota Quota
	// Accounts are per-account settings (nil: AWS's behaviour for all).
	Accounts AccountSettings
}

// Quota admits or throttles one credential-issuing call of a principal
// (quota.Limiter).
type Quota interface {
	Allow(account, principal string) quota.Reason
}

var _ Quota = (*quota.Limiter)(nil)

// AccountSettings are the per-account settings STS reads.
type AccountSettings interface {
	// RootMayAssumeRole: the account's root keys may call AssumeRole on
	// the account's own roles (AWS never allows it).
	RootMayAssumeRole(account string) bool
}

// Service answers STS actions.
type Service struct {
	cfg       Config
	roles     *gencache.Cache[string, *cachedRole]         // by account + "/" + lower-cased name
	providers *gencache.Cache[string, *store.OIDCProvider] // by ARN; nil: no such provider

	mu    sync.Mutex
	touch map[string]time.Time // last-used bookkeeping per role id
}

// New returns the STS service.
func New(cfg Config) *Service {
	return &Service{cfg: cfg, roles: gencache.New[string, *cachedRole](cfg.Store, 100000),
		providers: gencache.New[string, *store.OIDCProvider](cfg.Store, 10000), touch: map[string]time.Time{}}
}

// GetCallerIdentityResult is the content of GetCallerIdentityResult.
type GetCallerIdentityResult struct {
	Arn     string `xml:"Arn"`
	UserId  string `xml:"UserId"`
	Account string `xml:"Account"`
}

// Resolve prepares one STS action for an authenticated caller: it
// validates the request, loads what the action needs and declares the
// checks the pipeline decides before the action runs.
func (s *Service) Resolve(ctx context.Context, caller *authz.Principal, info authz.RequestInfo, action string, p url.Values) (*pipeline.Call, error) {
	// The federation actions are unsigned (a signature, if any, is not
	// what authenticates them): the token or assertion names the caller,
	// and their checks are decided for it, never for the request's caller.
	switch action {
	case "AssumeRoleWithWebIdentity":
		return s.assumeRoleWithWebIdentity(ctx, info, p)
	case "AssumeRoleWithSAML":
		return s.assumeRoleWithSAML(ctx, info, p)
	}
	if caller == nil || caller.Type == authz.TypeAnonymous || caller.IsFederationCaller() {
		return nil, awsapi.MissingAuthentication.Of()
	}
	// GetSessionToken sessions may call only AssumeRole and GetCallerIdentity.
	if caller.Session != nil && caller.Session.Kind == token.KindSession && action != "AssumeRole" && action != "GetCallerIdentity" {
		return nil, awsapi.SessionCredentialsRefused.Of(action)
	}
	// Federated users (GetFederationToken) may call only GetCallerIdentity.
	if caller.Session != nil && caller.Session.Kind == token.KindFederated && action != "GetCallerIdentity" {
		return nil, awsapi.SessionCredentialsRefused.Of(action)
	}
	if err := s.admit(caller, action); err != nil {
		return nil, err
	}
	noCheck := func(reason string, run func(ctx context.Context) (any, error)) *pipeline.Call {
		return &pipeline.Call{Plan: pipeline.Plan{NoCheck: reason}, Run: func(ctx context.Context, _ pipeline.Outcomes) (any, error) { return run(ctx) }}
	}
	switch action {
	case "GetCallerIdentity":
		return noCheck("AWS requires no permission for GetCallerIdentity", func(context.Context) (any, error) {
			return &GetCallerIdentityResult{Arn: caller.ARN, UserId: caller.UserID, Account: caller.Account}, nil
		}), nil
	case "AssumeRole":
		return s.assumeRole(ctx, caller, info, p)
	case "GetSessionToken":
		return noCheck("AWS requires no permission for GetSessionToken (it authenticates; its sessions are limited instead)", func(ctx context.Context) (any, error) {
			return s.getSessionToken(ctx, caller, info, p)
		}), nil
	case "GetFederationToken":
		return s.getFederationToken(ctx, caller, info, p)
	case "GetAccessKeyInfo":
		id := p.Get("AccessKeyId")
		if len(id) < 16 || len(id) > 128 {
			return nil, awsapi.ValueTooShort.Of(id, "accessKeyId", 16)
		}
		check := pipeline.Check{Check: authz.Check{Action: "sts:GetAccessKeyInfo", Resource: "*"}}
		return &pipeline.Call{Plan: pipeline.Plan{Checks: []pipeline.Check{check}},
			Run: func(ctx context.Context, _ pipeline.Outcomes) (any, error) { return s.getAccessKeyInfo(ctx, id) }}, nil
	}
	return nil, awsapi.UnknownOperation.Of(action, "2011-06-15")
}

// Actions lists the actions Resolve serves.
func (s *Service) Actions() []string {
	return []string{"GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity", "GetSessionToken", "GetAccessKeyInfo",
		"GetFederationToken", "AssumeRoleWithSAML"}
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
	sess.AccessKeyID, sess.SecretAccessKey = newCredentials(sess.Account)
	keys, err := s.cfg.Tokens.KeySet(ctx)
	if err != nil {
		return xCredentials{}, err
	}
	tok, err := token.Seal(keys, sess)
	if err != nil {
		return xCredentials{}, err
	}
	return xCredentials{AccessKeyId: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey, SessionToken: tok,
		Expiration: awsapi.Timestamp(sess.Expires)}, nil
}

// newCredentials returns a temporary access key id and its secret, from
// one read of the random source. The id encodes its account as AWS's ids
// do: "ASIA", then 10 bytes in base32 whose first 48 bits hold 0, the
// 40-bit account number and 7 random bits; the other 32 bits are random
// (39 random bits in all). The secret is 30 random bytes in base64 (40
// characters).
func newCredentials(account string) (id, secret string) {
	var r [40]byte
	_, _ = rand.Read(r[:])
	b, key := r[:10], r[10:]
	n, _ := strconv.ParseUint(account, 10, 64)
	head := n<<7 | uint64(b[5]&0x7f)
	for i := 0; i < 6; i++ {
		b[i] = byte(head >> (8 * (5 - i)))
	}
	var idBuf [20]byte // "ASIA" and 16 base32 characters, built in place
	copy(idBuf[:], "ASIA")
	base32.StdEncoding.Encode(idBuf[4:], b)
	var secretBuf [40]byte
	base64.StdEncoding.Encode(secretBuf[:], key)
	return string(idBuf[:]), string(secretBuf[:])
}

// AccountOfKeyID decodes the account of a temporary access key id (false
// for ids that are not ASIA ids of that form).
func AccountOfKeyID(id string) (string, bool) {
	if len(id) != 20 || !strings.HasPrefix(id, "ASIA") {
		return "", false
	}
	b, err := base32.StdEncoding.DecodeString(id[4:])
	if err != nil || len(b) != 10 {
		return "", false
	}
	var head uint64
	for i := 0; i < 6; i++ {
		head = head<<8 | uint64(b[i])
	}
	n := (head & 0x7fffffffff80) >> 7
	if n > 999999999999 {
		return "", false
	}
	return fmt.Sprintf("%012d", n), true
}

// getAccessKeyInfo returns the account of an access key id: for temporary
// (ASIA) keys the account encoded in the id, as AWS encodes it; for
// long-term keys the account of the stored key.
func (s *Service) getAccessKeyInfo(ctx context.Context, id string) (any, error) {
	account, ok := AccountOfKeyID(id)
	if !ok {
		err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
			k, err := tx.GetAccessKey(ctx, id)
			if err == nil {
				account = k.Account
			}
			return err
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if account == "" {
		// AWS derives the account from the key id itself; an unknown key
		// here belongs to no local account.
		return nil, awsapi.AccessKeyOfNoAccount.Of(id)
	}
	return struct {
		Account string `xml:"Account"`
	}{account}, nil
}
