package token

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

type keySet struct {
	active Key
	all    map[uint32]Key
}

func (k *keySet) Active() Key                  { return k.active }
func (k *keySet) Lookup(id uint32) (Key, bool) { key, ok := k.all[id]; return key, ok }

func newKeySet(t testing.TB, ids ...uint32) *keySet {
	ks := &keySet{all: map[uint32]Key{}}
	for _, id := range ids {
		k, err := NewKey(id, bytes.Repeat([]byte{byte(id)}, 32))
		if err != nil {
			t.Fatal(err)
		}
		ks.all[id] = k
		ks.active = k
	}
	return ks
}

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func sample() *Session {
	return &Session{
		Kind: KindRole, AccessKeyID: "ASIAEXAMPLE000000001", SecretAccessKey: "tempSecretForVector3/abcdefghijklmnopqrstuv",
		Account: "111122223333", IssuedAt: t0, Expires: t0.Add(time.Hour),
		RoleARN: "arn:aws:iam::111122223333:role/demo", RoleID: "AROAEXAMPLEROLEID0001", SessionName: "alice",
		SessionPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		PolicyARNs:    []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		Tags:          []Tag{{"team", "blue"}}, TransitiveTagKeys: []string{"team"}, SourceIdentity: "alice-src",
		MFA: true, ChainDepth: 1, CallerARN: "arn:aws:iam::111122223333:user/alice",
	}
}

func TestRoundTrip(t *testing.T) {
	ks := newKeySet(t, 1)
	tok, err := Seal(ks, sample())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(tok, "tempSecret") {
		t.Fatal("token leaks the secret")
	}
	got, err := Open(ks, tok, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := sample()
	want.MFAAuthTime = t0.Add(-time.Minute)
	full, _ := Seal(ks, want)
	if again, err := Open(ks, full, t0); err != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("every field must survive the round trip:\n got %+v\nwant %+v (%v)", again, want, err)
	}
	if got.SecretAccessKey != want.SecretAccessKey || got.RoleARN != want.RoleARN || !got.IssuedAt.Equal(want.IssuedAt) ||
		!got.Expires.Equal(want.Expires) || got.SessionPolicy != want.SessionPolicy || len(got.Tags) != 1 ||
		got.Tags[0] != want.Tags[0] || !got.MFA || got.ChainDepth != 1 || got.SourceIdentity != "alice-src" {
		t.Fatalf("round trip: %+v", got)
	}
}

func TestExpiry(t *testing.T) {
	ks := newKeySet(t, 1)
	tok, _ := Seal(ks, sample())
	if _, err := Open(ks, tok, t0.Add(time.Hour)); !errors.Is(err, ErrExpired) {
		t.Fatalf("at expiry: %v", err)
	}
	if _, err := Open(ks, tok, t0.Add(time.Hour-time.Second)); err != nil {
		t.Fatalf("just before expiry: %v", err)
	}
}

func TestRotation(t *testing.T) {
	old := newKeySet(t, 1)
	tok, _ := Seal(old, sample())
	rotated := newKeySet(t, 1, 2) // 2 active, 1 retired
	if _, err := Open(rotated, tok, t0); err != nil {
		t.Fatalf("retired key must still open: %v", err)
	}
	newTok, _ := Seal(rotated, sample())
	if _, err := Open(old, newTok, t0); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("old set opening a token of the new key: %v", err)
	}
	dropped := newKeySet(t, 2)
	if _, err := Open(dropped, tok, t0); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("dropped key: %v", err)
	}
}

func TestTamperingEveryByte(t *testing.T) {
	ks := newKeySet(t, 7)
	tok, _ := Seal(ks, sample())
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	for i := range raw {
		mut := append([]byte(nil), raw...)
		mut[i] ^= 0x01
		_, err := Open(ks, base64.RawURLEncoding.EncodeToString(mut), t0)
		if err == nil {
			t.Fatalf("flipping byte %d was accepted", i)
		}
		if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrMalformed) {
			t.Fatalf("byte %d: unexpected error %v", i, err)
		}
	}
	// A different key with the same id fails authentication.
	other := &keySet{all: map[uint32]Key{}}
	k, _ := NewKey(7, bytes.Repeat([]byte{9}, 32))
	other.all[7], other.active = k, k
	if _, err := Open(other, tok, t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestMalformed(t *testing.T) {
	ks := newKeySet(t, 1)
	for _, tok := range []string{"", "!!!", "AAAA", strings.Repeat("A", maxTokenLen+1), "FQoGZXIvYXdzEXAMPLE/TOKEN+VALUE=="} {
		if _, err := Open(ks, tok, t0); !errors.Is(err, ErrMalformed) {
			t.Fatalf("Open(%.20q) = %v, want ErrMalformed", tok, err)
		}
	}
}

func FuzzOpen(f *testing.F) {
	ks := newKeySet(f, 1)
	tok, _ := Seal(ks, sample())
	f.Add(tok)
	f.Add("")
	f.Add("AQAAAAE")
	f.Fuzz(func(t *testing.T, s string) {
		sess, err := Open(ks, s, t0)
		if err == nil && sess == nil {
			t.Fatal("nil session without error")
		}
	})
}

func BenchmarkOpen(b *testing.B) {
	ks := newKeySet(b, 1)
	tok, _ := Seal(ks, sample())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(ks, tok, t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	ks := newKeySet(b, 1)
	s := sample()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Seal(ks, s); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLargeSessionIsCompressedAndRoundTrips(t *testing.T) {
	ks := newKeySet(t, 1)
	s := sample()
	s.SessionPolicy = `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/prefix/*"},`, 20) + `{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	tok, err := Seal(ks, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) > len(s.SessionPolicy) {
		t.Fatalf("token of %d chars for a %d-char policy: not compressed", len(tok), len(s.SessionPolicy))
	}
	got, err := Open(ks, tok, t0)
	if err != nil || got.SessionPolicy != s.SessionPolicy {
		t.Fatalf("large round trip: %v", err)
	}
}

// preFederation is sample() as the codec encoded it before sessions carried
// context keys (both web identity and SAML federation came later).
const preFederation = "04726f6c6514415349414558414d504c453030303030303030312b74656d70536563726574466f72566563746f72332f6162636465666768696a6b6c6d6e6f707172737475760c31313131323232323333333380c899efddc7e0963080c8defaa399e296302361726e3a6177733a69616d3a3a3131313132323232333333333a726f6c652f64656d6f1541524f414558414d504c45524f4c4549443030303105616c696365000000607b2256657273696f6e223a22323031322d31302d3137222c2253746174656d656e74223a5b7b22456666656374223a22416c6c6f77222c22416374696f6e223a2273333a4765744f626a656374222c225265736f75726365223a222a227d5d7d012661726e3a6177733a69616d3a3a6177733a706f6c6963792f526561644f6e6c7941636365737301047465616d04626c756501047465616d09616c6963652d7372630100012461726e3a6177733a69616d3a3a3131313132323232333333333a757365722f616c696365"

// A federated session carries its context keys — a web-identity session
// aws:FederatedProvider and the provider's claims, a SAML session its saml:
// keys; a session without them encodes as before, so tokens sealed before
// the keys existed still open.
func TestFederatedSessionKeysRoundTripAndOldEncodingOpens(t *testing.T) {
	ks := newKeySet(t, 1)
	const prov = "idp.example.com:8443"
	web := sample()
	web.ContextKeys = []ContextKey{
		{"aws:FederatedProvider", []string{"arn:aws:iam::111122223333:oidc-provider/" + prov}},
		{prov + ":sub", []string{"system:serviceaccount:ns:app"}}, {prov + ":aud", []string{"sts.amazonaws.com"}},
		{prov + ":amr", []string{"pwd", "mfa"}},
	}
	saml := sample()
	saml.ContextKeys = []ContextKey{{"saml:sub", []string{"alice"}}, {"saml:edupersonaffiliation", []string{"staff", "member"}},
		{"aws:FederatedProvider", []string{"arn:aws:iam::111122223333:saml-provider/idp"}}}
	old, err := hex.DecodeString(preFederation)
	if err != nil {
		t.Fatal(err)
	}
	without := encodeSession(nil, sample())
	if !bytes.Equal(without, old) {
		t.Fatal("a session without context keys no longer encodes as before")
	}
	if d, err := decodeSession(old); err != nil || d.ContextKeys != nil || !reflect.DeepEqual(d, sample()) {
		t.Fatalf("old encoding: %+v %v", d, err)
	}
	for name, s := range map[string]*Session{"web identity": web, "SAML": saml} {
		tok, err := Seal(ks, s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Open(ks, tok, t0)
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Fatalf("%s: got %+v, %v", name, got, err)
		}
		with := encodeSession(nil, s)
		if !bytes.HasPrefix(with, old) {
			t.Fatalf("%s: the context keys are not appended after the other fields", name)
		}
		for i := len(old) + 1; i < len(with); i++ {
			if _, err := decodeSession(with[:i]); err == nil {
				t.Fatalf("%s: a session cut at %d of %d bytes decoded", name, i, len(with))
			}
		}
	}
	// An empty list is never written: a zero count is refused.
	if _, err := decodeSession(append(bytes.Clone(old), 0)); err == nil {
		t.Fatal("a zero count of context keys decoded")
	}
}

// encodeToken must be base64.RawURLEncoding for every length, including
// those that end in a partial 48-byte step or a partial 3-byte group.
func TestEncodeTokenIsRawURLBase64(t *testing.T) {
	raw := make([]byte, 300)
	for i := range raw {
		raw[i] = byte(i*151 + 7)
	}
	for n := 0; n <= len(raw); n++ {
		if got, want := encodeToken(raw[:n]), base64.RawURLEncoding.EncodeToString(raw[:n]); got != want {
			t.Fatalf("length %d: %q, want %q", n, got, want)
		}
	}
}
