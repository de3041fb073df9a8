package authz

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/mfa"
	"github.com/gatehouse/gatehouse/internal/store"
)

type fakeDevices map[string]*store.MFADevice

func (f fakeDevices) GetMFADevice(_ context.Context, serial string) (*store.MFADevice, error) {
	d, ok := f[serial]
	if !ok {
		return nil, store.ErrNotFound
	}
	c := *d
	return &c, nil
}

func (f fakeDevices) UpdateMFADevice(_ context.Context, d *store.MFADevice) error {
	f[d.SerialNumber] = d
	return nil
}

// plainOpener "unseals" by checking the additional data and returning the
// sealed bytes.
type plainOpener struct{}

func (plainOpener) Open(sealed, ad []byte) ([]byte, error) {
	if string(ad) != "dev" {
		return nil, errors.New("wrong additional data")
	}
	return sealed, nil
}

func TestVerifyMFA(t *testing.T) {
	ctx := context.Background()
	secret, _ := mfa.NewSecret()
	now := time.Unix(1_790_000_000, 0)
	devs := fakeDevices{"dev": {SerialNumber: "dev", Account: "1", SeedSealed: secret}}
	mine := func(d *store.MFADevice) bool { return d.Account == "1" }
	code := mfa.Code(secret, mfa.StepAt(now))
	if err := VerifyMFA(ctx, devs, plainOpener{}, "dev", code, now, func(*store.MFADevice) bool { return false }); !errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatalf("a device the caller may not use: %v", err)
	}
	if err := VerifyMFA(ctx, devs, plainOpener{}, "other", code, now, mine); !errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatalf("a missing device: %v", err)
	}
	if err := VerifyMFA(ctx, devs, plainOpener{}, "dev", code, now, mine); err != nil {
		t.Fatalf("a good code: %v", err)
	}
	if devs["dev"].LastStep != mfa.StepAt(now) {
		t.Fatalf("the step was not recorded: %d", devs["dev"].LastStep)
	}
	if err := VerifyMFA(ctx, devs, plainOpener{}, "dev", code, now, mine); !errors.Is(err, mfa.ErrInvalidCode) {
		t.Fatalf("a replayed code: %v", err)
	}
}
