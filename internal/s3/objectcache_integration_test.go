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

// getTwice reads an object twice (the second read is served from the
// object cache when the first filled it) and returns the second body, or
// the error code of either read.
func getTwice(t *testing.T, c *s3.Client, bucket, key string) (string, string) {
	t.Helper()
	var body string
	for range 2 {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return "", apiCode(err)
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	return body, ""
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
