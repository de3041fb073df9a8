package s3_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// distinctive is an object body whose bytes cannot appear on disk by chance.
func distinctive(n int) []byte {
	unit := []byte("GATEHOUSE-PLAINTEXT-CANARY-7f3a9c-")
	return bytes.Repeat(unit, n/len(unit)+1)[:n]
}

// dataDirHolds reports whether any file under dir contains needle.
func dataDirHolds(t *testing.T, dir string, needle []byte) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, needle) {
			t.Logf("found in %s", path)
			found = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestSSENothingInClearOnDisk writes distinctive plaintext with SSE-S3
// (single PUT and multipart) and greps the whole data directory for it:
// it must not be there. For contrast, the same bytes written in clear (the
// server set not to encrypt by default) are found.
func TestSSENothingInClearOnDisk(t *testing.T) {
	body := distinctive(300 << 10)
	needle := body[1000:1064]
	t.Run("SSE-S3", func(t *testing.T) {
		env := testenv.New(t)
		c := env.S3
		mkBucket(t, c, "disk")
		out := must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("disk"), Key: aws.String("default"), Body: bytes.NewReader(body)}))
		if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Fatalf("default encryption reply %q", out.ServerSideEncryption)
		}
		must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("disk"), Key: aws.String("explicit"), Body: bytes.NewReader(body),
			ServerSideEncryption: types.ServerSideEncryptionAes256}))
		up := must[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("disk"), Key: aws.String("mp")}))
		p := must[*s3.UploadPartOutput](t)(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("disk"), Key: aws.String("mp"), UploadId: up.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader(body)}))
		if dataDirHolds(t, env.DataDir, needle) {
			t.Fatal("plaintext of an SSE-S3 object (or part) is on disk")
		}
		must[*s3.CompleteMultipartUploadOutput](t)(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("disk"), Key: aws.String("mp"), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}}))
		for _, k := range []string{"default", "explicit", "mp"} {
			if got := get(t, c, "disk", k); got != string(body) {
				t.Fatalf("%s read back wrong", k)
			}
		}
		if dataDirHolds(t, env.DataDir, needle) {
			t.Fatal("plaintext of an SSE-S3 object is on disk")
		}
	})
	t.Run("in clear", func(t *testing.T) {
		env := testenv.New(t, func(c *config.Config) { c.S3EncryptObjects = false })
		mkBucket(t, env.S3, "disk")
		out := must[*s3.PutObjectOutput](t)(env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("disk"), Key: aws.String("plain"), Body: bytes.NewReader(body)}))
		if out.ServerSideEncryption != "" {
			t.Fatalf("unencrypted object reported as %q", out.ServerSideEncryption)
		}
		if !dataDirHolds(t, env.DataDir, needle) {
			t.Fatal("the grep does not find plaintext that is on disk: the test cannot fail")
		}
	})
}

// pattern is n bytes that differ from chunk to chunk.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + i/65536)
	}
	return b
}

// rangeCases are byte ranges around chunk (64 KiB) and part edges.
func rangeCases(size int64) [][2]int64 {
	const c = 64 << 10
	cases := [][2]int64{{0, 0}, {0, 1}, {1, 1}, {c - 1, 2}, {c, 1}, {c - 7, c + 14}, {3, 2*c + 5}, {size - 1, 1}, {size - c - 3, c + 3}, {12345, 54321}}
	var out [][2]int64
	for _, r := range cases {
		if r[0] >= 0 && r[0]+r[1] <= size && r[1] > 0 {
			out = append(out, r)
		}
	}
	return out
}

func getRange(t *testing.T, c *s3.Client, in *s3.GetObjectInput, off, n int64) []byte {
	t.Helper()
	in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	out, err := c.GetObject(ctx, in)
	if err != nil {
		t.Fatalf("range %d+%d: %v", off, n, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSSES3ObjectsAndRanges(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "enc")
	body := pattern(5<<20 + 70001)
	sum := md5.Sum(body)
	out := must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("o"), Body: bytes.NewReader(body),
		ServerSideEncryption: types.ServerSideEncryptionAes256}))
	if *out.ETag != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Fatalf("SSE-S3 ETag %s is not the plaintext's MD5", *out.ETag)
	}
	head := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("enc"), Key: aws.String("o")}))
	if head.ServerSideEncryption != types.ServerSideEncryptionAes256 || *head.ContentLength != int64(len(body)) {
		t.Fatalf("HEAD: %q %d", head.ServerSideEncryption, *head.ContentLength)
	}
	for _, r := range rangeCases(int64(len(body))) {
		if got := getRange(t, c, &s3.GetObjectInput{Bucket: aws.String("enc"), Key: aws.String("o")}, r[0], r[1]); !bytes.Equal(got, body[r[0]:r[0]+r[1]]) {
			t.Fatalf("range %d+%d read back wrong", r[0], r[1])
		}
	}

	// Multipart: two parts, each its own stream under the upload's key.
	up := must[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("enc"), Key: aws.String("mp"),
		ServerSideEncryption: types.ServerSideEncryptionAes256}))
	if up.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CreateMultipartUpload reply %q", up.ServerSideEncryption)
	}
	split := int64(5 << 20)
	var parts []types.CompletedPart
	for i, b := range [][]byte{body[:split], body[split:]} {
		p := must[*s3.UploadPartOutput](t)(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("enc"), Key: aws.String("mp"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(b)}))
		if p.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Fatalf("UploadPart reply %q", p.ServerSideEncryption)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: p.ETag})
	}
	done := must[*s3.CompleteMultipartUploadOutput](t)(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("enc"), Key: aws.String("mp"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}))
	if done.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CompleteMultipartUpload reply %q", done.ServerSideEncryption)
	}
	cases := append(rangeCases(int64(len(body))), [2]int64{split - 5, 10}, [2]int64{split - 64<<10 - 1, 128<<10 + 3})
	for _, r := range cases {
		if got := getRange(t, c, &s3.GetObjectInput{Bucket: aws.String("enc"), Key: aws.String("mp")}, r[0], r[1]); !bytes.Equal(got, body[r[0]:r[0]+r[1]]) {
			t.Fatalf("multipart range %d+%d read back wrong", r[0], r[1])
		}
	}
	p2 := must[*s3.GetObjectOutput](t)(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("enc"), Key: aws.String("mp"), PartNumber: aws.Int32(2)}))
	if b, _ := io.ReadAll(p2.Body); !bytes.Equal(b, body[split:]) {
		t.Fatal("?partNumber=2 read back wrong")
	}
	p2.Body.Close()

	// Copies: SSE-S3 to SSE-S3 shares the bytes; to an object in clear
	// (server default off is tested elsewhere) and to SSE-KMS re-encrypts.
	for _, dst := range []struct {
		key string
		sse types.ServerSideEncryption
	}{{"copy-s3", ""}, {"copy-kms", types.ServerSideEncryptionAwsKms}} {
		co := must[*s3.CopyObjectOutput](t)(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("enc"), Key: aws.String(dst.key), CopySource: aws.String("enc/mp"),
			ServerSideEncryption: dst.sse}))
		want := dst.sse
		if want == "" {
			want = types.ServerSideEncryptionAes256
		}
		if co.ServerSideEncryption != want {
			t.Fatalf("%s: CopyObject reply %q", dst.key, co.ServerSideEncryption)
		}
		if got := get(t, c, "enc", dst.key); got != string(body) {
			t.Fatalf("%s read back wrong", dst.key)
		}
		if got := getRange(t, c, &s3.GetObjectInput{Bucket: aws.String("enc"), Key: aws.String(dst.key)}, split-3, 7); !bytes.Equal(got, body[split-3:split+4]) {
			t.Fatalf("%s range read back wrong", dst.key)
		}
	}
	// UploadPartCopy of an encrypted range into another encrypted upload.
	up2 := must[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("enc"), Key: aws.String("pc")}))
	pc := must[*s3.UploadPartCopyOutput](t)(c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("enc"), Key: aws.String("pc"), UploadId: up2.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String("enc/o"), CopySourceRange: aws.String("bytes=65530-200000")}))
	must[*s3.CompleteMultipartUploadOutput](t)(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("enc"), Key: aws.String("pc"),
		UploadId: up2.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: pc.CopyPartResult.ETag}}}}))
	if got := get(t, c, "enc", "pc"); got != string(body[65530:200001]) {
		t.Fatal("UploadPartCopy of an encrypted range read back wrong")
	}
}

func TestSSEKMSDefaultKey(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "kms")
	out := must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms"), Key: aws.String("a"), Body: strings.NewReader("kms body"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, BucketKeyEnabled: aws.Bool(true)}))
	prefix := "arn:aws:kms:" + testenv.Region + ":" + testenv.AccountID + ":key/"
	if out.ServerSideEncryption != types.ServerSideEncryptionAwsKms || !strings.HasPrefix(aws.ToString(out.SSEKMSKeyId), prefix) || !aws.ToBool(out.BucketKeyEnabled) {
		t.Fatalf("PUT reply %q %q %v", out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId), aws.ToBool(out.BucketKeyEnabled))
	}
	if sum := md5.Sum([]byte("kms body")); *out.ETag == `"`+hex.EncodeToString(sum[:])+`"` {
		t.Fatal("an SSE-KMS ETag is the plaintext's MD5 (S3's is not)")
	}
	keyARN := *out.SSEKMSKeyId
	// The same key by every name S3 accepts for it.
	for _, id := range []string{"alias/aws/s3", keyARN, strings.TrimPrefix(keyARN, prefix), "arn:aws:kms:" + testenv.Region + ":" + testenv.AccountID + ":alias/aws/s3"} {
		o := must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms"), Key: aws.String("b"), Body: strings.NewReader("x"),
			ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(id)}))
		if *o.SSEKMSKeyId != keyARN {
			t.Fatalf("key %q resolved to %q", id, *o.SSEKMSKeyId)
		}
	}
	head := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("kms"), Key: aws.String("a")}))
	if head.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(head.SSEKMSKeyId) != keyARN {
		t.Fatalf("HEAD %q %q", head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId))
	}
	if got := get(t, c, "kms", "a"); got != "kms body" {
		t.Fatalf("GET %q", got)
	}
	// A key Gatehouse does not manage is not found, as KMS says.
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms"), Key: aws.String("c"), Body: strings.NewReader("x"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("alias/other")})
	wantError(t, err, http.StatusBadRequest, "KMS.NotFoundException", "Invalid keyId 'alias/other'")
	// Another account's default key is another key.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms"), Key: aws.String("c"), Body: strings.NewReader("x"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(strings.Replace(keyARN, testenv.AccountID, "999999999999", 1))})
	wantError(t, err, http.StatusBadRequest, "KMS.NotFoundException", "")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms"), Key: aws.String("c"), Body: strings.NewReader("x"),
		SSEKMSKeyId: aws.String(keyARN)})
	wantError(t, err, http.StatusBadRequest, "InvalidArgument", "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms"), Key: aws.String("c"), Body: strings.NewReader("x"),
		ServerSideEncryption: "AES128"})
	wantError(t, err, http.StatusBadRequest, "InvalidArgument", "The encryption method specified is not supported")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms"), Key: aws.String("c"), Body: strings.NewReader("x"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKmsDsse})
	wantError(t, err, http.StatusNotImplemented, "NotImplemented", "")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kms"), Key: aws.String("c"), Body: strings.NewReader("x"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSEncryptionContext: aws.String("eyJhIjoiYiJ9")})
	wantError(t, err, http.StatusNotImplemented, "NotImplemented", "")
}

// wantError checks an SDK error's status, code and (when given) message.
func wantError(t *testing.T, err error, status int, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if err == nil {
		t.Fatalf("want %d %s, got success", status, code)
	}
	if got := azStatus(err); got != status {
		t.Fatalf("want status %d %s, got %d: %v", status, code, got, err)
	}
	if code == "" {
		return
	}
	if !errors.As(err, &ae) || ae.ErrorCode() != code || (message != "" && ae.ErrorMessage() != message) {
		t.Fatalf("want %s %q, got %v", code, message, err)
	}
}

func TestBucketDefaultEncryption(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "dflt")
	// Every bucket's default is SSE-S3 while the server encrypts everything.
	got := must[*s3.GetBucketEncryptionOutput](t)(c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("dflt")}))
	if r := got.ServerSideEncryptionConfiguration.Rules; len(r) != 1 || r[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("default configuration %+v", got.ServerSideEncryptionConfiguration)
	}
	must[*s3.PutBucketEncryptionOutput](t)(c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("dflt"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/aws/s3")},
			BucketKeyEnabled:                   aws.Bool(true)}}}}))
	got = must[*s3.GetBucketEncryptionOutput](t)(c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("dflt")}))
	r := got.ServerSideEncryptionConfiguration.Rules[0]
	if r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms || aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != "alias/aws/s3" || !aws.ToBool(r.BucketKeyEnabled) {
		t.Fatalf("configuration read back %+v", r)
	}
	out := must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dflt"), Key: aws.String("k"), Body: strings.NewReader("v")}))
	if out.ServerSideEncryption != types.ServerSideEncryptionAwsKms || !aws.ToBool(out.BucketKeyEnabled) {
		t.Fatalf("bucket default not applied: %q", out.ServerSideEncryption)
	}
	// A request's own encryption wins over the bucket's.
	out = must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dflt"), Key: aws.String("k2"), Body: strings.NewReader("v"),
		ServerSideEncryption: types.ServerSideEncryptionAes256}))
	if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("request's encryption lost: %q", out.ServerSideEncryption)
	}
	// S3's validation.
	_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("dflt"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256, KMSMasterKeyID: aws.String("alias/aws/s3")}}}}})
	wantError(t, err, http.StatusBadRequest, "InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("dflt"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{BucketKeyEnabled: aws.Bool(true)}}}})
	wantError(t, err, http.StatusBadRequest, "MalformedXML", "")
	// A default naming a key that does not exist fails the writes it
	// applies to, as in S3.
	must[*s3.PutBucketEncryptionOutput](t)(c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("dflt"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/gone")}}}}}))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dflt"), Key: aws.String("k3"), Body: strings.NewReader("v")})
	wantError(t, err, http.StatusBadRequest, "KMS.NotFoundException", "Invalid keyId 'alias/gone'")
	must[*s3.DeleteBucketEncryptionOutput](t)(c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("dflt")}))
	got = must[*s3.GetBucketEncryptionOutput](t)(c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("dflt")}))
	if got.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatal("after DeleteBucketEncryption the default is not SSE-S3")
	}
	// Objects written before stay readable whatever the default becomes.
	for _, k := range []string{"k", "k2"} {
		if v := get(t, c, "dflt", k); v != "v" {
			t.Fatalf("%s = %q", k, v)
		}
	}
}

// TestEncryptObjectsSetting: with the server's default off, objects asking
// for nothing are stored in clear (and reported so), a bucket default
// still applies, GetBucketEncryption of a bucket without one is S3's 404,
// and objects written encrypted stay readable.
func TestEncryptObjectsSetting(t *testing.T) {
	env := testenv.New(t, func(c *config.Config) { c.S3EncryptObjects = false })
	c := env.S3
	mkBucket(t, c, "opt")
	out := must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("opt"), Key: aws.String("plain"), Body: strings.NewReader("clear")}))
	if out.ServerSideEncryption != "" {
		t.Fatalf("reply %q", out.ServerSideEncryption)
	}
	_, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("opt")})
	wantError(t, err, http.StatusNotFound, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found")
	must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("opt"), Key: aws.String("enc"), Body: strings.NewReader("secret"),
		ServerSideEncryption: types.ServerSideEncryptionAes256}))
	// CopyObject of the encrypted object to an object in clear, and back.
	co := must[*s3.CopyObjectOutput](t)(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("opt"), Key: aws.String("decrypted"), CopySource: aws.String("opt/enc")}))
	if co.ServerSideEncryption != "" || get(t, c, "opt", "decrypted") != "secret" {
		t.Fatalf("copy to clear: %q", co.ServerSideEncryption)
	}
	// Copy onto itself to encrypt in place (S3 allows it when the
	// encryption changes).
	co = must[*s3.CopyObjectOutput](t)(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("opt"), Key: aws.String("plain"), CopySource: aws.String("opt/plain"),
		ServerSideEncryption: types.ServerSideEncryptionAes256}))
	if co.ServerSideEncryption != types.ServerSideEncryptionAes256 || get(t, c, "opt", "plain") != "clear" {
		t.Fatalf("encrypt in place: %q", co.ServerSideEncryption)
	}
	must[*s3.PutBucketEncryptionOutput](t)(c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("opt"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}}))
	out = must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("opt"), Key: aws.String("by-bucket"), Body: strings.NewReader("v")}))
	if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("bucket default not applied: %q", out.ServerSideEncryption)
	}
	// A restart with the setting on: objects in clear stay readable.
	env.Cfg.S3EncryptObjects = true
	env.Restart()
	c = env.S3
	if get(t, c, "opt", "decrypted") != "secret" || get(t, c, "opt", "plain") != "clear" {
		t.Fatal("objects written before the restart read back wrong")
	}
}

// TestPolicyRequiresEncryption: the classic bucket policy that denies
// PutObject without x-amz-server-side-encryption, and a condition on the
// KMS key id.
func TestPolicyRequiresEncryption(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "strict")
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"DenyUnencrypted","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::strict/*",
	  "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}},
	 {"Sid":"DenyAliasName","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::strict/*",
	  "Condition":{"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"alias/aws/s3"}}}]}`
	must[*s3.PutBucketPolicyOutput](t)(c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("strict"), Policy: aws.String(policy)}))
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("strict"), Key: aws.String("k"), Body: strings.NewReader("v")})
	wantError(t, err, http.StatusForbidden, "AccessDenied", "")
	must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("strict"), Key: aws.String("k"), Body: strings.NewReader("v"),
		ServerSideEncryption: types.ServerSideEncryptionAes256}))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("strict"), Key: aws.String("k"), Body: strings.NewReader("v"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("alias/aws/s3")})
	wantError(t, err, http.StatusForbidden, "AccessDenied", "")
	must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("strict"), Key: aws.String("k"), Body: strings.NewReader("v"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms}))
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("strict"), Key: aws.String("k2"), CopySource: aws.String("strict/k")})
	wantError(t, err, http.StatusForbidden, "AccessDenied", "")
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("strict"), Key: aws.String("k3")})
	wantError(t, err, http.StatusForbidden, "AccessDenied", "")
}
