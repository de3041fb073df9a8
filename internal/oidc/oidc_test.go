package oidc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

var (
	now  = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	rsaK = mustRSA(2048)
	ecK  = mustEC(elliptic.P256())
)

func mustRSA(bits int) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	return k
}

func mustEC(c elliptic.Curve) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// sign makes a compact JWS of claims with key under alg and kid.
func sign(t testing.TB, alg jose.SignatureAlgorithm, key crypto.Signer, kid string, claims any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
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

// unsigned makes a token with any header and an empty or given signature.
func unsigned(header, claims any, sig string) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + "." + sig
}

func jwks(t testing.TB, keys ...jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pubJWK(key crypto.Signer, kid, alg string) jose.JSONWebKey {
	return jose.JSONWebKey{Key: key.Public(), KeyID: kid, Algorithm: alg, Use: "sig"}
}

func claims(extra map[string]any) map[string]any {
	c := map[string]any{"iss": "https://idp.example.com", "sub": "system:serviceaccount:ns:app", "aud": "sts.amazonaws.com",
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nbf": now.Unix()}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func TestProviderName(t *testing.T) {
	for in, want := range map[string]string{
		"https://idp.example.com":                      "idp.example.com",
		"https://IdP.Example.COM/Realms/Main":          "idp.example.com/Realms/Main",
		"https://idp.example.com/":                     "idp.example.com/",
		"https://127.0.0.1:8443/keycloak/realms/x":     "127.0.0.1:8443/keycloak/realms/x",
		"https://[::1]:9443/p":                         "[::1]:9443/p",
		"https://oidc.eks.us-east-1.amazonaws.com/id/": "oidc.eks.us-east-1.amazonaws.com/id/",
	} {
		got, err := ProviderName(in)
		if err != nil || got != want {
			t.Errorf("ProviderName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "http://idp.example.com", "https://", "https:///x", "https://idp.example.com?x=1",
		"https://idp.example.com#f", "https://u@idp.example.com", "https://idp.example.com:", "https://idp.example.com:0",
		"https://idp.example.com:65536", "https://idp.example.com:08443", "https://idp.example.com:x", "https://idp example.com",
		"https://idp.example.com//x", "https://-idp.example.com", "https://[1.2.3.4]", "https://[::1", "https://[::1]x",
		"HTTPS://idp.example.com", "https://idp.example.com/\u00e9", "https://" + strings.Repeat("a", 250)} {
		if got, err := ProviderName(in); !errors.Is(err, ErrProviderURL) {
			t.Errorf("ProviderName(%q) = %q, %v; want ErrProviderURL", in, got, err)
		}
	}
	if DiscoveryURL("https://a.example/") != "https://a.example/.well-known/openid-configuration" ||
		DiscoveryURL("https://a.example/p") != "https://a.example/p/.well-known/openid-configuration" {
		t.Error("DiscoveryURL")
	}
}

func TestParseRefusesAlgorithmsAndMalformedTokens(t *testing.T) {
	c := claims(nil)
	for name, tok := range map[string]string{
		"alg none":         unsigned(map[string]string{"alg": "none"}, c, ""),
		"alg none, signed": unsigned(map[string]string{"alg": "none"}, c, "AAAA"),
		"HS512":            unsigned(map[string]string{"alg": "HS512"}, c, "AAAA"),
		"EdDSA":            unsigned(map[string]string{"alg": "EdDSA"}, c, "AAAA"),
		"no alg":           unsigned(map[string]string{"kid": "x"}, c, "AAAA"),
	} {
		if _, err := Parse(tok); !errors.Is(err, ErrAlgorithm) {
			t.Errorf("%s: %v; want ErrAlgorithm", name, err)
		}
	}
	hs, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(c)
	obj, _ := hs.Sign(b)
	tok, _ := obj.CompactSerialize()
	if _, err := Parse(tok); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("HS256: %v; want ErrAlgorithm", err)
	}
	good := sign(t, jose.RS256, rsaK, "k1", c)
	parts := strings.Split(good, ".")
	for name, tok := range map[string]string{
		"empty":             "",
		"two parts":         parts[0] + "." + parts[1],
		"four parts":        good + ".x",
		"header not b64":    "!!." + parts[1] + "." + parts[2],
		"header not JSON":   base64.RawURLEncoding.EncodeToString([]byte("nope")) + "." + parts[1] + "." + parts[2],
		"claims not JSON":   parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte("nope")) + "." + parts[2],
		"claims array":      parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte("[1]")) + "." + parts[2],
		"exp float":         parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":1.5}`)) + "." + parts[2],
		"exp string":        parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":"1"}`)) + "." + parts[2],
		"aud number":        parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"aud":1}`)) + "." + parts[2],
		"iss number":        parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":1}`)) + "." + parts[2],
		"trailing claims":   parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"a"}{}`)) + "." + parts[2],
		"too long":          good + strings.Repeat("A", MaxTokenLen),
		"JSON serialized":   `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`,
		"signature not b64": parts[0] + "." + parts[1] + ".!!",
	} {
		if _, err := Parse(tok); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrClaims) {
			t.Errorf("%s: %v; want ErrMalformed or ErrClaims", name, err)
		}
	}
	if _, err := Parse(parts[0] + "." + parts[1] + "."); !errors.Is(err, ErrSignature) {
		t.Errorf("no signature: %v", err)
	}
}

func TestVerify(t *testing.T) {
	ec384, ec521 := mustEC(elliptic.P384()), mustEC(elliptic.P521())
	set, err := ParseKeySet(jwks(t, pubJWK(rsaK, "r1", "RS256"), pubJWK(ecK, "e1", ""), pubJWK(ec384, "e2", "ES384"),
		pubJWK(ec521, "e3", ""), pubJWK(mustRSA(2048), "r2", "")))
	if err != nil || set.Len() != 5 {
		t.Fatalf("ParseKeySet: %v", err)
	}
	c := claims(nil)
	for name, tc := range map[string]struct {
		tok  string
		want error
	}{
		"RS256 by kid":               {sign(t, jose.RS256, rsaK, "r1", c), nil},
		"ES256 by kid":               {sign(t, jose.ES256, ecK, "e1", c), nil},
		"ES384":                      {sign(t, jose.ES384, ec384, "e2", c), nil},
		"ES512":                      {sign(t, jose.ES512, ec521, "e3", c), nil},
		"ES256 without kid":          {sign(t, jose.ES256, ecK, "", c), nil},
		"RS256 without kid":          {sign(t, jose.RS256, rsaK, "", c), nil},
		"PS256 with a key for RS256": {sign(t, jose.PS256, rsaK, "r1", c), ErrSignature},
		"unknown kid":                {sign(t, jose.RS256, rsaK, "r9", c), ErrUnknownKey},
		"another key's kid":          {sign(t, jose.RS256, rsaK, "r2", c), ErrSignature},
		"ES256 under an RSA kid":     {sign(t, jose.ES256, ecK, "r1", c), ErrSignature},
		"ES384 under a P-256 kid":    {sign(t, jose.ES384, ec384, "e1", c), ErrSignature},
		"a stranger's key":           {sign(t, jose.RS256, mustRSA(2048), "", c), ErrSignature},
	} {
		tok, err := Parse(tc.tok)
		if err != nil {
			t.Errorf("%s: Parse: %v", name, err)
			continue
		}
		got, err := tok.Verify(set)
		if !errors.Is(err, tc.want) || (err == nil && got.Subject != "system:serviceaccount:ns:app") {
			t.Errorf("%s: Verify = %+v, %v; want %v", name, got, err, tc.want)
		}
	}
	// PS256 with a key whose JWK states no alg.
	ps, _ := ParseKeySet(jwks(t, pubJWK(rsaK, "p", "")))
	tok, _ := Parse(sign(t, jose.PS512, rsaK, "p", c))
	if _, err := tok.Verify(ps); err != nil {
		t.Errorf("PS512: %v", err)
	}
	// A tampered payload does not verify.
	good := sign(t, jose.RS256, rsaK, "r1", c)
	parts := strings.Split(good, ".")
	evil := claims(map[string]any{"sub": "root"})
	b, _ := json.Marshal(evil)
	tok, err = Parse(parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tok.Verify(set); !errors.Is(err, ErrSignature) {
		t.Errorf("tampered: %v", err)
	}
}

func TestParseKeySetKeepsOnlyUsableKeys(t *testing.T) {
	enc := pubJWK(rsaK, "enc", "")
	enc.Use = "enc"
	priv := jose.JSONWebKey{Key: rsaK, KeyID: "priv", Algorithm: "RS256"}
	sym := jose.JSONWebKey{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: "sym", Algorithm: "HS256"}
	small := pubJWK(mustRSA(1024), "small", "")
	hsAlg := pubJWK(rsaK, "hs", "HS256")
	set, err := ParseKeySet(jwks(t, enc, priv, sym, small, hsAlg, pubJWK(ecK, "ok", "ES256")))
	if err != nil || set.Len() != 1 || !set.Has("ok") {
		t.Fatalf("set: %+v %v", set, err)
	}
	for name, doc := range map[string]string{
		"not JSON":    "nope",
		"no keys":     `{"keys":[]}`,
		"keys object": `{"keys":{}}`,
		"only junk":   `{"keys":[{"kty":"oct","k":"AAAA"},{"kty":"OKP","crv":"Ed25519","x":"AAAA"},1,"x"]}`,
	} {
		if _, err := ParseKeySet([]byte(doc)); !errors.Is(err, ErrKeySet) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseDiscovery(t *testing.T) {
	const iss = "https://idp.example.com/realms/x"
	u, err := ParseDiscovery([]byte(`{"issuer":"`+iss+`","jwks_uri":"https://keys.example.com/certs?v=1"}`), iss)
	if err != nil || u != "https://keys.example.com/certs?v=1" {
		t.Fatalf("%q %v", u, err)
	}
	for name, doc := range map[string]string{
		"other issuer":    `{"issuer":"https://evil.example.com","jwks_uri":"https://idp.example.com/k"}`,
		"issuer slash":    `{"issuer":"` + iss + `/","jwks_uri":"https://idp.example.com/k"}`,
		"http jwks":       `{"issuer":"` + iss + `","jwks_uri":"http://idp.example.com/k"}`,
		"no jwks":         `{"issuer":"` + iss + `"}`,
		"userinfo":        `{"issuer":"` + iss + `","jwks_uri":"https://a@idp.example.com/k"}`,
		"no host":         `{"issuer":"` + iss + `","jwks_uri":"https:///k"}`,
		"space":           `{"issuer":"` + iss + `","jwks_uri":"https://idp.example.com/a b"}`,
		"not JSON":        `<html>`,
		"jwks_uri number": `{"issuer":"` + iss + `","jwks_uri":1}`,
	} {
		if _, err := ParseDiscovery([]byte(doc), iss); !errors.Is(err, ErrDiscovery) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCheckClaims(t *testing.T) {
	ids := []string{"sts.amazonaws.com", "web-app"}
	parse := func(c map[string]any) *Claims {
		b, _ := json.Marshal(c)
		out, err := parseClaims(b)
		if err != nil {
			t.Fatalf("parseClaims(%s): %v", b, err)
		}
		return out
	}
	lee := Leeway
	for name, tc := range map[string]struct {
		c        map[string]any
		want     error
		aud      string
		original []string
	}{
		"valid":                     {claims(nil), nil, "sts.amazonaws.com", nil},
		"aud list":                  {claims(map[string]any{"aud": []string{"other", "web-app"}}), nil, "web-app", nil},
		"azp is the audience":       {claims(map[string]any{"aud": []string{"a", "b"}, "azp": "web-app"}), nil, "web-app", []string{"a", "b"}},
		"azp not registered":        {claims(map[string]any{"aud": []string{"sts.amazonaws.com", "b"}, "azp": "nope"}), ErrAudience, "", nil},
		"wrong aud":                 {claims(map[string]any{"aud": "nope"}), ErrAudience, "", nil},
		"no aud":                    {claims(map[string]any{"aud": nil}), ErrAudience, "", nil},
		"expired":                   {claims(map[string]any{"exp": now.Add(-lee - time.Second).Unix()}), ErrExpired, "", nil},
		"expired within the leeway": {claims(map[string]any{"exp": now.Add(-lee + time.Second).Unix()}), nil, "sts.amazonaws.com", nil},
		"no exp":                    {claims(map[string]any{"exp": nil}), ErrRejected, "", nil},
		"nbf in the future":         {claims(map[string]any{"nbf": now.Add(lee + time.Second).Unix()}), ErrRejected, "", nil},
		"nbf within the leeway":     {claims(map[string]any{"nbf": now.Add(lee - time.Second).Unix()}), nil, "sts.amazonaws.com", nil},
		"iat in the future":         {claims(map[string]any{"iat": now.Add(lee + time.Second).Unix()}), ErrRejected, "", nil},
		"no sub":                    {claims(map[string]any{"sub": nil}), ErrRejected, "", nil},
		"sub too long":              {claims(map[string]any{"sub": strings.Repeat("s", 256)}), ErrRejected, "", nil},
		"expired beats wrong aud":   {claims(map[string]any{"aud": "nope", "exp": now.Add(-time.Hour).Unix()}), ErrExpired, "", nil},
	} {
		got, err := parse(tc.c).Check(now, ids)
		if !errors.Is(err, tc.want) || got.Value != tc.aud || strings.Join(got.Original, ",") != strings.Join(tc.original, ",") {
			t.Errorf("%s: %+v, %v; want %q %v", name, got, err, tc.aud, tc.want)
		}
	}
	var ee *ExpiredError
	_, err := parse(claims(map[string]any{"exp": 1000})).Check(now, ids)
	if !errors.As(err, &ee) || ee.Expiry != 1000 || ee.Now != now.Unix() {
		t.Errorf("ExpiredError: %v", err)
	}
}

func TestTagsAndSourceIdentityClaims(t *testing.T) {
	tags := map[string]any{"principal_tags": map[string][]string{"Team": {"data"}, "CostCenter": {"42"}}, "transitive_tag_keys": []string{"Team"}}
	b, _ := json.Marshal(claims(map[string]any{TagsClaim: tags, SourceIdentityClaim: "alice", "amr": []string{"pwd", "mfa"}}))
	c, err := parseClaims(b)
	if err != nil || len(c.PrincipalTags) != 2 || c.PrincipalTags[0] != (Tag{"CostCenter", "42"}) || c.PrincipalTags[1] != (Tag{"Team", "data"}) ||
		strings.Join(c.TransitiveTagKeys, ",") != "Team" || c.SourceIdentity != "alice" || strings.Join(c.AMR, ",") != "pwd,mfa" {
		t.Fatalf("%+v %v", c, err)
	}
	many := map[string][]string{}
	for i := 0; i < 51; i++ {
		many["k"+strings.Repeat("x", i)] = []string{"v"}
	}
	for name, tc := range map[string]struct {
		v    any
		want error
	}{
		"value not a list":         {map[string]any{"principal_tags": map[string]string{"a": "b"}}, ErrRejected},
		"two values":               {map[string]any{"principal_tags": map[string][]string{"a": {"b", "c"}}}, ErrRejected},
		"aws: key":                 {map[string]any{"principal_tags": map[string][]string{"aws:x": {"b"}}}, ErrRejected},
		"keys differ in case":      {map[string]any{"principal_tags": map[string][]string{"a": {"b"}, "A": {"c"}}}, ErrRejected},
		"bad key character":        {map[string]any{"principal_tags": map[string][]string{"a*": {"b"}}}, ErrRejected},
		"value too long":           {map[string]any{"principal_tags": map[string][]string{"a": {strings.Repeat("v", 257)}}}, ErrRejected},
		"51 tags":                  {map[string]any{"principal_tags": many}, ErrRejected},
		"transitive key not a tag": {map[string]any{"principal_tags": map[string][]string{"a": {"b"}}, "transitive_tag_keys": []string{"c"}}, ErrRejected},
		"not an object":            {"tags", ErrClaims},
	} {
		b, _ := json.Marshal(claims(map[string]any{TagsClaim: tc.v}))
		if _, err := parseClaims(b); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v; want %v", name, err, tc.want)
		}
	}
	for _, si := range []any{"a", "aws:x", "has space", 7, strings.Repeat("s", 65)} {
		b, _ := json.Marshal(claims(map[string]any{SourceIdentityClaim: si}))
		if _, err := parseClaims(b); err == nil {
			t.Errorf("source identity %v accepted", si)
		}
	}
}
