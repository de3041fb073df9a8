package server_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestTLS(t *testing.T) {
	certFile, keyFile, pool := testenv.SelfSignedCert(t)
	env := testenv.New(t, func(c *config.Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	cfg := env.AWSConfig(env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""))
	cfg.BaseEndpoint = aws.String(strings.Replace(env.URL, "http://", "https://", 1))
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(hc.CloseIdleConnections) // before the server's graceful shutdown (see testenv.Close)
	cfg.HTTPClient = hc
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
	env := benchEnv(b, "plain")
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
