package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// selfSigned writes a certificate for 127.0.0.1 and returns the file paths
// and a pool trusting it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gatehouse-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	env := testenv.New(t, func(c *config.Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	cfg := env.AWSConfig(env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""))
	cfg.BaseEndpoint = aws.String(strings.Replace(env.URL, "http://", "https://", 1))
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if *out.Account != testenv.AccountID {
		t.Fatalf("account %s", *out.Account)
	}
	// Plain HTTP to the TLS port fails.
	if _, err := env.STS.GetCallerIdentity(context.Background(), nil); err == nil {
		t.Fatal("plain HTTP accepted on the TLS listener")
	}
}

// BenchmarkGetRoleHTTP measures an IAM read through the whole stack: SDK
// signing, loopback HTTP, SigV4 verification, the store, XML encoding and
// SDK decoding.
func BenchmarkGetRoleHTTP(b *testing.B) {
	env := testenv.New(b)
	ctx := context.Background()
	_, err := env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("demo"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + testenv.AccountID + `"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := env.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("demo")}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
