package keyring

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/store"
)

// checkAD is the additional data of the master key's check value.
var checkAD = []byte("gatehouse/master-key-check")

// NewCheck returns a check value of m: random bytes sealed under m, kept in
// the store (store.Installation.MasterKeyCheck) so that a later start can
// tell the right master key from a wrong one before it writes anything.
// The value reveals nothing about the key.
func (m *Master) NewCheck() ([]byte, error) {
	canary := make([]byte, 16)
	if _, err := rand.Read(canary); err != nil {
		return nil, err
	}
	return m.Seal(canary, checkAD)
}

// Verify reports ErrWrongMasterKey unless check was made by NewCheck under
// m's key.
func (m *Master) Verify(check []byte) error {
	if _, err := m.Open(check, checkAD); err != nil {
		return ErrWrongMasterKey
	}
	return nil
}

// CheckStore tells whether m is the master key the store's secrets are
// sealed under, reading only: by the installation's check value, or — in a
// store written before check values existed — by opening the first
// session-token key, else the first account's first root access key. It
// returns ErrWrongMasterKey when m cannot open them, and whether the store
// has a check value (a caller that may write adds one, with NewCheck, after
// a successful check). A store with nothing sealed in it matches any key.
func CheckStore(ctx context.Context, tx store.Tx, m *Master) (hasCheck bool, err error) {
	in, err := tx.GetInstallation(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	if err == nil && in.MasterKeyCheck != nil {
		return true, m.Verify(in.MasterKeyCheck)
	}
	keys, err := tx.ListTokenKeys(ctx)
	if err != nil {
		return false, err
	}
	if len(keys) > 0 {
		if _, err := m.Open(keys[0].Sealed, keyAD(keys[0].ID)); err != nil {
			return false, fmt.Errorf("%w (it cannot open session-token key %d)", ErrWrongMasterKey, keys[0].ID)
		}
		return false, nil
	}
	accounts, err := tx.ListAccounts(ctx)
	if err != nil || len(accounts) == 0 {
		return false, err
	}
	roots, err := tx.ListAccessKeys(ctx, accounts[0].ID, "")
	if err != nil || len(roots) == 0 {
		return false, err
	}
	// Secret access keys are sealed with their key id as additional data
	// (internal/iam).
	if _, err := m.Open(roots[0].SecretSealed, []byte(roots[0].ID)); err != nil {
		return false, fmt.Errorf("%w (it cannot open the secret of access key %s)", ErrWrongMasterKey, roots[0].ID)
	}
	return false, nil
}
