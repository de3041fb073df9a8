package iam

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"math/big"
	"net/url"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/iam/awsmanaged"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/store"
)

// SecretSealer seals secrets before they are stored, and opens the ones
// the service must read back (virtual MFA seeds, to check codes). The
// additional data binds a sealed secret to its record's id.
type SecretSealer interface {
	Seal(plaintext, additionalData []byte) ([]byte, error)
	Open(sealed, additionalData []byte) ([]byte, error)
}

// Config are the service's dependencies.
type Config struct {
	Store   store.Store
	Sealer  SecretSealer
	Now     func() time.Time
	Managed *awsmanaged.Catalog
}

// Service is the IAM API.
type Service struct {
	cfg Config
	ops map[string]op
}

type handler func(ctx context.Context, c *authz.Principal, p url.Values) (any, error)

type op struct {
	target target
	handle handler
}

// New builds the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{cfg: cfg}
	s.ops = s.operations()
	return s
}

// Actions lists every action the service serves.
func (s *Service) Actions() []string {
	out := make([]string, 0, len(s.ops))
	for name := range s.ops {
		out = append(out, name)
	}
	return out
}

// Resolve prepares one action for an authenticated caller: it finds the
// resource the action is authorized on (reading the entity for its real
// path) and returns the check with the request's IAM condition keys, and
// the handler the pipeline runs once the check allows.
func (s *Service) Resolve(ctx context.Context, caller *authz.Principal, action string, p url.Values) (*pipeline.Call, error) {
	o, ok := s.ops[action]
	if !ok {
		return nil, awsapi.UnknownOperation.Of(action, "2010-05-08")
	}
	var resource string
	var err error
	switch o.target.(type) {
	case param, providerURL:
		// The ARN is a parameter (or "*"), or made of one: nothing to read.
		resource, err = o.target.arn(ctx, nil, caller, p)
	default:
		err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
			var err error
			resource, err = o.target.arn(ctx, tx, caller, p)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	check := pipeline.Check{Check: authz.Check{Action: "iam:" + action, Resource: resource, Keys: conditionKeys(p)}}
	return &pipeline.Call{
		Plan: pipeline.Plan{Checks: []pipeline.Check{check}},
		Run:  func(ctx context.Context, _ pipeline.Outcomes) (any, error) { return o.handle(ctx, caller, p) },
	}, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Second) }

// AccessKey is a new access key with its secret in clear.
type AccessKey struct {
	AccessKeyID     string
	SecretAccessKey string
}

// CreateAccount creates an account and its root access key. Empty id, key
// id or secret are generated.
func (s *Service) CreateAccount(ctx context.Context, id, name, rootKeyID, rootSecret string) (*store.Account, *AccessKey, error) {
	if id == "" {
		id = randomDigits(12)
	}
	if rootKeyID == "" {
		rootKeyID, rootSecret = NewAccessKeyID("AKIA"), NewSecret()
	}
	sealed, err := s.cfg.Sealer.Seal([]byte(rootSecret), []byte(rootKeyID))
	if err != nil {
		return nil, nil, err
	}
	acct := &store.Account{ID: id, Name: name, CreatedAt: s.now()}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, acct); err != nil {
			return err
		}
		return tx.CreateAccessKey(ctx, &store.AccessKey{ID: rootKeyID, Account: id, SecretSealed: sealed, Status: store.KeyActive, CreatedAt: acct.CreatedAt})
	})
	if err != nil {
		return nil, nil, err
	}
	return acct, &AccessKey{AccessKeyID: rootKeyID, SecretAccessKey: rootSecret}, nil
}

// ListAccounts lists every account.
func (s *Service) ListAccounts(ctx context.Context) ([]*store.Account, error) {
	var out []*store.Account
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.ListAccounts(ctx)
		return err
	})
	return out, err
}

const base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// NewAccessKeyID returns prefix + 16 random characters of [A-Z2-7].
func NewAccessKeyID(prefix string) string { return prefix + randomFrom(base32Upper, 16) }

// newID returns an entity id: prefix + 17 random characters of [A-Z2-7].
func newID(prefix string) string { return prefix + randomFrom(base32Upper, 17) }

// NewSecret returns a 40-character secret access key.
func NewSecret() string {
	b := make([]byte, 30)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func randomFrom(alphabet string, n int) string {
	out := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range out {
		v, _ := rand.Int(rand.Reader, max)
		out[i] = alphabet[v.Int64()]
	}
	return string(out)
}

func randomDigits(n int) string {
	s := randomFrom("0123456789", n)
	if s[0] == '0' {
		s = "1" + s[1:]
	}
	return s
}
