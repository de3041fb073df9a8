package authz

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Sentinel errors of credential resolution. The server maps them to each
// protocol's code (InvalidClientTokenId for IAM/STS, InvalidAccessKeyId for S3).
var (
	// ErrNoCredentials: the request carries no signature at all.
	ErrNoCredentials = errors.New("authz: request is not signed")
	// ErrUnknownAccessKey: no active key has this id.
	ErrUnknownAccessKey = errors.New("authz: unknown or inactive access key")
	// ErrInvalidToken: the session token is malformed, was tampered with,
	// was sealed under an unknown key, or does not belong to the access key.
	ErrInvalidToken = errors.New("authz: invalid session token")
	// ErrExpiredToken: the session token has expired.
	ErrExpiredToken = errors.New("authz: session token expired")
)

// Opener opens secrets sealed at rest (the keyring's master key).
type Opener interface {
	Open(sealed, additionalData []byte) ([]byte, error)
}

// resolvedKey is a long-term access key with its secret and principal.
type resolvedKey struct {
	secret    string
	principal Principal
}

// touches throttles last-used bookkeeping to one store write per key per
// touchEvery.
type touches struct {
	mu   sync.Mutex
	last map[string]time.Time
	max  int
}

const touchEvery = time.Minute

// shouldTouch reports whether the key's last use should be written now.
func (c *touches) shouldTouch(akid string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.last[akid]; ok && now.Sub(t) < touchEvery {
		return false
	}
	if len(c.last) >= c.max {
		clear(c.last)
	}
	c.last[akid] = now
	return true
}

// resolveLongTerm finds an AKIA key, its owner and its secret.
func (a *Authenticator) resolveLongTerm(ctx context.Context, akid string) (*resolvedKey, error) {
	return a.keys.Get(ctx, akid, func(ctx context.Context) (*resolvedKey, error) {
		var key *store.AccessKey
		var user *store.User
		err := a.store.View(ctx, func(tx store.Tx) error {
			k, err := tx.GetAccessKey(ctx, akid)
			if err != nil {
				return err
			}
			key = k
			if k.UserID != "" {
				u, err := tx.GetUserByID(ctx, k.Account, k.UserID)
				if err != nil {
					return err
				}
				user = u
			}
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrUnknownAccessKey
		}
		if err != nil {
			return nil, err
		}
		if key.Status != store.KeyActive {
			return nil, ErrUnknownAccessKey
		}
		secret, err := a.opener.Open(key.SecretSealed, []byte(key.ID))
		if err != nil {
			return nil, err
		}
		e := &resolvedKey{secret: string(secret)}
		if user == nil {
			e.principal = Principal{Type: TypeRoot, Account: key.Account, ARN: "arn:aws:iam::" + key.Account + ":root", UserID: key.Account, AccessKeyID: akid}
		} else {
			e.principal = Principal{Type: TypeUser, Account: key.Account, ARN: UserARN(key.Account, user.Path, user.Name),
				UserID: user.ID, UserName: user.Name, AccessKeyID: akid, EntityID: user.ID}
		}
		return e, nil
	})
}

// touch records the key's last use, at most once a minute per key.
func (a *Authenticator) touch(ctx context.Context, akid, service string) {
	now := a.now()
	if !a.touches.shouldTouch(akid, now) {
		return
	}
	_ = a.store.Update(ctx, func(tx store.Tx) error {
		return tx.TouchAccessKey(ctx, akid, now, service, a.region)
	})
}

// UserARN formats an IAM user's ARN from its path and name.
func UserARN(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":user" + path + name
}

// isTemporary reports whether an access key id belongs to STS credentials.
func isTemporary(akid string) bool { return strings.HasPrefix(akid, "ASIA") }
