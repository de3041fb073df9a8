package s3blob

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse/gatehouse/internal/blob/bloburl"
)

// HTTP client timeouts of the upstream. A transfer itself has no overall
// deadline (a large object takes long); the caller's context bounds it.
const (
	dialTimeout           = 10 * time.Second
	tlsTimeout            = 10 * time.Second
	responseHeaderTimeout = 60 * time.Second
	idleConnTimeout       = 90 * time.Second
	retryMaxAttempts      = 3
	dialCheckTimeout      = 30 * time.Second
)

// Dial builds the upstream client of loc, checks that it has credentials
// and that the bucket answers, and returns the Store.
func Dial(ctx context.Context, loc *bloburl.S3) (*Store, error) {
	c, err := newClient(ctx, loc)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, dialCheckTimeout)
	defer cancel()
	if _, err := c.HeadBucket(cctx, &s3.HeadBucketInput{Bucket: &loc.Bucket}); err != nil {
		return nil, fmt.Errorf("s3blob: bucket %s: %w", loc.Bucket, upstreamErr("HeadBucket", err))
	}
	return New(Options{Client: c, Bucket: loc.Bucket, Prefix: loc.Prefix})
}

// newClient is the upstream client of loc, with its credentials checked.
func newClient(ctx context.Context, loc *bloburl.S3) (*s3.Client, error) {
	client := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = dialTimeout }).
		WithTransportOptions(func(t *http.Transport) {
			t.TLSHandshakeTimeout = tlsTimeout
			t.ResponseHeaderTimeout = responseHeaderTimeout
			t.IdleConnTimeout = idleConnTimeout
			t.MaxIdleConnsPerHost = 64
		})
	opts := []func(*config.LoadOptions) error{config.WithHTTPClient(client), config.WithRetryMaxAttempts(retryMaxAttempts)}
	if loc.Region != "" {
		opts = append(opts, config.WithRegion(loc.Region))
	}
	if loc.CredentialsFile != "" {
		opts = append(opts, config.WithSharedCredentialsFiles([]string{loc.CredentialsFile}))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3blob: upstream configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	cctx, cancel := context.WithTimeout(ctx, dialCheckTimeout)
	defer cancel()
	if cfg.Credentials == nil {
		return nil, errors.New("s3blob: no upstream credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a shared credentials file")
	}
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return nil, fmt.Errorf("s3blob: no upstream credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a shared credentials file): %w", err)
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if loc.Endpoint != "" {
			o.BaseEndpoint = aws.String(loc.Endpoint)
		}
		o.UsePathStyle = loc.PathStyle
	})
	return c, nil
}

// Open parses raw (bloburl.Parse) and dials it.
func Open(ctx context.Context, raw string) (*Store, error) {
	loc, err := bloburl.Parse(raw)
	if err != nil {
		return nil, err
	}
	return Dial(ctx, loc)
}
