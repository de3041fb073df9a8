package s3_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// errHeader is a header of the response an SDK error came with.
func errHeader(err error, name string) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Header.Get(name)
	}
	return ""
}

func errMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func setVersioning(t *testing.T, c *s3.Client, bucket string, status types.BucketVersioningStatus) {
	t.Helper()
	must[*s3.PutBucketVersioningOutput](t)(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: status}}))
}

func getVersion(t *testing.T, c *s3.Client, bucket, key, version string) (string, *s3.GetObjectOutput) {
	t.Helper()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(version)})
	if err != nil {
		t.Fatalf("get %s/%s?versionId=%s: %v", bucket, key, version, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), out
}

// versionList renders every version of the bucket as "key:body-or-D:latest"
// entries, resolving version ids through ids (id → label).
func versionList(t *testing.T, c *s3.Client, bucket string, ids map[string]string) string {
	t.Helper()
	out := must[*s3.ListObjectVersionsOutput](t)(c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)}))
	// The SDK splits versions and markers; the XML interleaves them in
	// order, which TestListObjectVersionsXML checks. Here: per kind.
	var parts []string
	for _, v := range out.Versions {
		parts = append(parts, "V "+aws.ToString(v.Key)+":"+label(ids, aws.ToString(v.VersionId))+latest(v.IsLatest))
	}
	for _, m := range out.DeleteMarkers {
		parts = append(parts, "D "+aws.ToString(m.Key)+":"+label(ids, aws.ToString(m.VersionId))+latest(m.IsLatest))
	}
	return strings.Join(parts, " ")
}

func label(ids map[string]string, id string) string {
	if l, ok := ids[id]; ok {
		return l
	}
	return id
}

func latest(b *bool) string {
	if aws.ToBool(b) {
		return "*"
	}
	return ""
}

var versionIDRE = regexp.MustCompile(`^[A-Za-z0-9._]{32}$`)

// TestVersioningLifecycle: versions, delete markers and permanent deletes
// in a versioning-enabled bucket, with S3's codes and headers.
func TestVersioningLifecycle(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "vers")
	bk := aws.String("vers")
	if v := must[*s3.GetBucketVersioningOutput](t)(c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bk})); v.Status != "" || v.MFADelete != "" {
		t.Fatalf("a new bucket's versioning: %+v", v)
	}
	setVersioning(t, c, "vers", types.BucketVersioningStatusEnabled)
	if v := must[*s3.GetBucketVersioningOutput](t)(c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bk})); v.Status != types.BucketVersioningStatusEnabled || v.MFADelete != "" {
		t.Fatalf("versioning after enabling: %+v", v)
	}
	v1 := aws.ToString(put(t, c, "vers", "k", "one").VersionId)
	v2 := aws.ToString(put(t, c, "vers", "k", "two").VersionId)
	if !versionIDRE.MatchString(v1) || !versionIDRE.MatchString(v2) || v1 == v2 {
		t.Fatalf("version ids %q %q", v1, v2)
	}
	ids := map[string]string{v1: "one", v2: "two"}
	if body, out := getVersion(t, c, "vers", "k", v1); body != "one" || aws.ToString(out.VersionId) != v1 {
		t.Fatalf("v1: %q %s", body, aws.ToString(out.VersionId))
	}
	cur := must[*s3.GetObjectOutput](t)(c.GetObject(ctx, &s3.GetObjectInput{Bucket: bk, Key: aws.String("k")}))
	cur.Body.Close()
	if aws.ToString(cur.VersionId) != v2 {
		t.Fatalf("GET of the current version shows version %q", aws.ToString(cur.VersionId))
	}
	head := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v1)}))
	if aws.ToInt64(head.ContentLength) != 3 || aws.ToString(head.VersionId) != v1 || aws.ToString(head.ETag) != `"`+md5hex("one")+`"` {
		t.Fatalf("HEAD of v1: %+v", head)
	}
	if got := versionList(t, c, "vers", ids); got != "V k:two* V k:one" {
		t.Fatalf("versions: %s", got)
	}
	if l := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bk})); len(l.Contents) != 1 {
		t.Fatalf("ListObjectsV2 lists %d objects", len(l.Contents))
	}

	// DELETE makes a delete marker: the key is gone, its versions stay.
	del := must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k")}))
	marker := aws.ToString(del.VersionId)
	if !aws.ToBool(del.DeleteMarker) || !versionIDRE.MatchString(marker) {
		t.Fatalf("DELETE: %+v", del)
	}
	ids[marker] = "marker"
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bk, Key: aws.String("k")})
	wantStatusCode(t, err, 404, "NoSuchKey")
	if errHeader(err, "x-amz-delete-marker") != "true" || errHeader(err, "x-amz-version-id") != marker {
		t.Fatalf("GET under a delete marker: headers %q %q", errHeader(err, "x-amz-delete-marker"), errHeader(err, "x-amz-version-id"))
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bk, Key: aws.String("k")})
	if httpStatus(err) != 404 || errHeader(err, "x-amz-delete-marker") != "true" {
		t.Fatalf("HEAD under a delete marker: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(marker)})
	wantStatusCode(t, err, 405, "MethodNotAllowed")
	if errHeader(err, "x-amz-delete-marker") != "true" || errHeader(err, "x-amz-version-id") != marker || errHeader(err, "Allow") != "DELETE" || errHeader(err, "Last-Modified") == "" {
		t.Fatalf("GET of a delete marker by id: headers %v", err)
	}
	if l := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bk})); len(l.Contents) != 0 {
		t.Fatalf("ListObjectsV2 lists a deleted key: %+v", l.Contents)
	}
	if got := versionList(t, c, "vers", ids); got != "V k:two V k:one D k:marker*" {
		t.Fatalf("versions under the marker: %s", got)
	}
	// The bucket is not empty while versions remain.
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: bk})
	wantStatusCode(t, err, 409, "BucketNotEmpty")

	// Deleting the marker brings the last version back.
	undel := must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(marker)}))
	if !aws.ToBool(undel.DeleteMarker) || aws.ToString(undel.VersionId) != marker {
		t.Fatalf("DELETE of the marker: %+v", undel)
	}
	if got := get(t, c, "vers", "k"); got != "two" {
		t.Fatalf("after removing the marker: %q", got)
	}
	// Permanently deleting the current version makes the previous current.
	gone := must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v2)}))
	if aws.ToBool(gone.DeleteMarker) || aws.ToString(gone.VersionId) != v2 {
		t.Fatalf("DELETE of v2: %+v", gone)
	}
	if got := get(t, c, "vers", "k"); got != "one" {
		t.Fatalf("after removing v2: %q", got)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v2)})
	wantStatusCode(t, err, 404, "NoSuchVersion")
	// Deleting a version that is gone succeeds (DELETE is idempotent).
	must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v2)}))

	// Malformed version ids.
	for _, tc := range []struct{ id, msg string }{{"", "Version id cannot be the empty string"}, {"abc", "Invalid version id specified"}} {
		_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(tc.id)})
		if tc.id == "" {
			// The SDK drops an empty versionId; send it by hand.
			status, body := rawRequest(t, env, http.MethodGet, "/vers/k?versionId=", nil)
			if status != 400 || !strings.Contains(body, "<Code>InvalidArgument</Code><Message>"+tc.msg) || !strings.Contains(body, "<ArgumentName>versionId</ArgumentName>") {
				t.Fatalf("versionId=: %d %s", status, body)
			}
			continue
		}
		wantStatusCode(t, err, 400, "InvalidArgument")
		if errMessage(err) != tc.msg {
			t.Fatalf("versionId=%s: %v", tc.id, err)
		}
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bk, Key: aws.String("k"), UploadId: aws.String("x"), PartNumber: aws.Int32(1), Body: strings.NewReader("x")},
		func(o *s3.Options) { o.APIOptions = append(o.APIOptions, addQuery("versionId", v1)) })
	wantStatusCode(t, err, 400, "InvalidArgument")

	// Removing every version empties the bucket.
	must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v1)}))
	must[*s3.DeleteBucketOutput](t)(c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: bk}))
}

// TestVersioningSuspendedNullVersion: the null version under Suspended
// replaces the previous null version (freeing its bytes) and leaves the
// other versions; an unversioned bucket's objects are null versions.
func TestVersioningSuspendedNullVersion(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "plain")
	out := put(t, c, "plain", "k", "p1")
	if out.VersionId != nil {
		t.Fatalf("PUT in an unversioned bucket shows version %q", aws.ToString(out.VersionId))
	}
	plainGet := must[*s3.GetObjectOutput](t)(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("plain"), Key: aws.String("k")}))
	plainGet.Body.Close()
	if plainGet.VersionId != nil {
		t.Fatalf("GET in an unversioned bucket shows version %q", aws.ToString(plainGet.VersionId))
	}
	if body, out := getVersion(t, c, "plain", "k", "null"); body != "p1" || aws.ToString(out.VersionId) != "null" {
		t.Fatalf("GET ?versionId=null: %q %q", body, aws.ToString(out.VersionId))
	}
	if got := versionList(t, c, "plain", nil); got != "V k:null*" {
		t.Fatalf("versions of an unversioned bucket: %s", got)
	}
	if del := must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("plain"), Key: aws.String("k")})); del.DeleteMarker != nil || del.VersionId != nil {
		t.Fatalf("DELETE in an unversioned bucket: %+v", del)
	}
	if got := versionList(t, c, "plain", nil); got != "" {
		t.Fatalf("versions after an unversioned DELETE: %s", got)
	}

	mkBucket(t, c, "susp")
	bk := aws.String("susp")
	put(t, c, "susp", "k", "pre") // a null version from before versioning
	setVersioning(t, c, "susp", types.BucketVersioningStatusEnabled)
	v1 := aws.ToString(put(t, c, "susp", "k", "v1").VersionId)
	ids := map[string]string{v1: "v1"}
	if got := versionList(t, c, "susp", ids); got != "V k:v1* V k:null" {
		t.Fatalf("versions: %s", got)
	}
	setVersioning(t, c, "susp", types.BucketVersioningStatusSuspended)
	blobsBefore := countBlobs(t, env)
	if out := put(t, c, "susp", "k", "n1"); out.VersionId != nil {
		t.Fatalf("PUT while suspended shows version %q", aws.ToString(out.VersionId))
	}
	// The null version from before versioning was replaced: its bytes went.
	if n := countBlobs(t, env); n != blobsBefore {
		t.Fatalf("blobs %d before, %d after replacing the null version", blobsBefore, n)
	}
	g := must[*s3.GetObjectOutput](t)(c.GetObject(ctx, &s3.GetObjectInput{Bucket: bk, Key: aws.String("k")}))
	g.Body.Close()
	if aws.ToString(g.VersionId) != "null" {
		t.Fatalf("GET while suspended shows version %q", aws.ToString(g.VersionId))
	}
	if got := versionList(t, c, "susp", ids); got != "V k:null* V k:v1" {
		t.Fatalf("versions after a suspended PUT: %s", got)
	}
	put(t, c, "susp", "k", "n2")
	if body, _ := getVersion(t, c, "susp", "k", "null"); body != "n2" {
		t.Fatalf("null version %q", body)
	}
	if got := versionList(t, c, "susp", ids); got != "V k:null* V k:v1" {
		t.Fatalf("versions after a second suspended PUT: %s", got)
	}
	// DELETE while suspended: the null delete marker replaces the null version.
	del := must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k")}))
	if !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) != "null" {
		t.Fatalf("DELETE while suspended: %+v", del)
	}
	if got := versionList(t, c, "susp", ids); got != "V k:v1 D k:null*" {
		t.Fatalf("versions after a suspended DELETE: %s", got)
	}
	if body, _ := getVersion(t, c, "susp", "k", v1); body != "v1" {
		t.Fatalf("v1 after suspension: %q", body)
	}
	// A bucket that had versioning never returns to unversioned.
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bk, VersioningConfiguration: &types.VersioningConfiguration{}})
	wantStatusCode(t, err, 400, "IllegalVersioningConfigurationException")
}

// countBlobs counts the blob files of the env's data directory.
func countBlobs(t *testing.T, env *testenv.Env) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(env.DataDir, server.BlobDir), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// rawRequest sends a request signed with the default account's root key
// and returns the status and body.
func rawRequest(t *testing.T, env *testenv.Env, method, path string, header http.Header) (int, string) {
	t.Helper()
	resp := rawResponse(t, env, method, path, header, "")
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// rawResponse sends a request with body signed with the default account's
// root key.
func rawResponse(t *testing.T, env *testenv.Env, method, path string, header http.Header, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, env.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("x-amz-content-sha256", hash)
	creds := aws.Credentials{AccessKeyID: testenv.RootAccessKey, SecretAccessKey: testenv.RootSecretKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hash, "s3", testenv.Region, env.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := env.HTTP().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// addQuery is an SDK option that adds a query parameter before signing.
func addQuery(k, v string) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Build.Add(middleware.BuildMiddlewareFunc("test-query-"+k, func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				q := req.URL.Query()
				q.Set(k, v)
				req.URL.RawQuery = q.Encode()
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
	}
}
