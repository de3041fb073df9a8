package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

var ctx = context.Background()

// apiCode returns the AWS error code of err ("" if none).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := apiCode(err); got != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func mkBucket(t *testing.T, c *s3.Client, name string) {
	t.Helper()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

func put(t *testing.T, c *s3.Client, bucket, key, body string) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
	return out
}

func get(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestBuckets(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "alpha")
	mkBucket(t, c, "beta.example")
	// Re-creating one's own bucket: 200 in us-east-1 (S3's legacy
	// behaviour there), BucketAlreadyOwnedByYou in any other region.
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha")})
	if err != nil {
		t.Fatalf("re-creating an owned us-east-1 bucket: %v", err)
	}
	eu := env.S3Client(env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), func(o *s3.Options) { o.Region = "eu-west-1" })
	euBucket := &s3.CreateBucketInput{Bucket: aws.String("eu-bucket"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}
	if _, err := eu.CreateBucket(ctx, euBucket); err != nil {
		t.Fatal(err)
	}
	_, err = eu.CreateBucket(ctx, euBucket)
	wantStatusCode(t, err, 409, "BucketAlreadyOwnedByYou")
	must[*s3.DeleteBucketOutput](t)(eu.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("eu-bucket")}))
	for _, bad := range []string{"ab", "Upper", "a..b", "-lead", "192.168.1.1", "xn--punycode", strings.Repeat("a", 64), "under_score"} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bad)})
		wantCode(t, err, "InvalidBucketName")
	}
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gamma"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	wantCode(t, err, "IllegalLocationConstraintException")

	// Another account sees the name as taken and lists only its own buckets.
	_, other := env.CreateAccount("other")
	oc := env.S3Client(other)
	_, err = oc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "BucketAlreadyExists")
	mkBucket(t, oc, "other-bucket")
	list := must[*s3.ListBucketsOutput](t)(c.ListBuckets(ctx, &s3.ListBucketsInput{}))
	var names []string
	for _, b := range list.Buckets {
		names = append(names, *b.Name)
	}
	if strings.Join(names, ",") != "alpha,beta.example" {
		t.Fatalf("ListBuckets = %v", names)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("missing")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("HeadBucket missing: %v", err)
	}
	// Another account's bucket: HEAD is denied (no policy grants it).
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("other-bucket")}); err == nil {
		t.Fatal("HeadBucket of another account's bucket succeeded")
	}
	loc := must[*s3.GetBucketLocationOutput](t)(c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("alpha")}))
	if loc.LocationConstraint != "" {
		t.Fatalf("location = %q", loc.LocationConstraint)
	}
	put(t, c, "alpha", "k", "v")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "BucketNotEmpty")
	must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k")}))
	must[*s3.DeleteBucketOutput](t)(c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")}))
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "NoSuchBucket")
}

func TestObjectRoundTrip(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "data")
	body := "hello, gatehouse"
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/ünï code+x=y.txt"),
		Body: strings.NewReader(body), ContentType: aws.String("text/plain"), CacheControl: aws.String("max-age=60"),
		ContentDisposition: aws.String(`attachment; filename="a.txt"`), Metadata: map[string]string{"Color": "blue"},
		Tagging: aws.String("team=core&tier=1")})
	if err != nil {
		t.Fatal(err)
	}
	if want := `"` + md5hex(body) + `"`; aws.ToString(out.ETag) != want {
		t.Fatalf("ETag = %s, want %s", aws.ToString(out.ETag), want)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/ünï code+x=y.txt")})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(data) != body || aws.ToString(got.ContentType) != "text/plain" || aws.ToString(got.CacheControl) != "max-age=60" ||
		got.Metadata["color"] != "blue" || aws.ToInt32(got.TagCount) != 2 || aws.ToString(got.ContentDisposition) != `attachment; filename="a.txt"` {
		t.Fatalf("GET = %q %+v", data, got)
	}
	if time.Since(aws.ToTime(got.LastModified)) > time.Minute {
		t.Fatalf("LastModified = %v", got.LastModified)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("nope")})
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Fatalf("missing key: %v", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("bad"), Body: bytes.NewReader([]byte("abc")),
		ContentMD5: aws.String("1B2M2Y8AsgTpgAmY7PhCfg==")})
	wantCode(t, err, "BadDigest")
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("bad")}); err == nil {
		t.Fatal("object with a bad digest was stored")
	}
}

// TestOverwriteWhileReading overwrites an object while others read it:
// every read returns one whole version, never an error or a mix.
func TestOverwriteWhileReading(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "race")
	versions := []string{strings.Repeat("A", 64<<10), strings.Repeat("B", 64<<10)}
	put(t, c, "race", "k", versions[0])
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 150; i++ {
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String("k"), Body: strings.NewReader(versions[i%2])}); err != nil {
				t.Errorf("put: %v", err)
				return
			}
		}
	}()
	reads := 0
	for reading := true; reading; reads++ {
		select {
		case <-done:
			reading = false
		default:
		}
		if got := get(t, c, "race", "k"); got != versions[0] && got != versions[1] {
			t.Fatalf("read %d returned %d bytes of neither version", reads, len(got))
		}
	}
	t.Logf("%d reads during 150 overwrites", reads)
}

// TestOverwriteDuringMultipartRead replaces a multipart object while a GET
// of it is half-way through: the read still returns the old bytes whole
// (their deletion waits for the reader), and the new version is served next.
func TestOverwriteDuringMultipartRead(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "mpread")
	up := must[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpread"), Key: aws.String("k")}))
	var parts []types.CompletedPart
	var old []byte
	for i := int32(1); i <= 3; i++ {
		p := bytes.Repeat([]byte{byte('0' + i)}, 5<<20)
		old = append(old, p...)
		out := must[*s3.UploadPartOutput](t)(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpread"), Key: aws.String("k"), UploadId: up.UploadId, PartNumber: aws.Int32(i), Body: bytes.NewReader(p)}))
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(i), ETag: out.ETag})
	}
	must[*s3.CompleteMultipartUploadOutput](t)(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpread"), Key: aws.String("k"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}))
	out := must[*s3.GetObjectOutput](t)(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpread"), Key: aws.String("k")}))
	first := make([]byte, 1<<20)
	if _, err := io.ReadFull(out.Body, first); err != nil {
		t.Fatal(err)
	}
	put(t, c, "mpread", "k", "new version")
	rest, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || !bytes.Equal(append(first, rest...), old) {
		t.Fatalf("read across the overwrite: %d+%d bytes, error %v", len(first), len(rest), err)
	}
	if got := get(t, c, "mpread", "k"); got != "new version" {
		t.Fatalf("after the overwrite: %q", got)
	}
}

// TestCompositeChecksumNeedsPartChecksums: an upload created with a
// checksum algorithm (composite) completes only when the request lists each
// part's checksum, as S3 requires.
func TestCompositeChecksumNeedsPartChecksums(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "checksums")
	up := must[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("checksums"), Key: aws.String("k"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
	part := must[*s3.UploadPartOutput](t)(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("checksums"), Key: aws.String("k"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("only part"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
	complete := func(p types.CompletedPart) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("checksums"), Key: aws.String("k"), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p}}})
		return err
	}
	err := complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: part.ETag})
	wantCode(t, err, "InvalidRequest")
	if err := complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32}); err != nil {
		t.Fatal(err)
	}
}
