package main

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestWorkloadsAgainstGatehouse runs workloads briefly against a real
// Gatehouse in-process: the setup (user, role, bucket policy) must let the
// role's temporary credentials GET under the bucket policy, the user assume
// the role and read it, and the tool's issuer serve web identity, with no
// errors.
func TestWorkloadsAgainstGatehouse(t *testing.T) {
	env := testenv.New(t, func(c *config.Config) { c.STSPrincipalRate, c.STSAccountRate = 0, 0; c.AccessLog = false })
	creds := map[string]string{"AWS_ACCESS_KEY_ID": testenv.RootAccessKey, "AWS_SECRET_ACCESS_KEY": testenv.RootSecretKey}
	for _, w := range []struct {
		name  string
		extra []string
	}{
		{"s3-get-small", []string{"--objects", "50"}},
		{"sts-assume-role", nil},
		{"iam-get-role", nil},
		{"sts-assume-role-with-web-identity", nil},
	} {
		t.Run(w.name, func(t *testing.T) {
			// --setup auto must recognise Gatehouse; a second setup on the
			// same server (next subtest) must be idempotent.
			args := append([]string{"--endpoint", env.URL, "--workload", w.name, "--duration", "400ms", "--concurrency", "4"}, w.extra...)
			res, code, stderr := runJSON(t, creds, args...)
			checkRun(t, res, code, stderr)
		})
	}
	// The bucket policy is in force: the role's grant is in it, and the
	// prefilled objects are there.
	ctx := context.Background()
	pol, err := env.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("bench")})
	if err != nil || pol.Policy == nil {
		t.Fatalf("bucket policy: %v", err)
	}
	// The GETs were signed with the role's temporary credentials.
	gets, byRole := 0, 0
	for _, r := range env.Records.All() {
		if r.Service == "s3" && r.Operation == "GetObject" {
			gets++
			if r.Principal != nil && r.Principal.Session != nil && r.Principal.RoleARN == "arn:aws:iam::"+testenv.AccountID+":role/"+benchRole {
				byRole++
			}
		}
	}
	if gets == 0 || byRole != gets {
		t.Errorf("%d GetObject records, %d by the role's session", gets, byRole)
	}
	if _, err := env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bench"), Key: aws.String(getKey(49))}); err != nil {
		t.Errorf("prefilled object: %v", err)
	}
}
