package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Every request — answered, denied, unauthenticated, malformed — leaves
// exactly one record with its principal, decisions, outcome and HTTP
// facts: the audit trail, the access log and the metrics read nothing
// else.
func TestEveryRequestIsRecorded(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	byOp := func(op string) *pipeline.Record {
		t.Helper()
		r := env.Records.Find(func(r *pipeline.Record) bool { return r.Operation == op })
		if r == nil {
			t.Fatalf("no record of %s; have %d records", op, len(env.Records.All()))
		}
		return r
	}

	// An IAM call that succeeds: parameters, result, the allowing check.
	if _, err := env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	r := byOp("CreateUser")
	if r.Service != "iam" || r.Params.Get("UserName") != "alice" || r.Result == nil || r.Status != 200 || r.ErrorCode != "" ||
		r.Principal == nil || r.Principal.ARN != "arn:aws:iam::"+testenv.AccountID+":root" || r.Auth != "header" ||
		r.SignatureVersion != "SigV4" || len(r.Checks) != 1 || r.Checks[0].Action != "iam:CreateUser" ||
		r.SourceIP != "127.0.0.1" || !strings.Contains(r.UserAgent, "aws-sdk-go-v2") || r.BytesOut == 0 || r.Time.IsZero() {
		t.Fatalf("CreateUser record: %+v", r)
	}

	// A denied call: the error sent and the deciding check.
	key, err := env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	alice := env.Credentials(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, "")
	_, err = env.IAMClient(alice).ListUsers(ctx, &iam.ListUsersInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("alice ListUsers: %v", err)
	}
	r = byOp("ListUsers")
	if r.ErrorCode != "AccessDenied" || r.ErrorMessage != ae.ErrorMessage() || r.Status != 403 || r.Principal.UserName != "alice" ||
		len(r.Checks) != 1 || r.Checks[0].Decision.Effect == policy.Allow {
		t.Fatalf("denied ListUsers record: %+v", r)
	}

	// STS: an operation that needs no policy says why.
	if _, err := env.STSClient(alice).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	r = byOp("GetCallerIdentity")
	if r.Service != "sts" || r.NoCheck == "" || r.Result == nil {
		t.Fatalf("GetCallerIdentity record: %+v", r)
	}

	// S3: bucket, key and the bytes each way.
	if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("audit-me")}); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 5000)
	if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("audit-me"), Key: aws.String("a/b.txt"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	r = byOp("PutObject")
	if r.Service != "s3" || r.Bucket != "audit-me" || r.Key != "a/b.txt" || r.BytesIn < 5000 || r.Status != 200 || r.Method != http.MethodPut {
		t.Fatalf("PutObject record: %+v", r)
	}
	out, err := env.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("audit-me"), Key: aws.String("a/b.txt")})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, out.Body)
	out.Body.Close()
	r = byOp("GetObject")
	if r.BytesOut != 5000 || r.Status != 200 {
		t.Fatalf("GetObject record: %+v", r)
	}

	// Unauthenticated and malformed requests are recorded too.
	env.Records.Reset()
	resp, err := env.HTTP().Get(env.URL + "/audit-me/a/b.txt")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r = env.Records.Find(func(r *pipeline.Record) bool { return r.Service == "s3" })
	if r == nil || r.Status != 403 || r.ErrorCode != "AccessDenied" || r.Auth != "" || r.Principal == nil {
		t.Fatalf("anonymous GET record: %+v", r)
	}
	env.Records.Reset()
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader("Action=GetUser&Version=2010-05-08"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAUNKNOWN00000000/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00")
	resp, err = env.HTTP().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r = env.Records.Find(func(r *pipeline.Record) bool { return r.Service == "iam" })
	if r == nil || r.Principal != nil || r.ErrorCode == "" || r.Status < 400 || r.Err == nil {
		t.Fatalf("forged IAM call record: %+v", r)
	}
}
