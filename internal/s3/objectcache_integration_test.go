package s3_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// getTwice reads an object twice (so that the bucket and object caches
// hold what it read, and a third read would be served from them) and
// returns the second read's body or error code.
func getTwice(t *testing.T, c *s3.Client, bucket, key string) (body, code string) {
	t.Helper()
	for range 2 {
		body, code = "", ""
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			code = apiCode(err)
			continue
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	return body, code
}

// TestObjectCacheSeesEveryWrite attacks the object cache of the embedded
// store: after each write that changes what a GET returns or whether it is
// allowed (an overwrite, a tag a bucket policy's condition reads, a
// delete), the very next GET sees it, though the record was cached just
// before. A write by another process on the same database is seen once a
// second of the server's clock has passed.
func TestObjectCacheSeesEveryWrite(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "cached")
	otherID, otherRoot := env.CreateAccount("other")
	other := env.S3Client(otherRoot)
	putTagged := func(body, tags string) {
		t.Helper()
		if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cached"), Key: aws.String("k"),
			Body: strings.NewReader(body), Tagging: aws.String(tags)}); err != nil {
			t.Fatal(err)
		}
	}
	putTagged("one", "public=yes")
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},
		"Action":"s3:GetObject","Resource":"arn:aws:s3:::cached/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/public":"yes"}}}]}`, otherID)
	if _, err := env.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("cached"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if body, code := getTwice(t, other, "cached", "k"); body != "one" {
		t.Fatalf("the other account reads %q %s, want one", body, code)
	}
	setTag := func(v string) {
		t.Helper()
		if _, err := env.S3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("cached"), Key: aws.String("k"),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("public"), Value: aws.String(v)}}}}); err != nil {
			t.Fatal(err)
		}
	}
	// The tag the grant depends on changes: the next read is denied.
	setTag("no")
	if body, code := getTwice(t, other, "cached", "k"); code != "AccessDenied" {
		t.Fatalf("after the tag changed the other account reads %q %s, want AccessDenied", body, code)
	}
	setTag("yes")
	if body, code := getTwice(t, other, "cached", "k"); body != "one" {
		t.Fatalf("after the tag came back the other account reads %q %s", body, code)
	}
	// An overwrite.
	putTagged("two", "public=yes")
	if body, code := getTwice(t, other, "cached", "k"); body != "two" {
		t.Fatalf("after an overwrite the other account reads %q %s, want two", body, code)
	}
	// A delete.
	if _, err := env.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("cached"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if body, code := getTwice(t, env.S3, "cached", "k"); code != "NoSuchKey" {
		t.Fatalf("after a delete the owner reads %q %s, want NoSuchKey", body, code)
	}
	// Another process (gatehouse lifecycle run, say) removes the object.
	putTagged("three", "public=yes")
	if body, code := getTwice(t, env.S3, "cached", "k"); body != "three" {
		t.Fatalf("owner reads %q %s, want three", body, code)
	}
	foreign, err := sqlite.Open(filepath.Join(env.DataDir, server.StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	defer foreign.Close()
	if err := foreign.Update(context.Background(), func(tx store.Tx) error {
		o, err := tx.GetObject(ctx, "cached", "k")
		if err != nil {
			return err
		}
		_, err = tx.DeleteVersion(ctx, "cached", "k", o.VersionID, store.Removal{Now: time.Now()})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	env.Advance(2 * time.Second)
	if body, code := getTwice(t, env.S3, "cached", "k"); code != "NoSuchKey" {
		t.Fatalf("a second after another process deleted it the owner reads %q %s, want NoSuchKey", body, code)
	}
}

// TestObjectCacheWritePaths: every kind of write onto a key whose record
// (or absence) is cached decides the next GET or HEAD — a PUT over a
// cached 404, CopyObject, multipart completion, DeleteObjects, an
// overwrite seen by HEAD, a version deleted by id, a legal hold.
func TestObjectCacheWritePaths(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	b := aws.String("paths")
	mkBucket(t, c, "paths")
	if body, code := getTwice(t, c, "paths", "a"); code != "NoSuchKey" {
		t.Fatalf("missing key: %q %s", body, code)
	}
	put(t, c, "paths", "a", "a")
	if body, _ := getTwice(t, c, "paths", "a"); body != "a" {
		t.Fatalf("PUT over a cached 404: %q", body)
	}
	put(t, c, "paths", "src", "copied")
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("a"), CopySource: aws.String("paths/src")}); err != nil {
		t.Fatal(err)
	}
	if body, _ := getTwice(t, c, "paths", "a"); body != "copied" {
		t.Fatalf("after CopyObject: %q", body)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("a")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("a"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("multipart")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("a"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	if body, _ := getTwice(t, c, "paths", "a"); body != "multipart" {
		t.Fatalf("after CompleteMultipartUpload: %q", body)
	}
	if _, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("a")}}}}); err != nil {
		t.Fatal(err)
	}
	if body, code := getTwice(t, c, "paths", "a"); code != "NoSuchKey" {
		t.Fatalf("after DeleteObjects: %q %s", body, code)
	}

	// HEAD sees an overwrite's headers.
	head := func(bucket, key string) *s3.HeadObjectOutput {
		t.Helper()
		var out *s3.HeadObjectOutput
		for range 2 {
			var err error
			if out, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	for _, ct := range []string{"text/one", "text/two"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("h"), Body: strings.NewReader("h"), ContentType: aws.String(ct)}); err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(head("paths", "h").ContentType); got != ct {
			t.Fatalf("HEAD after an overwrite: Content-Type %q, want %q", got, ct)
		}
	}

	// A version read by id, then deleted by id.
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	v := put(t, c, "paths", "v", "version one").VersionId
	put(t, c, "paths", "v", "version two")
	getVersion := func() (body, code string) {
		for range 2 {
			body, code = "", ""
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("v"), VersionId: v})
			if err != nil {
				code = apiCode(err)
				continue
			}
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			body = string(got)
		}
		return body, code
	}
	if body, code := getVersion(); body != "version one" {
		t.Fatalf("GET by version id: %q %s", body, code)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("v"), VersionId: v}); err != nil {
		t.Fatal(err)
	}
	if body, code := getVersion(); code != "NoSuchVersion" {
		t.Fatalf("GET of a version deleted by id: %q %s", body, code)
	}

	// A legal hold shows at once.
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("held"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "held", "l", "l")
	if got := head("held", "l").ObjectLockLegalHoldStatus; got == types.ObjectLockLegalHoldStatusOn {
		t.Fatal("legal hold on before it was set")
	}
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("held"), Key: aws.String("l"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}}); err != nil {
		t.Fatal(err)
	}
	if got := head("held", "l").ObjectLockLegalHoldStatus; got != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("HEAD after PutObjectLegalHold: legal hold %q", got)
	}
}
