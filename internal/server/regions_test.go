package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// regionClients are SDK clients of env signing for region.
type regionClients struct {
	sts *sts.Client
	iam *iam.Client
	s3  *s3.Client
}

func clientsFor(env *testenv.Env, creds aws.CredentialsProvider, region string) regionClients {
	cfg := env.AWSConfig(creds)
	cfg.Region = region
	return regionClients{sts: sts.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })}
}

func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("want %s %q, got %v", code, msg, err)
	}
}

// TestAnySigningRegionByDefault: S3-compatible services' clients sign with
// their own region names ("ctyun", "auto"); by default every service
// accepts them, and the region signed is aws:RequestedRegion.
func TestAnySigningRegionByDefault(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	root := env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, "")
	for _, region := range []string{"ctyun", "auto", "eu-west-1"} {
		c := clientsFor(env, root, region)
		id, err := c.sts.GetCallerIdentity(ctx, nil)
		if err != nil || *id.Arn != "arn:aws:iam::"+testenv.AccountID+":root" {
			t.Fatalf("%s: GetCallerIdentity: %v", region, err)
		}
		if _, err := c.iam.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatalf("%s: ListUsers: %v", region, err)
		}
		bucket := "b-" + region
		if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatalf("%s: CreateBucket: %v", region, err)
		}
		if _, err := c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
			t.Fatalf("%s: PutObject: %v", region, err)
		}
		pre, err := s3.NewPresignClient(c.s3).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		if status, body := get(t, env, pre.URL); status != 200 || body != "v" {
			t.Fatalf("%s: presigned GET: %d %s", region, status, body)
		}
	}
	// A client signing for a region name may also name it as the bucket's
	// location (the AWS SDK for JavaScript v2 does); another is refused.
	c := clientsFor(env, root, "ctyun")
	if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("located"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "ctyun"}}); err != nil {
		t.Fatalf("CreateBucket in the region signed: %v", err)
	}
	loc, err := c.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("located")})
	if err != nil || loc.LocationConstraint != "ctyun" {
		t.Fatalf("GetBucketLocation: %v %v", loc, err)
	}
	_, err = c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("elsewhere"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}})
	wantAPIError(t, err, "IllegalLocationConstraintException", "The eu-west-1 location constraint is incompatible for the region specific endpoint this request was sent to.")

	// aws:RequestedRegion is the region signed.
	if _, err := env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("regional")}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("regional"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets","iam:GetUser"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"ctyun"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	k, err := env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("regional")})
	if err != nil {
		t.Fatal(err)
	}
	user := env.Credentials(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, "")
	ctyun, usEast := clientsFor(env, user, "ctyun"), clientsFor(env, user, "us-east-1")
	if _, err := ctyun.s3.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("ListBuckets signed for ctyun: %v", err)
	}
	if _, err := ctyun.iam.GetUser(ctx, &iam.GetUserInput{}); err != nil {
		t.Fatalf("GetUser signed for ctyun: %v", err)
	}
	if _, err := usEast.s3.ListBuckets(ctx, &s3.ListBucketsInput{}); err == nil {
		t.Fatal("ListBuckets signed for us-east-1 was allowed by a policy requiring aws:RequestedRegion ctyun")
	}
	if _, err := usEast.iam.GetUser(ctx, &iam.GetUserInput{}); err == nil {
		t.Fatal("GetUser signed for us-east-1 was allowed by a policy requiring aws:RequestedRegion ctyun")
	}
}

// TestSigningRegionsRestrict: with signing-regions set, other regions are
// refused in each protocol's words (S3 names the region expected).
func TestSigningRegionsRestrict(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t, func(c *config.Config) { c.SigningRegions = []string{"eu-west-1"} })
	root := env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, "")
	if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	c := clientsFor(env, root, "ctyun")
	_, err := c.sts.GetCallerIdentity(ctx, nil)
	wantAPIError(t, err, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'ctyun'.")
	_, err = c.iam.ListUsers(ctx, &iam.ListUsersInput{})
	wantAPIError(t, err, "SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'ctyun'.")
	_, err = c.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "AuthorizationHeaderMalformed", "The authorization header is malformed; the region 'ctyun' is wrong; expecting 'us-east-1'")
	pre, err := s3.NewPresignClient(c.s3).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	status, body := get(t, env, pre.URL)
	if status != 400 || !strings.Contains(body, "<Code>AuthorizationQueryParametersError</Code>") ||
		!strings.Contains(body, "<Message>Error parsing the X-Amz-Credential parameter; the region &#39;ctyun&#39; is wrong; expecting &#39;us-east-1&#39;</Message>") ||
		!strings.Contains(body, "<Region>us-east-1</Region>") {
		t.Fatalf("presigned GET signed for ctyun: %d %s", status, body)
	}
	// The listed region, the server's, and us-east-1 for IAM and STS.
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		c := clientsFor(env, root, region)
		if _, err := c.sts.GetCallerIdentity(ctx, nil); err != nil {
			t.Fatalf("%s: %v", region, err)
		}
		if _, err := c.s3.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
			t.Fatalf("%s: %v", region, err)
		}
	}
	// IAM and STS accept us-east-1 (their global endpoint) even when the
	// server's region is another; S3 does not.
	env2 := testenv.New(t, func(c *config.Config) { c.Region, c.SigningRegions = "eu-west-1", []string{"eu-west-1"} })
	c2 := clientsFor(env2, env2.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), "us-east-1")
	if _, err := c2.sts.GetCallerIdentity(ctx, nil); err != nil {
		t.Fatal(err)
	}
	_, err = c2.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantAPIError(t, err, "AuthorizationHeaderMalformed", "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'")
}
