package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var adminLine = regexp.MustCompile(`msg="admin endpoints listening" url=(http://[0-9.:]+)`)

// TestObservability runs the binary with --admin-listen: the aws CLI's
// calls show in /metrics and in the access log, /health/ready answers 200,
// and the log carries no secret.
func TestObservability(t *testing.T) {
	srv := startServer(t, t.TempDir(), "--admin-listen", "127.0.0.1:0")
	m := adminLine.FindStringSubmatch(srv.stderr.String())
	if m == nil {
		t.Fatalf("no admin listener in the log:\n%s", srv.stderr.String())
	}
	admin := m[1]
	cli := newAWSCLI(t, srv.URL)
	if out, errOut, ok := cli.run("sts", "get-caller-identity"); !ok {
		t.Fatalf("get-caller-identity: %s %s", out, errOut)
	}
	if _, _, ok := cli.run("s3api", "head-bucket", "--bucket", "no-such-bucket"); ok {
		t.Fatal("head-bucket of a missing bucket succeeded")
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := hc.Get(admin + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// A record is written once the response is out: wait (boundedly) for
	// both requests' series.
	want := []string{
		`gatehouse_requests_total{action="GetCallerIdentity",code="200",service="sts"} 1`,
		`gatehouse_requests_total{action="HeadBucket",code="404",service="s3"} 1`,
	}
	var body string
	for try := 0; ; try++ {
		var code int
		code, body = get("/metrics")
		if code != 200 {
			t.Fatalf("/metrics: %d", code)
		}
		if strings.Contains(body, want[0]) && strings.Contains(body, want[1]) {
			break
		}
		if try == 300 {
			t.Fatalf("/metrics lacks %q:\n%s", want, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, s := range []string{"go_goroutines", "process_resident_memory_bytes", "gatehouse_store_duration_seconds_bucket", "gatehouse_build_info"} {
		if !strings.Contains(body, s) {
			t.Errorf("/metrics has no %s", s)
		}
	}
	if code, body := get("/health/ready"); code != 200 || !strings.Contains(body, `"status":"ready"`) {
		t.Errorf("/health/ready: %d %s", code, body)
	}
	if code, _ := get("/health/live"); code != 200 {
		t.Errorf("/health/live: %d", code)
	}
	log := srv.stderr.String()
	if !regexp.MustCompile(`level=INFO msg=request request_id=\S+ service=sts action=GetCallerIdentity method=POST status=200 error="" principal=arn:aws:iam::` + accountID + `:root access_key_id=` + rootKeyID + ` `).MatchString(log) {
		t.Errorf("no access-log line of GetCallerIdentity:\n%s", log)
	}
	if !strings.Contains(log, "action=HeadBucket method=HEAD status=404 error=NoSuchBucket") {
		t.Errorf("no access-log line of HeadBucket:\n%s", log)
	}
	if strings.Contains(log, rootSecret) || strings.Contains(log, "Signature=") {
		t.Error("the log carries a secret")
	}
}
