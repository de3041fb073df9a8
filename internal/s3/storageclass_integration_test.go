package s3_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Storage classes are validated as a general purpose bucket does, stored,
// and reported where S3 reports them; there is one tier, so every class
// reads back directly.
func TestStorageClass(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "classes")
	b := aws.String("classes")

	for _, bad := range []string{"standard", "FROZEN", "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS", ""} {
		r := rawDo(t, env, http.MethodPut, objectURL(env, "classes", "bad"), []byte("x"), map[string]string{"x-amz-storage-class": bad})
		if bad == "" { // an empty header names no class: STANDARD
			r.want(t, 200, "")
			continue
		}
		r.wantErr(t, 400, s3Err{Code: "InvalidStorageClass", Message: "The storage class you specified is not valid"})
		if !strings.Contains(string(r.body), "<StorageClassRequested>"+bad+"</StorageClassRequested>") {
			t.Fatalf("InvalidStorageClass without StorageClassRequested: %s", r.body)
		}
	}

	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("ia"), Body: strings.NewReader("infrequent"),
		StorageClass: types.StorageClassStandardIa}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("std"), Body: strings.NewReader("standard"),
		StorageClass: types.StorageClassStandard}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "classes", "plain", "plain")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("deep"), Body: strings.NewReader("archived"),
		StorageClass: types.StorageClassDeepArchive}); err != nil {
		t.Fatal(err)
	}

	// GET and HEAD name the class unless it is STANDARD.
	for key, want := range map[string]types.StorageClass{"ia": "STANDARD_IA", "std": "", "plain": "", "deep": "DEEP_ARCHIVE"} {
		h := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String(key)}))
		if h.StorageClass != want {
			t.Errorf("HEAD %s: storage class %q, want %q", key, h.StorageClass, want)
		}
	}
	// One tier: an archive class reads back without a restore.
	if got := get(t, c, "classes", "deep"); got != "archived" {
		t.Fatalf("GET of a DEEP_ARCHIVE object: %q", got)
	}

	// Listings name every object's class.
	wantList := map[string]string{"bad": "STANDARD", "deep": "DEEP_ARCHIVE", "ia": "STANDARD_IA", "plain": "STANDARD", "std": "STANDARD"}
	v2 := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b}))
	v1 := must[*s3.ListObjectsOutput](t)(c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: b}))
	if len(v2.Contents) != len(wantList) || len(v1.Contents) != len(wantList) {
		t.Fatalf("listings: %d and %d objects", len(v2.Contents), len(v1.Contents))
	}
	for i, o := range v2.Contents {
		if string(o.StorageClass) != wantList[*o.Key] || string(v1.Contents[i].StorageClass) != wantList[*o.Key] {
			t.Errorf("%s listed as %q (V2) and %q (V1), want %q", *o.Key, o.StorageClass, v1.Contents[i].StorageClass, wantList[*o.Key])
		}
	}

	// CopyObject: the named class, STANDARD without one; a copy onto
	// itself that only changes the class is allowed.
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("ia-copy"), CopySource: aws.String("classes/ia")}); err != nil {
		t.Fatal(err)
	}
	if h := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("ia-copy")})); h.StorageClass != "" {
		t.Fatalf("a copy without x-amz-storage-class is %q, want STANDARD", h.StorageClass)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("plain"), CopySource: aws.String("classes/plain"),
		StorageClass: types.StorageClassGlacierIr}); err != nil {
		t.Fatalf("copy onto itself changing the class: %v", err)
	}
	if h := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("plain")})); h.StorageClass != "GLACIER_IR" {
		t.Fatalf("after the copy: %q", h.StorageClass)
	}
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("x"), CopySource: aws.String("classes/plain"), StorageClass: "COLD"})
	wantStatusCode(t, err, 400, "InvalidStorageClass")

	// Multipart: the upload's class is listed and given to the object.
	up := must[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp"),
		StorageClass: types.StorageClassOnezoneIa}))
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp2"), StorageClass: "TAPE"})
	wantStatusCode(t, err, 400, "InvalidStorageClass")
	ups := must[*s3.ListMultipartUploadsOutput](t)(c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b}))
	if len(ups.Uploads) != 1 || ups.Uploads[0].StorageClass != "ONEZONE_IA" {
		t.Fatalf("ListMultipartUploads: %+v", ups.Uploads)
	}
	e1 := uploadPart(t, c, "classes", "mp", *up.UploadId, 1, []byte("part one"))
	parts := must[*s3.ListPartsOutput](t)(c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId}))
	if parts.StorageClass != "ONEZONE_IA" {
		t.Fatalf("ListParts storage class %q", parts.StorageClass)
	}
	if _, err := complete(c, "classes", "mp", *up.UploadId, partList(1, e1)); err != nil {
		t.Fatal(err)
	}
	if h := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("mp")})); h.StorageClass != "ONEZONE_IA" {
		t.Fatalf("completed upload: %q", h.StorageClass)
	}

	// A browser form's x-amz-storage-class field.
	status, body := azPost(t, env, env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), "classes", "uploads/form", []byte("x"),
		map[string]string{"x-amz-storage-class": "INTELLIGENT_TIERING"}, false)
	if status != 204 {
		t.Fatalf("form upload: %d %s", status, body)
	}
	if h := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("uploads/form")})); h.StorageClass != "INTELLIGENT_TIERING" {
		t.Fatalf("form upload: %q", h.StorageClass)
	}
}
