package s3_test

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// blobFiles counts the blob files under a data dir.
func blobFiles(t *testing.T, dataDir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(dataDir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && len(d.Name()) == 32 {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestInlineSmallObjects: objects up to s3-inline-max live in their
// records — no blob file — and read, range, copy, overwrite and delete as
// any other, encrypted or not; a larger one, and every object with
// s3-inline-max 0, gets a blob file.
func TestInlineSmallObjects(t *testing.T) {
	env := testenv.New(t, func(c *config.Config) { c.S3InlineMax = 4096 })
	mkBucket(t, env.S3, "small")
	body := strings.Repeat("0123456789abcdef", 256) // 4096 bytes: the limit
	sum := md5.Sum([]byte(body))
	out := put(t, env.S3, "small", "plain", body)
	if got := aws.ToString(out.ETag); got != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Errorf("ETag %s, want the body's MD5", got)
	}
	if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("small"), Key: aws.String("kms"), Body: strings.NewReader(body),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms}); err != nil {
		t.Fatal(err)
	}
	if n := blobFiles(t, env.DataDir); n != 0 {
		t.Fatalf("%d blob files for objects within s3-inline-max", n)
	}
	for _, k := range []string{"plain", "kms"} {
		if got := get(t, env.S3, "small", k); got != body {
			t.Fatalf("%s read back %d bytes", k, len(got))
		}
		r, err := env.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("small"), Key: aws.String(k), Range: aws.String("bytes=4000-4100")})
		if err != nil {
			t.Fatal(err)
		}
		part, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if string(part) != body[4000:] || aws.ToString(r.ContentRange) != "bytes 4000-4095/4096" {
			t.Fatalf("%s range: %q %s", k, part, aws.ToString(r.ContentRange))
		}
	}
	// A copy (re-encrypted under its own key) and an overwrite stay inline.
	if _, err := env.S3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("small"), Key: aws.String("copy"), CopySource: aws.String("small/kms")}); err != nil {
		t.Fatal(err)
	}
	put(t, env.S3, "small", "plain", "short now")
	if got := get(t, env.S3, "small", "copy"); got != body {
		t.Fatalf("copy read back %d bytes", len(got))
	}
	if got := get(t, env.S3, "small", "plain"); got != "short now" {
		t.Fatalf("overwrite read back %q", got)
	}
	// One byte past the limit: a blob.
	put(t, env.S3, "small", "big", body+"!")
	if n := blobFiles(t, env.DataDir); n != 1 {
		t.Fatalf("%d blob files, want 1 (the object past s3-inline-max)", n)
	}
	if got := get(t, env.S3, "small", "big"); got != body+"!" {
		t.Fatalf("big read back %d bytes", len(got))
	}
	for _, k := range []string{"plain", "kms", "copy", "big"} {
		if _, err := env.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("small"), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := blobFiles(t, env.DataDir); n != 0 {
		t.Fatalf("%d blob files after every object was deleted", n)
	}

	// With s3-inline-max 0 even a one-byte object is a blob.
	off := testenv.New(t, func(c *config.Config) { c.S3InlineMax = 0 })
	mkBucket(t, off.S3, "blobs-only")
	put(t, off.S3, "blobs-only", "k", "x")
	if n := blobFiles(t, off.DataDir); n != 1 {
		t.Fatalf("s3-inline-max 0: %d blob files, want 1", n)
	}
}
