package oidc

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// The parsers of untrusted bytes never panic, and what they accept keeps
// their contract.

func FuzzParse(f *testing.F) {
	c := claims(map[string]any{TagsClaim: map[string]any{"principal_tags": map[string][]string{"a": {"b"}}, "transitive_tag_keys": []string{"a"}}})
	f.Add(sign(f, jose.RS256, rsaK, "k", c))
	f.Add(sign(f, jose.ES256, ecK, "", claims(map[string]any{"aud": []string{"x", "y"}, "azp": "x"})))
	f.Add(unsigned(map[string]string{"alg": "none"}, c, ""))
	f.Add("a.b.c")
	f.Add("")
	set, err := ParseKeySet(jwks(f, pubJWK(rsaK, "k", ""), pubJWK(ecK, "e", "")))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := Parse(raw)
		if err != nil {
			if tok != nil {
				t.Fatal("token with an error")
			}
			return
		}
		if !accepted(tok.Algorithm) || tok.Unverified == nil || len(raw) > MaxTokenLen {
			t.Fatalf("accepted %q", raw)
		}
		if c, err := tok.Verify(set); err == nil {
			// Only a token signed by a key of the set verifies; its
			// claims are the ones Parse read.
			if c.Issuer != tok.Unverified.Issuer || c.Subject != tok.Unverified.Subject {
				t.Fatalf("verified claims %+v differ from %+v", c, tok.Unverified)
			}
			_, _ = c.Check(time.Unix(c.Expiry, 0), []string{"sts.amazonaws.com"})
		}
	})
}

func FuzzParseClaims(f *testing.F) {
	b, _ := json.Marshal(claims(map[string]any{"amr": []string{"a"}, SourceIdentityClaim: "si"}))
	f.Add(b)
	f.Add([]byte(`{"aud":["a","b"],"azp":"a","exp":1,"https://aws.amazon.com/tags":{"principal_tags":{"k":["v"]}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseClaims(b)
		if err != nil {
			return
		}
		if len(c.Audience) > maxAudiences || len(c.PrincipalTags) > maxTags {
			t.Fatalf("limits: %+v", c)
		}
		_, _ = c.Check(time.Unix(1700000000, 0), []string{"a"})
	})
}

func FuzzParseKeySet(f *testing.F) {
	f.Add(jwks(f, pubJWK(rsaK, "k", "RS256"), pubJWK(ecK, "e", "")))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseKeySet(b)
		if err == nil && (s.Len() == 0 || s.Len() > MaxKeys) {
			t.Fatalf("set of %d keys", s.Len())
		}
	})
}

func FuzzParseDiscovery(f *testing.F) {
	f.Add([]byte(`{"issuer":"https://a.example","jwks_uri":"https://a.example/keys"}`), "https://a.example")
	f.Fuzz(func(t *testing.T, b []byte, iss string) {
		u, err := ParseDiscovery(b, iss)
		if err == nil && (len(u) < len("https://x") || u[:8] != "https://") {
			t.Fatalf("jwks_uri %q", u)
		}
	})
}

func FuzzProviderName(f *testing.F) {
	f.Add("https://idp.example.com:8443/realms/a/")
	f.Add("https://[::1]:1/x")
	f.Fuzz(func(t *testing.T, u string) {
		n, err := ProviderName(u)
		if err != nil {
			return
		}
		// The name is stable: the URL it stands for has the same name.
		if again, err := ProviderName(IssuerURL(n)); err != nil || again != n {
			t.Fatalf("%q → %q → %q, %v", u, n, again, err)
		}
	})
}
