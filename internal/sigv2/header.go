package sigv2

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// Header-signed requests and browser forms (POST) signed with Signature
// Version 2, which older tools and libraries still send:
//
//	Authorization: AWS AKIA…:<base64 signature>
//
// signs the same string as a presigned URL, with the request's date in
// place of Expires:
//
//	Method + "\n" + Content-MD5 + "\n" + Content-Type + "\n" + Date + "\n" +
//	CanonicalizedAmzHeaders + CanonicalizedResource
//
// where Date is the Date header, or "" when the request carries
// x-amz-date (which is then signed among the amz headers), as S3 defines
// it. The request time (x-amz-date, else Date) must be within MaxSkew of
// the server's clock. A form's signature is base64(HMAC-SHA1(secret,
// policy)) of its base64 policy document.

// More sentinels of header signatures.
var (
	// ErrNoDate: a header-signed request without a Date or x-amz-date
	// header that parses.
	ErrNoDate = errors.New("sigv2: request has no valid date")
	// ErrSkew: the request time is more than MaxSkew from the server's.
	ErrSkew = errors.New("sigv2: request time too skewed")
)

// MaxSkew is how far a header-signed request's time may be from the
// server's clock.
const MaxSkew = 15 * time.Minute

// HeaderAuth is what a header-signed request claims, before verification.
type HeaderAuth struct {
	AccessKeyID  string
	Signature    string
	SessionToken string    // x-amz-security-token, "" if none
	Time         time.Time // x-amz-date, else Date
}

// SkewError is ErrSkew with the two times.
type SkewError struct {
	RequestTime, ServerTime time.Time
}

func (e *SkewError) Error() string { return ErrSkew.Error() }
func (e *SkewError) Unwrap() error { return ErrSkew }

// ParseHeader reads "Authorization: AWS AccessKeyId:Signature", the
// session token and the request time, without checking the signature. It
// returns ErrNotSigned when the Authorization header is not of that
// scheme, ErrIncomplete when the key id or signature is empty or the token
// repeated, and ErrNoDate when neither x-amz-date nor Date parses.
func ParseHeader(r *http.Request) (*HeaderAuth, error) {
	rest, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS ")
	if !ok {
		return nil, ErrNotSigned
	}
	akid, sig, ok := strings.Cut(strings.TrimSpace(rest), ":")
	if !ok || akid == "" || sig == "" {
		return nil, fail(ErrIncomplete, "the Authorization header must be AWS AccessKeyId:Signature")
	}
	a := &HeaderAuth{AccessKeyID: akid, Signature: sig}
	toks := headerValues(r.Header, tokenName)
	if len(toks) > 1 {
		return nil, fail(ErrIncomplete, "x-amz-security-token must appear once")
	}
	if len(toks) == 1 {
		if a.SessionToken = strings.TrimSpace(toks[0]); a.SessionToken == "" {
			return nil, fail(ErrIncomplete, "x-amz-security-token must not be empty")
		}
	}
	when := firstHeader(r.Header, "x-amz-date")
	if when == "" {
		when = firstHeader(r.Header, "date")
	}
	t, ok := parseDate(when)
	if !ok {
		return nil, fail(ErrNoDate, "AWS authentication requires a valid Date or x-amz-date header")
	}
	a.Time = t
	return a, nil
}

// parseDate reads an HTTP date (RFC 1123 and the forms net/http accepts)
// or an ISO 8601 basic timestamp (20060102T150405Z).
func parseDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	if t, err := http.ParseTime(v); err == nil {
		return t, true
	}
	t, err := time.Parse("20060102T150405Z", v)
	return t, err == nil
}

// HeaderStringToSign builds the string a header-signed request signs.
func HeaderStringToSign(r *http.Request, resource string) string {
	date := ""
	if firstHeader(r.Header, "x-amz-date") == "" {
		date = firstHeader(r.Header, "date")
	}
	return stringToSign(r, date, resource)
}

// VerifyHeader checks that a's time is within MaxSkew of now and that its
// signature is the HMAC-SHA1 under secret of HeaderStringToSign(r,
// resource). An empty secret never verifies.
func VerifyHeader(r *http.Request, a *HeaderAuth, secret, resource string, now time.Time) error {
	if a == nil {
		return fail(ErrNotSigned, "no signature")
	}
	if d := now.Sub(a.Time); d > MaxSkew || d < -MaxSkew {
		return &SkewError{RequestTime: a.Time, ServerTime: now}
	}
	return verifySignature(secret, HeaderStringToSign(r, resource), a.Signature)
}

// VerifyPost checks a browser form's Signature Version 2 signature: the
// base64 HMAC-SHA1 under secret of the form's (base64) policy.
func VerifyPost(secret, policy, signature string) error {
	return verifySignature(secret, policy, signature)
}
