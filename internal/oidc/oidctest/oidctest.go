// Package oidctest runs an OpenID Connect issuer for tests: an HTTPS server
// on 127.0.0.1 with a self-signed certificate that serves a discovery
// document and a JWKS, mints tokens signed with its current key, rotates
// keys, sets the JWKS's Cache-Control, counts the requests it answers and
// can be taken down. It is imported by _test.go files only.
package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Issuer is a running test issuer.
type Issuer struct {
	t testing.TB
	// URL is the issuer (https://127.0.0.1:PORT[/PATH]): its tokens' iss.
	URL string
	// Thumbprint is the SHA-1 of its certificate (the only one it sends),
	// as IAM's ThumbprintList takes it.
	Thumbprint string
	// Cert is its self-signed certificate.
	Cert *x509.Certificate

	srv *httptest.Server
	now func() time.Time

	mu           sync.Mutex
	key          crypto.Signer
	alg          jose.SignatureAlgorithm
	kid          string
	published    []jose.JSONWebKey
	cacheControl string
	down         bool
	discovery    int
	jwks         int
	n            int
	issuerField  string // the discovery document's issuer ("" = URL)
}

// Option configures New.
type Option func(*options)

type options struct {
	path string
	now  func() time.Time
	alg  jose.SignatureAlgorithm
}

// WithPath serves the issuer under a path (https://127.0.0.1:PORT/PATH).
func WithPath(p string) Option { return func(o *options) { o.path = p } }

// WithClock sets the clock of iat, nbf and exp (default time.Now).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithAlgorithm signs with alg (RS256, PS256, ES256, ES384, ...).
func WithAlgorithm(alg string) Option {
	return func(o *options) { o.alg = jose.SignatureAlgorithm(alg) }
}

// New starts an issuer; it stops when the test ends.
func New(t testing.TB, opts ...Option) *Issuer {
	t.Helper()
	o := options{now: time.Now, alg: jose.RS256}
	for _, f := range opts {
		f(&o)
	}
	i := &Issuer{t: t, now: o.now, alg: o.alg}
	i.rotate(false)
	i.srv = httptest.NewUnstartedServer(http.HandlerFunc(i.serve))
	i.srv.StartTLS()
	t.Cleanup(i.srv.Close)
	i.mu.Lock()
	defer i.mu.Unlock()
	i.URL = i.srv.URL + o.path
	i.Cert = i.srv.Certificate()
	sum := sha1.Sum(i.Cert.Raw)
	i.Thumbprint = hex.EncodeToString(sum[:])
	return i
}

// CAFile writes the issuer's certificate to a PEM file (for a CA-files
// setting) and returns its path.
func (i *Issuer) CAFile() string {
	path := filepath.Join(i.t.TempDir(), "issuer-ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: i.Cert.Raw}), 0o600); err != nil {
		i.t.Fatal(err)
	}
	return path
}

// Pool is a pool trusting the issuer's certificate.
func (i *Issuer) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(i.Cert)
	return p
}

func (i *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	base := i.URL
	switch r.URL.Path {
	case pathOf(base, "/.well-known/openid-configuration"):
		i.discovery++
		iss := i.issuerField
		if iss == "" {
			iss = base
		}
		writeJSON(w, map[string]any{"issuer": iss, "jwks_uri": i.srv.URL + "/keys", "response_types_supported": []string{"id_token"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{string(i.alg)}})
	case "/keys":
		i.jwks++
		if i.cacheControl != "" {
			w.Header().Set("Cache-Control", i.cacheControl)
		}
		writeJSON(w, jose.JSONWebKeySet{Keys: i.published})
	default:
		http.NotFound(w, r)
	}
}

func pathOf(base, suffix string) string {
	// base is https://HOST:PORT[/PATH]
	rest := base[len("https://"):]
	for j := 0; j < len(rest); j++ {
		if rest[j] == '/' {
			p := rest[j:]
			if p[len(p)-1] == '/' {
				p = p[:len(p)-1]
			}
			return p + suffix
		}
	}
	return suffix
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// rotate makes a new signing key with a new kid; keep says whether the
// old keys stay published.
func (i *Issuer) rotate(keep bool) {
	i.n++
	var key crypto.Signer
	var err error
	switch i.alg {
	case jose.ES256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.ES384:
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case jose.ES512:
		key, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	default:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		i.t.Fatal(err)
	}
	i.key, i.kid = key, fmt.Sprintf("key-%d", i.n)
	jwk := jose.JSONWebKey{Key: key.Public(), KeyID: i.kid, Algorithm: string(i.alg), Use: "sig"}
	if keep {
		i.published = append(i.published, jwk)
	} else {
		i.published = []jose.JSONWebKey{jwk}
	}
}

// Rotate replaces the signing key by a new one with a new kid; only the
// new key is published from now on.
func (i *Issuer) Rotate() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rotate(false)
}

// KeyID is the kid of the current signing key.
func (i *Issuer) KeyID() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.kid
}

// SetCacheControl sets the JWKS response's Cache-Control ("" = none).
func (i *Issuer) SetCacheControl(v string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.cacheControl = v
}

// SetDiscoveryIssuer makes the discovery document claim another issuer.
func (i *Issuer) SetDiscoveryIssuer(iss string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.issuerField = iss
}

// SetDown makes the issuer answer 503 to everything (or serve again).
func (i *Issuer) SetDown(down bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.down = down
}

// Close stops the server: connections are refused from now on.
func (i *Issuer) Close() { i.srv.Close() }

// Requests returns how many discovery and JWKS requests were answered.
func (i *Issuer) Requests() (discovery, jwks int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.discovery, i.jwks
}

// Claims are a token's claims: iss, sub, aud, iat, nbf and exp (an hour)
// by default; a nil value in extra removes a claim.
func (i *Issuer) Claims(sub, aud string, extra map[string]any) map[string]any {
	now := i.now()
	c := map[string]any{"iss": i.URL, "sub": sub, "aud": aud, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// Token signs claims with the current key and kid.
func (i *Issuer) Token(claims map[string]any) string {
	i.mu.Lock()
	key, alg, kid := i.key, i.alg, i.kid
	i.mu.Unlock()
	return Sign(i.t, string(alg), key, kid, claims)
}

// Sign signs claims with any key, algorithm and kid ("" = no kid header).
// HMAC algorithms take a []byte key through SignHMAC.
func Sign(t testing.TB, alg string, key crypto.Signer, kid string, claims map[string]any) string {
	t.Helper()
	return sign(t, jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: key}, kid, claims)
}

// SignHMAC signs claims with an HMAC algorithm (HS256, ...) and secret.
func SignHMAC(t testing.TB, alg string, secret []byte, claims map[string]any) string {
	t.Helper()
	return sign(t, jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: secret}, "", claims)
}

func sign(t testing.TB, k jose.SigningKey, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(k, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Unsigned is a token with header {"alg":"none"} and no signature.
func Unsigned(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(b) + "."
}
