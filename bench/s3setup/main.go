// Command s3setup prepares a running Gatehouse for bench/s3large (used by
// bench/sse-compare.sh): a role with S3 permissions assumed for temporary
// credentials, written to --out/temp-credentials, a bucket with a bucket
// policy in force and --objects 4 KiB objects under get/. The load figures
// of the other scripts come from cmd/gatehouse-bench, which prepares its
// endpoint itself (and seeds stopped stores with setup --seed-db).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const bucket = "bench"

func main() {
	endpoint := flag.String("url", "http://127.0.0.1:8700", "Gatehouse URL")
	rootKey := flag.String("key", "", "root access key id")
	rootSecret := flag.String("secret", "", "root secret")
	account := flag.String("account", "", "account id")
	out := flag.String("out", ".", "directory for the temporary credentials")
	objects := flag.Int("objects", 1000, "4 KiB objects to create under get/")
	flag.Parse()
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: endpoint, Credentials: credentials.NewStaticCredentialsProvider(*rootKey, *rootSecret, "")}
	ic := iam.NewFromConfig(cfg)
	must(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bench")}))
	k := must(ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bench")}))
	must(ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bench"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + *account + `:user/bench"},"Action":"sts:AssumeRole"}]}`
	must(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("s3-bench"), AssumeRolePolicyDocument: aws.String(trust)}))
	must(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("s3-bench"), PolicyName: aws.String("s3"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket","s3:AbortMultipartUpload"],"Resource":["arn:aws:s3:::bench","arn:aws:s3:::bench/*"]}]}`)}))

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))
	// A bucket policy in force on every request: a deny that never matches
	// these requests still has to be evaluated, as in a typical deployment.
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"NoDeletesOfArchive","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::bench/archive/*"},` +
		`{"Sid":"RoleReads","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + *account + `:role/s3-bench"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bench/*"}]}`
	must(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}))
	userCfg := cfg
	userCfg.Credentials = credentials.NewStaticCredentialsProvider(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, "")
	var ar *sts.AssumeRoleOutput
	for i := 0; i < 50; i++ { // IAM changes are visible at once; retry only in case of a slow start
		var err error
		if ar, err = sts.NewFromConfig(userCfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + *account + ":role/s3-bench"),
			RoleSessionName: aws.String("bench"), DurationSeconds: aws.Int32(3600)}); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	temp := aws.Credentials{AccessKeyID: *ar.Credentials.AccessKeyId, SecretAccessKey: *ar.Credentials.SecretAccessKey, SessionToken: *ar.Credentials.SessionToken}
	if err := os.WriteFile(filepath.Join(*out, "temp-credentials"), []byte(fmt.Sprintf("%s %s %s\n", temp.AccessKeyID, temp.SecretAccessKey, temp.SessionToken)), 0o600); err != nil {
		log.Fatal(err)
	}

	body := bytes.Repeat([]byte("0123456789abcdef"), 256) // 4 KiB
	var wg sync.WaitGroup
	work := make(chan int)
	tc := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = true
		o.Credentials = credentials.StaticCredentialsProvider{Value: temp}
	})
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				must(tc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("get/%06d", i)), Body: bytes.NewReader(body)}))
			}
		}()
	}
	for i := 0; i < *objects; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}
