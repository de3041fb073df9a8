package jwks

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/oidc/oidctest"
)

var ctx = context.Background()

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newCache(t *testing.T, roots *x509.CertPool) (*Cache, *clock) {
	clk := &clock{t: time.Now()}
	return New(Config{Now: clk.now, Roots: roots}), clk
}

func TestThumbprintTrustsASelfSignedIssuer(t *testing.T) {
	iss := oidctest.New(t)
	c, _ := newCache(t, x509.NewCertPool())
	keys, err := c.Keys(ctx, iss.URL, []string{strings.ToUpper(iss.Thumbprint)}, iss.KeyID())
	if err != nil || !keys.Has(iss.KeyID()) {
		t.Fatalf("keys: %v", err)
	}
	// Cached: no second fetch.
	if _, err := c.Keys(ctx, iss.URL, []string{iss.Thumbprint}, iss.KeyID()); err != nil {
		t.Fatal(err)
	}
	if d, j := iss.Requests(); d != 1 || j != 1 {
		t.Fatalf("requests: discovery %d, jwks %d", d, j)
	}
	// Without the thumbprint, or with another, the certificate is not trusted.
	for _, prints := range [][]string{nil, {"0000000000000000000000000000000000000000"}} {
		if _, err := c.Keys(ctx, iss.URL, prints, ""); !errors.Is(err, ErrUntrusted) {
			t.Errorf("thumbprints %v: %v; want ErrUntrusted", prints, err)
		}
	}
}

func TestRootsTrustAnIssuerWithoutThumbprints(t *testing.T) {
	iss := oidctest.New(t, oidctest.WithPath("/realms/main"))
	c, _ := newCache(t, iss.Pool())
	if _, err := c.Keys(ctx, iss.URL, nil, ""); err != nil {
		t.Fatal(err)
	}
}

func TestCacheHonorsMaxAgeWithinBounds(t *testing.T) {
	iss := oidctest.New(t)
	c, clk := newCache(t, nil)
	prints := []string{iss.Thumbprint}
	fetches := func() int { _, j := iss.Requests(); return j }
	iss.SetCacheControl("public, max-age=300")
	c.Keys(ctx, iss.URL, prints, "")
	clk.advance(299 * time.Second)
	c.Keys(ctx, iss.URL, prints, "")
	if fetches() != 1 {
		t.Fatalf("refetched within max-age: %d", fetches())
	}
	clk.advance(2 * time.Second)
	c.Keys(ctx, iss.URL, prints, "")
	if fetches() != 2 {
		t.Fatalf("not refetched after max-age: %d", fetches())
	}
	// max-age=1 is held for MinTTL (a minute); no-store too.
	for _, cc := range []string{"max-age=1", "no-store"} {
		iss.SetCacheControl(cc)
		clk.advance(25 * time.Hour)
		n := fetches()
		c.Keys(ctx, iss.URL, prints, "")
		clk.advance(59 * time.Second)
		c.Keys(ctx, iss.URL, prints, "")
		if fetches() != n+1 {
			t.Fatalf("%s: %d fetches within the minimum TTL", cc, fetches()-n)
		}
	}
	// A year is held for MaxTTL (a day).
	iss.SetCacheControl("max-age=31536000")
	clk.advance(25 * time.Hour)
	n := fetches()
	c.Keys(ctx, iss.URL, prints, "")
	clk.advance(24*time.Hour + time.Second)
	c.Keys(ctx, iss.URL, prints, "")
	if fetches() != n+2 {
		t.Fatalf("held beyond the maximum TTL: %d", fetches()-n)
	}
}

func TestUnknownKidRefetchesAtMostOncePerInterval(t *testing.T) {
	iss := oidctest.New(t)
	c, clk := newCache(t, nil)
	prints := []string{iss.Thumbprint}
	old := iss.KeyID()
	if _, err := c.Keys(ctx, iss.URL, prints, old); err != nil {
		t.Fatal(err)
	}
	iss.Rotate()
	// Within the interval the cached set is returned, without the new kid.
	keys, err := c.Keys(ctx, iss.URL, prints, iss.KeyID())
	if err != nil || keys.Has(iss.KeyID()) {
		t.Fatalf("refetched within the interval: %v", err)
	}
	clk.advance(10 * time.Second)
	keys, err = c.Keys(ctx, iss.URL, prints, iss.KeyID())
	if err != nil || !keys.Has(iss.KeyID()) || keys.Has(old) {
		t.Fatalf("rotated key not fetched: %v", err)
	}
	// Made-up kids: one fetch per interval, however many tokens ask.
	_, before := iss.Requests()
	for i := 0; i < 50; i++ {
		c.Keys(ctx, iss.URL, prints, "made-up")
	}
	clk.advance(10 * time.Second)
	for i := 0; i < 50; i++ {
		c.Keys(ctx, iss.URL, prints, "made-up")
	}
	if _, after := iss.Requests(); after-before != 1 {
		t.Fatalf("%d fetches for made-up kids", after-before)
	}
}

func TestUnreachableIssuer(t *testing.T) {
	iss := oidctest.New(t)
	c, clk := newCache(t, nil)
	prints := []string{iss.Thumbprint}
	iss.SetDown(true)
	if _, err := c.Keys(ctx, iss.URL, prints, ""); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("503: %v", err)
	}
	// The failure is remembered for the interval.
	iss.SetDown(false)
	if _, err := c.Keys(ctx, iss.URL, prints, ""); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("within the interval: %v", err)
	}
	clk.advance(10 * time.Second)
	if _, err := c.Keys(ctx, iss.URL, prints, ""); err != nil {
		t.Fatalf("after the interval: %v", err)
	}
	// Cached keys outlive a failed refetch until their TTL.
	iss.Rotate()
	iss.SetDown(true)
	clk.advance(10 * time.Second)
	if keys, err := c.Keys(ctx, iss.URL, prints, iss.KeyID()); err != nil || keys == nil {
		t.Fatalf("cached keys during an outage: %v", err)
	}
	clk.advance(2 * time.Hour)
	if _, err := c.Keys(ctx, iss.URL, prints, ""); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("expired keys during an outage: %v", err)
	}
	// A closed server refuses connections.
	iss.Close()
	clk.advance(10 * time.Second)
	if _, err := c.Keys(ctx, iss.URL, prints, ""); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("closed: %v", err)
	}
	// Discovery naming another issuer is refused.
	other := oidctest.New(t)
	other.SetDiscoveryIssuer("https://evil.example.com")
	if _, err := c.Keys(ctx, other.URL, []string{other.Thumbprint}, ""); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("discovery of another issuer: %v", err)
	}
}

// serveTLS runs a handler over TLS with the given chain and key.
func serveTLS(t *testing.T, chain [][]byte, key any, h http.Handler) string {
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: chain, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

func cert(t *testing.T, tmpl *x509.Certificate, parent *x509.Certificate, pub, signer any) *x509.Certificate {
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func TestThumbprintOfTheTopCertificateAndTheHostName(t *testing.T) {
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	ca := cert(t, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "private CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)},
		nil, &caKey.PublicKey, caKey)
	leafFor := func(ip string) *x509.Certificate {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "idp"}, DNSNames: []string{"idp.example.com"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		if ip != "" {
			tmpl.IPAddresses = []net.IP{net.ParseIP(ip)}
		}
		return cert(t, tmpl, ca, &leafKey.PublicKey, caKey)
	}
	thumb := func(c *x509.Certificate) string { s := sha1.Sum(c.Raw); return hex.EncodeToString(s[:]) }
	var base string
	h := http.NewServeMux()
	h.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"issuer":"` + base + `","jwks_uri":"` + base + `/keys"}`))
	})
	iss := oidctest.New(t) // only for a real key set
	h.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		resp, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: iss.Pool()}}}).Get(iss.URL + "/keys")
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		b := make([]byte, 1<<16)
		n, _ := resp.Body.Read(b)
		w.Write(b[:n])
	})
	base = serveTLS(t, [][]byte{leafFor("127.0.0.1").Raw, ca.Raw}, leafKey, h)
	c, _ := newCache(t, x509.NewCertPool())
	if _, err := c.Keys(ctx, base, []string{thumb(ca)}, ""); err != nil {
		t.Fatalf("thumbprint of the CA the server sends: %v", err)
	}
	c, _ = newCache(t, x509.NewCertPool())
	if _, err := c.Keys(ctx, base, []string{thumb(leafFor("127.0.0.1"))}, ""); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("thumbprint of a certificate below the top: %v", err)
	}
	// The pinned chain must still name the host.
	other := serveTLS(t, [][]byte{leafFor("").Raw, ca.Raw}, leafKey, h)
	c, _ = newCache(t, x509.NewCertPool())
	if _, err := c.Keys(ctx, other, []string{thumb(ca)}, ""); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("certificate for another host: %v", err)
	}
}

func TestConcurrentCallersShareOneFetch(t *testing.T) {
	iss := oidctest.New(t)
	c, _ := newCache(t, nil)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Keys(ctx, iss.URL, []string{iss.Thumbprint}, iss.KeyID()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if d, j := iss.Requests(); d != 1 || j != 1 {
		t.Fatalf("%d discovery and %d JWKS fetches", d, j)
	}
}

func TestResponseLimitsAndRedirects(t *testing.T) {
	var base string
	h := http.NewServeMux()
	h.HandleFunc("/big/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"issuer":"` + base + `/big","jwks_uri":"` + base + `/bigkeys"}`))
	})
	h.HandleFunc("/bigkeys", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"keys":[` + strings.Repeat(" ", maxJWKSLen) + `]}`))
	})
	h.HandleFunc("/plain/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:1/x", http.StatusFound)
	})
	h.HandleFunc("/loop/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	})
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	base = srv.URL
	sum := sha1.Sum(srv.Certificate().Raw)
	prints := []string{hex.EncodeToString(sum[:])}
	for _, p := range []string{"/big", "/plain", "/loop", "/missing"} {
		c, _ := newCache(t, nil)
		if _, err := c.Keys(ctx, base+p, prints, ""); !errors.Is(err, ErrUnreachable) {
			t.Errorf("%s: %v; want ErrUnreachable", p, err)
		}
	}
}

func TestMaxAge(t *testing.T) {
	for cc, want := range map[string]time.Duration{
		"max-age=60":             time.Minute,
		"public, max-age=3600":   time.Hour,
		`max-age="90"`:           90 * time.Second,
		"no-cache":               0,
		"max-age=-1":             0,
		"max-age=x":              0,
		"max-age=99999999999999": 365 * 24 * time.Hour,
	} {
		if got, ok := maxAge(cc); !ok || got != want {
			t.Errorf("maxAge(%q) = %v, %v; want %v", cc, got, ok, want)
		}
	}
	if _, ok := maxAge("public"); ok {
		t.Error("no max-age")
	}
}

func FuzzMaxAge(f *testing.F) {
	f.Add("public, max-age=300")
	f.Fuzz(func(t *testing.T, cc string) {
		if d, _ := maxAge(cc); d < 0 || d > 365*24*time.Hour {
			t.Fatalf("%q → %v", cc, d)
		}
	})
}
