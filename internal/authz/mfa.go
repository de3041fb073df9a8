package authz

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/mfa"
	"github.com/gatehouse/gatehouse/internal/store"
)

// MFADevices is where VerifyMFA reads a device and records the step it
// accepted: a store.Tx of the caller's write transaction.
type MFADevices interface {
	GetMFADevice(ctx context.Context, serial string) (*store.MFADevice, error)
	UpdateMFADevice(ctx context.Context, d *store.MFADevice) error
}

// VerifyMFA authenticates a second factor: a code of the stored virtual MFA
// device serial at now (mfa.Verify), recording the step it matched in tx,
// so that a code works once even when two requests race (the caller
// commits tx; STS and S3's MFA Delete share this check). accept says whose
// device may be used: a device it refuses, a missing one and a wrong or
// used code are all mfa.ErrInvalidCode.
func VerifyMFA(ctx context.Context, tx MFADevices, opener Opener, serial, code string, now time.Time, accept func(*store.MFADevice) bool) error {
	d, err := tx.GetMFADevice(ctx, serial)
	if errors.Is(err, store.ErrNotFound) {
		return mfa.ErrInvalidCode
	}
	if err != nil {
		return err
	}
	if !accept(d) {
		return mfa.ErrInvalidCode
	}
	seed, err := opener.Open(d.SeedSealed, []byte(d.SerialNumber))
	if err != nil {
		return err
	}
	step, err := mfa.Verify(seed, code, now, d.LastStep)
	if err != nil {
		return err
	}
	d.LastStep = step
	return tx.UpdateMFADevice(ctx, d)
}
