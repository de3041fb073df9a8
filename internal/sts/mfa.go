package sts

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/mfa"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Opener opens secrets sealed at rest (the keyring's master key).
type Opener interface {
	Open(sealed, additionalData []byte) ([]byte, error)
}

func mfaFailed() error {
	return awsapi.MFAFailed.Of()
}

// checkMFA validates a SerialNumber and TokenCode pair presented by the
// caller: the device must be the caller's own enabled virtual MFA device and
// the code valid now and not used before. The accepted step is recorded in
// the same transaction that checks it, so a code works once even when two
// requests race.
func (s *Service) checkMFA(ctx context.Context, caller *authz.Principal, serial, code string, now time.Time) error {
	if serial == "" || code == "" {
		return awsapi.MFAIncomplete.Of()
	}
	// Devices belong to IAM users; role sessions have none.
	if caller.Type != authz.TypeUser || caller.EntityID == "" || s.cfg.Opener == nil {
		return mfaFailed()
	}
	err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		return authz.VerifyMFA(ctx, tx, s.cfg.Opener, serial, code, now, func(d *store.MFADevice) bool {
			return d.Account == caller.Account && d.UserID == caller.EntityID
		})
	})
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, mfa.ErrInvalidCode) {
		return mfaFailed()
	}
	return err
}
