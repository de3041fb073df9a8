package oidc

import (
	"encoding/json"
	"errors"
	"strings"
)

// ErrDiscovery: the OpenID configuration document is not one of this
// issuer, or names no https jwks_uri.
var ErrDiscovery = errors.New("oidc: the issuer's OpenID configuration is not usable")

// maxURILen bounds the jwks_uri.
const maxURILen = 2048

// ParseDiscovery reads an OpenID Provider configuration document: its
// issuer must be exactly issuer (OpenID Connect Discovery 1.0, 4.3) and its
// jwks_uri an https URL without user information or fragment. It returns
// the jwks_uri.
func ParseDiscovery(b []byte, issuer string) (string, error) {
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if json.Unmarshal(b, &doc) != nil || doc.Issuer != issuer {
		return "", ErrDiscovery
	}
	u := doc.JWKSURI
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok || len(u) > maxURILen || rest == "" || rest[0] == '/' {
		return "", ErrDiscovery
	}
	host := rest
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		host = rest[:i]
	}
	for i := 0; i < len(u); i++ {
		if c := u[i]; c <= 0x20 || c >= 0x7f || c == '#' || c == '\\' {
			return "", ErrDiscovery
		}
	}
	if host == "" || strings.Contains(host, "@") {
		return "", ErrDiscovery
	}
	return u, nil
}
