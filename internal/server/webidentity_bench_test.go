//go:build unix

package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/oidc/oidctest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// webIdentityBody registers a test issuer as a provider, makes role "web"
// trusting it (with conditions on aud and sub, as real trust policies
// have), and returns an AssumeRoleWithWebIdentity body with a token valid
// for an hour; one call warms the JWKS cache.
func webIdentityBody(b *testing.B, env *testenv.Env) string {
	ctx := context.Background()
	iss := oidctest.New(b, oidctest.WithClock(env.Now))
	prov, err := env.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(iss.URL),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{iss.Thumbprint}})
	if err != nil {
		b.Fatal(err)
	}
	name := strings.TrimPrefix(iss.URL, "https://")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + *prov.OpenIDConnectProviderArn +
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + name + `:aud":"sts.amazonaws.com"},"StringLike":{"` +
		name + `:sub":"system:serviceaccount:prod:*"}}}]}`
	if _, err := env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		b.Fatal(err)
	}
	tok := iss.Token(iss.Claims("system:serviceaccount:prod:api", "", map[string]any{"aud": []string{"sts.amazonaws.com"}}))
	body := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::" + testenv.AccountID + ":role/web"},
		"RoleSessionName": {"bench"}, "WebIdentityToken": {tok}}.Encode()
	if err := post(env, nil, body); err != nil {
		b.Fatal(err)
	}
	return body
}

// post sends one STS request over HTTP: an error for anything but 200.
func post(env *testenv.Env, signed *http.Request, body string) error {
	var req *http.Request
	if signed != nil {
		req = signed.Clone(context.Background())
	} else {
		req, _ = http.NewRequest("POST", env.URL+"/", nil)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	resp, err := env.HTTP().Do(req)
	if err != nil {
		return err
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d: %s", resp.StatusCode, out)
	}
	return nil
}

// BenchmarkAssumeRoleWithWebIdentityHandler: the server's cost of one
// AssumeRoleWithWebIdentity with a warm JWKS cache (RS256 token).
func BenchmarkAssumeRoleWithWebIdentityHandler(b *testing.B) {
	env := testenv.New(b, noQuotas)
	body := webIdentityBody(b, env)
	req, _ := http.NewRequest("POST", env.URL+"/", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	serveRepeatedly(b, env, req, body)
}

// BenchmarkSTSOverHTTP: AssumeRole (SigV4-signed by a user the trust
// policy names) and AssumeRoleWithWebIdentity (unsigned, RS256 token,
// warm JWKS cache) over loopback HTTP from 16 concurrent clients, in the
// same run: the figure of docs/benchmarks.md.
func BenchmarkSTSOverHTTP(b *testing.B) {
	env := testenv.New(b, noQuotas, func(c *config.Config) { c.MaxUnsignedRequests = 1024 })
	creds := benchUser(b, env)
	assume := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::" + testenv.AccountID + ":role/demo"},
		"RoleSessionName": {"bench"}}.Encode()
	signed := signedSTS(b, env, creds, assume)
	web := webIdentityBody(b, env)
	for _, bc := range []struct {
		name   string
		signed *http.Request
		body   string
	}{{"AssumeRole", signed, assume}, {"AssumeRoleWithWebIdentity", nil, web}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetParallelism(8) // 16 clients on 2 cores, as bench/sts-load.sh's wrk -c16
			cpu0 := processCPU()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := post(env, bc.signed, bc.body); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
			// CPU time of the process (clients and server) per call: less
			// sensitive than wall time to other load on the machine.
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the process's user and system CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
