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

// TestVersionedCopyTaggingDelete: copies from a version (a restore),
// tagging a version, DeleteObjects by version, multipart completion.
func TestVersionedCopyTaggingDelete(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "ops")
	bk := aws.String("ops")
	setVersioning(t, c, "ops", types.BucketVersioningStatusEnabled)
	v1 := aws.ToString(put(t, c, "ops", "k", "old").VersionId)
	v2 := aws.ToString(put(t, c, "ops", "k", "new").VersionId)

	// Restoring v1 by copying it over its own key: a new version.
	cp := must[*s3.CopyObjectOutput](t)(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bk, Key: aws.String("k"), CopySource: aws.String("ops/k?versionId=" + v1)}))
	v3 := aws.ToString(cp.VersionId)
	if aws.ToString(cp.CopySourceVersionId) != v1 || !versionIDRE.MatchString(v3) || v3 == v1 || v3 == v2 {
		t.Fatalf("copy of v1: %+v", cp)
	}
	if got := get(t, c, "ops", "k"); got != "old" {
		t.Fatalf("after the restore: %q", got)
	}
	// Without a version id, the copy source is the current version.
	cp = must[*s3.CopyObjectOutput](t)(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bk, Key: aws.String("k2"), CopySource: aws.String("ops/k")}))
	if aws.ToString(cp.CopySourceVersionId) != v3 {
		t.Fatalf("copy of the current version names source version %q", aws.ToString(cp.CopySourceVersionId))
	}
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bk, Key: aws.String("k"), CopySource: aws.String("ops/k")})
	wantStatusCode(t, err, 400, "InvalidRequest") // the current version onto itself, unchanged
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bk, Key: aws.String("x"), CopySource: aws.String("ops/k?versionId=abc")})
	wantStatusCode(t, err, 400, "InvalidRequest")
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: bk, Key: aws.String("x"), UploadId: aws.String("u"), PartNumber: aws.Int32(1),
		CopySource: aws.String("ops/k?versionId=abc")})
	wantStatusCode(t, err, 400, "InvalidArgument")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bk, Key: aws.String("x"), CopySource: aws.String("ops/k?versionId=" + strings.Repeat("A", 32))})
	wantStatusCode(t, err, 404, "NoSuchVersion")

	// A delete marker as a copy source.
	del := must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k2")}))
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bk, Key: aws.String("x"), CopySource: aws.String("ops/k2")})
	wantStatusCode(t, err, 404, "NoSuchKey")
	if errHeader(err, "x-amz-delete-marker") != "true" || errHeader(err, "x-amz-version-id") != aws.ToString(del.VersionId) {
		t.Fatalf("copy from under a delete marker: %v", err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bk, Key: aws.String("x"), CopySource: aws.String("ops/k2?versionId=" + aws.ToString(del.VersionId))})
	wantStatusCode(t, err, 400, "InvalidRequest")
	if errMessage(err) != "The source of a copy request may not specifically refer to a delete marker by version id." {
		t.Fatalf("copy of a delete marker: %v", err)
	}

	// Tags of a noncurrent version.
	tagging := &types.Tagging{TagSet: []types.Tag{{Key: aws.String("era"), Value: aws.String("past")}}}
	pt := must[*s3.PutObjectTaggingOutput](t)(c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v1), Tagging: tagging}))
	if aws.ToString(pt.VersionId) != v1 {
		t.Fatalf("PutObjectTagging of v1 answered version %q", aws.ToString(pt.VersionId))
	}
	gt := must[*s3.GetObjectTaggingOutput](t)(c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v1)}))
	if len(gt.TagSet) != 1 || aws.ToString(gt.VersionId) != v1 {
		t.Fatalf("tags of v1: %+v", gt)
	}
	if cur := must[*s3.GetObjectTaggingOutput](t)(c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bk, Key: aws.String("k")})); len(cur.TagSet) != 0 || aws.ToString(cur.VersionId) != v3 {
		t.Fatalf("tags of the current version: %+v", cur)
	}
	if body, _ := getVersion(t, c, "ops", "k", v1); body != "old" {
		t.Fatalf("v1 after tagging: %q", body)
	}
	must[*s3.DeleteObjectTaggingOutput](t)(c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v1)}))
	if gt := must[*s3.GetObjectTaggingOutput](t)(c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v1)})); len(gt.TagSet) != 0 {
		t.Fatalf("tags of v1 after DeleteObjectTagging: %+v", gt.TagSet)
	}
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bk, Key: aws.String("k2"), VersionId: del.VersionId})
	wantStatusCode(t, err, 405, "MethodNotAllowed")
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: bk, Key: aws.String("k2"), Tagging: tagging})
	wantStatusCode(t, err, 404, "NoSuchKey")
	acl := must[*s3.GetObjectAclOutput](t)(c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v2)}))
	if len(acl.Grants) != 1 {
		t.Fatalf("ACL of v2: %+v", acl)
	}
	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: bk, Key: aws.String("k2"), ACL: types.ObjectCannedACLBucketOwnerFullControl})
	wantStatusCode(t, err, 405, "MethodNotAllowed") // the latest version is a delete marker
	attrs := must[*s3.GetObjectAttributesOutput](t)(c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bk, Key: aws.String("k"),
		VersionId: aws.String(v2), ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectSize}}))
	if aws.ToString(attrs.VersionId) != v2 || aws.ToString(attrs.ETag) != md5hex("new") || aws.ToInt64(attrs.ObjectSize) != 3 {
		t.Fatalf("attributes of v2: %+v", attrs)
	}
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bk, Key: aws.String("k2"), ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag}})
	wantStatusCode(t, err, 404, "NoSuchKey")

	// DeleteObjects: by version, by key (a delete marker), a bad version.
	res := must[*s3.DeleteObjectsOutput](t)(c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bk, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("k"), VersionId: aws.String(v2)}, {Key: aws.String("k")}, {Key: aws.String("k2"), VersionId: del.VersionId},
		{Key: aws.String("k"), VersionId: aws.String("bogus")}}}}))
	if len(res.Deleted) != 3 || len(res.Errors) != 1 {
		t.Fatalf("DeleteObjects: %+v", res)
	}
	if d := res.Deleted[0]; aws.ToString(d.VersionId) != v2 || aws.ToBool(d.DeleteMarker) {
		t.Fatalf("deleted v2: %+v", d)
	}
	if d := res.Deleted[1]; !aws.ToBool(d.DeleteMarker) || !versionIDRE.MatchString(aws.ToString(d.DeleteMarkerVersionId)) || d.VersionId != nil {
		t.Fatalf("deleted k: %+v", d)
	}
	if d := res.Deleted[2]; !aws.ToBool(d.DeleteMarker) || aws.ToString(d.DeleteMarkerVersionId) != aws.ToString(del.VersionId) {
		t.Fatalf("deleted the marker of k2: %+v", d)
	}
	if e := res.Errors[0]; aws.ToString(e.Code) != "NoSuchVersion" || aws.ToString(e.VersionId) != "bogus" {
		t.Fatalf("bogus version: %+v", e)
	}
	if got := get(t, c, "ops", "k2"); got != "old" {
		t.Fatalf("k2 after its marker went: %q", got)
	}

	// Multipart completion makes a version; the previous one stays.
	up := newUpload(t, c, "ops", "k2")
	part := bytes.Repeat([]byte("m"), 10)
	etag := uploadPart(t, c, "ops", "k2", up, 1, part)
	done, err := complete(c, "ops", "k2", up, partList(1, etag))
	if err != nil || !versionIDRE.MatchString(aws.ToString(done.VersionId)) {
		t.Fatalf("complete: %+v %v", done, err)
	}
	if got := get(t, c, "ops", "k2"); got != string(part) {
		t.Fatalf("after completion: %q", got)
	}
	out := must[*s3.ListObjectVersionsOutput](t)(c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bk, Prefix: aws.String("k2")}))
	if len(out.Versions) != 2 || aws.ToString(out.Versions[0].VersionId) != aws.ToString(done.VersionId) || !strings.HasSuffix(aws.ToString(out.Versions[0].ETag), `-1"`) {
		t.Fatalf("versions of k2: %+v", out.Versions)
	}
}

// TestVersionActions: requests naming a version are authorized as the
// version actions, with s3:VersionId; listing versions needs
// s3:ListBucketVersions; configuring versioning s3:PutBucketVersioning.
func TestVersionActions(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "acts")
	setVersioning(t, c, "acts", types.BucketVersioningStatusEnabled)
	v1 := aws.ToString(put(t, c, "acts", "k", "one").VersionId)
	v2 := aws.ToString(put(t, c, "acts", "k", "two").VersionId)
	plain := azUser(t, env, env.IAM, "plain", azPolicy(azAllow([]string{"s3:GetObject", "s3:GetObjectTagging", "s3:DeleteObject", "s3:ListBucket",
		"s3:GetBucketVersioning"}, "arn:aws:s3:::acts", "arn:aws:s3:::acts/*")))
	pc := env.S3Client(plain)
	if got := get(t, pc, "acts", "k"); got != "two" {
		t.Fatalf("plain GET: %q", got)
	}
	_, err := pc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("acts"), Key: aws.String("k"), VersionId: aws.String(v1)})
	azDenied(t, err, "s3:GetObjectVersion")
	_, err = pc.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("acts"), Key: aws.String("k"), VersionId: aws.String(v1)})
	azDenied(t, err, "s3:GetObjectVersionTagging")
	_, err = pc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("acts"), Key: aws.String("k"), VersionId: aws.String(v1)})
	azDenied(t, err, "s3:DeleteObjectVersion")
	_, err = pc.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("acts")})
	azDenied(t, err, "s3:ListBucketVersions")
	_, err = pc.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("acts"), Key: aws.String("k"), VersionId: aws.String(v1),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag}})
	azDenied(t, err, "s3:GetObjectVersionAttributes")
	_, err = pc.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("acts"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	azDenied(t, err, "s3:PutBucketVersioning")
	must[*s3.GetBucketVersioningOutput](t)(pc.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("acts")}))
	_, err = pc.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("acts"), Key: aws.String("c"), CopySource: aws.String("acts/k?versionId=" + v1)})
	azDenied(t, err, "s3:")

	// s3:VersionId narrows a version action to one version.
	one := azUser(t, env, env.IAM, "one", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObjectVersion","s3:ListBucketVersions"],`+
		`"Resource":["arn:aws:s3:::acts","arn:aws:s3:::acts/*"]},{"Effect":"Deny","Action":"s3:GetObjectVersion","Resource":"arn:aws:s3:::acts/*",`+
		`"Condition":{"StringNotEquals":{"s3:VersionId":"`+v1+`"}}}]}`)
	oc := env.S3Client(one)
	if body, _ := getVersion(t, oc, "acts", "k", v1); body != "one" {
		t.Fatalf("v1 for one: %q", body)
	}
	_, err = oc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("acts"), Key: aws.String("k"), VersionId: aws.String(v2)})
	azDenied(t, err, "s3:GetObjectVersion")
	must[*s3.ListObjectVersionsOutput](t)(oc.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("acts")}))
	// Without s3:ListBucket, a missing version is 403, not 404.
	_, err = oc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("acts"), Key: aws.String("k"), VersionId: aws.String(strings.Repeat("Q", 32))})
	if azStatus(err) != http.StatusForbidden {
		t.Fatalf("a missing version without s3:ListBucket: %v", err)
	}

	// DeleteObjects authorizes each entry as its own action.
	res := must[*s3.DeleteObjectsOutput](t)(pc.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("acts"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("k"), VersionId: aws.String(v1)}, {Key: aws.String("k")}}}}))
	if len(res.Errors) != 1 || aws.ToString(res.Errors[0].Code) != "AccessDenied" || aws.ToString(res.Errors[0].VersionId) != v1 || len(res.Deleted) != 1 {
		t.Fatalf("DeleteObjects as plain: %+v", res)
	}
	if body, _ := getVersion(t, c, "acts", "k", v1); body != "one" {
		t.Fatalf("v1 after a denied delete: %q", body)
	}
}

// TestVersionedConditionals: conditional writes and deletes meet versions
// — a delete marker is no current version (If-None-Match: * succeeds,
// If-Match finds no key), If-Match on DELETE leaves a delete marker only
// over a current version with that ETag, and with a versionId it is
// decided against that version.
func TestVersionedConditionals(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "cond")
	bk := aws.String("cond")
	setVersioning(t, c, "cond", types.BucketVersioningStatusEnabled)
	v1 := put(t, c, "cond", "k", "one")
	must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k")}))
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bk, Key: aws.String("k"), IfMatch: v1.ETag, Body: strings.NewReader("x")})
	wantStatusCode(t, err, 404, "NoSuchKey")
	created := must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: bk, Key: aws.String("k"), IfNoneMatch: aws.String("*"), Body: strings.NewReader("two")}))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: bk, Key: aws.String("k"), IfNoneMatch: aws.String("*"), Body: strings.NewReader("three")})
	wantStatusCode(t, err, 412, "PreconditionFailed")

	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), IfMatch: v1.ETag})
	wantStatusCode(t, err, 412, "PreconditionFailed")
	del := must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), IfMatch: created.ETag}))
	if !aws.ToBool(del.DeleteMarker) {
		t.Fatalf("a conditional DELETE in a versioned bucket: %+v", del)
	}
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: v1.VersionId, IfMatch: created.ETag})
	wantStatusCode(t, err, 412, "PreconditionFailed")
	must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: v1.VersionId, IfMatch: v1.ETag}))
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: v1.VersionId}); httpStatus(err) != 404 {
		t.Fatalf("v1 after its conditional deletion: %v", err)
	}
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: del.VersionId, IfMatch: created.ETag})
	wantStatusCode(t, err, 412, "PreconditionFailed") // a delete marker has no ETag
}
