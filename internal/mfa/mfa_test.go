package mfa

import (
	"bytes"
	"errors"
	"image/png"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// RFC 6238 appendix B, SHA-1 secret "12345678901234567890", 8 digits there;
// the last six digits are the six-digit codes.
func TestRFC6238Vectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for unix, want8 := range map[int64]string{59: "94287082", 1111111109: "07081804", 1111111111: "14050471", 1234567890: "89005924", 2000000000: "69279037", 20000000000: "65353130"} {
		if got := Code(secret, StepAt(time.Unix(unix, 0))); got != want8[2:] {
			t.Errorf("t=%d: %s, want %s", unix, got, want8[2:])
		}
	}
}

func TestAgreesWithAuthenticatorApps(t *testing.T) {
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_790_000_000, 0)
	// pquerna/otp is what many authenticator-side tools use.
	want, err := totp.GenerateCodeCustom(Base32(secret), now, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	if got := Code(secret, StepAt(now)); got != want {
		t.Fatalf("code %s, authenticator %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	secret, _ := NewSecret()
	now := time.Unix(1_790_000_000, 0)
	cur := StepAt(now)
	for _, d := range []int64{-1, 0, 1} {
		step, err := Verify(secret, Code(secret, cur+d), now, 0)
		if err != nil || step != cur+d {
			t.Errorf("drift %d: %d %v", d, step, err)
		}
	}
	for _, d := range []int64{-3, -2, 2} {
		if _, err := Verify(secret, Code(secret, cur+d), now, 0); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("drift %d accepted", d)
		}
	}
	// A code is used once: its step, and earlier ones, are refused after it.
	step, err := Verify(secret, Code(secret, cur), now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(secret, Code(secret, cur), now, step); !errors.Is(err, ErrInvalidCode) {
		t.Fatal("replayed code accepted")
	}
	if _, err := Verify(secret, Code(secret, cur-1), now, step); !errors.Is(err, ErrInvalidCode) {
		t.Fatal("older code accepted after a newer one")
	}
	if _, err := Verify(secret, Code(secret, cur+1), now, step); err != nil {
		t.Fatalf("next step refused: %v", err)
	}
	other, _ := NewSecret()
	for _, bad := range []string{"", "12345", "1234567", Code(other, cur)} {
		if _, err := Verify(secret, bad, now, 0); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("code %q accepted", bad)
		}
	}
}

func TestVerifyConsecutive(t *testing.T) {
	secret, _ := NewSecret()
	now := time.Unix(1_790_000_000, 0)
	cur := StepAt(now)
	step, err := VerifyConsecutive(secret, Code(secret, cur-1), Code(secret, cur), now)
	if err != nil || step != cur {
		t.Fatalf("consecutive codes: %d %v", step, err)
	}
	if _, err := VerifyConsecutive(secret, Code(secret, cur), Code(secret, cur), now); err == nil {
		t.Fatal("the same code twice accepted")
	}
	if _, err := VerifyConsecutive(secret, Code(secret, cur-3), Code(secret, cur), now); err == nil {
		t.Fatal("non-consecutive codes accepted")
	}
}

func TestQRCode(t *testing.T) {
	secret, _ := NewSecret()
	raw, err := QRCodePNG(secret, "Gatehouse", "alice@111122223333")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if u := URI(secret, "Gatehouse", "alice@111122223333"); !bytes.Contains([]byte(u), []byte("secret="+Base32(secret))) {
		t.Fatalf("URI %s", u)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add([]byte("12345678901234567890"), "287082", int64(59))
	f.Fuzz(func(t *testing.T, secret []byte, code string, unix int64) {
		step, err := Verify(secret, code, time.Unix(unix%(1<<40), 0), 0)
		if err == nil && Code(secret, step) != code {
			t.Fatalf("accepted %q for step %d", code, step)
		}
	})
}
