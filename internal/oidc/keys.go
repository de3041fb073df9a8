package oidc

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"

	"github.com/go-jose/go-jose/v4"
)

// ErrKeySet: the document is not a JWKS with at least one usable key.
var ErrKeySet = errors.New("oidc: the issuer's JWKS has no usable signing key")

// Limits of a key set.
const (
	// MaxKeys is how many usable keys a set keeps (more are ignored).
	MaxKeys = 100
	// maxKeyEntries is how many entries of a JWKS are looked at.
	maxKeyEntries = 1000
	// minRSABits is the smallest RSA key accepted.
	minRSABits = 2048
)

// KeySet is the usable public signing keys of an issuer.
type KeySet struct {
	keys []jwk
}

type jwk struct {
	id  string
	alg string // the JWK's alg, "" when it states none
	pub crypto.PublicKey
}

// ParseKeySet reads a JWKS document ({"keys": [...]}) and keeps its RSA
// (2048 bits or more) and ECDSA (P-256, P-384, P-521) public keys whose use
// is "sig" or unstated. Entries it cannot use — encryption keys, other key
// types, malformed entries, entries carrying private or symmetric key
// material — are skipped; a set with no usable key is ErrKeySet.
func ParseKeySet(b []byte) (*KeySet, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if json.Unmarshal(b, &doc) != nil || len(doc.Keys) > maxKeyEntries {
		return nil, ErrKeySet
	}
	s := &KeySet{}
	for _, raw := range doc.Keys {
		if len(s.keys) == MaxKeys {
			break
		}
		if k, ok := parseKey(raw); ok {
			s.keys = append(s.keys, k)
		}
	}
	if len(s.keys) == 0 {
		return nil, ErrKeySet
	}
	return s, nil
}

func parseKey(raw json.RawMessage) (jwk, bool) {
	var probe struct {
		Kty string          `json:"kty"`
		Use string          `json:"use"`
		D   json.RawMessage `json:"d"`
		K   json.RawMessage `json:"k"`
		P   json.RawMessage `json:"p"`
	}
	if json.Unmarshal(raw, &probe) != nil || (probe.Kty != "RSA" && probe.Kty != "EC") ||
		(probe.Use != "" && probe.Use != "sig") || probe.D != nil || probe.K != nil || probe.P != nil {
		return jwk{}, false
	}
	var k jose.JSONWebKey
	if json.NewDecoder(bytes.NewReader(raw)).Decode(&k) != nil || !k.IsPublic() || !k.Valid() {
		return jwk{}, false
	}
	if k.Algorithm != "" && !accepted(k.Algorithm) {
		return jwk{}, false
	}
	switch pub := k.Key.(type) {
	case *rsa.PublicKey:
		if pub.N.BitLen() < minRSABits {
			return jwk{}, false
		}
	case *ecdsa.PublicKey:
		switch pub.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return jwk{}, false
		}
	default:
		return jwk{}, false
	}
	return jwk{id: k.KeyID, alg: k.Algorithm, pub: k.Key}, true
}

// Len is the number of usable keys.
func (s *KeySet) Len() int { return len(s.keys) }

// Has reports whether a key has the id.
func (s *KeySet) Has(kid string) bool {
	for _, k := range s.keys {
		if k.id == kid {
			return true
		}
	}
	return false
}

// candidates are the keys that may have signed a token of alg with kid:
// the keys with that id (every key when kid is ""), whose type and curve
// fit alg and whose own alg, when stated, is alg.
func (s *KeySet) candidates(kid, alg string) []jwk {
	var out []jwk
	for _, k := range s.keys {
		if kid != "" && k.id != kid || k.alg != "" && k.alg != alg || !fits(k.pub, alg) {
			continue
		}
		out = append(out, k)
	}
	return out
}

// fits reports whether a key can verify alg.
func fits(pub crypto.PublicKey, alg string) bool {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return alg[0] == 'R' || alg[0] == 'P'
	case *ecdsa.PublicKey:
		switch alg {
		case "ES256":
			return p.Curve == elliptic.P256()
		case "ES384":
			return p.Curve == elliptic.P384()
		case "ES512":
			return p.Curve == elliptic.P521()
		}
	}
	return false
}
