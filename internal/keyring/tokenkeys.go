package keyring

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/internal/gencache"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/token"
)

// MaxTokenLifetime is the longest any session token lives (GetSessionToken's
// 36 hours). A retired key is kept this long after its retirement, so every
// token it sealed can still be opened until it expires.
const MaxTokenLifetime = 36 * time.Hour

// TokenKeys is the session-token keyring: key material stored in the
// metadata store, sealed under the master key, so every node of a cluster
// shares it. The key set lives in a generation-stamped cache
// (internal/gencache): a rotation bumps the IAM generation, and the next
// request reloads it.
type TokenKeys struct {
	store  store.Store
	master *Master
	sets   *gencache.Cache[struct{}, *keySet]
}

// keySet is an immutable token.KeySet.
type keySet struct {
	active token.Key
	all    map[uint32]token.Key
}

var _ token.KeySet = (*keySet)(nil)

func (k *keySet) Active() token.Key { return k.active }
func (k *keySet) Lookup(id uint32) (token.Key, bool) {
	key, ok := k.all[id]
	return key, ok
}

// OpenTokenKeys loads the keyring, creating the first key when there is none.
func OpenTokenKeys(ctx context.Context, st store.Store, master *Master, now time.Time) (*TokenKeys, error) {
	t := &TokenKeys{store: st, master: master, sets: gencache.New[struct{}, *keySet](st, 1)}
	if err := st.Update(ctx, func(tx store.Tx) error {
		keys, err := tx.ListTokenKeys(ctx)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if k.State == store.TokenKeyActive {
				return nil
			}
		}
		return t.createKey(ctx, tx, now)
	}); err != nil {
		return nil, err
	}
	if _, err := t.KeySet(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *TokenKeys) createKey(ctx context.Context, tx store.Tx, now time.Time) error {
	var raw [4]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return err
	}
	id := binary.BigEndian.Uint32(raw[:]) | 1 // never 0
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	sealed, err := t.master.Seal(secret, keyAD(id))
	if err != nil {
		return err
	}
	return tx.CreateTokenKey(ctx, &store.TokenKey{ID: id, Sealed: sealed, State: store.TokenKeyActive, CreatedAt: now.UTC()})
}

func keyAD(id uint32) []byte { return []byte(fmt.Sprintf("token-key/%d", id)) }

// KeySet returns the current key set, reloading it after a rotation.
func (t *TokenKeys) KeySet(ctx context.Context) (token.KeySet, error) {
	return t.sets.Get(ctx, struct{}{}, t.load)
}

// load reads and opens every token key.
func (t *TokenKeys) load(ctx context.Context) (*keySet, error) {
	var keys []*store.TokenKey
	if err := t.store.View(ctx, func(tx store.Tx) error {
		var err error
		keys, err = tx.ListTokenKeys(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	ns := &keySet{all: make(map[uint32]token.Key, len(keys))}
	haveActive := false
	for _, k := range keys {
		secret, err := t.master.Open(k.Sealed, keyAD(k.ID))
		if err != nil {
			return nil, fmt.Errorf("token key %d: %w", k.ID, err)
		}
		tk, err := token.NewKey(k.ID, secret)
		if err != nil {
			return nil, err
		}
		ns.all[k.ID] = tk
		if k.State == store.TokenKeyActive {
			ns.active, haveActive = tk, true
		}
	}
	if !haveActive {
		return nil, errors.New("keyring: no active token key")
	}
	return ns, nil
}

// RotateTokenKeys makes a new active key, retires the previous one, and
// drops keys retired longer than MaxTokenLifetime ago. It returns the new
// key's id.
func RotateTokenKeys(ctx context.Context, st store.Store, master *Master, now time.Time) (uint32, error) {
	t := &TokenKeys{store: st, master: master, sets: gencache.New[struct{}, *keySet](st, 1)}
	var newID uint32
	err := st.Update(ctx, func(tx store.Tx) error {
		keys, err := tx.ListTokenKeys(ctx)
		if err != nil {
			return err
		}
		before := map[uint32]bool{}
		for _, k := range keys {
			before[k.ID] = true
			switch {
			case k.State == store.TokenKeyActive:
				k.State, k.RetiredAt = store.TokenKeyRetired, now.UTC()
				if err := tx.UpdateTokenKey(ctx, k); err != nil {
					return err
				}
			case now.Sub(k.RetiredAt) > MaxTokenLifetime:
				if err := tx.DeleteTokenKey(ctx, k.ID); err != nil {
					return err
				}
			}
		}
		if err := t.createKey(ctx, tx, now); err != nil {
			return err
		}
		after, err := tx.ListTokenKeys(ctx)
		for _, k := range after {
			if !before[k.ID] {
				newID = k.ID
			}
		}
		return err
	})
	return newID, err
}
