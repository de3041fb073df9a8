package s3_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestGetObjectAttributes(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "attrs")
	b := aws.String("attrs")
	all := []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesChecksum, types.ObjectAttributesObjectParts,
		types.ObjectAttributesStorageClass, types.ObjectAttributesObjectSize}

	// A simple object with a checksum.
	data := []byte("attributes of a simple object")
	po := must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("simple"), Body: bytes.NewReader(data),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, StorageClass: types.StorageClassStandardIa}))
	a := must[*s3.GetObjectAttributesOutput](t)(c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String("simple"), ObjectAttributes: all}))
	if aws.ToString(a.ETag) != strings.Trim(aws.ToString(po.ETag), `"`) || aws.ToInt64(a.ObjectSize) != int64(len(data)) || a.StorageClass != "STANDARD_IA" ||
		a.Checksum == nil || aws.ToString(a.Checksum.ChecksumSHA256) != checksumFor(t, types.ChecksumAlgorithmSha256, data) ||
		a.Checksum.ChecksumType != types.ChecksumTypeFullObject || a.ObjectParts != nil || a.LastModified == nil {
		t.Fatalf("attributes of a simple object: %+v %+v", a, a.Checksum)
	}
	// Only what was asked for.
	a = must[*s3.GetObjectAttributesOutput](t)(c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String("simple"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}}))
	if a.ETag != nil || a.Checksum != nil || a.StorageClass != "" || aws.ToInt64(a.ObjectSize) != int64(len(data)) {
		t.Fatalf("ObjectSize alone: %+v", a)
	}

	// A multipart object with a composite checksum: its parts, paged.
	p1, p2, p3 := randBytes(41, 5*mib), randBytes(42, 5*mib), randBytes(43, 1000)
	id := createUpload(t, c, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("multi"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	var parts []types.CompletedPart
	for i, p := range [][]byte{p1, p2, p3} {
		out := must[*s3.UploadPartOutput](t)(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("multi"), UploadId: aws.String(id),
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	done := must[*s3.CompleteMultipartUploadOutput](t)(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("multi"),
		UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}))
	a = must[*s3.GetObjectAttributesOutput](t)(c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String("multi"),
		ObjectAttributes: all, MaxParts: aws.Int32(2)}))
	op := a.ObjectParts
	if op == nil || aws.ToInt32(op.TotalPartsCount) != 3 || aws.ToInt32(op.MaxParts) != 2 || !aws.ToBool(op.IsTruncated) ||
		aws.ToString(op.NextPartNumberMarker) != "2" || len(op.Parts) != 2 {
		t.Fatalf("ObjectParts page 1: %+v", op)
	}
	for i, p := range op.Parts {
		if aws.ToInt32(p.PartNumber) != int32(i+1) || aws.ToInt64(p.Size) != 5*mib || aws.ToString(p.ChecksumCRC32) != aws.ToString(parts[i].ChecksumCRC32) {
			t.Fatalf("part %d: %+v", i+1, p)
		}
	}
	if aws.ToString(a.Checksum.ChecksumCRC32) != aws.ToString(done.ChecksumCRC32) || a.Checksum.ChecksumType != types.ChecksumTypeComposite ||
		aws.ToString(a.ETag) != strings.Trim(aws.ToString(done.ETag), `"`) || aws.ToInt64(a.ObjectSize) != int64(len(p1)+len(p2)+len(p3)) {
		t.Fatalf("multipart attributes: %+v %+v", a, a.Checksum)
	}
	a = must[*s3.GetObjectAttributesOutput](t)(c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String("multi"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectParts}, MaxParts: aws.Int32(2), PartNumberMarker: op.NextPartNumberMarker}))
	if op := a.ObjectParts; aws.ToBool(op.IsTruncated) || len(op.Parts) != 1 || aws.ToInt32(op.Parts[0].PartNumber) != 3 || aws.ToInt64(op.Parts[0].Size) != 1000 ||
		aws.ToString(op.PartNumberMarker) != "2" {
		t.Fatalf("ObjectParts page 2: %+v", op)
	}
	// Without checksums S3 counts the parts but lists none.
	id = newUpload(t, c, "attrs", "plain-multi")
	e1 := uploadPart(t, c, "attrs", "plain-multi", id, 1, []byte("one"))
	if _, err := complete(c, "attrs", "plain-multi", id, partList(1, e1)); err != nil {
		t.Fatal(err)
	}
	a = must[*s3.GetObjectAttributesOutput](t)(c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String("plain-multi"), ObjectAttributes: all}))
	if a.ObjectParts == nil || aws.ToInt32(a.ObjectParts.TotalPartsCount) != 1 || len(a.ObjectParts.Parts) != 0 || a.Checksum != nil {
		t.Fatalf("multipart without checksums: %+v", a.ObjectParts)
	}

	// Errors.
	u := objectURL(env, "attrs", "simple") + "?attributes"
	rawDo(t, env, http.MethodGet, u, nil, nil).wantErr(t, 400, s3Err{Code: "InvalidRequest",
		Message: "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty"})
	rawDo(t, env, http.MethodGet, u, nil, map[string]string{"x-amz-object-attributes": "ETag,ETags"}).wantErr(t, 400, s3Err{Code: "InvalidArgument",
		Message: "Invalid attribute name specified.", ArgumentName: "x-amz-object-attributes", ArgumentValue: "ETags"})
	// S3 ignores a max-parts that is no number.
	rawDo(t, env, http.MethodGet, u, nil, map[string]string{"x-amz-object-attributes": "ObjectSize", "x-amz-max-parts": "many"}).want(t, 200, "")
	_, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: aws.String("missing"), ObjectAttributes: all})
	wantStatusCode(t, err, 404, "NoSuchKey")
}

// GetObjectAttributes needs s3:GetObjectAttributes and s3:GetObject.
func TestGetObjectAttributesAuthorization(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "attrs-authz")
	put(t, env.S3, "attrs-authz", "k", "v")
	in := &s3.GetObjectAttributesInput{Bucket: aws.String("attrs-authz"), Key: aws.String("k"), ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag}}
	only := env.S3Client(azUser(t, env, env.IAM, "attr-only", azPolicy(azAllow("s3:GetObjectAttributes", "arn:aws:s3:::attrs-authz/*"))))
	_, err := only.GetObjectAttributes(ctx, in)
	azDenied(t, err, "s3:GetObject")
	get := env.S3Client(azUser(t, env, env.IAM, "get-only", azPolicy(azAllow("s3:GetObject", "arn:aws:s3:::attrs-authz/*"))))
	_, err = get.GetObjectAttributes(ctx, in)
	azDenied(t, err, "s3:GetObjectAttributes")
	both := env.S3Client(azUser(t, env, env.IAM, "both", azPolicy(azAllow([]string{"s3:GetObject", "s3:GetObjectAttributes"}, "arn:aws:s3:::attrs-authz/*"))))
	if _, err := both.GetObjectAttributes(ctx, in); err != nil {
		t.Fatal(err)
	}
}
