package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBoto3S3 runs testdata/boto3_s3.py: boto3's transfer manager
// (upload_file / download_file), a presigned GET and a presigned POST form.
func TestBoto3S3(t *testing.T) {
	runBoto3Script(t, startServer(t, t.TempDir()).URL, "testdata/boto3_s3.py",
		"OK transfer manager", "OK presigned GET", "OK presigned POST", "OK POST size limit", "OK cleanup")
}

// TestBoto3S3Fidelity runs testdata/boto3_s3_fidelity.py: conditional
// writes, partNumber reads, GetObjectAttributes, ListBuckets paging, the
// SSE-C refusal over HTTP and Signature Version 2 with botocore's "s3" signer.
func TestBoto3S3Fidelity(t *testing.T) {
	runBoto3Script(t, startServer(t, t.TempDir()).URL, "testdata/boto3_s3_fidelity.py",
		"OK conditional writes", "OK partNumber", "OK GetObjectAttributes", "OK ListBuckets paging",
		"OK SSE-C over HTTP refused", "OK Signature Version 2", "OK cleanup")
}

// runBoto3Script runs a boto3 script of testdata against the server at url
// as the account's root (no AWS config or credentials files of the
// machine), and checks that it succeeds and prints every wanted line.
func runBoto3Script(t *testing.T, url, script string, wants ...string) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with boto3 is required for end-to-end tests: ", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", script)
	cmd.Env = append(os.Environ(), "GATEHOUSE_URL="+url, "AWS_ACCESS_KEY_ID="+rootKeyID, "AWS_SECRET_ACCESS_KEY="+rootSecret,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 script %s: %v", script, err)
	}
	for _, want := range wants {
		if !strings.Contains(string(out), want) {
			t.Fatalf("missing %q in the output of %s", want, script)
		}
	}
}
