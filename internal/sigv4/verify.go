package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxSkew is the clock skew AWS tolerates on header-signed requests.
const MaxSkew = 15 * time.Minute

// Well-known payload hash values.
const (
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	EmptySHA256     = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// Check is everything Verify needs besides the request.
type Check struct {
	Secret string    // the secret access key of Auth.AccessKeyID
	Now    time.Time // the server's clock
	// Service is the service the request was routed to; the scope must name it.
	Service string
	// Region reports whether the scope's region is accepted.
	Region func(string) bool
	// PayloadHash is the hash to put in the canonical request: the hex
	// SHA-256 of the body the server read, or the x-amz-content-sha256
	// value for S3, or UNSIGNED-PAYLOAD.
	PayloadHash string
	// S3 selects S3's canonicalization: the path is encoded once and never
	// normalized. Otherwise the path is normalized and encoded twice.
	S3 bool
	// NoNormalize and SingleEncode override the non-S3 defaults (used by
	// the aws-c-auth test suite, whose vectors encode once).
	NoNormalize, SingleEncode bool
}

// VerifierOptions configure a Verifier.
type VerifierOptions struct {
	// KeyCacheSize bounds the derived-key cache (default 4096 entries).
	KeyCacheSize int
}

// Verifier checks signatures. It caches derived signing keys and is safe
// for concurrent use.
type Verifier struct {
	mu    sync.RWMutex
	keys  map[string]*derivedKey
	limit int
}

type derivedKey struct {
	secret string
	key    [32]byte
}

// NewVerifier returns a Verifier.
func NewVerifier(o VerifierOptions) *Verifier {
	if o.KeyCacheSize <= 0 {
		o.KeyCacheSize = 4096
	}
	return &Verifier{keys: make(map[string]*derivedKey), limit: o.KeyCacheSize}
}

// SigningKey returns the derived key for (secret, date, region, service),
// from the cache when the same access key was seen with the same secret.
func (v *Verifier) SigningKey(akid, secret, date, region, service string) [32]byte {
	ck := akid + "/" + date + "/" + region + "/" + service
	v.mu.RLock()
	e := v.keys[ck]
	v.mu.RUnlock()
	if e != nil && hmac.Equal([]byte(e.secret), []byte(secret)) {
		return e.key
	}
	k := DeriveKey(secret, date, region, service)
	v.mu.Lock()
	if len(v.keys) >= v.limit {
		clear(v.keys) // keys are valid for one day; a full reset is cheap
	}
	v.keys[ck] = &derivedKey{secret: secret, key: k}
	v.mu.Unlock()
	return k
}

// DeriveKey computes kSigning = HMAC chain over "AWS4"+secret, date,
// region, service, "aws4_request".
func DeriveKey(secret, date, region, service string) [32]byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "aws4_request")
	var out [32]byte
	copy(out[:], k)
	return out
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// Verify checks the signature a claims for r.
func (v *Verifier) Verify(r *http.Request, a *Auth, c Check) error {
	if a.Service != c.Service {
		return fail(ErrScope, "Credential should be scoped to correct service: '"+c.Service+"'")
	}
	if c.Region != nil && !c.Region(a.Region) {
		return fail(ErrScope, "Credential should be scoped to a valid region: '"+a.Region+"'")
	}
	if a.Date != a.AmzDate[:8] {
		return fail(ErrScope, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+a.Date+"' != '"+a.AmzDate[:8]+"'")
	}
	if !contains(a.SignedHeaders, "host") {
		return fail(ErrIncomplete, "'Host' must be a signed header")
	}
	switch a.Mode {
	case ModeHeader:
		if d := c.Now.Sub(a.Time); d > MaxSkew || d < -MaxSkew {
			return &Error{Err: ErrSkew, Detail: "The difference between the request time and the current time is too large.", RequestTime: a.Time, ServerTime: c.Now}
		}
	case ModePresigned:
		if c.Now.Before(a.Time.Add(-MaxSkew)) {
			return &Error{Err: ErrExpired, Detail: "Request is not yet valid", RequestTime: a.Time, ServerTime: c.Now}
		}
		if c.Now.After(a.Time.Add(a.Expires)) {
			return &Error{Err: ErrExpired, Detail: "Request has expired", RequestTime: a.Time, ServerTime: c.Now}
		}
	}
	cr := CanonicalRequest(r, a, c)
	sts := StringToSign(a, cr)
	key := v.SigningKey(a.AccessKeyID, c.Secret, a.Date, a.Region, a.Service)
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte(sts))
	var sum [32]byte
	var want [64]byte
	hex.Encode(want[:], m.Sum(sum[:0]))
	if !hmac.Equal(want[:], []byte(a.Signature)) {
		return &Error{Err: ErrMismatch, Detail: "The request signature we calculated does not match the signature you provided.",
			CanonicalRequest: cr, StringToSign: sts}
	}
	return nil
}

// StringToSign builds AWS4-HMAC-SHA256 \n amzdate \n scope \n hex(sha256(cr)).
func StringToSign(a *Auth, canonicalRequest string) string {
	h := sha256.Sum256([]byte(canonicalRequest))
	var b strings.Builder
	b.Grow(len(Algorithm) + 3 + len(a.AmzDate) + len(a.Date) + len(a.Region) + len(a.Service) + 16 + 64)
	b.WriteString(Algorithm)
	b.WriteByte('\n')
	b.WriteString(a.AmzDate)
	b.WriteByte('\n')
	b.WriteString(a.Date)
	b.WriteByte('/')
	b.WriteString(a.Region)
	b.WriteByte('/')
	b.WriteString(a.Service)
	b.WriteString("/aws4_request\n")
	var hx [64]byte
	hex.Encode(hx[:], h[:])
	b.Write(hx[:])
	return b.String()
}

// CanonicalRequest builds the canonical request of r as signed by a.
func CanonicalRequest(r *http.Request, a *Auth, c Check) string {
	var b strings.Builder
	b.Grow(256 + len(r.URL.RawQuery))
	b.WriteString(r.Method)
	b.WriteByte('\n')
	writeCanonicalURI(&b, r, c)
	b.WriteByte('\n')
	writeCanonicalQuery(&b, r.URL.RawQuery, a.Mode == ModePresigned)
	b.WriteByte('\n')
	for _, h := range a.SignedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		writeHeaderValue(&b, r, h)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	for i, h := range a.SignedHeaders {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(h)
	}
	b.WriteByte('\n')
	b.WriteString(c.PayloadHash)
	return b.String()
}

// writeCanonicalURI writes the canonical path.
func writeCanonicalURI(b *strings.Builder, r *http.Request, c Check) {
	raw := r.URL.EscapedPath()
	if raw == "" {
		b.WriteByte('/')
		return
	}
	if c.S3 {
		// Decode once, encode once, keep every slash and dot segment.
		dec, err := url.PathUnescape(raw)
		if err != nil {
			dec = raw
		}
		uriEncode(b, dec, false)
		return
	}
	dec, err := url.PathUnescape(raw)
	if err != nil {
		dec = raw
	}
	if !c.NoNormalize {
		dec = normalizePath(dec)
	}
	if c.SingleEncode {
		uriEncode(b, dec, false)
		return
	}
	var once strings.Builder
	uriEncode(&once, dec, false)
	uriEncode(b, once.String(), false)
}

// normalizePath removes dot segments and repeated slashes, keeping a
// trailing slash.
func normalizePath(p string) string {
	if p == "/" || p == "" {
		return "/"
	}
	trailing := strings.HasSuffix(p, "/")
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	res := "/" + strings.Join(out, "/")
	if trailing && res != "/" {
		res += "/"
	}
	return res
}

const upperhex = "0123456789ABCDEF"

// uriEncode writes s with every byte except unreserved characters (and '/'
// unless encodeSlash) percent-encoded with upper-case hex.
func uriEncode(b *strings.Builder, s string, encodeSlash bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
}

type queryPair struct{ k, v string }

// writeCanonicalQuery writes the sorted, re-encoded query (without
// X-Amz-Signature for presigned requests).
func writeCanonicalQuery(b *strings.Builder, raw string, presigned bool) {
	if raw == "" {
		return
	}
	var stack [16]queryPair
	pairs := stack[:0]
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		var ek, ev strings.Builder
		uriEncode(&ek, k, true)
		uriEncode(&ev, v, true)
		pairs = append(pairs, queryPair{ek.String(), ev.String()})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
}

// writeHeaderValue writes the canonical value of one signed header: values
// trimmed, inner runs of spaces collapsed, repeated headers joined by ','.
func writeHeaderValue(b *strings.Builder, r *http.Request, name string) {
	switch name {
	case "host":
		b.WriteString(r.Host)
		return
	case "content-length":
		if len(r.Header.Values("Content-Length")) == 0 && r.ContentLength >= 0 {
			b.WriteString(strconv.FormatInt(r.ContentLength, 10))
			return
		}
	case "transfer-encoding":
		if len(r.Header.Values("Transfer-Encoding")) == 0 && len(r.TransferEncoding) > 0 {
			b.WriteString(strings.Join(r.TransferEncoding, ","))
			return
		}
	}
	vals := r.Header.Values(name)
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		writeTrimmed(b, v)
	}
}

func writeTrimmed(b *strings.Builder, v string) {
	v = strings.TrimSpace(v)
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
