// Package sigv2 verifies AWS Signature Version 2: query-string
// authentication (presigned S3 URLs), header-signed requests and browser
// form (POST) signatures (header.go). Presigned URLs are what the aws CLI
// v1 creates by default with `aws s3 presign`:
//
//	GET /bucket/key?AWSAccessKeyId=AKIA…&Signature=<base64>&Expires=<unix seconds>[&x-amz-security-token=…]
//
// It is a pure security core: it does no I/O and keeps no state; the caller
// passes the clock, the secret of the claimed access key and the canonical
// resource. The flow is
//
//	auth, err := sigv2.Parse(r)                           // who claims to have signed
//	secret := lookup(auth.AccessKeyID, auth.SessionToken) // the caller's business
//	err = sigv2.Verify(r, auth, secret, sigv2.Resource(bucket, escapedKey), now)
//
// The string to sign is the one botocore's HmacV1QueryAuth signs (and S3
// verifies):
//
//	Method + "\n" + Content-MD5 + "\n" + Content-Type + "\n" + Expires + "\n" +
//	CanonicalizedAmzHeaders + CanonicalizedResource
//
// and the signature is base64(HMAC-SHA1(secret, StringToSign)), compared in
// constant time. In detail:
//
//   - Method is r.Method as received. Content-MD5 and Content-Type are the
//     request's headers (trimmed, "" when absent) — not the content-md5 and
//     content-type query parameters botocore also appends to the URL, which
//     are not signed. Expires is the decimal Expires parameter.
//   - CanonicalizedAmzHeaders is built from every x-amz-* request header and
//     every x-amz-* query parameter: botocore signs x-amz-* headers
//     (x-amz-security-token, x-amz-acl, x-amz-meta-*, …) and then moves them
//     into the query string, so on the wire they are query parameters. Names
//     are lower-cased, values trimmed, values of one name joined by ","
//     (headers first, then query parameters, each in request order), and the
//     lines "name:value\n" sorted by name.
//   - CanonicalizedResource is the caller's resource — "/" + bucket + "/" +
//     key exactly as encoded on the wire, see Resource — followed, when the
//     query holds any, by "?" and the S3 sub-resources and response-*
//     overrides botocore signs (the list in isSubresource), sorted by name
//     (stably), as "name" or "name=value" with the value percent-decoded.
//     Every other query parameter (prefix, list-type, max-keys, …) is not
//     signed, as with AWS.
//
// The session token (x-amz-security-token, normally a query parameter, also
// accepted as a header but not both) is signed as an amz header, so it cannot
// be swapped; Parse returns it and the caller must check that it belongs to
// the access key. Expiry: a request is rejected when now is after Expires.
// Signature Version 2 has no maximum validity (AWS documents none, unlike
// SigV4's 7 days), so a far-future Expires is accepted (Parse only caps it
// at the end of year 9999), and there is no clock-skew check.
//
// Errors wrap one of the sentinels (ErrNotSigned, ErrIncomplete, ErrExpired,
// ErrMismatch) in an *Error whose Detail is safe to return to the client and
// which, for ErrMismatch, carries the string to sign (as S3's
// SignatureDoesNotMatch body does). It never contains the secret, but it may
// contain the session token the client sent.
package sigv2

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrNotSigned: the query carries neither AWSAccessKeyId nor Signature.
	ErrNotSigned = errors.New("sigv2: request is not signed")
	// ErrIncomplete: a SigV2 query is missing a parameter, repeats one, has
	// a non-integer Expires or is malformed.
	ErrIncomplete = errors.New("sigv2: incomplete signature")
	// ErrExpired: the server's clock is past Expires.
	ErrExpired = errors.New("sigv2: request has expired")
	// ErrMismatch: the signature does not match.
	ErrMismatch = errors.New("sigv2: signature does not match")
)

// Error is a verification failure: one sentinel plus safe details.
type Error struct {
	Err    error  // one of the sentinels
	Detail string // human-readable detail, never secret
	// StringToSign is what the server signed, for ErrMismatch (S3 returns
	// it in SignatureDoesNotMatch). It holds no secret but may hold the
	// session token the client sent.
	StringToSign string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Detail
}

func (e *Error) Unwrap() error { return e.Err }

func fail(sentinel error, detail string) *Error { return &Error{Err: sentinel, Detail: detail} }

// Auth is what a presigned request claims, before verification.
type Auth struct {
	AccessKeyID string
	// Signature is the base64 signature as sent (query-decoded; a space,
	// left by a client that did not percent-encode '+', is read as '+').
	Signature string
	// SessionToken is x-amz-security-token (trimmed), "" if none.
	SessionToken string
	// Expires is the Expires parameter, second precision.
	Expires time.Time
}

// Query parameter names.
const (
	paramAccessKeyID = "AWSAccessKeyId"
	paramSignature   = "Signature"
	paramExpires     = "Expires"
	amzPrefix        = "x-amz-"
	tokenName        = "x-amz-security-token"
)

// Parse reads AWSAccessKeyId, Signature, Expires and x-amz-security-token
// from the query of r (the token may instead come as a header) without
// checking the signature. It returns ErrNotSigned when neither
// AWSAccessKeyId nor Signature is present, and ErrIncomplete when one of the
// three is missing or empty, any of the four is repeated, Expires is not a
// non-negative decimal integer (at most 253402300799, the end of year 9999),
// the token is empty, or the query of a signed request is not validly
// percent-encoded. Expires is signed in its plain decimal form, so a
// zero-padded value parses but never verifies.
func Parse(r *http.Request) (*Auth, error) {
	var (
		akid, sig, exp, tok     string
		nAKID, nSig, nExp, nTok int
		malformed               bool
	)
	for raw := r.URL.RawQuery; raw != ""; {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, errK := url.QueryUnescape(k)
		dv, errV := url.QueryUnescape(v)
		if errK != nil || errV != nil {
			malformed = true
			continue
		}
		switch {
		case dk == paramAccessKeyID:
			akid, nAKID = dv, nAKID+1
		case dk == paramSignature:
			sig, nSig = dv, nSig+1
		case dk == paramExpires:
			exp, nExp = dv, nExp+1
		case equalFoldASCII(dk, tokenName):
			tok, nTok = dv, nTok+1
		}
	}
	if nAKID == 0 && nSig == 0 {
		return nil, ErrNotSigned
	}
	if malformed {
		return nil, fail(ErrIncomplete, "the query string is not validly percent-encoded")
	}
	var missing []string
	if nAKID == 0 || akid == "" {
		missing = append(missing, paramAccessKeyID)
	}
	if nSig == 0 || sig == "" {
		missing = append(missing, paramSignature)
	}
	if nExp == 0 || exp == "" {
		missing = append(missing, paramExpires)
	}
	if len(missing) > 0 {
		return nil, fail(ErrIncomplete, "Query-string authentication requires the "+strings.Join(missing, ", ")+" parameters")
	}
	if nAKID > 1 || nSig > 1 || nExp > 1 {
		return nil, fail(ErrIncomplete, "AWSAccessKeyId, Signature and Expires must each appear once")
	}
	for _, v := range headerValues(r.Header, tokenName) {
		tok, nTok = v, nTok+1
	}
	if nTok > 1 {
		return nil, fail(ErrIncomplete, "x-amz-security-token must appear once")
	}
	tok = strings.TrimSpace(tok)
	if nTok == 1 && tok == "" {
		return nil, fail(ErrIncomplete, "x-amz-security-token must not be empty")
	}
	secs, ok := parseExpires(exp)
	if !ok {
		return nil, fail(ErrIncomplete, "Expires must be an integer number of seconds since the epoch")
	}
	return &Auth{
		AccessKeyID:  akid,
		Signature:    strings.ReplaceAll(sig, " ", "+"),
		SessionToken: tok,
		Expires:      time.Unix(secs, 0).UTC(),
	}, nil
}

// maxExpires is 9999-12-31T23:59:59Z; later times do not fit time.Time's
// comparisons safely and no client sends them.
const maxExpires = 253402300799

// parseExpires accepts only ASCII digits, up to maxExpires.
func parseExpires(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n <= maxExpires
}

// Resource returns the path part of the canonicalized resource the way
// botocore builds it (its auth_path) for both path-style and
// virtual-hosted-style requests: "/" + bucket + "/" + escapedKey, where
// escapedKey is the object key exactly as percent-encoded on the wire,
// without its leading slash. A bucket-level request (escapedKey "") gives
// "/bucket/" — with the trailing slash, even when the path-style URL is just
// "/bucket" — and a request naming no bucket (ListBuckets) gives "/".
//
// For path-style requests "/bucket/"+escapedKey is r.URL.EscapedPath() when
// the request names an object; EscapedPath is the wire form whenever the
// client percent-encoded every byte Go would (botocore does), and the path
// of r.RequestURI is the wire form always.
func Resource(bucket, escapedKey string) string {
	if bucket == "" {
		return "/" + escapedKey
	}
	return "/" + bucket + "/" + escapedKey
}

// StringToSign builds the string the client signed. resource is the path
// part of the canonicalized resource (see Resource); the signed
// sub-resources are taken from r's query and appended to it.
func StringToSign(r *http.Request, a *Auth, resource string) string {
	return stringToSign(r, strconv.FormatInt(a.Expires.Unix(), 10), resource)
}

// stringToSign is the string both forms sign; when is Expires (query) or
// the Date line (header).
func stringToSign(r *http.Request, when, resource string) string {
	var b strings.Builder
	b.Grow(128 + len(resource) + len(r.URL.RawQuery))
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(firstHeader(r.Header, "content-md5"))
	b.WriteByte('\n')
	b.WriteString(firstHeader(r.Header, "content-type"))
	b.WriteByte('\n')
	b.WriteString(when)
	b.WriteByte('\n')
	writeAmzHeaders(&b, r)
	b.WriteString(resource)
	writeSubresources(&b, r.URL.RawQuery)
	return b.String()
}

// Verify checks that a is not expired at now and that its signature is the
// HMAC-SHA1 under secret of StringToSign(r, a, resource). An empty secret
// never verifies.
func Verify(r *http.Request, a *Auth, secret, resource string, now time.Time) error {
	if a == nil {
		return fail(ErrNotSigned, "no signature")
	}
	if a.AccessKeyID == "" || a.Signature == "" {
		return fail(ErrIncomplete, "Query-string authentication requires the AWSAccessKeyId and Signature parameters")
	}
	if now.After(a.Expires) {
		return fail(ErrExpired, "Request has expired")
	}
	return verifySignature(secret, StringToSign(r, a, resource), a.Signature)
}

// verifySignature compares base64(HMAC-SHA1(secret, sts)) with sig in
// constant time. An empty secret never verifies.
func verifySignature(secret, sts, sig string) error {
	if secret == "" {
		return fail(ErrMismatch, "no secret for the access key")
	}
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(sts))
	var sum [sha1.Size]byte
	want := base64.StdEncoding.AppendEncode(nil, mac.Sum(sum[:0]))
	if subtle.ConstantTimeCompare(want, []byte(sig)) != 1 {
		return &Error{Err: ErrMismatch,
			Detail:       "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			StringToSign: sts}
	}
	return nil
}

// writeAmzHeaders writes "name:v1,v2\n" for every x-amz-* header and query
// parameter, sorted by lower-case name.
func writeAmzHeaders(b *strings.Builder, r *http.Request) {
	var amz map[string][]string
	add := func(name, value string) {
		if amz == nil {
			amz = make(map[string][]string)
		}
		name = strings.ToLower(name)
		amz[name] = append(amz[name], strings.TrimSpace(value))
	}
	// Header keys in sorted order, so that spellings differing only in case
	// (possible in a hand-built http.Header) merge deterministically.
	var keys []string
	for k := range r.Header {
		if hasPrefixFold(k, amzPrefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range r.Header[k] {
			add(k, v)
		}
	}
	for raw := r.URL.RawQuery; raw != ""; {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil || !hasPrefixFold(dk, amzPrefix) {
			continue
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		add(dk, v)
	}
	if len(amz) == 0 {
		return
	}
	names := make([]string, 0, len(amz))
	for n := range amz {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte(':')
		b.WriteString(strings.Join(amz[n], ","))
		b.WriteByte('\n')
	}
}

// writeSubresources writes "?a&b=c" for the signed sub-resources in raw,
// stably sorted by name, or nothing when there are none.
//
// botocore matches the names undecoded and percent-decodes the values
// without turning '+' into a space; here names and values are decoded like
// url.ParseQuery does, which is what the request handlers see. The two agree
// on everything botocore sends (it percent-encodes '+' and every byte of a
// name outside [A-Za-z0-9-_.~]), and decoding the names keeps an encoded
// spelling such as "response%2Dcontent-type" from slipping past the
// signature into a handler.
func writeSubresources(b *strings.Builder, raw string) {
	type pair struct {
		name, full string
	}
	var pairs []pair
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		k, v, hasValue := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil || !isSubresource(dk) {
			continue
		}
		full := dk
		if hasValue {
			if dv, err := url.QueryUnescape(v); err == nil {
				v = dv
			}
			full += "=" + v
		}
		pairs = append(pairs, pair{dk, full})
	}
	if len(pairs) == 0 {
		return
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].name < pairs[j].name })
	for i, p := range pairs {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p.full)
	}
}

// isSubresource reports whether a query parameter belongs to the
// canonicalized resource: botocore's HmacV1Auth.QSAOfInterest (1.43),
// matched case-sensitively.
func isSubresource(name string) bool {
	switch name {
	case "accelerate", "acl", "cors", "defaultObjectAcl", "location", "logging",
		"partNumber", "policy", "requestPayment", "torrent", "versioning",
		"versionId", "versions", "website", "uploads", "uploadId",
		"response-content-type", "response-content-language", "response-expires",
		"response-cache-control", "response-content-disposition",
		"response-content-encoding", "delete", "lifecycle", "tagging", "restore",
		"storageClass", "notification", "replication", "analytics", "metrics",
		"inventory", "select", "select-type", "object-lock":
		return true
	}
	return false
}

// firstHeader returns the first value of a header, trimmed, matching the
// name case-insensitively so hand-built headers work too.
func firstHeader(h http.Header, lower string) string {
	if v := h[http.CanonicalHeaderKey(lower)]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	if v := headerValues(h, lower); len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// headerValues returns all values of a header under any spelling of its
// name, in sorted key order.
func headerValues(h http.Header, lower string) []string {
	var keys []string
	for k := range h {
		if equalFoldASCII(k, lower) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 1 {
		return h[keys[0]]
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, h[k]...)
	}
	return out
}

func hasPrefixFold(s, lowerPrefix string) bool {
	return len(s) >= len(lowerPrefix) && equalFoldASCII(s[:len(lowerPrefix)], lowerPrefix)
}

// equalFoldASCII compares s with a lower-case ASCII name, folding only
// ASCII letters (strings.EqualFold would also match, say, U+017F to 's').
func equalFoldASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
