package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// TestS3VersionedStateBucket drives a versioned bucket the way Terraform's
// S3 backend does with aws-sdk-go-v2: a lock file created with
// If-None-Match: * (and refused while held), repeated writes of one state
// file, the version history, an old state restored by copying its version,
// and a deleted state brought back by deleting its delete marker.
func TestS3VersionedStateBucket(t *testing.T) {
	srv := startServer(t, t.TempDir())
	c := s3Client(srv.URL)
	ctx := context.Background()
	bucket := aws.String("tf-state")
	state := aws.String("env/prod/terraform.tfstate")
	lock := aws.String("env/prod/terraform.tfstate.tflock")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	getBody := func(in *s3.GetObjectInput) string {
		t.Helper()
		out, err := c.GetObject(ctx, in)
		if err != nil {
			t.Fatalf("get %s: %v", aws.ToString(in.Key), err)
		}
		defer out.Body.Close()
		b, _ := io.ReadAll(out.Body)
		return string(b)
	}
	var ids []string
	for serial := 1; serial <= 5; serial++ {
		// terraform apply: take the lock, write the state, release the lock.
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: lock, IfNoneMatch: aws.String("*"),
			Body: strings.NewReader(fmt.Sprintf(`{"ID":"lock-%d"}`, serial))}); err != nil {
			t.Fatalf("lock %d: %v", serial, err)
		}
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: lock, IfNoneMatch: aws.String("*"), Body: strings.NewReader(`{"ID":"rival"}`)})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "PreconditionFailed" {
			t.Fatalf("a second lock while held: %v", err)
		}
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: state, ContentType: aws.String("application/json"),
			Body: strings.NewReader(fmt.Sprintf(`{"version":4,"serial":%d}`, serial))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.VersionId))
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: lock}); err != nil {
			t.Fatal(err)
		}
	}
	if got := getBody(&s3.GetObjectInput{Bucket: bucket, Key: state}); got != `{"version":4,"serial":5}` {
		t.Fatalf("current state %s", got)
	}
	lv, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket, Prefix: state})
	if err != nil {
		t.Fatal(err)
	}
	// The state's five versions, newest first, and the lock's versions
	// and delete markers.
	var stateVersions []string
	for _, v := range lv.Versions {
		if aws.ToString(v.Key) == *state {
			stateVersions = append(stateVersions, aws.ToString(v.VersionId))
		}
	}
	if len(stateVersions) != 5 || stateVersions[0] != ids[4] || stateVersions[4] != ids[0] || len(lv.DeleteMarkers) != 5 {
		t.Fatalf("versions %v (written %v), %d delete markers", stateVersions, ids, len(lv.DeleteMarkers))
	}
	if got := getBody(&s3.GetObjectInput{Bucket: bucket, Key: state, VersionId: aws.String(ids[1])}); got != `{"version":4,"serial":2}` {
		t.Fatalf("state version 2: %s", got)
	}
	// Roll back to serial 3 by copying its version over the state.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: state, CopySource: aws.String("tf-state/" + *state + "?versionId=" + ids[2])})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cp.CopySourceVersionId) != ids[2] || aws.ToString(cp.VersionId) == "" {
		t.Fatalf("copy: %+v", cp)
	}
	if got := getBody(&s3.GetObjectInput{Bucket: bucket, Key: state}); got != `{"version":4,"serial":3}` {
		t.Fatalf("state after the rollback: %s", got)
	}
	// terraform destroy of the backend's state: a delete marker. Deleting
	// the marker brings the state back.
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: state})
	if err != nil || !aws.ToBool(del.DeleteMarker) {
		t.Fatalf("delete: %+v %v", del, err)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: state}); err == nil {
		t.Fatal("the state is still there under its delete marker")
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: state, VersionId: del.VersionId}); err != nil {
		t.Fatal(err)
	}
	if got := getBody(&s3.GetObjectInput{Bucket: bucket, Key: state}); got != `{"version":4,"serial":3}` {
		t.Fatalf("state after removing the delete marker: %s", got)
	}
	// A versioned bucket keeps everything across a restart.
	srv.stop()
	srv = startServer(t, srv.dataDir)
	c = s3Client(srv.URL)
	lv, err = c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket, Prefix: state, MaxKeys: aws.Int32(3)})
	if err != nil || len(lv.Versions) != 3 || !aws.ToBool(lv.IsTruncated) || !aws.ToBool(lv.Versions[0].IsLatest) {
		t.Fatalf("versions after a restart: %+v %v", lv, err)
	}
}

// TestBoto3S3Versions runs testdata/boto3_versions.py: versioning, the
// versions and delete markers boto3 lists and pages, reads by version id,
// and a delete marker's removal.
func TestBoto3S3Versions(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with boto3 is required for end-to-end tests: ", err)
	}
	srv := startServer(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/boto3_versions.py")
	cmd.Env = append(os.Environ(), "GATEHOUSE_URL="+srv.URL, "AWS_ACCESS_KEY_ID="+rootKeyID, "AWS_SECRET_ACCESS_KEY="+rootSecret,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("boto3 script: %v", err)
	}
	for _, want := range []string{"OK versioning", "OK versions", "OK paginator", "OK delete marker", "OK cleanup"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("missing %q in output", want)
		}
	}
}
