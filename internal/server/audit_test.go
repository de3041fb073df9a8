package server_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func trailOf(t *testing.T, dir string) []*audit.Event {
	t.Helper()
	var out []*audit.Event
	if _, err := audit.Search(dir, audit.Query{}, func(e *audit.Event) error { out = append(out, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// The trail is on by default in DATA_DIR/audit, survives a restart (the
// buffer is flushed at shutdown), and names TLS facts.
func TestAuditTrailDefaults(t *testing.T) {
	cert, key, pool := testenv.SelfSignedCert(t)
	env := testenv.New(t, func(c *config.Config) { c.TLSCert, c.TLSKey = cert, key })
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	for i := 0; i < 2; i++ {
		resp, err := client.Get(strings.Replace(env.URL, "http://", "https://", 1) + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		client.CloseIdleConnections()
		env.Records.Find(func(r *pipeline.Record) bool { return r.TLSVersion != "" })
		if i == 0 {
			env.Restart()
		}
	}
	env.Close()
	events := trailOf(t, filepath.Join(env.DataDir, server.AuditDir))
	if len(events) != 2 {
		t.Fatalf("%d events over a restart, want 2", len(events))
	}
	for _, e := range events {
		if e.TLSDetails == nil || !strings.HasPrefix(e.TLSDetails.TLSVersion, "TLSv1.") || e.TLSDetails.CipherSuite == "" ||
			e.TLSDetails.ClientProvidedHostHeader != strings.TrimPrefix(env.URL, "http://") || e.UserIdentity.AccountID != "anonymous" {
			t.Fatalf("event over TLS: %+v %+v", e.TLSDetails, e.UserIdentity)
		}
	}
	if st, err := os.Stat(filepath.Join(env.DataDir, server.AuditDir)); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("audit dir: %v %v", st.Mode(), err)
	}
	depth, dropped := env.Server.AuditStats()
	if depth != 0 || dropped != 0 {
		t.Fatalf("stats after close: %d %d", depth, dropped)
	}
}

// audit=false writes nothing; data events can be turned off; the stdout
// sink writes the same JSON lines.
func TestAuditTrailSettings(t *testing.T) {
	ctx := context.Background()
	off := testenv.New(t, func(c *config.Config) { c.Audit.Enabled = false })
	if _, err := off.S3.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatal(err)
	}
	off.Close()
	if _, err := os.Stat(filepath.Join(off.DataDir, server.AuditDir)); !os.IsNotExist(err) {
		t.Fatalf("audit off left %v", err)
	}

	noData := testenv.New(t, func(c *config.Config) { c.Audit.DataEvents = false })
	if _, err := noData.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data-off")}); err != nil {
		t.Fatal(err)
	}
	if _, err := noData.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data-off"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	noData.Records.Find(func(r *pipeline.Record) bool { return r.Operation == "PutObject" })
	noData.Close()
	events := trailOf(t, filepath.Join(noData.DataDir, server.AuditDir))
	if len(events) != 1 || events[0].EventName != "CreateBucket" {
		t.Fatalf("data events off: %d events", len(events))
	}
}

// The stdout sink writes each event as one JSON line to the server's
// standard output.
func TestAuditStdoutSink(t *testing.T) {
	cfg, err := config.Load([]string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--audit-sinks", "stdout"}, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	srv, err := server.New(context.Background(), cfg, server.Options{Stdout: &stdout, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	stdout.Reset() // the first start's credentials
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/nobucket", nil)
	srv.Handler().ServeHTTP(discard{}, req)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	e, err := audit.DecodeEvent(bytes.TrimSpace(stdout.Bytes()))
	if err != nil || e.EventSource != "s3.amazonaws.com" || e.UserIdentity.AccountID != "anonymous" {
		t.Fatalf("stdout: %q %v", stdout.String(), err)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, server.AuditDir)); !os.IsNotExist(err) {
		t.Fatal("the stdout sink alone wrote files")
	}
}

// The webhook sink, configured from the environment, receives every
// event by the time the server has closed.
func TestAuditWebhookSink(t *testing.T) {
	got := make(chan []byte, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- b
	}))
	defer hook.Close()
	env := map[string]string{"GATEHOUSE_AUDIT_WEBHOOK_URL": hook.URL + "/in?token=abc"}
	cfg, err := config.Load([]string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--audit-sinks", "file,webhook"},
		func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(context.Background(), cfg, server.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/nobucket", nil)
	srv.Handler().ServeHTTP(discard{}, req)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		var batch struct{ Records []audit.Event }
		if err := json.Unmarshal(b, &batch); err != nil || len(batch.Records) != 1 || batch.Records[0].EventName != "ListObjects" {
			t.Fatalf("webhook got %s: %v", b, err)
		}
	default:
		t.Fatal("the webhook received nothing")
	}
	if n := len(trailOf(t, filepath.Join(cfg.DataDir, server.AuditDir))); n != 1 {
		t.Fatalf("file has %d events", n)
	}
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
