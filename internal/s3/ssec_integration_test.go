package s3_test

import (
	"bytes"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// customerKey is an SSE-C key as the SDK sends it: base64 key and MD5.
type customerKey struct{ key, md5 string }

func newCustomerKey(fill byte) customerKey {
	k := testenv.NewCustomerKey(fill)
	return customerKey{k.Key, k.MD5}
}

// tlsClient starts a server over TLS (SSE-C needs it) and returns its
// root S3 client.
func tlsClient(t *testing.T, opts ...testenv.Option) (*testenv.Env, *s3.Client) {
	t.Helper()
	certFile, keyFile, pool := testenv.SelfSignedCert(t)
	env := testenv.New(t, append([]testenv.Option{func(c *config.Config) { c.TLSCert, c.TLSKey = certFile, keyFile }}, opts...)...)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(hc.CloseIdleConnections)
	cfg := env.AWSConfig(env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""))
	cfg.BaseEndpoint = aws.String(strings.Replace(env.URL, "http://", "https://", 1))
	cfg.HTTPClient = hc
	return env, s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

func readBody(t *testing.T) func(*s3.GetObjectOutput, error) []byte { return testenv.ReadBody(t) }

func TestSSECustomerKeys(t *testing.T) {
	env, c := tlsClient(t)
	mkBucket(t, c, "ssec")
	k, other := newCustomerKey(0x11), newCustomerKey(0x22)
	body := pattern(200<<10 + 3)
	b, key := aws.String("ssec"), aws.String("obj")
	out := must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: key, Body: bytes.NewReader(body),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)}))
	if aws.ToString(out.SSECustomerAlgorithm) != "AES256" || aws.ToString(out.SSECustomerKeyMD5) != k.md5 || out.ServerSideEncryption != "" {
		t.Fatalf("PUT reply %q %q %q", aws.ToString(out.SSECustomerAlgorithm), aws.ToString(out.SSECustomerKeyMD5), out.ServerSideEncryption)
	}
	if sum := md5.Sum(body); strings.Contains(*out.ETag, base64.StdEncoding.EncodeToString(sum[:])) {
		t.Fatal("SSE-C ETag is the plaintext's MD5")
	}
	// The customer key is never stored.
	raw, _ := base64.StdEncoding.DecodeString(k.key)
	if dataDirHolds(t, env.DataDir, raw) || dataDirHolds(t, env.DataDir, []byte(k.key)) || dataDirHolds(t, env.DataDir, body[1000:1064]) {
		t.Fatal("the customer key or the plaintext is on disk")
	}

	withKey := func(in *s3.GetObjectInput, ck customerKey) *s3.GetObjectInput {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(ck.key), aws.String(ck.md5)
		return in
	}
	got := readBody(t)(c.GetObject(ctx, withKey(&s3.GetObjectInput{Bucket: b, Key: key}, k)))
	if !bytes.Equal(got, body) {
		t.Fatal("SSE-C round trip read back wrong")
	}
	for _, r := range rangeCases(int64(len(body))) {
		if got := getRange(t, c, withKey(&s3.GetObjectInput{Bucket: b, Key: key}, k), r[0], r[1]); !bytes.Equal(got, body[r[0]:r[0]+r[1]]) {
			t.Fatalf("range %d+%d read back wrong", r[0], r[1])
		}
	}
	head := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: key,
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)}))
	if aws.ToString(head.SSECustomerKeyMD5) != k.md5 || *head.ContentLength != int64(len(body)) {
		t.Fatalf("HEAD %q %d", aws.ToString(head.SSECustomerKeyMD5), *head.ContentLength)
	}

	// Reading without the key, with another key, or a plain object with one.
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key})
	wantError(t, err, http.StatusBadRequest, "InvalidRequest", "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: key})
	wantError(t, err, http.StatusBadRequest, "", "")
	_, err = c.GetObject(ctx, withKey(&s3.GetObjectInput{Bucket: b, Key: key}, other))
	wantError(t, err, http.StatusForbidden, "AccessDenied", "Access Denied")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: key,
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(other.key), SSECustomerKeyMD5: aws.String(other.md5)})
	wantError(t, err, http.StatusForbidden, "", "")
	// GetObjectAttributes of an SSE-C object needs its key too.
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: key, ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}})
	wantError(t, err, http.StatusBadRequest, "InvalidRequest", "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	attrs := must[*s3.GetObjectAttributesOutput](t)(c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: b, Key: key,
		ObjectAttributes:     []types.ObjectAttributes{types.ObjectAttributesObjectSize},
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)}))
	if aws.ToInt64(attrs.ObjectSize) != int64(len(body)) {
		t.Fatalf("attributes: size %d", aws.ToInt64(attrs.ObjectSize))
	}
	put(t, c, "ssec", "plain", "p")
	_, err = c.GetObject(ctx, withKey(&s3.GetObjectInput{Bucket: b, Key: aws.String("plain")}, k))
	wantError(t, err, http.StatusBadRequest, "InvalidRequest", "The encryption parameters are not applicable to this object.")

	// Malformed SSE-C headers.
	bad := []struct {
		alg, key, md5 string
		sse           types.ServerSideEncryption
		code, message string
	}{
		{"AES256", k.key, other.md5, "", "InvalidArgument", "The calculated MD5 hash of the key did not match the hash that was provided."},
		{"AES256", base64.StdEncoding.EncodeToString(make([]byte, 16)), k.md5, "", "InvalidArgument", "The secret key was invalid for the specified algorithm."},
		{"AES256", "not base64!", k.md5, "", "InvalidArgument", "The secret key was invalid for the specified algorithm."},
		{"AES128", k.key, k.md5, "", "InvalidEncryptionAlgorithmError", "The Encryption request you specified is not valid. Supported value: AES256."},
		{"", k.key, k.md5, "", "InvalidArgument", "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm."},
		{"AES256", "", k.md5, "", "InvalidArgument", "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key."},
		{"AES256", k.key, "", "", "InvalidArgument", "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key."},
		{"AES256", k.key, k.md5, types.ServerSideEncryptionAes256, "InvalidArgument", "Server Side Encryption with Customer provided key is incompatible with the encryption method specified"},
	}
	for _, tc := range bad {
		in := &s3.PutObjectInput{Bucket: b, Key: aws.String("bad"), Body: strings.NewReader("x"), ServerSideEncryption: tc.sse}
		if tc.alg != "" {
			in.SSECustomerAlgorithm = aws.String(tc.alg)
		}
		if tc.key != "" {
			in.SSECustomerKey = aws.String(tc.key)
		}
		if tc.md5 != "" {
			in.SSECustomerKeyMD5 = aws.String(tc.md5)
		}
		_, err := c.PutObject(ctx, in)
		wantError(t, err, http.StatusBadRequest, tc.code, tc.message)
	}

	// CopyObject: the source's key in x-amz-copy-source-…, the
	// destination's own encryption.
	copyIn := func(dst string) *s3.CopyObjectInput {
		return &s3.CopyObjectInput{Bucket: b, Key: aws.String(dst), CopySource: aws.String("ssec/obj")}
	}
	_, err = c.CopyObject(ctx, copyIn("c1"))
	wantError(t, err, http.StatusBadRequest, "InvalidRequest", "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	in := copyIn("c1")
	in.CopySourceSSECustomerAlgorithm, in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5 = aws.String("AES256"), aws.String(other.key), aws.String(other.md5)
	_, err = c.CopyObject(ctx, in)
	wantError(t, err, http.StatusForbidden, "AccessDenied", "")
	in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5 = aws.String(k.key), aws.String(k.md5)
	co := must[*s3.CopyObjectOutput](t)(c.CopyObject(ctx, in))
	if co.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("copy to SSE-S3 reply %q", co.ServerSideEncryption)
	}
	if get(t, c, "ssec", "c1") != string(body) {
		t.Fatal("SSE-C to SSE-S3 copy read back wrong")
	}
	// SSE-C to SSE-C under another key.
	in = copyIn("c2")
	in.CopySourceSSECustomerAlgorithm, in.CopySourceSSECustomerKey, in.CopySourceSSECustomerKeyMD5 = aws.String("AES256"), aws.String(k.key), aws.String(k.md5)
	in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(other.key), aws.String(other.md5)
	co = must[*s3.CopyObjectOutput](t)(c.CopyObject(ctx, in))
	if aws.ToString(co.SSECustomerKeyMD5) != other.md5 {
		t.Fatalf("copy to SSE-C reply %q", aws.ToString(co.SSECustomerKeyMD5))
	}
	if got := readBody(t)(c.GetObject(ctx, withKey(&s3.GetObjectInput{Bucket: b, Key: aws.String("c2")}, other))); !bytes.Equal(got, body) {
		t.Fatal("SSE-C to SSE-C copy read back wrong")
	}
	_, err = c.GetObject(ctx, withKey(&s3.GetObjectInput{Bucket: b, Key: aws.String("c2")}, k))
	wantError(t, err, http.StatusForbidden, "AccessDenied", "")
}

func TestSSECMultipart(t *testing.T) {
	_, c := tlsClient(t)
	mkBucket(t, c, "mpsc")
	k, other := newCustomerKey(0x33), newCustomerKey(0x44)
	b, key := aws.String("mpsc"), aws.String("big")
	up := must[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: key,
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)}))
	if aws.ToString(up.SSECustomerKeyMD5) != k.md5 {
		t.Fatalf("CreateMultipartUpload reply %q", aws.ToString(up.SSECustomerKeyMD5))
	}
	body := pattern(5<<20 + 99)
	part := func(n int32, data []byte, ck *customerKey) (*s3.UploadPartOutput, error) {
		in := &s3.UploadPartInput{Bucket: b, Key: key, UploadId: up.UploadId, PartNumber: aws.Int32(n), Body: bytes.NewReader(data)}
		if ck != nil {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(ck.key), aws.String(ck.md5)
		}
		return c.UploadPart(ctx, in)
	}
	// (Small bodies: the server answers a refusal without reading them.)
	_, err := part(1, []byte("x"), nil)
	wantError(t, err, http.StatusBadRequest, "InvalidRequest", "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.")
	_, err = part(1, []byte("x"), &other)
	wantError(t, err, http.StatusBadRequest, "InvalidArgument", "The provided encryption parameters did not match the ones used originally.")
	p1 := must[*s3.UploadPartOutput](t)(part(1, body[:5<<20], &k))
	p2 := must[*s3.UploadPartOutput](t)(part(2, body[5<<20:], &k))
	if aws.ToString(p1.SSECustomerKeyMD5) != k.md5 {
		t.Fatalf("UploadPart reply %q", aws.ToString(p1.SSECustomerKeyMD5))
	}
	must[*s3.CompleteMultipartUploadOutput](t)(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p1.ETag}, {PartNumber: aws.Int32(2), ETag: p2.ETag}}}}))
	in := &s3.GetObjectInput{Bucket: b, Key: key, SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)}
	if got := getRange(t, c, in, 5<<20-10, 50); !bytes.Equal(got, body[5<<20-10:5<<20+40]) {
		t.Fatal("range across the parts read back wrong")
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key})
	wantError(t, err, http.StatusBadRequest, "InvalidRequest", "")

	// UploadPartCopy from the SSE-C object into an upload in clear needs
	// the source's key; SSE-C headers for an upload that is not SSE-C are
	// refused.
	up2 := must[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("dst")}))
	pc := &s3.UploadPartCopyInput{Bucket: b, Key: aws.String("dst"), UploadId: up2.UploadId, PartNumber: aws.Int32(1), CopySource: aws.String("mpsc/big"),
		CopySourceRange: aws.String("bytes=100-70000")}
	_, err = c.UploadPartCopy(ctx, pc)
	wantError(t, err, http.StatusBadRequest, "InvalidRequest", "")
	pc.CopySourceSSECustomerAlgorithm, pc.CopySourceSSECustomerKey, pc.CopySourceSSECustomerKeyMD5 = aws.String("AES256"), aws.String(k.key), aws.String(k.md5)
	pcOut := must[*s3.UploadPartCopyOutput](t)(c.UploadPartCopy(ctx, pc))
	_, err = part(2, []byte("x"), &k)
	if err == nil {
		t.Fatal("SSE-C headers accepted for a part of an upload that is not SSE-C")
	}
	must[*s3.CompleteMultipartUploadOutput](t)(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("dst"), UploadId: up2.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: pcOut.CopyPartResult.ETag}}}}))
	if get(t, c, "mpsc", "dst") != string(body[100:70001]) {
		t.Fatal("UploadPartCopy of an SSE-C range read back wrong")
	}
}

// TestSSECOverHTTP: S3 refuses customer keys over plain HTTP; a setting
// allows them.
func TestSSECOverHTTP(t *testing.T) {
	k := newCustomerKey(0x55)
	env := testenv.New(t)
	mkBucket(t, env.S3, "hh1")
	in := func() *s3.PutObjectInput {
		return &s3.PutObjectInput{Bucket: aws.String("hh1"), Key: aws.String("k"), Body: strings.NewReader("v"),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)}
	}
	_, err := env.S3.PutObject(ctx, in())
	wantError(t, err, http.StatusBadRequest, "InvalidRequest", "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")
	_, err = env.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("hh1"), Key: aws.String("k"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)})
	wantError(t, err, http.StatusBadRequest, "InvalidRequest", "Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")

	allowed := testenv.New(t, func(c *config.Config) { c.S3SSECAllowHTTP = true })
	mkBucket(t, allowed.S3, "hh1")
	must[*s3.PutObjectOutput](t)(allowed.S3.PutObject(ctx, in()))
	got := readBody(t)(allowed.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("hh1"), Key: aws.String("k"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k.key), SSECustomerKeyMD5: aws.String(k.md5)}))
	if string(got) != "v" {
		t.Fatalf("GET %q", got)
	}
}

// TestEncryptedVersions: every version keeps its own encryption; a read by
// versionId decrypts that version (with its key for SSE-C).
func TestEncryptedVersions(t *testing.T) {
	_, c := tlsClient(t)
	mkBucket(t, c, "vers")
	b, key := aws.String("vers"), aws.String("k")
	must[*s3.PutBucketVersioningOutput](t)(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}))
	v1 := must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: key, Body: strings.NewReader("first, SSE-S3")}))
	ck := newCustomerKey(0x77)
	v2 := must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: key, Body: strings.NewReader("second, SSE-C"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(ck.key), SSECustomerKeyMD5: aws.String(ck.md5)}))
	if v1.VersionId == nil || v2.VersionId == nil || *v1.VersionId == *v2.VersionId {
		t.Fatalf("version ids %v %v", v1.VersionId, v2.VersionId)
	}
	got := readBody(t)(c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key, VersionId: v1.VersionId}))
	if string(got) != "first, SSE-S3" {
		t.Fatalf("v1 = %q", got)
	}
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key})
	wantError(t, err, http.StatusBadRequest, "InvalidRequest", "")
	got = readBody(t)(c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: key, VersionId: v2.VersionId,
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(ck.key), SSECustomerKeyMD5: aws.String(ck.md5)}))
	if string(got) != "second, SSE-C" {
		t.Fatalf("v2 = %q", got)
	}
}
