package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBoto3Compat runs testdata/boto3_compat.py against a TLS server and
// records its results.
func TestBoto3Compat(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with boto3 is required for end-to-end tests: ", err)
	}
	cert, key := selfSignedCert(t)
	srv := startServer(t, t.TempDir(), "--tls-cert", cert, "--tls-key", key, "--log-level", "debug")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/boto3_compat.py")
	cmd.Env = append(cleanAWSEnv(), "GATEHOUSE_URL="+srv.URL, "GATEHOUSE_CA="+cert, "ACCOUNT_ID="+accountID,
		"ROOT_KEY_ID="+rootKeyID, "ROOT_SECRET="+rootSecret, "HOME="+t.TempDir())
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Logf("stderr:\n%s", ee.Stderr)
	}
	if err != nil {
		t.Fatalf("boto3_compat.py: %v\n%s", err, out)
	}
	recordLines(t, clientPy, string(out))
	if log := srv.stderr.String(); !strings.Contains(log, "operation=UploadPart") || !strings.Contains(log, "payload=STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
		t.Errorf("boto3 did not send aws-chunked parts over HTTPS")
	}
}

// recordLines records the JSON result lines a client script printed and
// checks that every feature was reported.
func recordLines(t *testing.T, client, out string) {
	t.Helper()
	seen := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r struct {
			Feature string `json:"feature"`
			OK      bool   `json:"ok"`
			Detail  string `json:"detail"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Errorf("bad result line %q: %v", line, err)
			continue
		}
		seen[r.Feature] = true
		record(t, client, r.Feature, r.OK, r.Detail)
	}
	for _, f := range features {
		if !seen[f] {
			t.Errorf("%s: no result for %q", client, f)
		}
	}
}

// cleanAWSEnv is the process environment without AWS_* variables, so that
// the machine's own AWS settings never reach a client under test.
func cleanAWSEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}
