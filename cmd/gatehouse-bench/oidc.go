package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net"
	"net/http"
	"time"
)

// issuer is a tiny OpenID Connect issuer on loopback for
// sts-assume-role-with-web-identity: HTTPS with a self-signed certificate
// (Gatehouse, like IAM, requires https issuers and trusts this one through
// the thumbprint registered with CreateOpenIDConnectProvider), a discovery
// document, a JWKS with one RSA key, and RS256 ID tokens minted per call.
type issuer struct {
	url        string // https://127.0.0.1:PORT
	thumbprint string // hex SHA-1 of the certificate
	key        *rsa.PrivateKey
	kid        string
	srv        *http.Server
}

func startIssuer(addr string) (*issuer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	certKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		ln.Close()
		return nil, err
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "gatehouse-bench issuer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IPAddresses: []net.IP{net.ParseIP(host)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &certKey.PublicKey, certKey)
	if err != nil {
		ln.Close()
		return nil, err
	}
	sum := sha1.Sum(der)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		ln.Close()
		return nil, err
	}
	kidRaw := make([]byte, 8)
	_, _ = rand.Read(kidRaw)
	i := &issuer{url: "https://" + ln.Addr().String(), thumbprint: hex.EncodeToString(sum[:]), key: key, kid: hex.EncodeToString(kidRaw)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSONBody(w, map[string]any{"issuer": i.url, "jwks_uri": i.url + "/keys", "response_types_supported": []string{"id_token"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, _ *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		writeJSONBody(w, map[string]any{"keys": []map[string]string{{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": i.kid,
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	})
	i.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: certKey}}}}
	go func() { _ = i.srv.ServeTLS(ln, "", "") }()
	return i, nil
}

func (i *issuer) close() { _ = i.srv.Close() }

func writeJSONBody(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// token mints an RS256 ID token for sub, valid for 10 minutes, with a
// fresh iat and jti.
func (i *issuer) token(sub string) (string, error) {
	now := time.Now()
	jti := make([]byte, 12)
	_, _ = rand.Read(jti)
	hdr, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": i.kid})
	claims, _ := json.Marshal(map[string]any{"iss": i.url, "sub": sub, "aud": oidcAudience, "iat": now.Unix(), "nbf": now.Unix() - 5,
		"exp": now.Add(10 * time.Minute).Unix(), "jti": hex.EncodeToString(jti)})
	b64 := base64.RawURLEncoding.EncodeToString
	signing := b64(hdr) + "." + b64(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(nil, i.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signing + "." + b64(sig), nil
}
