package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// signedSTS returns a signed STS POST for the credentials.
func signedSTS(b *testing.B, env *testenv.Env, creds aws.Credentials, body string) *http.Request {
	req, _ := http.NewRequest("POST", env.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	return req
}

// serveRepeatedly replays a signed request against the handler in-process:
// the server's own cost per request, without HTTP transport or client.
func serveRepeatedly(b *testing.B, env *testenv.Env, req *http.Request, body string) {
	h := env.Server.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := req.Clone(context.Background())
		r.Body = http.NoBody
		r.Body = ioNop(body)
		r.RemoteAddr = "127.0.0.1:1234"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func ioNop(s string) nopCloser { return nopCloser{bytes.NewReader([]byte(s))} }

func benchUser(b *testing.B, env *testenv.Env) aws.Credentials {
	ctx := context.Background()
	if _, err := env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	k, err := env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testenv.AccountID + `:user/bench"},"Action":"sts:AssumeRole"}]}`
	if _, err := env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("demo"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		b.Fatal(err)
	}
	return aws.Credentials{AccessKeyID: *k.AccessKey.AccessKeyId, SecretAccessKey: *k.AccessKey.SecretAccessKey}
}

// BenchmarkAssumeRoleHandler: the server's cost of one AssumeRole.
func BenchmarkAssumeRoleHandler(b *testing.B) {
	env := testenv.New(b, func(c *config.Config) { c.STSPrincipalRate, c.STSAccountRate = 0, 0 }) // measure the server, not its quotas
	creds := benchUser(b, env)
	body := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::" + testenv.AccountID + ":role/demo"},
		"RoleSessionName": {"bench"}}.Encode()
	serveRepeatedly(b, env, signedSTS(b, env, creds, body), body)
}

// BenchmarkGetCallerIdentityHandler: the server's cost of one GetCallerIdentity.
func BenchmarkGetCallerIdentityHandler(b *testing.B) {
	env := testenv.New(b)
	creds := benchUser(b, env)
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	serveRepeatedly(b, env, signedSTS(b, env, creds, body), body)
}
