package s3_test

// What Gatehouse refuses rather than ignore: SSE-C over plain HTTP,
// encryption beyond what is served, Object Lock, and ACLs on buckets whose ACLs are disabled. Each refusal
// is checked to the status, code, message and extra elements, and to
// leave nothing behind.

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// s3Err is an S3 error body, with the extra elements this file checks.
type s3Err struct {
	Code          string `xml:"Code"`
	Message       string `xml:"Message"`
	Header        string `xml:"Header"`
	ArgumentName  string `xml:"ArgumentName"`
	ArgumentValue string `xml:"ArgumentValue"`
}

// rawDo sends a header-signed (UNSIGNED-PAYLOAD) request as the root.
func rawDo(t *testing.T, env *testenv.Env, method, url string, body []byte, hdr map[string]string) rawResult {
	t.Helper()
	r, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	signRaw(r, sigv4.UnsignedPayload, true)
	return doRaw(t, env, r)
}

// wantErr asserts the status and the whole error body (fields left empty
// in want must be absent).
func (r rawResult) wantErr(t *testing.T, status int, want s3Err) {
	t.Helper()
	var got s3Err
	_ = xml.Unmarshal(r.body, &got)
	if r.status != status || got != want {
		t.Fatalf("got %d %+v, want %d %+v (%s)", r.status, got, status, want, r.body)
	}
}

// TestRefuseSSECustomerOverHTTP: customer keys over plain HTTP are
// refused on every request that carries one, as S3 refuses them, and
// nothing is stored (ssec_integration_test.go serves them over TLS).
func TestRefuseSSECustomerOverHTTP(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "ssec")
	put(t, env.S3, "ssec", "plain", "plain bytes")
	key := map[string]string{
		"x-amz-server-side-encryption-customer-algorithm": "AES256",
		"x-amz-server-side-encryption-customer-key":       "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"x-amz-server-side-encryption-customer-key-MD5":   "zZ5FnqFKXQ8p5C7fpZZqlw==",
	}
	want := s3Err{Code: "InvalidRequest", Message: "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection."}
	u := objectURL(env, "ssec", "secret")
	rawDo(t, env, http.MethodPut, u, []byte("secret bytes"), key).wantErr(t, 400, want)
	wantNoObject(t, env.S3, "ssec", "secret")
	rawDo(t, env, http.MethodGet, objectURL(env, "ssec", "plain"), nil, key).wantErr(t, 400, want)
	if r := rawDo(t, env, http.MethodHead, objectURL(env, "ssec", "plain"), nil, key); r.status != 400 || len(r.body) != 0 {
		t.Fatalf("HEAD with SSE-C: %d %q", r.status, r.body)
	}
	// Only the key's MD5: any SSE-C header is enough.
	rawDo(t, env, http.MethodPut, u, []byte("x"), map[string]string{"x-amz-server-side-encryption-customer-key-MD5": "zZ5FnqFKXQ8p5C7fpZZqlw=="}).
		wantErr(t, 400, want)
	// A copy naming the source's key, and the multipart calls.
	copySrc := map[string]string{"x-amz-copy-source": "/ssec/plain", "x-amz-copy-source-server-side-encryption-customer-algorithm": "AES256"}
	rawDo(t, env, http.MethodPut, objectURL(env, "ssec", "copy"), nil, copySrc).wantErr(t, 400, want)
	wantNoObject(t, env.S3, "ssec", "copy")
	rawDo(t, env, http.MethodPost, u+"?uploads", nil, key).wantErr(t, 400, want)
	id := newUpload(t, env.S3, "ssec", "mp")
	rawDo(t, env, http.MethodPut, objectURL(env, "ssec", "mp")+"?partNumber=1&uploadId="+id, []byte("part"), key).wantErr(t, 400, want)
	parts := must[*s3.ListPartsOutput](t)(env.S3.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), UploadId: aws.String(id)}))
	if len(parts.Parts) != 0 {
		t.Fatalf("a refused UploadPart stored a part: %+v", parts.Parts)
	}
	// The SDK's own SSE-C parameters meet the same refusal.
	_, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("sdk"), Body: strings.NewReader("x"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
		SSECustomerKeyMD5: aws.String("zZ5FnqFKXQ8p5C7fpZZqlw==")})
	wantStatusCode(t, err, 400, "InvalidRequest")
	wantNoObject(t, env.S3, "ssec", "sdk")
	// A browser form with an SSE-C field.
	status, body := azPost(t, env, env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), "ssec", "uploads/form", []byte("form bytes"),
		map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256"}, false)
	azWantXML(t, status, body, 400, "InvalidRequest")
	wantNoObject(t, env.S3, "ssec", "uploads/form")
}

// TestRefuseEncryptionBeyondWhatIsServed: encryption headers are
// validated as S3 validates them, and what Gatehouse does not serve
// (DSSE-KMS, KMS encryption contexts) is refused, never ignored.
func TestRefuseEncryptionBeyondWhatIsServed(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "sse")
	u := objectURL(env, "sse", "k")
	rawDo(t, env, http.MethodPut, u, []byte("x"), map[string]string{"x-amz-server-side-encryption": "aws:kms:dsse"}).wantErr(t, 501, s3Err{
		Code: "NotImplemented", Header: "x-amz-server-side-encryption",
		Message: "Server-side encryption with dual-layer KMS keys (aws:kms:dsse) is not supported: the request is refused rather than served without it"})
	rawDo(t, env, http.MethodPut, u, []byte("x"), map[string]string{"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-context": "e30="}).wantErr(t, 501, s3Err{
		Code: "NotImplemented", Header: "x-amz-server-side-encryption-context",
		Message: "Server-side encryption with a KMS encryption context is not supported: the request is refused rather than served without it"})
	// Validated as S3 does.
	rawDo(t, env, http.MethodPut, u, []byte("x"), map[string]string{"x-amz-server-side-encryption": "aes256"}).wantErr(t, 400, s3Err{
		Code: "InvalidArgument", Message: "The encryption method specified is not supported", ArgumentName: "x-amz-server-side-encryption", ArgumentValue: "aes256"})
	for _, h := range []map[string]string{
		{"x-amz-server-side-encryption-aws-kms-key-id": "alias/aws/s3"},
		{"x-amz-server-side-encryption": "AES256", "x-amz-server-side-encryption-aws-kms-key-id": "alias/aws/s3"},
		{"x-amz-server-side-encryption-context": "e30="},
	} {
		rawDo(t, env, http.MethodPut, u, []byte("x"), h).wantErr(t, 400, s3Err{Code: "InvalidArgument",
			Message:      "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
			ArgumentName: "x-amz-server-side-encryption", ArgumentValue: "null"})
	}
	rawDo(t, env, http.MethodPut, u, []byte("x"), map[string]string{"x-amz-server-side-encryption": "aws:kms",
		"x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:" + testenv.AccountID + ":key/00000000-0000-4000-8000-000000000000"}).
		wantErr(t, 400, s3Err{Code: "KMS.NotFoundException", Message: "Invalid keyId 'arn:aws:kms:us-east-1:" + testenv.AccountID + ":key/00000000-0000-4000-8000-000000000000'"})
	wantNoObject(t, env.S3, "sse", "k")
	// CopyObject, CreateMultipartUpload and a form meet the same checks.
	put(t, env.S3, "sse", "src", "source")
	_, err := env.S3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sse"), Key: aws.String("dst"), CopySource: aws.String("sse/src"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKmsDsse})
	wantStatusCode(t, err, 501, "NotImplemented")
	wantNoObject(t, env.S3, "sse", "dst")
	_, err = env.S3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("sse"), Key: aws.String("mp"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("alias/mine")})
	wantStatusCode(t, err, 400, "KMS.NotFoundException")
	ups := must[*s3.ListMultipartUploadsOutput](t)(env.S3.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("sse")}))
	if len(ups.Uploads) != 0 {
		t.Fatalf("a refused CreateMultipartUpload created %+v", ups.Uploads)
	}
	status, body := azPost(t, env, env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), "sse", "uploads/form", []byte("x"),
		map[string]string{"x-amz-server-side-encryption": "aws:kms:dsse"}, false)
	azWantXML(t, status, body, 501, "NotImplemented")
	wantNoObject(t, env.S3, "sse", "uploads/form")
}

// TestRefuseObjectLock: "false" asks for no Object Lock; lock headers (and
// a browser form's lock fields) on a bucket without it are S3's
// InvalidRequest, never ignored.
func TestRefuseObjectLock(t *testing.T) {
	env := testenv.New(t)
	if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("unlocked"), ObjectLockEnabledForBucket: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.S3.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("unlocked")}); httpStatus(err) != 404 {
		t.Fatalf("a bucket created with object lock \"false\" has a lock configuration: %v", err)
	}
	for _, h := range []string{"x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date", "x-amz-object-lock-legal-hold"} {
		rawDo(t, env, http.MethodPut, objectURL(env, "unlocked", "k"), []byte("x"), map[string]string{h: "GOVERNANCE"}).wantErr(t, 400, s3Err{
			Code: "InvalidRequest", Message: "Bucket is missing Object Lock Configuration"})
	}
	wantNoObject(t, env.S3, "unlocked", "k")
	if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("locked"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	status, body := rootForm{bucket: "unlocked", key: "form", fields: [][2]string{{"x-amz-object-lock-legal-hold", "ON"}}}.post(t, env, []byte("x"))
	if status != 400 || !strings.Contains(body, "<Message>Bucket is missing Object Lock Configuration</Message>") {
		t.Fatalf("a form upload with a legal hold, to a bucket without Object Lock: %d %s", status, body)
	}
	wantNoObject(t, env.S3, "unlocked", "form")
}

func TestACLsDisabled(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	owner := canonicalID(t, c)
	aclErr := s3Err{Code: "AccessControlListNotSupported", Message: "The bucket does not allow ACLs"}
	bucketErr := s3Err{Code: "InvalidBucketAclWithObjectOwnership", Message: "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"}

	// CreateBucket: private or no ACL, BucketOwnerEnforced or nothing.
	for _, h := range []map[string]string{{"x-amz-acl": "public-read"}, {"x-amz-acl": "bucket-owner-full-control"},
		{"x-amz-grant-read": `uri="http://acs.amazonaws.com/groups/global/AllUsers"`}, {"x-amz-grant-full-control": `id="444455556666"`}} {
		rawDo(t, env, http.MethodPut, env.URL+"/acl-bucket", nil, h).wantErr(t, 400, bucketErr)
	}
	rawDo(t, env, http.MethodPut, env.URL+"/acl-bucket", nil, map[string]string{"x-amz-object-ownership": "Writer"}).wantErr(t, 400, s3Err{
		Code: "InvalidArgument", Message: "Invalid x-amz-object-ownership header", ArgumentName: "x-amz-object-ownership", ArgumentValue: "Writer"})
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("acl-bucket")}); httpStatus(err) != 404 {
		t.Fatalf("a refused CreateBucket created the bucket: %v", err)
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-bucket"), ACL: types.BucketCannedACLPrivate,
		ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}); err != nil {
		t.Fatal(err)
	}
	rawDo(t, env, http.MethodPut, env.URL+"/acl-grant", nil, map[string]string{"x-amz-grant-full-control": `id="` + owner + `"`}).want(t, 200, "")

	// Objects: no ACL, bucket-owner-full-control, or full control to the
	// owner alone.
	u := objectURL(env, "acl-bucket", "k")
	for _, h := range []map[string]string{{"x-amz-acl": "public-read"}, {"x-amz-acl": "private"},
		{"x-amz-grant-read": `id="` + owner + `"`}, {"x-amz-grant-full-control": `id="` + owner + `", id="444455556666"`}} {
		rawDo(t, env, http.MethodPut, u, []byte("x"), h).wantErr(t, 400, aclErr)
	}
	wantNoObject(t, c, "acl-bucket", "k")
	for _, h := range []map[string]string{{"x-amz-acl": "bucket-owner-full-control"}, {"x-amz-grant-full-control": `id="` + owner + `"`}} {
		rawDo(t, env, http.MethodPut, u, []byte("x"), h).want(t, 200, "")
	}
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("acl-bucket"), Key: aws.String("copy"), CopySource: aws.String("acl-bucket/k"),
		ACL: types.ObjectCannedACLPublicRead})
	wantStatusCode(t, err, 400, "AccessControlListNotSupported")
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("acl-bucket"), Key: aws.String("mp"), ACL: types.ObjectCannedACLAuthenticatedRead})
	wantStatusCode(t, err, 400, "AccessControlListNotSupported")
	status, body := azPost(t, env, env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), "acl-bucket", "uploads/form", []byte("x"),
		map[string]string{"acl": "public-read"}, false)
	azWantXML(t, status, body, 400, "AccessControlListNotSupported")
	wantNoObject(t, c, "acl-bucket", "uploads/form")

	// Reading an ACL answers the owner's full control.
	bacl := must[*s3.GetBucketAclOutput](t)(c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("acl-bucket")}))
	if aws.ToString(bacl.Owner.ID) != owner || len(bacl.Grants) != 1 || aws.ToString(bacl.Grants[0].Grantee.ID) != owner ||
		bacl.Grants[0].Permission != types.PermissionFullControl || bacl.Grants[0].Grantee.Type != types.TypeCanonicalUser {
		t.Fatalf("GetBucketAcl = %+v", bacl)
	}
	oacl := must[*s3.GetObjectAclOutput](t)(c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("acl-bucket"), Key: aws.String("k")}))
	if aws.ToString(oacl.Owner.ID) != owner || len(oacl.Grants) != 1 || aws.ToString(oacl.Grants[0].Grantee.ID) != owner {
		t.Fatalf("GetObjectAcl = %+v", oacl)
	}

	// Setting one: the owner's full control round-trips; anything else is
	// refused.
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acl-bucket"),
		AccessControlPolicy: &types.AccessControlPolicy{Owner: bacl.Owner, Grants: bacl.Grants}}); err != nil {
		t.Fatalf("PutBucketAcl of the owner's full control: %v", err)
	}
	public := append(append([]types.Grant{}, bacl.Grants...), types.Grant{Permission: types.PermissionRead,
		Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}})
	_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acl-bucket"), AccessControlPolicy: &types.AccessControlPolicy{Owner: bacl.Owner, Grants: public}})
	wantStatusCode(t, err, 400, "AccessControlListNotSupported")
	_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acl-bucket"), ACL: types.BucketCannedACLPrivate})
	wantStatusCode(t, err, 400, "AccessControlListNotSupported")
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acl-bucket"), Key: aws.String("k"), ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Fatalf("PutObjectAcl bucket-owner-full-control: %v", err)
	}
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acl-bucket"), Key: aws.String("k"),
		AccessControlPolicy: &types.AccessControlPolicy{Owner: oacl.Owner, Grants: oacl.Grants}}); err != nil {
		t.Fatalf("PutObjectAcl of the owner's full control: %v", err)
	}
	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acl-bucket"), Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead})
	wantStatusCode(t, err, 400, "AccessControlListNotSupported")
	_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acl-bucket"), Key: aws.String("missing"), ACL: types.ObjectCannedACLBucketOwnerFullControl})
	wantStatusCode(t, err, 404, "NoSuchKey")
	r := rawDo(t, env, http.MethodPut, u+"?acl", nil, map[string]string{"x-amz-grant-write-acp": `id="` + owner + `"`})
	r.wantErr(t, 400, aclErr)
	if got := get(t, c, "acl-bucket", "k"); got != "x" {
		t.Fatalf("object after ACL calls: %q", got)
	}
}

// PutBucketAcl and PutObjectAcl are authorized as s3:PutBucketAcl and
// s3:PutObjectAcl, with s3:x-amz-acl.
func TestACLActions(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "acl-authz")
	put(t, env.S3, "acl-authz", "k", "v")
	c := env.S3Client(azUser(t, env, env.IAM, "ann", azPolicy(azS{"Effect": "Allow", "Action": "s3:PutObjectAcl", "Resource": "arn:aws:s3:::acl-authz/*",
		"Condition": map[string]any{"StringEquals": map[string]string{"s3:x-amz-acl": "bucket-owner-full-control"}}})))
	if _, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acl-authz"), Key: aws.String("k"), ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acl-authz"), Key: aws.String("k"), ACL: types.ObjectCannedACLPublicRead})
	azDenied(t, err, "s3:PutObjectAcl")
	_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acl-authz"), ACL: types.BucketCannedACLPrivate})
	azDenied(t, err, "s3:PutBucketAcl")
}
