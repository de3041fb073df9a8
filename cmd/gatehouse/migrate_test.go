package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse/gatehouse/internal/blob/s3blob/s3blobtest"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// pg is this test binary's throwaway PostgreSQL cluster.
var pg pgtest.Shared

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

// TestMigrateCommand: `gatehouse migrate` takes the target from --store and
// --blob, copies a stopped server's data directory and reports it; the
// upstream then holds the object's blob.
func TestMigrateCommand(t *testing.T) {
	ctx := context.Background()
	moto := s3blobtest.Start(t)
	bucket := moto.Bucket(t)
	src := testenv.New(t)
	if _, err := src.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader(strings.Repeat("hello", 4000))}); err != nil { // past s3-inline-max: a blob
		t.Fatal(err)
	}
	src.Close()
	env := func(string) (string, bool) { return "", false }
	var out, errOut bytes.Buffer
	args := []string{"migrate", "--data-dir", src.DataDir, "--store", pg.DSN(t), "--blob", moto.URL(bucket, "c")}
	if code := run(ctx, args, &out, &errOut, env); code != 0 {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "Migrated 22 tables") || !strings.Contains(out.String(), "and 1 blobs") || !strings.Contains(out.String(), "1 copied now") {
		t.Fatalf("output:\n%s", out.String())
	}
	list, err := moto.Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	if err != nil || len(list.Contents) != 1 || !strings.HasPrefix(aws.ToString(list.Contents[0].Key), "c/") {
		t.Fatalf("upstream: %+v, %v", list, err)
	}
}
