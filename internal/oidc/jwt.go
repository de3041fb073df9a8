package oidc

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// Sentinel errors of Parse and Verify.
var (
	// ErrMalformed: not a compact JWS with a JSON header and claims.
	ErrMalformed = errors.New("oidc: the token is not a well-formed JWT")
	// ErrAlgorithm: signed with an algorithm that is not accepted ("none",
	// HMAC, anything but RS*, PS*, ES*).
	ErrAlgorithm = errors.New("oidc: the token's signing algorithm is not accepted")
	// ErrUnknownKey: the issuer's key set has no key with the token's kid.
	ErrUnknownKey = errors.New("oidc: no key of the issuer has the token's key id")
	// ErrSignature: no key of the issuer verifies the signature.
	ErrSignature = errors.New("oidc: the token's signature does not verify")
)

// MaxTokenLen is the longest token Parse reads: the length limit of
// AssumeRoleWithWebIdentity's WebIdentityToken.
const MaxTokenLen = 20000

// maxHeaderLen bounds the decoded JOSE header.
const maxHeaderLen = 4 << 10

// Algorithms lists the signing algorithms a token may use, as AWS accepts
// them (RSA and ECDSA; RSASSA-PSS too).
func Algorithms() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
}

func accepted(alg string) bool {
	for _, a := range Algorithms() {
		if a == alg {
			return true
		}
	}
	return false
}

// Token is a parsed, not yet verified, token.
type Token struct {
	jws       *jose.JSONWebSignature
	Algorithm string
	KeyID     string
	// Unverified are the claims as the token states them before its
	// signature is checked: only good for finding the issuer whose keys
	// verify it.
	Unverified *Claims
	claims     *Claims // what Verify returns once the signature verifies
}

// Parse reads a compact-serialized JWS and its claims.
func Parse(raw string) (*Token, error) {
	if len(raw) == 0 || len(raw) > MaxTokenLen {
		return nil, ErrMalformed
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return nil, ErrMalformed
	}
	if base64.RawURLEncoding.DecodedLen(len(parts[0])) > maxHeaderLen {
		return nil, ErrMalformed
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, ErrMalformed
	}
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, ErrMalformed
	}
	if !accepted(h.Alg) {
		return nil, ErrAlgorithm
	}
	if parts[2] == "" {
		return nil, ErrSignature
	}
	algs := make([]jose.SignatureAlgorithm, 0, 9)
	for _, a := range Algorithms() {
		algs = append(algs, jose.SignatureAlgorithm(a))
	}
	jws, err := jose.ParseSignedCompact(raw, algs)
	if err != nil || len(jws.Signatures) != 1 {
		return nil, ErrMalformed
	}
	claims, err := parseClaims(jws.UnsafePayloadWithoutVerification())
	if err != nil {
		return nil, err
	}
	sig := jws.Signatures[0].Protected
	if sig.Algorithm != h.Alg || sig.KeyID != h.Kid {
		return nil, ErrMalformed
	}
	unverified := *claims
	return &Token{jws: jws, Algorithm: h.Alg, KeyID: h.Kid, Unverified: &unverified, claims: claims}, nil
}

// Verify checks the signature with the issuer's keys and returns the
// verified claims: ErrUnknownKey when the token names a kid the set does
// not hold, ErrSignature when no fitting key verifies it.
func (t *Token) Verify(keys *KeySet) (*Claims, error) {
	candidates := keys.candidates(t.KeyID, t.Algorithm)
	if len(candidates) == 0 {
		if t.KeyID != "" && !keys.Has(t.KeyID) {
			return nil, ErrUnknownKey
		}
		return nil, ErrSignature
	}
	for _, k := range candidates {
		if _, err := t.jws.Verify(k.pub); err != nil {
			continue
		}
		// The signature covers the very payload Parse read the claims
		// from (a compact JWS has one), so they are now verified.
		return t.claims, nil
	}
	return nil, ErrSignature
}
