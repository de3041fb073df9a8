// Package mfa implements virtual MFA devices as AWS has them: TOTP
// authenticators (RFC 6238: HMAC-SHA1, six digits, 30-second steps) whose
// secret the user loads into an app from a Base32 seed or a QR code.
//
// Contract: Verify accepts a code of the current step or one step either
// side (clock drift), and only for a step later than the last one accepted,
// so a code works once; the caller stores the returned step. Codes are
// compared in constant time. The package is pure: the clock is an argument.
package mfa

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"net/url"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// Step is the TOTP time step.
const Step = 30 * time.Second

// SecretSize is the length of a generated secret (160 bits, as RFC 4226
// recommends).
const SecretSize = 20

// ErrInvalidCode: the code does not match the device at this time, or its
// step was already used.
var ErrInvalidCode = errors.New("mfa: invalid or reused code")

// NewSecret makes a random TOTP secret.
func NewSecret() ([]byte, error) {
	b := make([]byte, SecretSize)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return b, nil
}

// Base32 is the seed as authenticator apps take it (no padding).
func Base32(secret []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
}

// URI is the otpauth:// URI of the secret, what the QR code encodes.
func URI(secret []byte, issuer, account string) string {
	v := url.Values{"secret": {Base32(secret)}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}

// QRCodePNG renders the secret's otpauth URI as a QR code image.
func QRCodePNG(secret []byte, issuer, account string) ([]byte, error) {
	key, err := otp.NewKeyFromURL(URI(secret, issuer, account))
	if err != nil {
		return nil, err
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return nil, err
	}
	return encodePNG(img)
}

// StepAt is the TOTP step of t.
func StepAt(t time.Time) int64 { return t.Unix() / int64(Step/time.Second) }

// Code is the six-digit code of a step (RFC 4226 HOTP with the step as the
// counter, computed by github.com/pquerna/otp). A secret the library cannot
// use yields "", which matches no code.
func Code(secret []byte, step int64) string {
	if step < 0 {
		return ""
	}
	c, err := hotp.GenerateCodeCustom(Base32(secret), uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return ""
	}
	return c
}

// Verify checks code against the steps around now that are later than
// after, and returns the step it matched.
func Verify(secret []byte, code string, now time.Time, after int64) (int64, error) {
	if len(code) != 6 || len(secret) == 0 {
		return 0, ErrInvalidCode
	}
	cur := StepAt(now)
	found := int64(-1)
	for step := cur - 1; step <= cur+1; step++ {
		// Check every candidate, so the time taken does not depend on
		// which step matched.
		if subtle.ConstantTimeCompare([]byte(Code(secret, step)), []byte(code)) == 1 && step > after && found < 0 {
			found = step
		}
	}
	if found < 0 {
		return 0, ErrInvalidCode
	}
	return found, nil
}

// VerifyConsecutive checks two codes of consecutive steps, as
// EnableMFADevice and ResyncMFADevice take them, searching the last few
// minutes (an app's clock may be off). It returns the second code's step.
func VerifyConsecutive(secret []byte, code1, code2 string, now time.Time) (int64, error) {
	if len(code1) != 6 || len(code2) != 6 {
		return 0, ErrInvalidCode
	}
	cur := StepAt(now)
	found := int64(-1)
	for step := cur - 10; step <= cur+1; step++ {
		a := subtle.ConstantTimeCompare([]byte(Code(secret, step)), []byte(code1))
		b := subtle.ConstantTimeCompare([]byte(Code(secret, step+1)), []byte(code2))
		if a&b == 1 && found < 0 {
			found = step + 1
		}
	}
	if found < 0 {
		return 0, ErrInvalidCode
	}
	return found, nil
}
