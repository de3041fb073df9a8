package e2e

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestS3WriteOnceBackupBucket drives the binary as a backup tool (restic
// or Veeam style) drives a write-once bucket with aws-sdk-go-v2: Object
// Lock at creation with a COMPLIANCE default retention, pack files written
// with checksums, and then what ransomware holding the root's keys would
// try — deleting versions (with the governance bypass too), DeleteObjects,
// shortening or weakening retention, suspending versioning — all refused;
// a DELETE only hides a pack behind a delete marker, and the version stays
// readable; extending the retention works.
func TestS3WriteOnceBackupBucket(t *testing.T) {
	srv := startServer(t, t.TempDir())
	c := s3Client(srv.URL)
	ctx := context.Background()
	bucket := aws.String("restic-repo")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket, ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: bucket,
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeCompliance, Days: aws.Int32(30)}}}}); err != nil {
		t.Fatal(err)
	}
	versions := map[string]string{}
	for i := range 3 {
		key := fmt.Sprintf("data/%02x/pack-%d", i, i)
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: strings.NewReader(strings.Repeat("p", 1000+i)),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatal(err)
		}
		versions[key] = aws.ToString(out.VersionId)
	}
	bypass := func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("x-amz-bypass-governance-retention", "true"))
	}
	denied := func(what string, err error) {
		t.Helper()
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || ae.ErrorMessage() != "Access Denied because object protected by object lock." {
			t.Fatalf("%s: %v", what, err)
		}
	}
	key, id := "data/00/pack-0", versions["data/00/pack-0"]
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	until := aws.ToTime(head.ObjectLockRetainUntilDate)
	if head.ObjectLockMode != types.ObjectLockModeCompliance || until.Before(time.Now().Add(29*24*time.Hour)) {
		t.Fatalf("a pack's lock: %q until %v", head.ObjectLockMode, until)
	}
	for _, opts := range [][]func(*s3.Options){nil, {bypass}} {
		_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String(key), VersionId: aws.String(id)}, opts...)
		denied("deleting a pack's version", err)
		_, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: bucket, Key: aws.String(key), VersionId: aws.String(id),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(time.Now().Add(time.Hour))}}, opts...)
		denied("shortening a pack's retention", err)
		_, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: bucket, Key: aws.String(key), VersionId: aws.String(id),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(until.Add(time.Hour))}}, opts...)
		denied("weakening a pack's retention", err)
	}
	var objs []types.ObjectIdentifier
	for k, v := range versions {
		objs = append(objs, types.ObjectIdentifier{Key: aws.String(k), VersionId: aws.String(v)})
	}
	dout, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: objs}}, bypass)
	if err != nil || len(dout.Deleted) != 0 || len(dout.Errors) != len(objs) {
		t.Fatalf("DeleteObjects of every version: %+v %v", dout, err)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidBucketState" {
		t.Fatalf("suspending versioning: %v", err)
	}
	// A plain DELETE hides the pack; its version stays readable.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(key), VersionId: aws.String(id)}); err != nil {
		t.Fatalf("the locked version behind a delete marker: %v", err)
	}
	// Extending: what a backup tool does to keep a snapshot longer.
	later := until.Add(7 * 24 * time.Hour).Truncate(time.Second)
	if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: bucket, Key: aws.String(key), VersionId: aws.String(id),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(later)}}); err != nil {
		t.Fatalf("extending: %v", err)
	}
	ret, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: bucket, Key: aws.String(key), VersionId: aws.String(id)})
	if err != nil || !aws.ToTime(ret.Retention.RetainUntilDate).Equal(later) {
		t.Fatalf("retention after extending: %+v %v", ret, err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: bucket}); err == nil {
		t.Fatal("a lock bucket with versions was deleted")
	}
}

// TestBoto3S3ObjectLock: boto3 drives Object Lock against the binary — a
// bucket created with it, a default retention, retention headers and a
// presigned POST form's lock fields, legal holds, refused deletions, the
// governance bypass, and COMPLIANCE retention that cannot be shortened.
func TestBoto3S3ObjectLock(t *testing.T) {
	runBoto3Script(t, startServer(t, t.TempDir()).URL, "testdata/boto3_objectlock.py",
		"OK bucket", "OK default retention", "OK retention headers", "OK form fields", "OK legal hold",
		"OK governance bypass", "OK compliance")
}
