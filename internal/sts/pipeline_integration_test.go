package sts_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// A caller without sts:GetAccessKeyInfo gets AccessDenied (403), not an
// internal error clients retry; temporary keys resolve to their account.
func TestGetAccessKeyInfoDeniedAndTemporaryKeys(t *testing.T) {
	w := setup(t, "")
	_, err := w.env.STSClient(w.alice).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
	apiErr(t, err, "AccessDenied", "User: arn:aws:iam::"+acct+":user/alice is not authorized to perform: sts:GetAccessKeyInfo on resource: *")

	must(w.env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("info"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetAccessKeyInfo","Resource":"*"}]}`)}))
	out := must(w.assume(&sts.AssumeRoleInput{}))
	info := must(w.env.STSClient(w.alice).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: out.Credentials.AccessKeyId}))
	if *info.Account != acct {
		t.Fatalf("account of %s = %s, want %s", *out.Credentials.AccessKeyId, *info.Account, acct)
	}
	// A second account's sessions carry that account.
	other, root := w.env.CreateAccount("other")
	must(w.env.IAMClient(root).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"),
		AssumeRolePolicyDocument: aws.String(trust("arn:aws:iam::"+other+":root", ""))}))
	sess := must(w.env.STSClient(root).GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	info = must(w.env.STSClient(w.alice).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: sess.Credentials.AccessKeyId}))
	if *info.Account != other {
		t.Fatalf("account of the other account's session = %s, want %s", *info.Account, other)
	}
}

// Sessions of a deleted role are denied (403 in AWS's words), also after a
// role of the same name is created again: a new role never revives them.
func TestSessionOfDeletedRoleIsDenied(t *testing.T) {
	w := setup(t, "")
	must(w.env.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("s3"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}))
	must(w.env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}))
	sess := w.session(must(w.assume(&sts.AssumeRoleInput{})))
	must(w.env.IAMClient(sess).ListUsers(ctx, &iam.ListUsersInput{}))
	must(w.env.S3Client(sess).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")}))

	for _, name := range []string{"read", "s3"} {
		must(w.env.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String(name)}))
	}
	must(w.env.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("reader")}))
	check := func() {
		t.Helper()
		_, err := w.env.IAMClient(sess).ListUsers(ctx, &iam.ListUsersInput{})
		apiErr(t, err, "AccessDenied", "User: arn:aws:sts::"+acct+":assumed-role/reader/s1 is not authorized to perform: iam:ListUsers on resource: * because no identity-based policy allows the iam:ListUsers action")
		_, err = w.env.S3Client(sess).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("data")})
		apiErr(t, err, "AccessDenied", "is not authorized to perform: s3:ListBucket")
	}
	check()
	// The same name again, with the same policies: the old session stays dead.
	must(w.env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), Path: aws.String("/app/"),
		AssumeRolePolicyDocument: aws.String(trust("arn:aws:iam::"+acct+":user/alice", ""))}))
	must(w.env.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readIAM)}))
	must(w.env.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("s3"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}))
	check()
	// A new session of the new role works.
	fresh := w.session(must(w.assume(&sts.AssumeRoleInput{})))
	must(w.env.IAMClient(fresh).ListUsers(ctx, &iam.ListUsersInput{}))
}

// GetSessionToken sessions of a deleted user are denied likewise.
func TestSessionOfDeletedUserIsDenied(t *testing.T) {
	w := setup(t, "")
	const list = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
	must(w.env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("s3"), PolicyDocument: aws.String(list)}))
	out := must(w.env.STSClient(w.alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	sess := w.env.Credentials(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	must(w.env.S3Client(sess).ListBuckets(ctx, &s3.ListBucketsInput{}))
	keys := must(w.env.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")}))
	for _, k := range keys.AccessKeyMetadata {
		must(w.env.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId}))
	}
	must(w.env.IAM.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("s3")}))
	must(w.env.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))
	must(w.env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	must(w.env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("s3"), PolicyDocument: aws.String(list)}))
	_, err := w.env.S3Client(sess).ListBuckets(ctx, &s3.ListBucketsInput{})
	apiErr(t, err, "AccessDenied", "is not authorized to perform: s3:ListAllMyBuckets")
}
