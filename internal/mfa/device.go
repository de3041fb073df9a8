package mfa

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Devices is where VerifyDevice reads a device and records the step it
// accepted: a store.Tx of the caller's write transaction.
type Devices interface {
	GetMFADevice(ctx context.Context, serial string) (*store.MFADevice, error)
	UpdateMFADevice(ctx context.Context, d *store.MFADevice) error
}

// Opener opens a device's sealed secret (the keyring's master key).
type Opener interface {
	Open(sealed, additionalData []byte) ([]byte, error)
}

// VerifyDevice checks a code of the stored virtual MFA device serial at
// now, and records the step it matched in tx, so that a code works once
// even when two requests race (the caller commits tx; STS and S3's MFA
// Delete share this check). accept says whose device may be used: a device
// it refuses, a missing one and a wrong or used code are all
// ErrInvalidCode.
func VerifyDevice(ctx context.Context, tx Devices, opener Opener, serial, code string, now time.Time, accept func(*store.MFADevice) bool) error {
	d, err := tx.GetMFADevice(ctx, serial)
	if errors.Is(err, store.ErrNotFound) {
		return ErrInvalidCode
	}
	if err != nil {
		return err
	}
	if !accept(d) {
		return ErrInvalidCode
	}
	seed, err := opener.Open(d.SeedSealed, []byte(d.SerialNumber))
	if err != nil {
		return err
	}
	step, err := Verify(seed, code, now, d.LastStep)
	if err != nil {
		return err
	}
	d.LastStep = step
	return tx.UpdateMFADevice(ctx, d)
}
