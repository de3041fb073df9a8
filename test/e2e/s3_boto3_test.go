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
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with boto3 is required for end-to-end tests: ", err)
	}
	srv := startServer(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/boto3_s3.py")
	cmd.Env = append(os.Environ(), "GATEHOUSE_URL="+srv.URL, "AWS_ACCESS_KEY_ID="+rootKeyID, "AWS_SECRET_ACCESS_KEY="+rootSecret,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 script: %v", err)
	}
	for _, want := range []string{"OK transfer manager", "OK presigned GET", "OK presigned POST", "OK POST size limit", "OK cleanup"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("missing %q in output", want)
		}
	}
}

// TestBoto3S3Fidelity runs testdata/boto3_s3_fidelity.py: conditional
// writes, partNumber reads, GetObjectAttributes, ListBuckets paging, the
// SSE-C refusal and Signature Version 2 with botocore's "s3" signer.
func TestBoto3S3Fidelity(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with boto3 is required for end-to-end tests: ", err)
	}
	srv := startServer(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/boto3_s3_fidelity.py")
	cmd.Env = append(os.Environ(), "GATEHOUSE_URL="+srv.URL, "AWS_ACCESS_KEY_ID="+rootKeyID, "AWS_SECRET_ACCESS_KEY="+rootSecret,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 script: %v", err)
	}
	for _, want := range []string{"OK conditional writes", "OK partNumber", "OK GetObjectAttributes", "OK ListBuckets paging",
		"OK SSE-C refused", "OK Signature Version 2", "OK cleanup"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("missing %q in output", want)
		}
	}
}
