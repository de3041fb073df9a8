package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBoto3S3Lifecycle: boto3 puts, reads and deletes lifecycle
// configurations against the binary, and meets S3's refusals.
func TestBoto3S3Lifecycle(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with boto3 is required for end-to-end tests: ", err)
	}
	srv := startServer(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/boto3_lifecycle.py")
	cmd.Env = append(os.Environ(), "GATEHOUSE_URL="+srv.URL, "AWS_ACCESS_KEY_ID="+rootKeyID, "AWS_SECRET_ACCESS_KEY="+rootSecret,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 script: %v", err)
	}
	for _, want := range []string{"OK none", "OK put get", "OK legacy", "OK refusals", "OK cleanup"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("missing %q in output", want)
		}
	}
}
