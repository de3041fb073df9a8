package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
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
	keys  map[cacheKey]*derivedKey
	limit int
	// scratch holds reusable buffers and SHA-256 states so that a
	// verification with a warm key cache allocates almost nothing.
	scratch sync.Pool
}

type cacheKey struct{ akid, date, region, service string }

// scratch is per-verification working memory.
type scratch struct {
	buf   []byte
	inner hash.Hash
	outer hash.Hash
	// sum receives the hashes' Sums, and pad holds HMAC's key pads: stack
	// arrays passed through the hash.Hash interface would move to the heap
	// on every call.
	sum [32]byte
	pad [64]byte
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
	v := &Verifier{keys: make(map[cacheKey]*derivedKey), limit: o.KeyCacheSize}
	v.scratch.New = func() any { return &scratch{buf: make([]byte, 0, 1024), inner: sha256.New(), outer: sha256.New()} }
	return v
}

// SigningKey returns the derived key for (secret, date, region, service),
// from the cache when the same access key was seen with the same secret.
func (v *Verifier) SigningKey(akid, secret, date, region, service string) [32]byte {
	ck := cacheKey{akid, date, region, service}
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
		return &Error{Err: ErrRegion, Detail: "Credential should be scoped to a valid region: '" + a.Region + "'", Region: a.Region}
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
	key := v.SigningKey(a.AccessKeyID, c.Secret, a.Date, a.Region, a.Service)
	sc := v.scratch.Get().(*scratch)
	defer v.scratch.Put(sc)
	// Canonical request into the scratch buffer, then its hash.
	sc.buf = appendCanonicalRequest(sc.buf[:0], r, a, c)
	sc.inner.Reset()
	sc.inner.Write(sc.buf)
	sc.inner.Sum(sc.sum[:0])
	crHash := sc.sum
	crLen := len(sc.buf)
	// String to sign after it in the same buffer.
	sc.buf = appendStringToSign(sc.buf, a, crHash)
	sts := sc.buf[crLen:]
	var sig [32]byte
	hmacInto(sc, key[:], sts, &sig)
	var want [64]byte
	hex.Encode(want[:], sig[:])
	if subtle.ConstantTimeCompare(want[:], unsafeBytes(a.Signature)) != 1 {
		return &Error{Err: ErrMismatch, Detail: "The request signature we calculated does not match the signature you provided.",
			CanonicalRequest: string(sc.buf[:crLen]), StringToSign: string(sts)}
	}
	return nil
}

// hmacInto computes HMAC-SHA256(key, msg) with the scratch's hash states.
func hmacInto(sc *scratch, key []byte, msg []byte, out *[32]byte) {
	pad := &sc.pad // zero: each call clears it after use
	copy(pad[:], key)
	for i := range pad {
		pad[i] ^= 0x36
	}
	sc.inner.Reset()
	sc.inner.Write(pad[:])
	sc.inner.Write(msg)
	sc.inner.Sum(sc.sum[:0])
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	sc.outer.Reset()
	sc.outer.Write(pad[:])
	sc.outer.Write(sc.sum[:])
	sc.outer.Sum(sc.sum[:0])
	*pad = [64]byte{} // no key material left in the pool
	*out = sc.sum
}

// unsafeBytes views a string's bytes without copying; the result must not
// be modified.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// StringToSign builds AWS4-HMAC-SHA256 \n amzdate \n scope \n hex(sha256(cr)).
func StringToSign(a *Auth, canonicalRequest string) string {
	return string(appendStringToSign(nil, a, sha256.Sum256([]byte(canonicalRequest))))
}

func appendStringToSign(b []byte, a *Auth, crHash [32]byte) []byte {
	b = append(b, Algorithm...)
	b = append(b, '\n')
	b = append(b, a.AmzDate...)
	b = append(b, '\n')
	b = append(b, a.Date...)
	b = append(b, '/')
	b = append(b, a.Region...)
	b = append(b, '/')
	b = append(b, a.Service...)
	b = append(b, "/aws4_request\n"...)
	return hex.AppendEncode(b, crHash[:])
}

// CanonicalRequest builds the canonical request of r as signed by a.
func CanonicalRequest(r *http.Request, a *Auth, c Check) string {
	return string(appendCanonicalRequest(nil, r, a, c))
}

// appendCanonicalRequest appends the canonical request to dst.
func appendCanonicalRequest(dst []byte, r *http.Request, a *Auth, c Check) []byte {
	b := &appender{buf: dst}
	b.WriteString(r.Method)
	b.byte1('\n')
	writeCanonicalURI(b, r, c)
	b.byte1('\n')
	writeCanonicalQuery(b, r.URL.RawQuery, a.Mode == ModePresigned)
	b.byte1('\n')
	for _, h := range a.SignedHeaders {
		b.WriteString(h)
		b.byte1(':')
		writeHeaderValue(b, r, h)
		b.byte1('\n')
	}
	b.byte1('\n')
	for i, h := range a.SignedHeaders {
		if i > 0 {
			b.byte1(';')
		}
		b.WriteString(h)
	}
	b.byte1('\n')
	b.WriteString(c.PayloadHash)
	return b.buf
}

// appender is the small writer interface the canonicalization helpers use,
// over a byte slice.
type appender struct{ buf []byte }

func (a *appender) WriteString(s string) { a.buf = append(a.buf, s...) }
func (a *appender) byte1(c byte)         { a.buf = append(a.buf, c) }
func (a *appender) Write(p []byte)       { a.buf = append(a.buf, p...) }

// writeCanonicalURI writes the canonical path.
func writeCanonicalURI(b *appender, r *http.Request, c Check) {
	raw := r.URL.EscapedPath()
	if raw == "" {
		b.byte1('/')
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
	if c.SingleEncode || plainPath(dec) {
		// A path of unreserved characters and slashes encodes to
		// itself, once or twice (every IAM and STS call's "/").
		uriEncode(b, dec, false)
		return
	}
	once := &appender{}
	uriEncode(once, dec, false)
	uriEncode(b, string(once.buf), false)
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
func uriEncode(b *appender, s string, encodeSlash bool) {
	for len(s) > 0 {
		// Copy the run that needs no encoding, then encode one byte.
		i := 0
		for i < len(s) && (unreserved[s[i]] || s[i] == '/' && !encodeSlash) {
			i++
		}
		b.WriteString(s[:i])
		if i == len(s) {
			return
		}
		c := s[i]
		b.buf = append(b.buf, '%', upperhex[c>>4], upperhex[c&15])
		s = s[i+1:]
	}
}

// unreserved marks the bytes URI encoding leaves as they are: letters,
// digits and "-_.~".
var unreserved = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
	}
	return t
}()

// plainPath reports whether URI encoding leaves the path p as it is.
func plainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		if !unreserved[p[i]] && p[i] != '/' {
			return false
		}
	}
	return true
}

type queryPair struct{ k, v string }

// writeCanonicalQuery writes the sorted, re-encoded query (without
// X-Amz-Signature for presigned requests).
func writeCanonicalQuery(b *appender, raw string, presigned bool) {
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
		ek, ev := &appender{}, &appender{}
		uriEncode(ek, k, true)
		uriEncode(ev, v, true)
		pairs = append(pairs, queryPair{string(ek.buf), string(ev.buf)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	for i, p := range pairs {
		if i > 0 {
			b.byte1('&')
		}
		b.WriteString(p.k)
		b.byte1('=')
		b.WriteString(p.v)
	}
}

// writeHeaderValue writes the canonical value of one signed header: values
// trimmed, inner runs of spaces collapsed, repeated headers joined by ','.
func writeHeaderValue(b *appender, r *http.Request, name string) {
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
	vals := headerValues(r.Header, name)
	for i, v := range vals {
		if i > 0 {
			b.byte1(',')
		}
		writeTrimmed(b, v)
	}
}

func writeTrimmed(b *appender, v string) {
	v = strings.TrimSpace(v)
	for {
		// Copy the run up to the next space; squeeze the spaces after it
		// to one.
		i := 0
		for i < len(v) && !headerSpace(v[i]) {
			i++
		}
		b.WriteString(v[:i])
		if i == len(v) {
			return
		}
		for i < len(v) && headerSpace(v[i]) {
			i++
		}
		b.byte1(' ')
		v = v[i:]
	}
}

func headerSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// headerValues finds a header by its lower-case name without allocating:
// under its canonical key (net/http stores received headers so) built on
// the stack, else by a case-insensitive walk of the keys.
func headerValues(h http.Header, lower string) []string {
	var buf [64]byte
	if key, ok := canonicalKey(&buf, lower); ok {
		if v, ok := h[string(key)]; ok {
			return v
		}
	}
	for k, v := range h {
		if len(k) == len(lower) && strings.EqualFold(k, lower) {
			return v
		}
	}
	return nil
}

// canonicalKey writes textproto.CanonicalMIMEHeaderKey(name) into buf:
// false when name is longer than buf or has a byte that is not a token
// character (CanonicalMIMEHeaderKey leaves such names as they are).
func canonicalKey(buf *[64]byte, name string) ([]byte, bool) {
	if len(name) > len(buf) {
		return nil, false
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !tokenByte(c) {
			return nil, false
		}
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
		upper = c == '-'
	}
	return buf[:len(name)], true
}

// tokenByte reports whether c may appear in an HTTP header field name
// (RFC 7230's tchar).
func tokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
