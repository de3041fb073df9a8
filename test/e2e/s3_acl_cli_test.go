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

// TestCLIS3ACLs is the ACL flow of tools that still set them: the AWS CLI
// switches a bucket to BucketOwnerPreferred, uploads with --acl
// public-read, an unsigned GET reads the object, get-object-acl shows the
// owner's canonical id and the AllUsers grant; on a bucket left
// BucketOwnerEnforced the same upload is refused.
func TestCLIS3ACLs(t *testing.T) {
	srv := startServer(t, t.TempDir())
	aws := newAWSCLI(t, srv.URL)
	aws.must(nil, "s3api", "create-bucket", "--bucket", "acls")
	aws.must(nil, "s3api", "create-bucket", "--bucket", "enforced")
	aws.must(nil, "s3api", "put-bucket-ownership-controls", "--bucket", "acls",
		"--ownership-controls", `{"Rules":[{"ObjectOwnership":"BucketOwnerPreferred"}]}`)
	var own struct {
		OwnershipControls struct {
			Rules []struct{ ObjectOwnership string }
		}
	}
	aws.must(&own, "s3api", "get-bucket-ownership-controls", "--bucket", "acls")
	if len(own.OwnershipControls.Rules) != 1 || own.OwnershipControls.Rules[0].ObjectOwnership != "BucketOwnerPreferred" {
		t.Fatalf("get-bucket-ownership-controls: %+v", own)
	}

	src := filepath.Join(t.TempDir(), "hello.txt")
	if err := os.WriteFile(src, []byte("hello, world"), 0o600); err != nil {
		t.Fatal(err)
	}
	aws.must(nil, "s3api", "put-object", "--bucket", "acls", "--key", "hello.txt", "--body", src, "--acl", "public-read")
	resp, err := http.Get(srv.URL + "/acls/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello, world" {
		t.Fatalf("anonymous GET of a public-read object: %d %q", resp.StatusCode, body)
	}

	var buckets struct {
		Owner struct{ ID, DisplayName string }
	}
	aws.must(&buckets, "s3api", "list-buckets")
	var acl struct {
		Owner  struct{ ID string }
		Grants []struct {
			Grantee    struct{ Type, ID, URI string }
			Permission string
		}
	}
	aws.must(&acl, "s3api", "get-object-acl", "--bucket", "acls", "--key", "hello.txt")
	me := buckets.Owner.ID
	if len(me) != 64 || buckets.Owner.DisplayName != "" || acl.Owner.ID != me || len(acl.Grants) != 2 ||
		acl.Grants[0].Grantee.ID != me || acl.Grants[0].Permission != "FULL_CONTROL" ||
		acl.Grants[1].Grantee.URI != "http://acs.amazonaws.com/groups/global/AllUsers" || acl.Grants[1].Permission != "READ" {
		t.Fatalf("get-object-acl: %+v (list-buckets owner %+v)", acl, buckets.Owner)
	}

	msg := aws.fails("s3api", "put-object", "--bucket", "enforced", "--key", "hello.txt", "--body", src, "--acl", "public-read")
	if !strings.Contains(msg, "AccessControlListNotSupported") {
		t.Fatalf("public-read on a BucketOwnerEnforced bucket: %s", msg)
	}
}

// TestBoto3ACL runs testdata/boto3_acl.py: ownership controls, an
// anonymous read through a public-read ACL, get_object_acl,
// put_bucket_acl with a document, the BucketOwnerEnforced refusal.
func TestBoto3ACL(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with boto3 is required for end-to-end tests: ", err)
	}
	srv := startServer(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/boto3_acl.py")
	cmd.Env = append(os.Environ(), "GATEHOUSE_URL="+srv.URL, "AWS_ACCESS_KEY_ID="+rootKeyID, "AWS_SECRET_ACCESS_KEY="+rootSecret,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 script: %v", err)
	}
	for _, want := range []string{"OK ownership controls", "OK anonymous read by ACL", "OK get_object_acl", "OK put_bucket_acl",
		"OK BucketOwnerEnforced refuses ACLs", "OK cleanup"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("missing %q in output", want)
		}
	}
}
