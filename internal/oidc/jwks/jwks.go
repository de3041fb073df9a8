// Package jwks fetches and caches the signing keys of OpenID Connect
// issuers for AssumeRoleWithWebIdentity: the issuer's discovery document
// (ISSUER/.well-known/openid-configuration), then its jwks_uri, over HTTPS
// only.
//
// Trust: the issuer's certificate chain is trusted if it verifies against
// Config.Roots (the system roots plus any configured CA files) for the
// host dialled, or if the SHA-1 thumbprint of the top (root-most)
// certificate the server sends is one of the provider's thumbprints — the
// chain must then verify up to that certificate, for that host. So a
// self-signed or private-CA issuer works with its thumbprint registered
// and nothing else configured. A failure of both is ErrUntrusted; any other
// failure to fetch or read the documents is ErrUnreachable.
//
// Caching: keys are kept per issuer and thumbprint set for the issuer's
// Cache-Control max-age (or Expires), bounded by MinTTL and MaxTTL
// (DefaultTTL when it says nothing). A token naming a kid the cached set
// lacks makes Keys fetch again, but at most once per RefetchInterval per
// issuer, so a key rotated in at the issuer is picked up at once and
// tokens with made-up kids cannot make Gatehouse hammer the issuer. A
// failed fetch is remembered for RefetchInterval too (callers get its
// error without another attempt); cached keys still within their TTL keep
// being served when a refetch fails. Concurrent callers of one issuer share
// one fetch.
//
// Bounds: each fetch (discovery and JWKS) has Timeout; responses are
// limited (64 KiB discovery, 512 KiB JWKS); at most two redirects, https
// only; no proxy; at most MaxEntries issuers are cached. Time comes from
// Config.Now.
package jwks

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/oidc"
)

// Sentinel errors of Keys.
var (
	// ErrUnreachable: the discovery document or the JWKS could not be
	// fetched, or is not usable.
	ErrUnreachable = errors.New("jwks: the issuer's keys could not be retrieved")
	// ErrUntrusted: the issuer's TLS certificate verifies neither against
	// the trusted roots nor through a registered thumbprint.
	ErrUntrusted = errors.New("jwks: the issuer's TLS certificate is not trusted")
)

// Response size limits.
const (
	maxDiscoveryLen = 64 << 10
	maxJWKSLen      = 512 << 10
	maxRedirects    = 2
)

// Config are the cache's settings; zero durations take the defaults.
type Config struct {
	Now func() time.Time // required
	// Roots are the CAs issuers' certificates may chain to (nil: the
	// system roots).
	Roots           *x509.CertPool
	Timeout         time.Duration // one fetch, discovery and JWKS together (default 5s)
	MinTTL          time.Duration // default 1m
	MaxTTL          time.Duration // default 24h
	DefaultTTL      time.Duration // when the issuer states none (default 1h)
	RefetchInterval time.Duration // between fetches of one issuer (default 10s)
	MaxEntries      int           // issuers cached (default 1024)
}

// Cache holds the key sets of issuers.
type Cache struct {
	cfg Config

	mu      sync.Mutex
	entries map[string]*entry
}

// entry is one issuer under one set of thumbprints.
type entry struct {
	fetching chan struct{} // held by the one caller fetching

	mu      sync.Mutex // guards the fields below
	keys    *oidc.KeySet
	expires time.Time
	fetched time.Time // last fetch attempt
	err     error     // of the last attempt
}

// New returns an empty cache.
func New(cfg Config) *Cache {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.MinTTL <= 0 {
		cfg.MinTTL = time.Minute
	}
	if cfg.MaxTTL <= 0 {
		cfg.MaxTTL = 24 * time.Hour
	}
	if cfg.DefaultTTL <= 0 {
		cfg.DefaultTTL = time.Hour
	}
	if cfg.RefetchInterval <= 0 {
		cfg.RefetchInterval = 10 * time.Second
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = 1024
	}
	if cfg.Roots == nil {
		if pool, err := x509.SystemCertPool(); err == nil {
			cfg.Roots = pool
		} else {
			cfg.Roots = x509.NewCertPool()
		}
	}
	return &Cache{cfg: cfg, entries: map[string]*entry{}}
}

// Keys returns the key set of issuer (an https:// URL) trusted by the
// roots or by one of thumbprints (hex SHA-1, any case). kid is the key id
// the caller needs ("" for none): when the cached set lacks it, Keys
// fetches again if RefetchInterval has passed since the last fetch, and
// otherwise returns the cached set.
func (c *Cache) Keys(ctx context.Context, issuer string, thumbprints []string, kid string) (*oidc.KeySet, error) {
	prints := normalize(thumbprints)
	e := c.entry(issuer + "\n" + strings.Join(prints, ","))
	if keys, done, err := c.cached(e, kid); done {
		return keys, err
	}
	select {
	case e.fetching <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-e.fetching }()
	// Another caller may have fetched while this one waited.
	if keys, done, err := c.cached(e, kid); done {
		return keys, err
	}
	// The fetch outlives a caller that gives up: its result serves the
	// callers waiting behind it.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Timeout)
	defer cancel()
	keys, ttl, err := c.fetch(fctx, issuer, prints)
	now := c.cfg.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fetched, e.err = now, err
	if err != nil {
		if e.keys != nil && now.Before(e.expires) {
			return e.keys, nil // still within their TTL
		}
		e.keys = nil
		return nil, err
	}
	e.keys, e.expires = keys, now.Add(ttl)
	return keys, nil
}

// cached answers from the entry when it can: done is false when a fetch is
// due (no fresh keys, or kid missing from them, and no fetch within
// RefetchInterval).
func (c *Cache) cached(e *entry, kid string) (keys *oidc.KeySet, done bool, err error) {
	now := c.cfg.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	fresh := e.keys != nil && now.Before(e.expires)
	if fresh && (kid == "" || e.keys.Has(kid)) {
		return e.keys, true, nil
	}
	if !e.fetched.IsZero() && now.Sub(e.fetched) < c.cfg.RefetchInterval {
		if fresh {
			return e.keys, true, nil
		}
		if e.err != nil {
			return nil, true, e.err
		}
	}
	return nil, false, nil
}

// entry returns the entry of key, making room when the cache is full.
func (c *Cache) entry(key string) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		return e
	}
	if len(c.entries) >= c.cfg.MaxEntries {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	e := &entry{fetching: make(chan struct{}, 1)}
	c.entries[key] = e
	return e
}

// normalize lower-cases and sorts thumbprints.
func normalize(prints []string) []string {
	out := make([]string, 0, len(prints))
	for _, p := range prints {
		out = append(out, strings.ToLower(p))
	}
	sort.Strings(out)
	return out
}

// fetch reads the discovery document and the JWKS of issuer.
func (c *Cache) fetch(ctx context.Context, issuer string, prints []string) (*oidc.KeySet, time.Duration, error) {
	client := c.client(prints)
	defer client.CloseIdleConnections()
	doc, _, err := c.get(ctx, client, oidc.DiscoveryURL(issuer), maxDiscoveryLen)
	if err != nil {
		return nil, 0, err
	}
	uri, err := oidc.ParseDiscovery(doc, issuer)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s: %w", ErrUnreachable, oidc.DiscoveryURL(issuer), err)
	}
	body, h, err := c.get(ctx, client, uri, maxJWKSLen)
	if err != nil {
		return nil, 0, err
	}
	keys, err := oidc.ParseKeySet(body)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s: %w", ErrUnreachable, uri, err)
	}
	return keys, c.ttl(h), nil
}

// get fetches url and returns at most max bytes of a 200 response.
func (c *Cache) get(ctx context.Context, client *http.Client, url string, max int64) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, ErrUntrusted) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("%w: %s: status %d", ErrUnreachable, url, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, url, err)
	}
	if int64(len(b)) > max {
		return nil, nil, fmt.Errorf("%w: %s: response larger than %d bytes", ErrUnreachable, url, max)
	}
	return b, resp.Header, nil
}

// client is an HTTPS client trusting the roots or the thumbprints. It
// keeps no connection alive between fetches (they are minutes apart).
func (c *Cache) client(prints []string) *http.Client {
	dialer := &net.Dialer{Timeout: c.cfg.Timeout}
	tr := &http.Transport{
		Proxy:                  nil,
		DisableKeepAlives:      true,
		ResponseHeaderTimeout:  c.cfg.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			return nil, errors.New("jwks: plain HTTP is not used")
		},
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			raw, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			conn := tls.Client(raw, &tls.Config{
				ServerName:         host,
				MinVersion:         tls.VersionTLS12,
				InsecureSkipVerify: true, // verified by VerifyConnection, below
				VerifyConnection: func(cs tls.ConnectionState) error {
					return verifyPeer(cs.PeerCertificates, host, c.cfg.Roots, prints, c.cfg.Now())
				},
			})
			if err := conn.HandshakeContext(ctx); err != nil {
				raw.Close()
				return nil, err
			}
			return conn, nil
		},
	}
	return &http.Client{
		Transport: tr,
		Timeout:   c.cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects || req.URL.Scheme != "https" {
				return errors.New("jwks: redirect refused")
			}
			return nil
		},
	}
}

// verifyPeer trusts a server's chain that verifies for host against roots,
// or whose top certificate's SHA-1 thumbprint is one of prints and that
// verifies for host up to that certificate.
func verifyPeer(certs []*x509.Certificate, host string, roots *x509.CertPool, prints []string, now time.Time) error {
	if len(certs) == 0 {
		return ErrUntrusted
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: host, CurrentTime: now}
	if _, err := certs[0].Verify(opts); err == nil {
		return nil
	}
	top := certs[len(certs)-1]
	sum := sha1.Sum(top.Raw)
	tp := hex.EncodeToString(sum[:])
	for _, p := range prints {
		if p != tp {
			continue
		}
		pinned := x509.NewCertPool()
		pinned.AddCert(top)
		opts.Roots = pinned
		if _, err := certs[0].Verify(opts); err != nil {
			return fmt.Errorf("%w: the chain of thumbprint %s does not verify for %s: %w", ErrUntrusted, tp, host, err)
		}
		return nil
	}
	return fmt.Errorf("%w: %s presents a chain whose top certificate has thumbprint %s", ErrUntrusted, host, tp)
}

// ttl is how long a JWKS response may be cached: its max-age (or Expires)
// bounded by MinTTL and MaxTTL; DefaultTTL when it states neither.
func (c *Cache) ttl(h http.Header) time.Duration {
	d, ok := maxAge(h.Get("Cache-Control"))
	if !ok {
		if exp := h.Get("Expires"); exp != "" {
			if t, err := http.ParseTime(exp); err == nil {
				d, ok = t.Sub(c.cfg.Now()), true
			} else {
				d, ok = 0, true // an invalid Expires means already expired
			}
		}
	}
	if !ok {
		d = c.cfg.DefaultTTL
	}
	return min(max(d, c.cfg.MinTTL), c.cfg.MaxTTL)
}

// maxAge reads max-age from a Cache-Control header (no-cache and no-store
// count as 0).
func maxAge(cc string) (time.Duration, bool) {
	found, d := false, time.Duration(0)
	for _, dir := range strings.Split(cc, ",") {
		dir = strings.ToLower(strings.TrimSpace(dir))
		switch {
		case dir == "no-cache" || dir == "no-store":
			return 0, true
		case strings.HasPrefix(dir, "max-age="):
			n, err := strconv.ParseInt(strings.Trim(dir[len("max-age="):], `"`), 10, 64)
			if err != nil || n < 0 {
				return 0, true
			}
			if n > int64(365*24*time.Hour/time.Second) {
				n = int64(365 * 24 * time.Hour / time.Second)
			}
			found, d = true, time.Duration(n)*time.Second
		}
	}
	return d, found
}
