package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/blob/s3blob/s3blobtest"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// marker fills the plaintext of the objects stored through the server, so
// that any of it reaching the upstream shows.
const marker = "PLAINTEXT-MARKER-0123456789-"

func plaintext(n int) []byte {
	return bytes.Repeat([]byte(marker), n/len(marker)+1)[:n]
}

// upstreamObjects returns every object the upstream holds under prefix,
// read directly from it.
func upstreamObjects(t *testing.T, m *s3blobtest.Moto, bucket, prefix string) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	out := map[string][]byte{}
	list, err := m.Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range list.Contents {
		got, err := m.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(got.Body)
		got.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[aws.ToString(o.Key)] = b
	}
	return out
}

// TestObjectBytesInS3CompatibleStore runs a server whose object bytes are
// in moto_server and checks PUT, GET, ranges, multipart and DELETE through
// it, with SSE-S3 on (the default): the upstream holds only ciphertext.
func TestObjectBytesInS3CompatibleStore(t *testing.T) {
	m := s3blobtest.Start(t)
	upstream := m.Bucket(t)
	// Every object in a blob (none inline), so that all of them go upstream.
	e := testenv.New(t, func(c *config.Config) { c.Blob, c.S3InlineMax = m.URL(upstream, "nodes/blobs"), 0 })
	if !e.Cfg.S3EncryptObjects {
		t.Fatal("SSE-S3 by default is off")
	}
	ctx := context.Background()
	c := e.S3
	bucket := aws.String("data")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}

	// A single PUT, read whole and in a range.
	small := plaintext(3<<20 + 7)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("small"), Body: bytes.NewReader(small)})
	if err != nil {
		t.Fatal(err)
	}
	if put.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("PUT encryption: %q", put.ServerSideEncryption)
	}
	get := func(key, rng string) []byte {
		t.Helper()
		in := &s3.GetObjectInput{Bucket: bucket, Key: aws.String(key)}
		if rng != "" {
			in.Range = aws.String(rng)
		}
		out, err := c.GetObject(ctx, in)
		if err != nil {
			t.Fatalf("GET %s %s: %v", key, rng, err)
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		if err != nil {
			t.Fatalf("GET %s %s: %v", key, rng, err)
		}
		return b
	}
	if got := get("small", ""); !bytes.Equal(got, small) {
		t.Fatalf("GET small: %d different bytes", len(got))
	}
	if got := get("small", "bytes=1000000-1100099"); !bytes.Equal(got, small[1000000:1100100]) {
		t.Fatalf("ranged GET: %d different bytes", len(got))
	}

	// A multipart upload of three parts, read whole and across a part
	// boundary.
	parts := [][]byte{plaintext(5 << 20), plaintext(5<<20 + 3), plaintext(1<<20 + 11)}
	created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	var done []types.CompletedPart
	for i, p := range parts {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: aws.String("big"), UploadId: created.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		done = append(done, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: aws.String("big"),
		UploadId: created.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatal(err)
	}
	whole := bytes.Join(parts, nil)
	if got := get("big", ""); !bytes.Equal(got, whole) {
		t.Fatalf("GET big: %d different bytes", len(got))
	}
	lo := 5<<20 - 100
	if got := get("big", fmt.Sprintf("bytes=%d-%d", lo, lo+299)); !bytes.Equal(got, whole[lo:lo+300]) {
		t.Fatal("ranged GET across parts: different bytes")
	}

	// The upstream holds one object per blob (the PUT's and the parts'),
	// under the prefix, and none of them holds plaintext.
	held := upstreamObjects(t, m, upstream, "nodes/blobs/")
	if len(held) != 4 {
		t.Fatalf("the upstream holds %d objects, want 4 (1 PUT + 3 parts)", len(held))
	}
	for k, b := range held {
		if bytes.Contains(b, []byte(marker)) {
			t.Fatalf("upstream object %s holds plaintext", k)
		}
	}
	if all := upstreamObjects(t, m, upstream, ""); len(all) != 4 {
		t.Fatalf("the upstream holds %d objects in all, want the 4 under the prefix", len(all))
	}

	// DELETE frees the blobs upstream.
	for _, k := range []string{"small", "big"} {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if held := upstreamObjects(t, m, upstream, ""); len(held) != 0 {
		t.Fatalf("the upstream holds %d objects after the deletes", len(held))
	}
	ups, err := m.Client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &upstream})
	if err != nil || len(ups.Uploads) != 0 {
		t.Fatalf("upstream multipart uploads left: %v", err)
	}

	// The upstream goes away: reads and writes are answered 503 SlowDown.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("late"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	m.Stop()
	once := e.S3Client(e.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	_, err = once.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("late")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "SlowDown" {
		t.Fatalf("GET with the upstream gone: %v, want 503 SlowDown", err)
	}
	_, err = once.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("later"), Body: strings.NewReader("x")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "SlowDown" {
		t.Fatalf("PUT with the upstream gone: %v, want 503 SlowDown", err)
	}
}

// TestUpstreamSlowDownIs503 runs a server over an upstream that answers
// the bucket check and then only 503 SlowDown: a PUT is answered 503
// SlowDown, which clients retry.
func TestUpstreamSlowDownIs503(t *testing.T) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Method == http.MethodHead && strings.Trim(r.URL.Path, "/") == "upstream" {
			return // HeadBucket: the bucket is there
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
	}))
	t.Cleanup(fake.Close)
	creds := filepath.Join(t.TempDir(), "credentials")
	os.WriteFile(creds, []byte("[default]\naws_access_key_id = AKIAFAKEFAKEFAKE0000\naws_secret_access_key = fakefakefake\n"), 0o600)
	blobURL := "s3://upstream/p?endpoint=" + url.QueryEscape(fake.URL) + "&credentials-file=" + url.QueryEscape(creds)
	e := testenv.New(t, func(c *config.Config) { c.Blob, c.S3InlineMax = blobURL, 0 })
	c := e.S3Client(e.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("hello")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "SlowDown" {
		t.Fatalf("PUT over a throttling upstream: %v, want 503 SlowDown", err)
	}
	if strings.Contains(e.Logs(), "fakefakefake") {
		t.Fatal("the upstream secret reached the log")
	}
	if !strings.Contains(e.Logs(), `blob="s3://upstream/p/ at `+fake.URL+`"`) {
		t.Fatal("the start-up log line does not name the upstream")
	}
}
