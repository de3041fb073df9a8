package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storefault"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// readiness is the JSON body of /health/ready.
type readiness struct {
	Status string   `json:"status"`
	Failed []string `json:"failed"`
	Checks []struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	} `json:"checks"`
}

func getJSON(t *testing.T, env *testenv.Env, path string, into any) int {
	t.Helper()
	resp, err := env.HTTP().Get(env.AdminURL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode
}

// TestHealth: live and ready answer 200; ready answers 503 naming the
// store when the store's reads fail or hang, and returns while the store
// hangs.
func TestHealth(t *testing.T) {
	var faults *storefault.Store
	env := testenv.NewWith(t, func(o *server.Options) {
		o.WrapStore = func(st store.Store) store.Store { faults = storefault.New(st); return faults }
	}, withAdmin)

	var live map[string]string
	if code := getJSON(t, env, server.LivePath, &live); code != 200 || live["status"] != "live" {
		t.Fatalf("live: %d %v", code, live)
	}
	var r readiness
	if code := getJSON(t, env, server.ReadyPath, &r); code != 200 || r.Status != "ready" || len(r.Failed) != 0 || len(r.Checks) != 2 {
		t.Fatalf("ready: %d %+v", code, r)
	}
	views := faults.Calls("View")

	// A store whose reads hang: ready answers 503 once the probe's time
	// is up, naming the store. Every View hangs, so that a background read
	// cannot take the pause meant for the probe.
	gate := faults.PauseEvery("View")
	t.Cleanup(gate.Release)
	r = readiness{}
	if code := getJSON(t, env, server.ReadyPath, &r); code != 503 || r.Status != "unavailable" || strings.Join(r.Failed, ",") != "store" {
		t.Fatalf("ready with a hung store: %d %+v", code, r)
	}
	select {
	case <-gate.Arrived():
	default:
		t.Fatal("the readiness probe did not read the store")
	}
	gate.Release()

	// A store whose reads fail.
	faults.FailEvery("View", errors.New("disk on fire"))
	r = readiness{}
	if code := getJSON(t, env, server.ReadyPath, &r); code != 503 || strings.Join(r.Failed, ",") != "store" {
		t.Fatalf("ready with a failing store: %d %+v", code, r)
	}
	for _, c := range r.Checks {
		if c.Name == "store" && (c.OK || !strings.Contains(c.Error, "disk on fire")) {
			t.Errorf("store check: %+v", c)
		}
		if c.Name == "blobs" && !c.OK {
			t.Errorf("blobs check: %+v", c)
		}
	}
	if faults.Calls("View") <= views {
		t.Error("the failing probes did not read the store")
	}

	// Only GET and HEAD.
	resp, err := env.HTTP().Post(env.AdminURL+server.ReadyPath, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST ready: %d", resp.StatusCode)
	}
}

// TestAdminPathsReachS3OnMainListener: the admin endpoints are served on
// the admin listener only. On the main listener a bucket named metrics or
// health, and keys named like the endpoints, path-style and virtual-host
// style, are S3's as ever; and the admin listener serves nothing else.
func TestAdminPathsReachS3OnMainListener(t *testing.T) {
	env := testenv.New(t, withAdmin)
	ctx := context.Background()
	for _, b := range []string{"metrics", "health"} {
		if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	objects := map[[2]string]string{
		{"health", "ready"}:          "object health/ready",
		{"health", "live"}:           "object health/live",
		{"metrics", "metrics"}:       "object metrics/metrics",
		{"metrics", "health/ready"}:  "object metrics/health/ready",
		{"metrics", "_gatehouse/ok"}: "object with an underscore",
	}
	for bk, body := range objects {
		if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bk[0]), Key: aws.String(bk[1]), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	// Path style: /health/ready is key ready of bucket health.
	for bk, want := range objects {
		if got := getObjectText(t, env.S3, bk[0], bk[1]); got != want {
			t.Errorf("path-style %s/%s: %q, want %q", bk[0], bk[1], got, want)
		}
	}
	// Virtual-host style: Host metrics.s3.localhost, path /health/ready.
	addr := strings.TrimPrefix(env.URL, "http://")
	_, port, _ := net.SplitHostPort(addr)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}}
	t.Cleanup(hc.CloseIdleConnections)
	cfg := env.AWSConfig(env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""))
	cfg.BaseEndpoint = aws.String("http://s3.localhost:" + port)
	cfg.HTTPClient = hc
	vhost := s3.NewFromConfig(cfg)
	for bk, want := range objects {
		if got := getObjectText(t, vhost, bk[0], bk[1]); got != want {
			t.Errorf("virtual-host %s/%s: %q, want %q", bk[0], bk[1], got, want)
		}
	}
	r := env.Records.Find(func(r *pipeline.Record) bool {
		return r.Host == "metrics.s3.localhost:"+port && r.Path == "/health/ready"
	})
	if r == nil || r.Service != "s3" || r.Operation != "GetObject" || r.Bucket != "metrics" || r.Key != "health/ready" {
		t.Fatalf("virtual-host GET /health/ready record: %+v", r)
	}

	// Unsigned GETs of the admin paths on the main listener get S3's
	// answers (an anonymous caller is denied), not the admin endpoints.
	for _, path := range []string{server.MetricsPath, server.LivePath, server.ReadyPath} {
		resp, err := env.HTTP().Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>AccessDenied</Code>") {
			t.Errorf("main listener GET %s: %d %s", path, resp.StatusCode, body)
		}
	}

	// The admin listener serves its three paths and nothing else.
	for path, want := range map[string]int{server.MetricsPath: 200, server.LivePath: 200, server.ReadyPath: 200, "/": 404, "/health/ready/x": 404, "/metrics/metrics": 404} {
		resp, err := env.HTTP().Get(env.AdminURL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("admin GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

func getObjectText(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
