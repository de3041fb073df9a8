package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCLIBlockPublicAccess drives S3 Block Public Access with the aws CLI:
// s3api put/get/delete-public-access-block and get-bucket-policy-status on
// a bucket, and s3control's account-level put/get/delete-public-access-block.
//
// The CLI sends S3 Control requests to ACCOUNT.HOST of --endpoint-url (its
// endpoint rules prepend the account id even to a custom endpoint), which
// does not resolve for 127.0.0.1; with HTTP_PROXY pointing at Gatehouse the
// CLI hands Gatehouse the request as is (absolute URI, that Host, signed
// for it) and Gatehouse routes it by its path and x-amz-account-id.
func TestCLIBlockPublicAccess(t *testing.T) {
	srv := startServer(t, t.TempDir())
	aws := newAWSCLI(t, srv.URL)
	anonGet := func(path string) int {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}

	aws.must(nil, "s3", "mb", "s3://bpa-site")
	page := filepath.Join(t.TempDir(), "index.html")
	if err := os.WriteFile(page, []byte("<h1>hi</h1>"), 0o600); err != nil {
		t.Fatal(err)
	}
	aws.must(nil, "s3api", "put-object", "--bucket", "bpa-site", "--key", "index.html", "--body", page)
	msg := aws.fails("s3api", "get-bucket-policy-status", "--bucket", "bpa-site")
	if !strings.Contains(msg, "NoSuchBucketPolicy") {
		t.Fatalf("policy status without a policy: %s", msg)
	}
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bpa-site/*"}]}`
	aws.must(nil, "s3api", "put-bucket-policy", "--bucket", "bpa-site", "--policy", public)
	var st struct{ PolicyStatus struct{ IsPublic bool } }
	aws.must(&st, "s3api", "get-bucket-policy-status", "--bucket", "bpa-site")
	if !st.PolicyStatus.IsPublic {
		t.Fatalf("public policy: %+v", st)
	}
	if code := anonGet("/bpa-site/index.html"); code != http.StatusOK {
		t.Fatalf("anonymous read of a public bucket: %d", code)
	}

	// Bucket level.
	msg = aws.fails("s3api", "get-public-access-block", "--bucket", "bpa-site")
	if !strings.Contains(msg, "NoSuchPublicAccessBlockConfiguration") {
		t.Fatalf("no configuration: %s", msg)
	}
	aws.must(nil, "s3api", "put-public-access-block", "--bucket", "bpa-site", "--public-access-block-configuration",
		"BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=true,RestrictPublicBuckets=true")
	var got struct {
		PublicAccessBlockConfiguration struct{ BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets bool }
	}
	aws.must(&got, "s3api", "get-public-access-block", "--bucket", "bpa-site")
	if c := got.PublicAccessBlockConfiguration; c.BlockPublicAcls || c.IgnorePublicAcls || !c.BlockPublicPolicy || !c.RestrictPublicBuckets {
		t.Fatalf("bucket configuration: %+v", c)
	}
	if code := anonGet("/bpa-site/index.html"); code != http.StatusForbidden {
		t.Fatalf("anonymous read under RestrictPublicBuckets: %d", code)
	}
	msg = aws.fails("s3api", "put-bucket-policy", "--bucket", "bpa-site", "--policy", public)
	if !strings.Contains(msg, "AccessDenied") || !strings.Contains(msg, "because public policies are prevented by the BlockPublicPolicy setting in S3 Block Public Access") {
		t.Fatalf("public policy under BlockPublicPolicy: %s", msg)
	}
	aws.must(nil, "s3api", "delete-public-access-block", "--bucket", "bpa-site")
	if code := anonGet("/bpa-site/index.html"); code != http.StatusOK {
		t.Fatalf("anonymous read after deleting the configuration: %d", code)
	}

	// Account level, through S3 Control.
	proxy := []string{"HTTP_PROXY=" + srv.URL, "http_proxy=" + srv.URL, "NO_PROXY=", "no_proxy="}
	control := func(args ...string) (string, string, bool) {
		return aws.runBare(proxy, append([]string{"--endpoint-url", srv.URL, "s3control"}, args...)...)
	}
	if _, e, ok := control("get-public-access-block", "--account-id", accountID); ok || !strings.Contains(e, "NoSuchPublicAccessBlockConfiguration") {
		t.Fatalf("s3control get without configuration: %v %s", ok, e)
	}
	if o, e, ok := control("put-public-access-block", "--account-id", accountID, "--public-access-block-configuration",
		"BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=false"); !ok {
		t.Fatalf("s3control put: %s%s", o, e)
	}
	o, e, ok := control("get-public-access-block", "--account-id", accountID)
	if !ok || !strings.Contains(o, `"BlockPublicPolicy": true`) || !strings.Contains(o, `"RestrictPublicBuckets": false`) || !strings.Contains(o, `"BlockPublicAcls": true`) {
		t.Fatalf("s3control get: %v %s%s", ok, o, e)
	}
	// The account's BlockPublicPolicy reaches a bucket without its own
	// configuration.
	aws.must(nil, "s3", "mb", "s3://bpa-other")
	other := strings.ReplaceAll(public, "bpa-site", "bpa-other")
	if msg := aws.fails("s3api", "put-bucket-policy", "--bucket", "bpa-other", "--policy", other); !strings.Contains(msg, "BlockPublicPolicy") {
		t.Fatalf("account BlockPublicPolicy: %s", msg)
	}
	if o, e, ok := control("delete-public-access-block", "--account-id", accountID); !ok {
		t.Fatalf("s3control delete: %s%s", o, e)
	}
	if _, e, ok := control("get-public-access-block", "--account-id", accountID); ok || !strings.Contains(e, "NoSuchPublicAccessBlockConfiguration") {
		t.Fatalf("s3control get after delete: %v %s", ok, e)
	}
	aws.must(nil, "s3api", "put-bucket-policy", "--bucket", "bpa-other", "--policy", other)
}

// TestBoto3BlockPublicAccess runs testdata/boto3_bpa.py: boto3's s3 and
// s3control clients with Block Public Access and GetBucketPolicyStatus.
func TestBoto3BlockPublicAccess(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with boto3 is required for end-to-end tests: ", err)
	}
	srv := startServer(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/boto3_bpa.py")
	cmd.Env = append(os.Environ(), "GATEHOUSE_URL="+srv.URL, "GATEHOUSE_ACCOUNT="+accountID, "AWS_ACCESS_KEY_ID="+rootKeyID,
		"AWS_SECRET_ACCESS_KEY="+rootSecret, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "NO_PROXY=", "no_proxy=")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 script: %v", err)
	}
	for _, want := range []string{"OK policy status", "OK bucket configuration", "OK account configuration"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("missing %q in output", want)
		}
	}
}
