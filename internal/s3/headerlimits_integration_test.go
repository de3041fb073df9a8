package s3_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// An object write's headers are limited to 8 KB, as S3's PUT headers are
// (RequestHeaderSectionTooLarge): a record, and the object cache holding
// it, keeps no more of them than that. Nothing is stored by a refused
// write; the credentials do not count (a session token is not the
// caller's to shorten).
func TestObjectWriteHeadersLimited(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "limits")
	b := aws.String("limits")
	long := strings.Repeat("a", 9000)
	if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("fat"), Body: strings.NewReader("x"),
		ContentType: aws.String(long)}); apiCode(err) != "RequestHeaderSectionTooLarge" {
		t.Fatalf("PUT with a 9,000-byte Content-Type: %v", err)
	}
	if _, err := env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("fat")}); apiCode(err) != "NotFound" {
		t.Fatalf("the refused PUT stored something: %v", err)
	}
	if _, err := env.S3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("fat"),
		CacheControl: aws.String(long)}); apiCode(err) != "RequestHeaderSectionTooLarge" {
		t.Fatalf("CreateMultipartUpload with a 9,000-byte Cache-Control: %v", err)
	}
	put(t, env.S3, "limits", "src", "x")
	if _, err := env.S3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("fat"), CopySource: aws.String("limits/src"),
		MetadataDirective: "REPLACE", ContentDisposition: aws.String(long)}); apiCode(err) != "RequestHeaderSectionTooLarge" {
		t.Fatalf("CopyObject REPLACE with a 9,000-byte Content-Disposition: %v", err)
	}
	// Within the limit: stored and returned whole.
	ct := strings.Repeat("b", 6000)
	if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("ok"), Body: strings.NewReader("x"),
		ContentType: aws.String(ct)}); err != nil {
		t.Fatal(err)
	}
	out, err := env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("ok")})
	if err != nil || aws.ToString(out.ContentType) != ct {
		t.Fatalf("HEAD: %v, Content-Type of %d bytes", err, len(aws.ToString(out.ContentType)))
	}
}
