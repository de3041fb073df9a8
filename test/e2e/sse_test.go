package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// TestSDKServerSideEncryption runs aws-sdk-go-v2 against the built binary
// over HTTPS: SSE-C round trips with range reads, the SSE-C refusals a
// client meets, and range reads of an SSE-S3 object (the server's default)
// whose bytes are not on disk in clear.
func TestSDKServerSideEncryption(t *testing.T) {
	ctx := context.Background()
	cert, key := selfSignedCert(t)
	dataDir := t.TempDir()
	srv := startServer(t, dataDir, "--tls-cert", cert, "--tls-key", key)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(mustRead(t, cert))
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(hc.CloseIdleConnections)
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider(rootKeyID, rootSecret, "")})
	need(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sse-e2e")}))(t)
	body := make([]byte, 3<<20+12345)
	copy(body, bytes.Repeat([]byte("SSE-E2E-PLAINTEXT-CANARY-"), len(body)/25))

	// SSE-S3 by default; ranges straddling 64 KiB chunks.
	put := need(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sse-e2e"), Key: aws.String("s3"), Body: bytes.NewReader(body)}))(t)
	if put.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("default encryption: %q", put.ServerSideEncryption)
	}
	readRange := func(in *s3.GetObjectInput, off, n int) []byte {
		t.Helper()
		in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1))
		out := need(c.GetObject(ctx, in))(t)
		defer out.Body.Close()
		return need(io.ReadAll(out.Body))(t)
	}
	for _, r := range [][2]int{{0, 1}, {65535, 2}, {65536 - 100, 300000}, {len(body) - 7, 7}, {1234567, 89}} {
		if got := readRange(&s3.GetObjectInput{Bucket: aws.String("sse-e2e"), Key: aws.String("s3")}, r[0], r[1]); !bytes.Equal(got, body[r[0]:r[0]+r[1]]) {
			t.Fatalf("SSE-S3 range %v read back wrong", r)
		}
	}
	canary := []byte("SSE-E2E-PLAINTEXT-CANARY-SSE-E2E-PLAINTEXT-CANARY-")
	if err := filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if data, err := os.ReadFile(path); err == nil && bytes.Contains(data, canary) {
			t.Errorf("plaintext of an SSE-S3 object in %s", path)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// SSE-C: the SDK sends the key and its MD5 as given.
	raw := bytes.Repeat([]byte{0x5a}, 32)
	sum := md5.Sum(raw)
	k, k5 := base64.StdEncoding.EncodeToString(raw), base64.StdEncoding.EncodeToString(sum[:])
	out := need(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sse-e2e"), Key: aws.String("c"), Body: bytes.NewReader(body),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k), SSECustomerKeyMD5: aws.String(k5)}))(t)
	if aws.ToString(out.SSECustomerKeyMD5) != k5 {
		t.Fatalf("SSE-C PUT reply %q", aws.ToString(out.SSECustomerKeyMD5))
	}
	withKey := func() *s3.GetObjectInput {
		return &s3.GetObjectInput{Bucket: aws.String("sse-e2e"), Key: aws.String("c"),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(k), SSECustomerKeyMD5: aws.String(k5)}
	}
	if got := readRange(withKey(), 65530, 70000); !bytes.Equal(got, body[65530:135530]) {
		t.Fatal("SSE-C range read back wrong")
	}
	full := need(c.GetObject(ctx, withKey()))(t)
	got := need(io.ReadAll(full.Body))(t)
	full.Body.Close()
	if !bytes.Equal(got, body) {
		t.Fatal("SSE-C object read back wrong")
	}
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sse-e2e"), Key: aws.String("c")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidRequest" {
		t.Fatalf("GET of an SSE-C object without its key: %v", err)
	}
	other := bytes.Repeat([]byte{0x5b}, 32)
	osum := md5.Sum(other)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sse-e2e"), Key: aws.String("c"), SSECustomerAlgorithm: aws.String("AES256"),
		SSECustomerKey: aws.String(base64.StdEncoding.EncodeToString(other)), SSECustomerKeyMD5: aws.String(base64.StdEncoding.EncodeToString(osum[:]))})
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("GET of an SSE-C object with another key: %v", err)
	}
}

// TestBoto3ServerSideEncryption runs boto3 (and s3transfer) against the
// built binary over HTTPS: SSE-S3, SSE-KMS, SSE-C and bucket default
// encryption as a Python client sends them (testdata/boto3_sse.py).
func TestBoto3ServerSideEncryption(t *testing.T) {
	cert, key := selfSignedCert(t)
	srv := startServer(t, t.TempDir(), "--tls-cert", cert, "--tls-key", key)
	t.Setenv("AWS_CA_BUNDLE", cert)
	runBoto3Script(t, srv.URL, "testdata/boto3_sse.py", "OK SSE-S3", "OK SSE-KMS", "OK SSE-C round trip and refusals",
		"OK SSE-C copy", "OK SSE-C multipart", "OK bucket default encryption", "OK cleanup")
}
