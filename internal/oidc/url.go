package oidc

import (
	"errors"
	"net"
	"strconv"
	"strings"
)

// ErrProviderURL: the value is not an https:// URL of an OIDC issuer.
var ErrProviderURL = errors.New("oidc: not an https URL of an OpenID Connect issuer")

// MaxProviderURLLen is the longest provider URL IAM accepts.
const MaxProviderURLLen = 255

// ProviderName returns the name of an OIDC provider URL (or of a token's
// iss claim): "https://HOST[:PORT][/PATH]" → "host[:port][/PATH]", the host
// lower-cased and everything else as given (a trailing slash is kept, as
// AWS keeps it). A URL with a query, a fragment, user information, an
// empty host, a bad port or characters outside printable ASCII is refused.
func ProviderName(u string) (string, error) {
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok || len(u) > MaxProviderURLLen {
		return "", ErrProviderURL
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c <= 0x20 || c >= 0x7f || c == '?' || c == '#' || c == '@' || c == '\\' {
			return "", ErrProviderURL
		}
	}
	hostport, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		hostport, path = rest[:i], rest[i:]
	}
	if strings.Contains(path, "//") {
		return "", ErrProviderURL
	}
	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") { // [IPv6]:port
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return "", ErrProviderURL
		}
		host, port = hostport[1:end], hostport[end+1:]
		if ip := net.ParseIP(host); ip == nil || ip.To4() != nil {
			return "", ErrProviderURL
		}
		host = "[" + host + "]"
		if port != "" && !strings.HasPrefix(port, ":") {
			return "", ErrProviderURL
		}
		port = strings.TrimPrefix(port, ":")
	} else if h, p, found := strings.Cut(hostport, ":"); found {
		host, port = h, p
		if port == "" {
			return "", ErrProviderURL
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return "", ErrProviderURL
		}
	}
	if !strings.HasPrefix(host, "[") && !validHost(host) {
		return "", ErrProviderURL
	}
	name := strings.ToLower(host)
	if port != "" {
		name += ":" + port
	}
	return name + path, nil
}

// validHost accepts DNS names (letters, digits, hyphens, dots; labels of
// 1..63) and IPv4 addresses.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// IssuerURL is the issuer URL of a provider name ("https://" + name).
func IssuerURL(name string) string { return "https://" + name }

// DiscoveryURL is where an issuer publishes its OpenID configuration.
func DiscoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}
