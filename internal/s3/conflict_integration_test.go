package s3_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storefault"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A write the store gave up on because it kept colliding with others
// (store.ErrConflict: PostgreSQL's serialization failures after the
// store's own retries) is answered 503 SlowDown, which SDKs retry, not a
// 500; nothing of it is kept.
func TestStoreConflictIsSlowDown(t *testing.T) {
	var faults *storefault.Store
	env := testenv.NewWith(t, func(o *server.Options) {
		o.WrapStore = func(st store.Store) store.Store { faults = storefault.New(st); return faults }
	})
	mkBucket(t, env.S3, "busy")
	faults.FailEvery("PutObject", fmt.Errorf("%w: could not serialize access", store.ErrConflict))
	c := env.S3Client(env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("busy"), Key: aws.String("k"), Body: strings.NewReader("v")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "SlowDown" {
		t.Fatalf("a store conflict answered %v, want SlowDown", err)
	}
	wantStatusCode(t, err, 503, "SlowDown")
	faults.FailEvery("PutObject", nil)
	if _, err := env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("busy"), Key: aws.String("k")}); err == nil {
		t.Fatal("the refused write left an object")
	}
}
