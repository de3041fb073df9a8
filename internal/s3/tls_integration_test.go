package s3_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// payloadModes is an SDK HTTP client that records each request's
// x-amz-content-sha256 mode.
type payloadModes struct {
	hc    *http.Client
	mu    sync.Mutex
	modes map[string]int
}

func (p *payloadModes) Do(req *http.Request) (*http.Response, error) {
	mode := req.Header.Get("X-Amz-Content-Sha256")
	if len(mode) == 64 {
		mode = "hex"
	}
	p.mu.Lock()
	p.modes[req.Method+" "+mode]++
	p.mu.Unlock()
	return p.hc.Do(req)
}

// TestSDKDefaultsOverTLS uses aws-sdk-go-v2 as it runs against AWS, over
// HTTPS with its defaults: uploads then go as aws-chunked bodies with a
// trailing checksum (STREAMING-UNSIGNED-PAYLOAD-TRAILER), which the server
// must decode, verify and store.
func TestSDKDefaultsOverTLS(t *testing.T) {
	certFile, keyFile, pool := testenv.SelfSignedCert(t)
	env := testenv.New(t, func(c *config.Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	rec := &payloadModes{hc: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}, modes: map[string]int{}}
	// Unused dialed connections would hold the server's graceful shutdown
	// (see testenv.Close); cleanups run last-registered first.
	t.Cleanup(rec.hc.CloseIdleConnections)
	cfg := env.AWSConfig(env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""))
	cfg.BaseEndpoint = aws.String(strings.Replace(env.URL, "http://", "https://", 1))
	cfg.HTTPClient = rec
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tls")}); err != nil {
		t.Fatal(err)
	}
	small := []byte("over TLS with the SDK's defaults")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tls"), Key: aws.String("small"), Body: bytes.NewReader(small)}); err != nil {
		t.Fatal(err)
	}
	big := randBytes(7, 13<<20)
	//lint:ignore SA1019 feature/s3/manager is deprecated, but it is the upload path deployed clients use
	up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 << 20 })
	//lint:ignore SA1019 as above
	if _, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("tls"), Key: aws.String("big"), Body: bytes.NewReader(big)}); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string][]byte{"small": small, "big": big} {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tls"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || sha256.Sum256(got) != sha256.Sum256(want) {
			t.Fatalf("%s: %d bytes back, read error %v", key, len(got), err)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	t.Logf("payload modes seen: %v", rec.modes)
	if rec.modes["PUT STREAMING-UNSIGNED-PAYLOAD-TRAILER"] < 3 { // the three parts
		t.Fatalf("the SDK did not send aws-chunked uploads: %v", rec.modes)
	}
}
