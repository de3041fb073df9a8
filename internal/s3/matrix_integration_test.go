package s3_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestOperationsUnderCredentials runs every S3 operation, and its main
// errors, once with an IAM user's long-term key and once with temporary
// credentials from AssumeRole narrowed by a session policy to the bucket:
// both must behave the same, with the SDK's default checksum and
// payload-signing behaviour.
func TestOperationsUnderCredentials(t *testing.T) {
	env := testenv.New(t)
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sts:AssumeRole"],"Resource":"*"}]}`
	must[*iam.CreateUserOutput](t)(env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("worker")}))
	must[*iam.PutUserPolicyOutput](t)(env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("worker"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allow)}))
	key := must[*iam.CreateAccessKeyOutput](t)(env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("worker")}))
	userCreds := env.Credentials(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, "")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testenv.AccountID + `:user/worker"},"Action":"sts:AssumeRole"}]}`
	must[*iam.CreateRoleOutput](t)(env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("s3-all"), AssumeRolePolicyDocument: aws.String(trust)}))
	must[*iam.PutRolePolicyOutput](t)(env.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("s3-all"), PolicyName: aws.String("all"), PolicyDocument: aws.String(allow)}))

	for _, bucket := range []string{"long-term", "temporary"} {
		mkBucket(t, env.S3, bucket)
	}
	session := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::temporary","arn:aws:s3:::temporary/*"]}]}`
	ar := must[*sts.AssumeRoleOutput](t)(env.STSClient(userCreds).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + testenv.AccountID + ":role/s3-all"), RoleSessionName: aws.String("matrix"), Policy: aws.String(session)}))
	tempCreds := env.Credentials(*ar.Credentials.AccessKeyId, *ar.Credentials.SecretAccessKey, *ar.Credentials.SessionToken)

	for _, tc := range []struct {
		name, bucket string
		creds        aws.CredentialsProvider
	}{{"LongTermKey", "long-term", userCreds}, {"TemporaryWithSessionPolicy", "temporary", tempCreds}} {
		t.Run(tc.name, func(t *testing.T) { exerciseOperations(t, env, env.S3Client(tc.creds), tc.bucket) })
	}
	// The session policy narrows: the temporary credentials reach no other bucket.
	_, err := env.S3Client(tempCreds).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("long-term")})
	wantCode(t, err, "AccessDenied")
}

func exerciseOperations(t *testing.T, env *testenv.Env, c *s3.Client, b string) {
	bk := aws.String(b)
	// Objects.
	put(t, c, b, "docs/a.txt", "alpha")
	put(t, c, b, "docs/b.txt", "bravo")
	if got := get(t, c, b, "docs/a.txt"); got != "alpha" {
		t.Fatalf("get = %q", got)
	}
	rng := must[*s3.GetObjectOutput](t)(c.GetObject(ctx, &s3.GetObjectInput{Bucket: bk, Key: aws.String("docs/a.txt"), Range: aws.String("bytes=1-3")}))
	if data, _ := io.ReadAll(rng.Body); string(data) != "lph" || aws.ToString(rng.ContentRange) != "bytes 1-3/5" {
		t.Fatalf("range = %q %s", data, aws.ToString(rng.ContentRange))
	}
	rng.Body.Close()
	head := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bk, Key: aws.String("docs/a.txt")}))
	if aws.ToInt64(head.ContentLength) != 5 || aws.ToString(head.ETag) != `"`+md5hex("alpha")+`"` {
		t.Fatalf("head = %+v", head)
	}
	_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bk, Key: aws.String("nope")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("head missing: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: bk, Key: aws.String("nope")})
	wantCode(t, err, "NoSuchKey")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("no-such-bucket-here"), Key: aws.String("k")})
	wantCode(t, err, "NoSuchBucket")
	must[*s3.CopyObjectOutput](t)(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bk, Key: aws.String("docs/c.txt"), CopySource: aws.String(b + "/docs/a.txt")}))
	if got := get(t, c, b, "docs/c.txt"); got != "alpha" {
		t.Fatalf("copy = %q", got)
	}
	must[*s3.PutObjectTaggingOutput](t)(c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: bk, Key: aws.String("docs/a.txt"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}))
	tags := must[*s3.GetObjectTaggingOutput](t)(c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bk, Key: aws.String("docs/a.txt")}))
	if len(tags.TagSet) != 1 || *tags.TagSet[0].Value != "v" {
		t.Fatalf("tags = %+v", tags.TagSet)
	}
	must[*s3.DeleteObjectTaggingOutput](t)(c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: bk, Key: aws.String("docs/a.txt")}))

	// Listing.
	l2 := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bk, Prefix: aws.String("docs/"), MaxKeys: aws.Int32(2)}))
	if len(l2.Contents) != 2 || !aws.ToBool(l2.IsTruncated) || l2.NextContinuationToken == nil {
		t.Fatalf("list v2 page 1: %+v", l2)
	}
	l2 = must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bk, Prefix: aws.String("docs/"), ContinuationToken: l2.NextContinuationToken}))
	if len(l2.Contents) != 1 || *l2.Contents[0].Key != "docs/c.txt" || aws.ToBool(l2.IsTruncated) {
		t.Fatalf("list v2 page 2: %+v", l2)
	}
	l1 := must[*s3.ListObjectsOutput](t)(c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: bk, Delimiter: aws.String("/")}))
	if len(l1.CommonPrefixes) != 1 || *l1.CommonPrefixes[0].Prefix != "docs/" {
		t.Fatalf("list v1: %+v", l1)
	}

	// Multipart: two parts with the SDK's default checksums, a copied part,
	// and the errors.
	up := must[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bk, Key: aws.String("big.bin")}))
	p1 := bytes.Repeat([]byte("1"), 5<<20)
	o1 := must[*s3.UploadPartOutput](t)(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bk, Key: aws.String("big.bin"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(p1)}))
	o2 := must[*s3.UploadPartCopyOutput](t)(c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: bk, Key: aws.String("big.bin"), UploadId: up.UploadId,
		PartNumber: aws.Int32(2), CopySource: aws.String(b + "/docs/b.txt"), CopySourceRange: aws.String("bytes=0-2")}))
	parts := must[*s3.ListPartsOutput](t)(c.ListParts(ctx, &s3.ListPartsInput{Bucket: bk, Key: aws.String("big.bin"), UploadId: up.UploadId}))
	if len(parts.Parts) != 2 {
		t.Fatalf("list parts: %+v", parts.Parts)
	}
	ups := must[*s3.ListMultipartUploadsOutput](t)(c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bk}))
	if len(ups.Uploads) != 1 || *ups.Uploads[0].UploadId != *up.UploadId {
		t.Fatalf("list uploads: %+v", ups.Uploads)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bk, Key: aws.String("big.bin"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"00000000000000000000000000000000"`)}}}})
	wantCode(t, err, "InvalidPart")
	done := must[*s3.CompleteMultipartUploadOutput](t)(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bk, Key: aws.String("big.bin"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: o1.ETag}, {PartNumber: aws.Int32(2), ETag: o2.CopyPartResult.ETag}}}}))
	if !strings.HasSuffix(aws.ToString(done.ETag), `-2"`) {
		t.Fatalf("complete ETag %s", aws.ToString(done.ETag))
	}
	if got := get(t, c, b, "big.bin"); got != string(p1)+"bra" {
		t.Fatalf("assembled object: %d bytes", len(got))
	}
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: bk, Key: aws.String("big.bin"), UploadId: up.UploadId})
	wantCode(t, err, "NoSuchUpload")
	up2 := must[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bk, Key: aws.String("aborted")}))
	must[*s3.AbortMultipartUploadOutput](t)(c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: bk, Key: aws.String("aborted"), UploadId: up2.UploadId}))
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: bk, Key: aws.String("aborted"), UploadId: up2.UploadId})
	wantCode(t, err, "NoSuchUpload")

	// Bucket subresources.
	must[*s3.GetBucketLocationOutput](t)(c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: bk}))
	must[*s3.PutBucketCorsOutput](t)(c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: bk, CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}}}}))
	must[*s3.GetBucketCorsOutput](t)(c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: bk}))
	must[*s3.DeleteBucketCorsOutput](t)(c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: bk}))
	must[*s3.PutBucketTaggingOutput](t)(c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: bk, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}}))
	bt := must[*s3.GetBucketTaggingOutput](t)(c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bk}))
	if len(bt.TagSet) != 1 {
		t.Fatalf("bucket tags: %+v", bt.TagSet)
	}
	_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bk})
	wantCode(t, err, "NoSuchBucketPolicy")

	// Presigned GET with these credentials.
	pre := must[*v4.PresignedHTTPRequest](t)(s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: bk, Key: aws.String("docs/b.txt")}))
	resp, err := http.Get(pre.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "bravo" {
		t.Fatalf("presigned GET: %d %s", resp.StatusCode, body)
	}

	// Versioning: configure it, write two versions, list them, read and
	// tag the older one, delete it, delete the key (a delete marker) and
	// remove the marker.
	must[*s3.PutBucketVersioningOutput](t)(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bk,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	if v := must[*s3.GetBucketVersioningOutput](t)(c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bk})); v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning: %+v", v)
	}
	old := aws.ToString(put(t, c, b, "versioned", "old").VersionId)
	put(t, c, b, "versioned", "new")
	lv := must[*s3.ListObjectVersionsOutput](t)(c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bk, Prefix: aws.String("versioned")}))
	if len(lv.Versions) != 2 || aws.ToString(lv.Versions[1].VersionId) != old {
		t.Fatalf("versions: %+v", lv.Versions)
	}
	ov := must[*s3.GetObjectOutput](t)(c.GetObject(ctx, &s3.GetObjectInput{Bucket: bk, Key: aws.String("versioned"), VersionId: aws.String(old)}))
	if data, _ := io.ReadAll(ov.Body); string(data) != "old" {
		t.Fatalf("old version: %q", data)
	}
	ov.Body.Close()
	must[*s3.PutObjectTaggingOutput](t)(c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: bk, Key: aws.String("versioned"), VersionId: aws.String(old),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}))
	must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("versioned"), VersionId: aws.String(old)}))
	dm := must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("versioned")}))
	must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("versioned"), VersionId: dm.VersionId}))
	if got := get(t, c, b, "versioned"); got != "new" {
		t.Fatalf("after removing the delete marker: %q", got)
	}
	lv = must[*s3.ListObjectVersionsOutput](t)(c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bk, Prefix: aws.String("versioned")}))
	must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("versioned"), VersionId: lv.Versions[0].VersionId}))

	// DeleteObjects and DeleteObject remove the objects (versioning is on:
	// each leaves a delete marker).
	del := must[*s3.DeleteObjectsOutput](t)(c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bk, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("docs/a.txt")}, {Key: aws.String("docs/b.txt")}, {Key: aws.String("docs/c.txt")}}}}))
	if len(del.Deleted) != 3 || len(del.Errors) != 0 {
		t.Fatalf("delete objects: %+v", del)
	}
	must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("big.bin")}))
	left := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bk}))
	if len(left.Contents) != 0 {
		t.Fatalf("left: %+v", left.Contents)
	}
	if lv := must[*s3.ListObjectVersionsOutput](t)(c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bk})); len(lv.DeleteMarkers) != 4 {
		t.Fatalf("delete markers: %+v", lv.DeleteMarkers)
	}
}
