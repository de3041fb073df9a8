// Command invalidation measures how long an IAM change written through one
// Gatehouse node takes to be enforced by another: it puts a user policy
// with a Deny on s3:GetObject through --write, then GETs an object through
// --read as that user until the answer is AccessDenied; then it deletes the
// Deny through --write and GETs through --read until the GET succeeds
// again. Each delay runs from the moment the IAM call returned (the change
// is committed) to the first answer from --read that reflects it, so its
// resolution is one GET's round trip. It prints p50, p99 and the maximum
// of each direction over --n rounds.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

const object = "probe"

func main() {
	writeURL := flag.String("write", "http://127.0.0.1:8700", "the node the IAM changes are written through")
	readURL := flag.String("read", "http://127.0.0.1:8700", "the node whose enforcement is measured")
	rootKey := flag.String("key", "", "root access key id")
	rootSecret := flag.String("secret", "", "root secret")
	rounds := flag.Int("n", 200, "rounds (one Deny written and deleted per round)")
	name := flag.String("name", "invalidation", "the user and the bucket to create (a new name per run on the same cluster)")
	timeout := flag.Duration("timeout", 10*time.Second, "give up on a round after this long")
	flag.Parse()
	ctx := context.Background()
	hc := &http.Client{Timeout: 10 * time.Second}
	root := credentials.NewStaticCredentialsProvider(*rootKey, *rootSecret, "")
	admin := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: writeURL, Credentials: root, HTTPClient: hc})

	user, bucket := *name, *name
	must(admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}))
	must(admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`)}))
	k := must(admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})).AccessKey
	creds := credentials.NewStaticCredentialsProvider(*k.AccessKeyId, *k.SecretAccessKey, "")
	rs3 := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: writeURL, UsePathStyle: true, Credentials: root, HTTPClient: hc})
	must(rs3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))
	must(rs3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(object), Body: bytes.NewReader([]byte("x"))}))
	// No SDK retries: a denied GET is an answer, not a failure.
	reader := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: readURL, UsePathStyle: true, Credentials: creds, HTTPClient: hc, RetryMaxAttempts: 1})
	// The user's key and policy were just created through --write: wait
	// until --read allows the GET before measuring anything.
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		_, err := waitFor(ctx, reader, bucket, false, time.Now(), *timeout)
		if err == nil {
			break
		}
		if time.Since(start) > *timeout {
			log.Fatalf("the GET through --read never succeeded: %v", err)
		}
	}

	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`
	var denied, allowed []time.Duration
	for range *rounds {
		must(admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("deny"), PolicyDocument: aws.String(deny)}))
		d, err := waitFor(ctx, reader, bucket, true, time.Now(), *timeout)
		if err != nil {
			log.Fatalf("the Deny was not enforced through --read: %v", err)
		}
		denied = append(denied, d)
		must(admin.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("deny")}))
		d, err = waitFor(ctx, reader, bucket, false, time.Now(), *timeout)
		if err != nil {
			log.Fatalf("the Deny's removal was not seen through --read: %v", err)
		}
		allowed = append(allowed, d)
	}
	report("Deny written -> enforced", denied)
	report("Deny deleted -> allowed again", allowed)
}

// waitFor GETs the object until the answer is AccessDenied (wantDenied) or a
// success (!wantDenied), and returns the time since start.
func waitFor(ctx context.Context, c *s3.Client, bucket string, wantDenied bool, start time.Time, timeout time.Duration) (time.Duration, error) {
	for {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(object)})
		if err == nil {
			out.Body.Close()
		}
		var apiErr smithy.APIError
		isDenied := errors.As(err, &apiErr) && apiErr.ErrorCode() == "AccessDenied"
		switch {
		case wantDenied && isDenied, !wantDenied && err == nil:
			return time.Since(start), nil
		case err != nil && !isDenied:
			return 0, err
		case time.Since(start) > timeout:
			return 0, fmt.Errorf("still not reflected after %v", timeout)
		}
	}
}

func report(what string, ds []time.Duration) {
	slices.Sort(ds)
	pct := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	fmt.Printf("%-32s n=%d p50=%.2fms p99=%.2fms max=%.2fms\n", what, len(ds), ms(pct(0.50)), ms(pct(0.99)), ms(ds[len(ds)-1]))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}
