package s3_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestCORSBrowserUpload configures CORS as a browser upload needs it and
// checks the preflight and the headers on actual responses, including the
// exposed ETag that a browser's multipart upload reads.
func TestCORSBrowserUpload(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "web")
	_, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("web")})
	wantCode(t, err, "NoSuchCORSConfiguration")

	preflight := func(origin, method, headers string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, env.URL+"/web/uploads/a.bin", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			req.Header.Set("Access-Control-Request-Headers", headers)
		}
		resp, err := env.HTTP().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if r := preflight("https://app.example.com", "PUT", ""); r.StatusCode != http.StatusForbidden {
		t.Fatalf("preflight without CORS: %d", r.StatusCode)
	}

	_, err = c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("web"), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{
			AllowedOrigins: []string{"https://app.example.com", "http://localhost:*"},
			AllowedMethods: []string{"GET", "PUT", "POST", "HEAD"},
			AllowedHeaders: []string{"*"},
			ExposeHeaders:  []string{"ETag", "x-amz-request-id"},
			MaxAgeSeconds:  aws.Int32(3000),
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("web")})
	if err != nil || len(got.CORSRules) != 1 || got.CORSRules[0].ExposeHeaders[0] != "ETag" || aws.ToInt32(got.CORSRules[0].MaxAgeSeconds) != 3000 {
		t.Fatalf("GetBucketCors = %+v, %v", got, err)
	}

	r := preflight("https://app.example.com", "PUT", "authorization, x-amz-date, x-amz-content-sha256, x-amz-security-token, content-type")
	h := r.Header
	if r.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "PUT") || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "x-amz-security-token") ||
		h.Get("Access-Control-Max-Age") != "3000" || !strings.Contains(h.Get("Access-Control-Expose-Headers"), "ETag") {
		t.Fatalf("preflight: %d %v", r.StatusCode, h)
	}
	if r := preflight("http://localhost:5173", "POST", ""); r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" {
		t.Fatalf("wildcard-port origin: %d %v", r.StatusCode, r.Header)
	}
	if r := preflight("https://evil.example.net", "PUT", ""); r.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin preflight: %d", r.StatusCode)
	}
	if r := preflight("https://app.example.com", "DELETE", ""); r.StatusCode != http.StatusForbidden {
		t.Fatalf("disallowed method preflight: %d", r.StatusCode)
	}

	// An actual signed request from the page's origin carries the CORS
	// headers, including the exposed ETag.
	var seen http.Header
	origin := func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, addHeader("Origin", "https://app.example.com"))
		o.HTTPClient = captureHeaders{&seen}
	}
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("web"), Key: aws.String("uploads/a.bin"), Body: strings.NewReader("x")}, origin)
	if err != nil {
		t.Fatal(err)
	}
	if seen.Get("Access-Control-Allow-Origin") != "https://app.example.com" || !strings.Contains(seen.Get("Access-Control-Expose-Headers"), "ETag") || aws.ToString(out.ETag) == "" {
		t.Fatalf("actual request CORS headers: %v", seen)
	}
	// Errors carry them too, so the page can read the failure.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("web"), Key: aws.String("missing")}, origin)
	wantCode(t, err, "NoSuchKey")
	if seen.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Fatalf("error response CORS headers: %v", seen)
	}

	for _, bad := range []types.CORSRule{
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PATCH"}},
		{AllowedOrigins: []string{"https://*.*.example.com"}, AllowedMethods: []string{"GET"}},
	} {
		_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("web"), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{bad}}})
		wantCode(t, err, "InvalidRequest")
	}
	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("web")})
	wantCode(t, err, "NoSuchCORSConfiguration")
}

// TestVirtualHostAddressing reaches buckets as BUCKET.s3.localhost (the
// default --s3-domain), with the SDK's own virtual-host addressing.
func TestVirtualHostAddressing(t *testing.T) {
	env := testenv.New(t)
	addr := strings.TrimPrefix(env.URL, "http://")
	_, port, _ := net.SplitHostPort(addr)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		// *.s3.localhost resolves to this machine; dial the test server.
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}}
	t.Cleanup(hc.CloseIdleConnections) // before the server's graceful shutdown (see testenv.Close)
	cfg := env.AWSConfig(env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""))
	cfg.BaseEndpoint = aws.String("http://s3.localhost:" + port)
	cfg.HTTPClient = hc
	vc := s3.NewFromConfig(cfg)
	if _, err := vc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vhost")}); err != nil {
		t.Fatal(err)
	}
	if _, err := vc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/k ey.txt"), Body: strings.NewReader("virtual")}); err != nil {
		t.Fatal(err)
	}
	// The path-style client sees the same object.
	if got := get(t, env.S3, "vhost", "dir/k ey.txt"); got != "virtual" {
		t.Fatalf("path-style read of a virtual-host write: %q", got)
	}
	list, err := vc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("vhost"), Prefix: aws.String("dir/")})
	if err != nil || len(list.Contents) != 1 || *list.Contents[0].Key != "dir/k ey.txt" {
		t.Fatalf("virtual-host list: %+v %v", list, err)
	}
	pre, err := s3.NewPresignClient(vc).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vhost"), Key: aws.String("dir/k ey.txt")})
	if err != nil || !strings.HasPrefix(pre.URL, "http://vhost.s3.localhost:") {
		t.Fatalf("presign: %v %v", pre, err)
	}
	resp, err := hc.Get(pre.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "virtual" {
		t.Fatalf("virtual-host presigned GET: %d %s", resp.StatusCode, body)
	}
}

// addHeader is an SDK option that sets a request header before signing.
func addHeader(k, v string) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Build.Add(middleware.BuildMiddlewareFunc("test-header-"+k, func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				req.Header.Set(k, v)
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
	}
}

// captureHeaders is an SDK HTTP client that keeps the last response's headers.
type captureHeaders struct{ into *http.Header }

func (c captureHeaders) Do(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		*c.into = resp.Header.Clone()
	}
	return resp, err
}
