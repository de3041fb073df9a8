package e2e

import "testing"

// TestBoto3S3Lifecycle: boto3 puts, reads and deletes lifecycle
// configurations against the binary, and meets S3's refusals.
func TestBoto3S3Lifecycle(t *testing.T) {
	runBoto3Script(t, startServer(t, t.TempDir()).URL, "testdata/boto3_lifecycle.py",
		"OK none", "OK put get", "OK legacy", "OK refusals", "OK cleanup")
}
