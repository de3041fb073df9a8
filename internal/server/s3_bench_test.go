package server_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// BenchmarkGetObjectHandler: the server's cost of one 4 KiB GET (a
// presigned URL, replayed in-process), without and with the access log
// and the metrics.
func BenchmarkGetObjectHandler(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode, func(b *testing.B) {
			env := benchEnv(b, mode)
			req, h := presignedGet4KiB(b, env)
			b.ReportAllocs()
			for b.Loop() {
				r := req.Clone(context.Background())
				r.RemoteAddr = "127.0.0.1:1234"
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 || w.Body.Len() != 4096 {
					b.Fatalf("status %d, %d bytes", w.Code, w.Body.Len())
				}
			}
		})
	}
}

// presignedGet4KiB makes bucket bench with a 4 KiB object k and returns a
// presigned GET of it and the server's handler, for replaying in-process.
func presignedGet4KiB(b *testing.B, env *testenv.Env) (*http.Request, http.Handler) {
	b.Helper()
	ctx := context.Background()
	if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 4096)
	if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("k"), Body: bytes.NewReader(body)}); err != nil {
		b.Fatal(err)
	}
	pre, err := s3.NewPresignClient(env.S3).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String("k")})
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, pre.URL, nil)
	return req, env.Server.Handler()
}
