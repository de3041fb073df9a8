package e2e

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

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// TestS3LifecycleCrash kills the server (SIGKILL) in the middle of a
// lifecycle pass expiring tens of thousands of old objects while clients
// write, restarts it (the pass resumes from its cursor), and checks the end
// state: every old object expired, and everything acknowledged — new keys,
// and an old key overwritten while the pass ran — still there with its
// bytes.
func TestS3LifecycleCrash(t *testing.T) {
	const n = 30000
	dir := t.TempDir()
	srv := startServer(t, dir, "--s3-lifecycle-interval", "0")
	c := s3Client(srv.URL)
	ctx := context.Background()
	bucket := aws.String("lcrash")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: bucket,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{ID: aws.String("old"),
			Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("old/")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}}}}); err != nil {
		t.Fatal(err)
	}
	acked := map[string]string{}
	putAck := func(c *s3.Client, key, body string) {
		t.Helper()
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
		acked[key] = body
	}
	putAck(c, "keep/x", "kept")
	putAck(c, "old/acked-before", "new, not due")
	srv.stop()

	// Old objects, written ten days ago, through the store API.
	st, err := sqlite.Open(filepath.Join(dir, "gatehouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-10 * 24 * time.Hour).UTC()
	for base := 0; base < n; base += 5000 {
		if err := st.Update(ctx, func(tx store.Tx) error {
			for i := base; i < base+5000; i++ {
				if _, err := tx.PutObject(ctx, &store.Object{Bucket: "lcrash", Key: fmt.Sprintf("old/%06d", i), VersionID: store.NullVersion,
					LastModified: old, Size: 1, ETag: `"0cc175b9c0f1b6a831c399e269772661"`, Owner: accountID,
					Blobs: []store.BlobRef{{Key: fmt.Sprintf("%032x", i), Size: 1}}}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	srv2 := startServer(t, dir, "--s3-lifecycle-interval", "1h") // a pass at start
	c = s3Client(srv2.URL)
	first := func(c *s3.Client) string {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("old/0"), MaxKeys: aws.Int32(1)})
		if err != nil || len(out.Contents) == 0 {
			return ""
		}
		return *out.Contents[0].Key
	}
	putAck(c, fmt.Sprintf("old/%06d", n-1), "overwritten while the pass runs")
	deadline := time.Now().Add(2 * time.Minute)
	for k := first(c); k != "" && k < fmt.Sprintf("old/%06d", n/4); k = first(c) {
		if time.Now().After(deadline) {
			t.Fatalf("the pass did not get a quarter through (at %q)", k)
		}
		time.Sleep(20 * time.Millisecond)
	}
	putAck(c, "old/zz-new", "written during the pass")
	at := first(c)
	if err := srv2.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-srv2.waitErr
	t.Logf("killed with the pass at about %q", at)

	srv3 := startServer(t, dir, "--s3-lifecycle-interval", "1h")
	c = s3Client(srv3.URL)
	for !strings.Contains(srv3.stderr.String(), "lifecycle pass") {
		if time.Now().After(deadline) {
			t.Fatal("the resumed pass did not finish")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, line := range strings.Split(srv3.stderr.String(), "\n") {
		if strings.Contains(line, "lifecycle pass") {
			t.Log(line)
		}
	}
	left := map[string]bool{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: bucket})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			left[*o.Key] = true
		}
	}
	for key, body := range acked {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(key)})
		if err != nil {
			t.Fatalf("acknowledged %s lost: %v", key, err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(b) != body {
			t.Fatalf("%s reads %q, want %q", key, b, body)
		}
		delete(left, key)
	}
	if len(left) != 0 {
		t.Fatalf("%d old objects left after the resumed pass, e.g. %v", len(left), left)
	}
}
