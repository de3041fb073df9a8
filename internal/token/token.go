package token

import (
	"bytes"
	"compress/flate"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"time"
)

// Sentinel errors of Open.
var (
	ErrMalformed  = errors.New("token: malformed")
	ErrUnknownKey = errors.New("token: unknown key")
	ErrInvalid    = errors.New("token: authentication failed")
	ErrExpired    = errors.New("token: expired")
)

// version1 is the only wire version so far.
const version1 = 1

const (
	headerLen = 1 + 4
	nonceLen  = 12
	// maxTokenLen bounds what Open will try to decode (AWS clients accept
	// long tokens; ours stay well under this even with 2 KiB policies).
	maxTokenLen = 16 << 10
	// maxPlainLen bounds decompression.
	maxPlainLen = 64 << 10
	// compressAbove: plaintexts longer than this are deflated.
	compressAbove   = 1024
	encodingJSON    = 0
	encodingDeflate = 1
)

// Session kinds.
const (
	KindRole    = "role"    // AssumeRole and friends
	KindSession = "session" // GetSessionToken
	// KindFederated is a GetFederationToken session: SessionName is the
	// federated user's name, Source* the IAM user (or root) who federated.
	KindFederated = "federated"
)

// Tag is a session tag.
type Tag struct {
	Key   string
	Value string
}

// ContextKey is one condition key of a federated session with its values.
type ContextKey struct {
	Key    string
	Values []string
}

// Session is everything a session token carries.
type Session struct {
	Kind            string
	AccessKeyID     string    // ASIA…, bound to this token
	SecretAccessKey string    // the session's secret
	Account         string    // account of the session's identity
	IssuedAt        time.Time // aws:TokenIssueTime
	Expires         time.Time // end of validity
	RoleARN         string    // role sessions: the role (with path)
	RoleID          string
	SessionName     string
	// For GetSessionToken and GetFederationToken sessions: the identity
	// whose permissions the session carries (user ARN and id, or the
	// account root).
	SourceARN    string
	SourceUserID string
	SourceName   string

	SessionPolicy     string   // inline session policy
	PolicyARNs        []string // managed session policies
	Tags              []Tag
	TransitiveTagKeys []string
	SourceIdentity    string
	MFA               bool
	MFAAuthTime       time.Time
	ChainDepth        int // 0 for a session from long-term keys
	// ContextKeys are the condition keys a session from identity
	// federation carries from the token or assertion it was issued for —
	// aws:FederatedProvider and the provider's keys (PROVIDER:sub,
	// PROVIDER:aud, ... of AssumeRoleWithWebIdentity; saml:sub, saml:aud,
	// ... of AssumeRoleWithSAML) — available to its policies as condition
	// keys and policy variables. Encoded last, and only when present.
	ContextKeys []ContextKey
	// CallerARN is the identity that called AssumeRole (for audit and the
	// aws:PrincipalArn of chained sessions).
	CallerARN string
}

// Key is one token key, with its cipher built once.
type Key struct {
	ID   uint32
	AEAD cipher.AEAD
}

// NewKey builds a Key from 32 bytes of key material.
func NewKey(id uint32, secret []byte) (Key, error) {
	if len(secret) != 32 {
		return Key{}, errors.New("token: key must be 32 bytes")
	}
	aead, err := newAEAD(secret)
	if err != nil {
		return Key{}, err
	}
	return Key{ID: id, AEAD: aead}, nil
}

// KeySet is the token keyring as the token package consumes it.
type KeySet interface {
	// Active returns the key new tokens are sealed with.
	Active() Key
	// Lookup returns the key with the id, active or retired.
	Lookup(id uint32) (Key, bool)
}

// Seal encodes and seals s under the key set's active key.
func Seal(keys KeySet, s *Session) (string, error) {
	k := keys.Active()
	aead := k.AEAD
	// One buffer: header, nonce, then the body (encoding byte and
	// plaintext), which AEAD.Seal encrypts in place.
	const prefix = headerLen + nonceLen
	out := make([]byte, prefix+1, prefix+1+256+len(s.SessionPolicy)+aead.Overhead())
	out = encodeSession(out, s)
	// Small sessions travel as plain JSON; large ones (long session
	// policies, many tags) are deflated to keep tokens short.
	if plain := out[prefix+1:]; len(plain) > compressAbove {
		var z bytes.Buffer
		zw, _ := flate.NewWriter(&z, flate.BestSpeed)
		zw.Write(plain)
		if err := zw.Close(); err != nil {
			return "", err
		}
		out = append(out[:prefix+1], z.Bytes()...)
		out[prefix] = encodingDeflate
	} else {
		out[prefix] = encodingJSON
	}
	out[0] = version1
	binary.BigEndian.PutUint32(out[1:5], k.ID)
	if _, err := rand.Read(out[headerLen:prefix]); err != nil {
		return "", err
	}
	out = aead.Seal(out[:prefix], out[headerLen:prefix], out[prefix:], out[:headerLen])
	return encodeToken(out), nil
}

// encodeToken is base64.RawURLEncoding.EncodeToString(raw) building the
// string once: the encoding goes through a small array in 48-byte steps
// (whole 3-byte groups, so the steps join as one encoding would).
func encodeToken(raw []byte) string {
	enc := base64.RawURLEncoding
	var sb strings.Builder
	sb.Grow(enc.EncodedLen(len(raw)))
	var chunk [64]byte
	for len(raw) > 0 {
		n := min(len(raw), 48)
		enc.Encode(chunk[:], raw[:n])
		sb.Write(chunk[:enc.EncodedLen(n)])
		raw = raw[n:]
	}
	return sb.String()
}

// Open authenticates and decodes a token, then checks expiry against now.
// On ErrExpired the decoded session is returned too (callers may want to
// log which session expired).
func Open(keys KeySet, tok string, now time.Time) (*Session, error) {
	if len(tok) == 0 || len(tok) > maxTokenLen {
		return nil, ErrMalformed
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < headerLen+nonceLen+16 || raw[0] != version1 {
		return nil, ErrMalformed
	}
	k, ok := keys.Lookup(binary.BigEndian.Uint32(raw[1:5]))
	if !ok {
		return nil, ErrUnknownKey
	}
	body, err := k.AEAD.Open(raw[headerLen+nonceLen:headerLen+nonceLen], raw[headerLen:headerLen+nonceLen], raw[headerLen+nonceLen:], raw[:headerLen])
	if err != nil || len(body) == 0 {
		return nil, ErrInvalid
	}
	var plain []byte
	switch body[0] {
	case encodingJSON:
		plain = body[1:]
	case encodingDeflate:
		plain, err = io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(body[1:])), maxPlainLen+1))
		if err != nil || len(plain) > maxPlainLen {
			return nil, ErrMalformed
		}
	default:
		return nil, ErrMalformed
	}
	s, err := decodeSession(plain)
	if err != nil {
		return nil, ErrMalformed
	}
	if !now.Before(s.Expires) {
		return s, ErrExpired
	}
	return s, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
