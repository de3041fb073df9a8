package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// signedSTS returns a signed STS POST for the credentials.
func signedSTS(tb testing.TB, env *testenv.Env, creds aws.Credentials, body string) *http.Request {
	return signedSTSQuery(tb, env, creds, "", body)
}

// signedSTSQuery is signedSTS with a query string as well as the form.
func signedSTSQuery(tb testing.TB, env *testenv.Env, creds aws.Credentials, query, body string) *http.Request {
	tb.Helper()
	u := env.URL + "/"
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest("POST", u, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
		tb.Fatal(err)
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
		w := recorder{httptest.NewRecorder()}
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	}
}

// recorder is an httptest.ResponseRecorder that takes deadlines as a
// connection does (net/http.ResponseController finds the methods), so the
// server's per-request deadline work is measured instead of the error a
// plain recorder returns for it.
type recorder struct{ *httptest.ResponseRecorder }

func (recorder) SetReadDeadline(time.Time) error  { return nil }
func (recorder) SetWriteDeadline(time.Time) error { return nil }

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

// benchEnv starts a server for a benchmark: "plain" (no access log, no
// metrics) or "observed", as production runs it: the server's log, access
// log included, written to a file at info level, and the metrics on (an
// admin listener).
func benchEnv(b *testing.B, mode string) *testenv.Env {
	switch mode {
	case "plain":
		return testenv.New(b, noQuotas, func(c *config.Config) { c.AccessLog = false })
	case "observed":
		f, err := os.Create(filepath.Join(b.TempDir(), "access.log"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { f.Close() })
		return testenv.NewWith(b, func(o *server.Options) { o.Stderr = f }, withAdmin, noQuotas)
	}
	b.Fatalf("mode %q", mode)
	return nil
}

var benchModes = []string{"plain", "observed"}

// BenchmarkAssumeRoleHandler: the server's cost of one AssumeRole, without
// and with the access log and the metrics.
func BenchmarkAssumeRoleHandler(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode, func(b *testing.B) {
			env := benchEnv(b, mode)
			creds := benchUser(b, env)
			body := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::" + testenv.AccountID + ":role/demo"},
				"RoleSessionName": {"bench"}}.Encode()
			serveRepeatedly(b, env, signedSTS(b, env, creds, body), body)
		})
	}
}

// BenchmarkGetCallerIdentityHandler: the server's cost of one
// GetCallerIdentity, without and with the access log and the metrics.
func BenchmarkGetCallerIdentityHandler(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode, func(b *testing.B) {
			env := benchEnv(b, mode)
			creds := benchUser(b, env)
			body := "Action=GetCallerIdentity&Version=2011-06-15"
			serveRepeatedly(b, env, signedSTS(b, env, creds, body), body)
		})
	}
}
