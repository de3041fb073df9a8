package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// runJSON runs `gatehouse-bench run ARGS --json` and returns its result.
func runJSON(t *testing.T, env map[string]string, args ...string) (*result, int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := realMain(context.Background(), append(append([]string{"run"}, args...), "--json"), &stdout, &stderr,
		func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if code == 1 {
		return nil, code, stderr.String()
	}
	var res result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("output %q: %v (stderr %s)", stdout.String(), err, stderr.String())
	}
	return &res, code, stderr.String()
}

func checkRun(t *testing.T, res *result, code int, stderr string) {
	t.Helper()
	if res == nil {
		t.Fatalf("run failed (exit %d): %s", code, stderr)
	}
	if res.Errors != 0 || code != 0 {
		t.Errorf("%s: %d errors (exit %d): %q", res.Workload, res.Errors, code, res.ErrorSamples)
	}
	if res.Requests == 0 || res.ReqPerS <= 0 || res.P50Ms <= 0 || res.P999Ms < res.P50Ms {
		t.Errorf("%s: figures %+v", res.Workload, res)
	}
}

// TestWorkloadsAgainstCeiling runs every S3 and STS workload briefly
// against the ceiling server: all must run unchanged and error-free.
func TestWorkloadsAgainstCeiling(t *testing.T) {
	c, err := newCeiling(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c) // 127.0.0.1
	defer srv.Close()
	env := map[string]string{"AWS_ACCESS_KEY_ID": "AKIACEILINGTEST00001", "AWS_SECRET_ACCESS_KEY": "anything"}
	for _, w := range []struct {
		name  string
		extra []string
	}{
		{"sts-assume-role", nil},
		{"sts-get-caller-identity", nil},
		{"sts-assume-role-with-web-identity", []string{"--concurrency", "4"}},
		{"s3-put-small", nil},
		{"s3-get-small", []string{"--objects", "200"}},
		{"s3-put-large", []string{"--size", "4MiB"}},
		{"s3-get-large", []string{"--size", "4MiB", "--concurrency", "2"}},
		{"s3-multipart", []string{"--size", "11MiB", "--part-size", "5MiB", "--parts-in-flight", "2"}},
		{"s3-list", []string{"--keys", "1500"}},
		{"mixed", []string{"--objects", "200", "--creds", "assume-role"}},
	} {
		t.Run(w.name, func(t *testing.T) {
			args := append([]string{"--endpoint", srv.URL, "--workload", w.name, "--duration", "400ms", "--concurrency", "8", "--label", "ceiling"}, w.extra...)
			res, code, stderr := runJSON(t, env, args...)
			checkRun(t, res, code, stderr)
			if res != nil && (res.Label != "ceiling" || res.Endpoint != srv.URL) {
				t.Errorf("label %q endpoint %q", res.Label, res.Endpoint)
			}
			if res != nil && strings.HasPrefix(w.name, "s3-") && res.MiBPerS <= 0 {
				t.Errorf("no MiB/s: %+v", res)
			}
		})
	}
	// The ceiling has no IAM: the tool says so instead of running errors.
	_, code, stderr := runJSON(t, env, "--endpoint", srv.URL, "--workload", "iam-get-role", "--duration", "100ms")
	if code != 1 || !strings.Contains(stderr, "unsupported by endpoint") {
		t.Errorf("iam-get-role on the ceiling: exit %d, %s", code, stderr)
	}
}

func TestCeilingListAndMultipartContent(t *testing.T) {
	dir := t.TempDir()
	c, err := newCeiling(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	defer srv.Close()
	env := map[string]string{"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}
	res, code, stderr := runJSON(t, env, "--endpoint", srv.URL, "--workload", "s3-list", "--keys", "2500", "--duration", "200ms", "--concurrency", "2")
	checkRun(t, res, code, stderr)
	// A restarted ceiling finds the keys on disk again.
	c2, err := newCeiling(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c2.buckets["bench"].present); n != 2500 {
		t.Errorf("reloaded %d keys, want 2500", n)
	}
	c2.buckets["bench"].merge()
	if got := c2.buckets["bench"].sorted[0]; got != "list/00000000" {
		t.Errorf("first key %q", got)
	}
}

// TestSpread: with --spread the load goes to every endpoint in turn.
func TestSpread(t *testing.T) {
	var hits [2]atomic.Int64
	var srvs [2]*httptest.Server
	for i := range srvs {
		c, err := newCeiling(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		srvs[i] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits[i].Add(1)
			c.ServeHTTP(w, r)
		}))
		defer srvs[i].Close()
	}
	env := map[string]string{"AWS_ACCESS_KEY_ID": "AKIACEILINGTEST00001", "AWS_SECRET_ACCESS_KEY": "anything"}
	res, code, stderr := runJSON(t, env, "--endpoint", srvs[0].URL, "--spread", srvs[1].URL, "--workload", "sts-get-caller-identity",
		"--duration", "300ms", "--concurrency", "4")
	checkRun(t, res, code, stderr)
	if res != nil && res.Endpoint != srvs[0].URL+","+srvs[1].URL {
		t.Errorf("endpoint %q", res.Endpoint)
	}
	a, b := hits[0].Load(), hits[1].Load()
	if a < 10 || b < 10 || b > 2*a+10 || a > 2*b+10 {
		t.Errorf("requests per endpoint: %d and %d; want them spread evenly", a, b)
	}
}

// TestCeilingETag: the ceiling answers a PUT with the body's MD5 as its
// ETag when asked to (the default of `ceiling`), and with a counter when not.
func TestCeilingETag(t *testing.T) {
	for _, md5On := range []bool{true, false} {
		c, err := newCeiling(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		c.md5 = md5On
		srv := httptest.NewServer(c)
		for _, req := range []*http.Request{
			httptest.NewRequest(http.MethodPut, srv.URL+"/b", nil),
			httptest.NewRequest(http.MethodPut, srv.URL+"/b/k", strings.NewReader("hello")),
		} {
			req.RequestURI = ""
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d", req.Method, req.URL.Path, resp.StatusCode)
			}
			if req.URL.Path == "/b/k" {
				// MD5("hello")
				if got, isMD5 := resp.Header.Get("ETag"), resp.Header.Get("ETag") == `"5d41402abc4b2a76b9719d911017c592"`; isMD5 != md5On {
					t.Errorf("md5 %v: ETag %s", md5On, got)
				}
			}
		}
		srv.Close()
	}
}
