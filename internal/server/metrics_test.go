package server_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// withAdmin turns the admin listener (and so the metrics) on, on a free
// loopback port.
func withAdmin(c *config.Config) { c.AdminListen = "127.0.0.1:0" }

// scrape reads the admin listener's /metrics and parses it with the
// Prometheus text parser.
func scrape(t *testing.T, env *testenv.Env) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := env.HTTP().Get(env.AdminURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// sample is the value of the series of family name whose labels are
// exactly want: a counter's or gauge's value, a histogram's sample count.
func sample(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.Metric {
		if len(m.Label) != len(want) {
			continue
		}
		match := true
		for _, l := range m.Label {
			if want[l.GetName()] != l.GetValue() {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// sum adds the values of every series of family name whose labels
// include want.
func sum(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	total := 0.0
	f := fams[name]
	if f == nil {
		return 0
	}
	for _, m := range f.Metric {
		n := 0
		for _, l := range m.Label {
			if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
				n++
			}
		}
		if n == len(want) && m.Counter != nil {
			total += m.Counter.GetValue()
		}
	}
	return total
}

// waitRecords waits (boundedly) until the server has recorded n requests:
// a record is written once its response is complete, which can be after
// the client has read it.
func waitRecords(t *testing.T, env *testenv.Env, n int) {
	t.Helper()
	for try := 0; len(env.Records.All()) < n; try++ {
		if try == 3000 {
			t.Fatalf("%d requests recorded, want %d", len(env.Records.All()), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprint(err)
}

// TestMetrics scrapes /metrics after IAM, STS and S3 calls, allowed and
// denied, and checks the series and their counts.
func TestMetrics(t *testing.T) {
	env := testenv.New(t, withAdmin, func(c *config.Config) { c.S3InlineMax = 0 }) // objects in blobs: blob metrics
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	key, err := env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	must(key, err)
	must(env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},` +
			`{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`)}))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testenv.AccountID + `:user/alice"},"Action":"sts:AssumeRole"}]}`
	must(env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trust)}))
	alice := env.Credentials(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, "")

	// IAM denied by default (implicit deny).
	if _, err := env.IAMClient(alice).ListUsers(ctx, &iam.ListUsersInput{}); apiCode(err) != "AccessDenied" {
		t.Fatalf("alice ListUsers: %v", err)
	}
	// S3 allowed, and denied by a Deny statement (explicit deny).
	as3 := env.S3Client(alice)
	must(env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("metered")}))
	must(as3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("metered"), Key: aws.String("k"), Body: strings.NewReader("hello")}))
	out, err := as3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("metered"), Key: aws.String("k")})
	must(out, err)
	io.Copy(io.Discard, out.Body)
	out.Body.Close()
	if _, err := as3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("metered")}); apiCode(err) != "AccessDenied" {
		t.Fatalf("alice DeleteBucket: %v", err)
	}
	// STS: credentials issued, then used (session tokens opened), and a
	// forged token.
	astS := env.STSClient(alice)
	role, err := astS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testenv.AccountID + ":role/reader"), RoleSessionName: aws.String("metrics")})
	must(role, err)
	sess, err := astS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	must(sess, err)
	for _, c := range []*ststypes.Credentials{role.Credentials, sess.Credentials} {
		creds := env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
		must(env.STSClient(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	}
	forged := env.Credentials(*role.Credentials.AccessKeyId, *role.Credentials.SecretAccessKey, "Zm9yZ2Vk"+strings.Repeat("A", 200))
	if _, err := env.STSClient(forged).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		t.Fatal("a forged session token was accepted")
	}
	// An action no service has.
	if code := unsignedQuery(t, env, "FrobnicateWidgets"); code < 400 {
		t.Fatalf("unknown action: status %d", code)
	}
	waitRecords(t, env, 15)

	fams := scrape(t, env)
	if got := sum(fams, "gatehouse_requests_total", map[string]string{"service": "iam", "action": "other"}); got != 1 {
		t.Errorf("the unknown action counted %v times as iam action other, want 1", got)
	}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"gatehouse_requests_total", map[string]string{"service": "iam", "action": "CreateUser", "code": "200"}, 1},
		{"gatehouse_requests_total", map[string]string{"service": "iam", "action": "ListUsers", "code": "403"}, 1},
		{"gatehouse_requests_total", map[string]string{"service": "s3", "action": "PutObject", "code": "200"}, 1},
		{"gatehouse_requests_total", map[string]string{"service": "s3", "action": "GetObject", "code": "200"}, 1},
		{"gatehouse_requests_total", map[string]string{"service": "s3", "action": "DeleteBucket", "code": "403"}, 1},
		{"gatehouse_requests_total", map[string]string{"service": "sts", "action": "GetCallerIdentity", "code": "200"}, 2},
		{"gatehouse_requests_total", map[string]string{"service": "sts", "action": "GetCallerIdentity", "code": "403"}, 1},
		{"gatehouse_request_duration_seconds", map[string]string{"service": "s3", "action": "PutObject"}, 1},
		{"gatehouse_request_duration_seconds", map[string]string{"service": "sts", "action": "GetCallerIdentity"}, 3},
		{"gatehouse_authz_decisions_total", map[string]string{"service": "iam", "action": "CreateUser", "decision": "allow"}, 1},
		{"gatehouse_authz_decisions_total", map[string]string{"service": "iam", "action": "ListUsers", "decision": "implicit_deny"}, 1},
		{"gatehouse_authz_decisions_total", map[string]string{"service": "s3", "action": "DeleteBucket", "decision": "explicit_deny"}, 1},
		{"gatehouse_authz_decisions_total", map[string]string{"service": "s3", "action": "GetObject", "decision": "allow"}, 1},
		{"gatehouse_sts_credentials_issued_total", map[string]string{"action": "AssumeRole"}, 1},
		{"gatehouse_sts_credentials_issued_total", map[string]string{"action": "GetSessionToken"}, 1},
		{"gatehouse_session_token_opens_total", map[string]string{"outcome": "ok"}, 2},
		{"gatehouse_session_token_opens_total", map[string]string{"outcome": "invalid"}, 1},
		{"gatehouse_session_token_opens_total", map[string]string{"outcome": "expired"}, 0},
		{"gatehouse_build_info", map[string]string{"version": ""}, 1},
	} {
		got, ok := sample(fams, tc.name, tc.labels)
		if !ok || got != tc.want {
			t.Errorf("%s%v = %v (present %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	// The backends were timed; the runtime and process collectors report.
	for _, s := range []struct {
		name   string
		labels map[string]string
	}{
		{"gatehouse_store_duration_seconds", map[string]string{"op": "view"}},
		{"gatehouse_store_duration_seconds", map[string]string{"op": "update"}},
		{"gatehouse_blob_duration_seconds", map[string]string{"op": "put"}},
		{"gatehouse_blob_duration_seconds", map[string]string{"op": "open"}},
		{"gatehouse_request_body_bytes_total", map[string]string{"service": "s3"}},
		{"gatehouse_response_body_bytes_total", map[string]string{"service": "s3"}},
		{"go_goroutines", map[string]string{}},
	} {
		if got, ok := sample(fams, s.name, s.labels); !ok || got < 1 {
			t.Errorf("%s%v = %v (present %v), want at least 1", s.name, s.labels, got, ok)
		}
	}
	if got, ok := sample(fams, "gatehouse_blob_errors_total", map[string]string{"op": "put"}); !ok || got != 0 {
		t.Errorf("blob put errors %v (present %v)", got, ok)
	}
	if _, ok := fams["process_start_time_seconds"]; !ok {
		t.Error("no process collector")
	}
}

// unsignedQuery posts an unsigned Query call of action and returns the
// status.
func unsignedQuery(t *testing.T, env *testenv.Env, action string) int {
	t.Helper()
	resp, err := env.HTTP().Post(env.URL+"/", "application/x-www-form-urlencoded", strings.NewReader("Action="+url.QueryEscape(action)+"&Version=2010-05-08"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// signedQuery posts a Query call of action signed by the root key for
// service and returns the status.
func signedQuery(t *testing.T, env *testenv.Env, service, action string) int {
	t.Helper()
	body := "Action=" + url.QueryEscape(action) + "&Version=2010-05-08"
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: testenv.RootAccessKey, SecretAccessKey: testenv.RootSecretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, testenv.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := env.HTTP().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestMetricLabelsBounded sends requests naming random buckets, keys,
// hosts, subresources and actions, twice with different names, and checks
// that the second round adds no series and that no label value came from
// the requests.
func TestMetricLabelsBounded(t *testing.T) {
	env := testenv.New(t, withAdmin)
	sent := 0
	round := func() (names []string) {
		for i := 0; i < 5; i++ {
			b := make([]byte, 6)
			rand.Read(b)
			name := "rnd" + hex.EncodeToString(b)
			names = append(names, name)
			for _, path := range []string{"/" + name, "/" + name + "/" + name + ".txt", "/" + name + "?" + name + "=1", "/" + name + "/k?uploadId=" + name} {
				for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
					req, _ := http.NewRequest(method, env.URL+path, nil)
					resp, err := env.HTTP().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					sent++
				}
			}
			// Virtual-host style: the bucket is in the Host header.
			req, _ := http.NewRequest(http.MethodGet, env.URL+"/"+name, nil)
			req.Host = name + ".s3.localhost"
			resp, err := env.HTTP().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			unsignedQuery(t, env, name)
			signedQuery(t, env, "iam", name)
			signedQuery(t, env, "sts", name)
			signedQuery(t, env, name, "ListUsers") // an unknown service in the credential scope
			sent += 5
		}
		waitRecords(t, env, sent)
		return names
	}
	series := func(fams map[string]*dto.MetricFamily) []string {
		var out []string
		for name, f := range fams {
			if !strings.HasPrefix(name, "gatehouse_") {
				continue
			}
			for _, m := range f.Metric {
				s := name
				for _, l := range m.Label {
					s += "," + l.GetName() + "=" + l.GetValue()
				}
				out = append(out, s)
			}
		}
		sort.Strings(out)
		return out
	}
	names := round()
	first := series(scrape(t, env))
	names = append(names, round()...)
	fams := scrape(t, env)
	second := series(fams)
	if strings.Join(first, "\n") != strings.Join(second, "\n") {
		t.Errorf("new series after a second round of random names:\nfirst:\n\t%s\nsecond:\n\t%s", strings.Join(first, "\n\t"), strings.Join(second, "\n\t"))
	}
	for _, s := range second {
		for _, n := range names {
			if strings.Contains(s, n) {
				t.Errorf("series %s carries request input %q", s, n)
			}
		}
	}
	// Every service and action label is from the fixed sets.
	allowed := map[string]bool{"other": true}
	for _, n := range server.OperationNames(env.Server) {
		allowed[n] = true
	}
	for _, f := range fams {
		for _, m := range f.Metric {
			for _, l := range m.Label {
				switch l.GetName() {
				case "service":
					if !map[string]bool{"iam": true, "sts": true, "s3": true, "other": true}[l.GetValue()] {
						t.Errorf("%s: service %q", f.GetName(), l.GetValue())
					}
				case "action":
					if !allowed[l.GetValue()] {
						t.Errorf("%s: action %q", f.GetName(), l.GetValue())
					}
				}
			}
		}
	}
	if got := sum(fams, "gatehouse_requests_total", map[string]string{"service": "iam", "action": "other"}); got != 20 {
		t.Errorf("unknown IAM actions counted %v times as action other, want 20", got)
	}
	if got := sum(fams, "gatehouse_requests_total", map[string]string{"service": "sts", "action": "other"}); got != 10 {
		t.Errorf("unknown STS actions counted %v times as action other, want 10", got)
	}
}

// TestAdminPprof: the profiler is on the admin listener only when
// --admin-pprof asks for it.
func TestAdminPprof(t *testing.T) {
	for _, on := range []bool{false, true} {
		env := testenv.New(t, withAdmin, func(c *config.Config) { c.AdminPprof = on })
		resp, err := env.HTTP().Get(env.AdminURL + "/debug/pprof/heap?debug=1")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if served := resp.StatusCode == http.StatusOK && strings.Contains(string(body), "heap profile"); served != on {
			t.Errorf("admin-pprof %v: GET /debug/pprof/heap answered %d (profile served: %v)", on, resp.StatusCode, served)
		}
	}
}
