package sts_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// broker is a user "broker" who may federate and read and write bucket
// "fed"; the bucket holds object "k".
type broker struct {
	env   *testenv.Env
	creds aws.CredentialsProvider
}

const brokerPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"},
 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::fed/*"}]}`

func newBroker(t *testing.T) *broker {
	env := testenv.New(t)
	must(env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("broker")}))
	must(env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("broker"), PolicyName: aws.String("p"), PolicyDocument: aws.String(brokerPolicy)}))
	k := must(env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("broker")})).AccessKey
	must(env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("fed")}))
	must(env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("fed"), Key: aws.String("k"), Body: strings.NewReader("v")}))
	return &broker{env: env, creds: env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, "")}
}

func (b *broker) federate(t *testing.T, in *sts.GetFederationTokenInput) (*sts.GetFederationTokenOutput, aws.CredentialsProvider) {
	t.Helper()
	if in.Name == nil {
		in.Name = aws.String("alice")
	}
	out, err := b.env.STSClient(b.creds).GetFederationToken(ctx, in)
	if err != nil {
		t.Fatalf("GetFederationToken: %v", err)
	}
	c := out.Credentials
	return out, b.env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

func getObject(env *testenv.Env, creds aws.CredentialsProvider, key string) error {
	out, err := env.S3Client(creds).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("fed"), Key: aws.String(key)})
	if err == nil {
		_, _ = io.Copy(io.Discard, out.Body)
		out.Body.Close()
	}
	return err
}

func putObject(env *testenv.Env, creds aws.CredentialsProvider, key string) error {
	_, err := env.S3Client(creds).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("fed"), Key: aws.String(key), Body: strings.NewReader("x")})
	return err
}

func deleteObject(env *testenv.Env, creds aws.CredentialsProvider, key string) error {
	_, err := env.S3Client(creds).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("fed"), Key: aws.String(key)})
	return err
}

// The federated user gets what both the broker's policies and the session
// policy allow: GetObject (both), not PutObject (the user's only) nor
// DeleteObject (the session policy's only).
func TestGetFederationTokenIntersection(t *testing.T) {
	b := newBroker(t)
	session := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:DeleteObject"],"Resource":"*"}]}`
	before := time.Now()
	out, fed := b.federate(t, &sts.GetFederationTokenInput{Policy: aws.String(session)})
	if *out.FederatedUser.Arn != "arn:aws:sts::"+acct+":federated-user/alice" || *out.FederatedUser.FederatedUserId != acct+":alice" {
		t.Fatalf("FederatedUser: %+v", out.FederatedUser)
	}
	//lint:ignore SA1019 AWS still returns PackedPolicySize; the test checks that Gatehouse does too
	if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 || *out.PackedPolicySize > 100 {
		t.Fatal("PackedPolicySize missing with a session policy")
	}
	if c := out.Credentials; !strings.HasPrefix(*c.AccessKeyId, "ASIA") || len(*c.SecretAccessKey) != 40 || *c.SessionToken == "" {
		t.Fatalf("credentials: %+v", c)
	}
	if d := out.Credentials.Expiration.Sub(before); d < 12*time.Hour-time.Minute || d > 12*time.Hour+time.Minute {
		t.Fatalf("default duration %v, want 12 hours", d)
	}
	if err := getObject(b.env, fed, "k"); err != nil {
		t.Fatalf("GetObject, allowed by both: %v", err)
	}
	err := putObject(b.env, fed, "new")
	apiErr(t, err, "AccessDenied", `User: arn:aws:sts::`+acct+`:federated-user/alice is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::fed/new" because no session policy allows the s3:PutObject action`)
	err = deleteObject(b.env, fed, "k")
	apiErr(t, err, "AccessDenied", `User: arn:aws:sts::`+acct+`:federated-user/alice is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::fed/k" because no identity-based policy allows the s3:DeleteObject action`)
	// The broker itself may write: the session policy is what stopped it.
	if err := putObject(b.env, b.creds, "new"); err != nil {
		t.Fatal(err)
	}
	// A managed policy as the session policy works the same way.
	_, fed2 := b.federate(t, &sts.GetFederationTokenInput{Name: aws.String("bob"), PolicyArns: []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/AmazonS3FullAccess")}}})
	if err := putObject(b.env, fed2, "bob"); err != nil {
		t.Fatalf("PutObject, allowed by the user and AmazonS3FullAccess: %v", err)
	}
	apiErr(t, deleteObject(b.env, fed2, "k"), "AccessDenied", "because no identity-based policy allows the s3:DeleteObject action")
}

// Without a session policy a federated user may do nothing (AWS), except
// where a resource policy names it.
func TestGetFederationTokenWithoutPolicyHasNoPermissions(t *testing.T) {
	b := newBroker(t)
	out, fed := b.federate(t, &sts.GetFederationTokenInput{})
	//lint:ignore SA1019 AWS still returns PackedPolicySize; the test checks that Gatehouse does too
	if out.PackedPolicySize != nil {
		t.Fatal("PackedPolicySize without session policies or tags")
	}
	apiErr(t, getObject(b.env, fed, "k"), "AccessDenied", "federated-user/alice is not authorized to perform: s3:GetObject")
	apiErr(t, putObject(b.env, fed, "x"), "AccessDenied", "because no session policy allows the s3:PutObject action")
	// A bucket policy naming the federated user grants it directly.
	must(b.env.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("fed"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::` + acct + `:federated-user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::fed/*"}]}`)}))
	if err := getObject(b.env, fed, "k"); err != nil {
		t.Fatalf("GetObject granted by the bucket policy to the federated user: %v", err)
	}
	// Another federated user of the same broker is not named.
	_, other := b.federate(t, &sts.GetFederationTokenInput{Name: aws.String("mallory")})
	apiErr(t, getObject(b.env, other, "k"), "AccessDenied", "federated-user/mallory")
}

func TestFederatedUserIdentityAndLimits(t *testing.T) {
	b := newBroker(t)
	_, fed := b.federate(t, &sts.GetFederationTokenInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
	id := must(b.env.STSClient(fed).GetCallerIdentity(ctx, nil))
	if *id.Arn != "arn:aws:sts::"+acct+":federated-user/alice" || *id.UserId != acct+":alice" || *id.Account != acct {
		t.Fatalf("GetCallerIdentity: %+v", id)
	}
	// No IAM at all, whatever the policies say.
	_, err := b.env.IAMClient(fed).ListUsers(ctx, &iam.ListUsersInput{})
	apiErr(t, err, "InvalidClientTokenId", "The security token included in the request is invalid")
	// In STS only GetCallerIdentity.
	stsc := b.env.STSClient(fed)
	_, err = stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/any"), RoleSessionName: aws.String("s")})
	apiErr(t, err, "AccessDenied", "Cannot call AssumeRole with session credentials")
	_, err = stsc.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	apiErr(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	_, err = stsc.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("again")})
	apiErr(t, err, "AccessDenied", "Cannot call GetFederationToken with session credentials")
	_, err = stsc.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
	apiErr(t, err, "AccessDenied", "Cannot call GetAccessKeyInfo with session credentials")
	// S3 works within the intersection.
	if err := getObject(b.env, fed, "k"); err != nil {
		t.Fatal(err)
	}
}

// Other temporary credentials cannot federate: role sessions and
// GetSessionToken sessions, with AWS's words.
func TestGetFederationTokenRefusesSessionCredentials(t *testing.T) {
	w := setup(t, "")
	must(w.env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("fed"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}]}`)}))
	must(w.env.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("fed"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}]}`)}))
	role := w.session(must(w.assume(&sts.AssumeRoleInput{})))
	_, err := w.env.STSClient(role).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("x1")})
	apiErr(t, err, "AccessDenied", "Cannot call GetFederationToken with session credentials")
	st := must(w.env.STSClient(w.alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{})).Credentials
	_, err = w.env.STSClient(w.env.Credentials(*st.AccessKeyId, *st.SecretAccessKey, *st.SessionToken)).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("x1")})
	apiErr(t, err, "AccessDenied", "Cannot call GetFederationToken with session credentials")
	// Alice's long-term keys may.
	must(w.env.STSClient(w.alice).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("x1")}))
}

// sts:GetFederationToken must be allowed for the caller, on the federated
// user's ARN; passing tags needs sts:TagSession too.
func TestGetFederationTokenNeedsPermission(t *testing.T) {
	env := testenv.New(t)
	must(env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	k := must(env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")})).AccessKey
	u := env.STSClient(env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, ""))
	_, err := u.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("app-1")})
	apiErr(t, err, "AccessDenied", "User: arn:aws:iam::"+acct+":user/u is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::"+acct+":federated-user/app-1 because no identity-based policy allows the sts:GetFederationToken action")
	must(env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"arn:aws:sts::` + acct + `:federated-user/app-*"},
		 {"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)}))
	must(u.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("app-1")}))
	_, err = u.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("other")})
	apiErr(t, err, "AccessDenied", "on resource: arn:aws:sts::"+acct+":federated-user/other")
	tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}
	_, err = u.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("app-2"), Tags: tags})
	apiErr(t, err, "AccessDenied", "is not authorized to perform: sts:TagSession on resource: arn:aws:sts::"+acct+":federated-user/app-2")
	must(env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("tag"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:TagSession","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"}}}]}`)}))
	// The session tag is the federated user's aws:PrincipalTag.
	byTag := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`
	out := must(u.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("app-2"), Tags: tags, Policy: aws.String(byTag)}))
	c := out.Credentials
	must(env.S3Client(env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)).ListBuckets(ctx, &s3.ListBucketsInput{}))
	_, err = u.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("app-3"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("red")}}})
	apiErr(t, err, "AccessDenied", "sts:TagSession")
}

func TestGetFederationTokenParametersAndDurations(t *testing.T) {
	b := newBroker(t)
	stsc := b.env.STSClient(b.creds)
	for _, tc := range []struct {
		in        *sts.GetFederationTokenInput
		code, msg string
	}{
		{&sts.GetFederationTokenInput{Name: aws.String("a")}, "ValidationError", "Value 'a' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{&sts.GetFederationTokenInput{Name: aws.String(strings.Repeat("n", 33))}, "ValidationError", "at 'name' failed to satisfy constraint: Member must have length less than or equal to 32"},
		{&sts.GetFederationTokenInput{Name: aws.String("bad name")}, "ValidationError", `at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{&sts.GetFederationTokenInput{Name: aws.String("ok"), DurationSeconds: aws.Int32(899)}, "ValidationError", "at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{&sts.GetFederationTokenInput{Name: aws.String("ok"), DurationSeconds: aws.Int32(129601)}, "ValidationError", "at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600"},
		{&sts.GetFederationTokenInput{Name: aws.String("ok"), Policy: aws.String(`{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}`)}, "MalformedPolicyDocument", "Policy statement must contain resources."},
		{&sts.GetFederationTokenInput{Name: aws.String("ok"), PolicyArns: []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::" + acct + ":policy/none")}}}, "InvalidParameterValue", "does not exist"},
		{&sts.GetFederationTokenInput{Name: aws.String("ok"), Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}}, "InvalidParameterValue", "aws:"},
	} {
		_, err := stsc.GetFederationToken(ctx, tc.in)
		apiErr(t, err, tc.code, tc.msg)
	}
	for _, tc := range []struct {
		creds aws.CredentialsProvider
		ask   int32 // 0: default
		want  time.Duration
	}{
		{b.creds, 900, 15 * time.Minute},
		{b.creds, 129600, 36 * time.Hour},
		// The root may federate for an hour at most: longer requests
		// and the default get one hour.
		{b.env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), 129600, time.Hour},
		{b.env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), 0, time.Hour},
		{b.env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""), 1800, 30 * time.Minute},
	} {
		in := &sts.GetFederationTokenInput{Name: aws.String("dur")}
		if tc.ask != 0 {
			in.DurationSeconds = aws.Int32(tc.ask)
		}
		before := time.Now()
		out := must(b.env.STSClient(tc.creds).GetFederationToken(ctx, in))
		if d := out.Credentials.Expiration.Sub(before); d < tc.want-time.Minute || d > tc.want+time.Minute {
			t.Errorf("DurationSeconds %d: session of %v, want %v", tc.ask, d, tc.want)
		}
	}
}

// A session the root federated has only what its session policy allows
// (the root's identity side allows everything in its account).
func TestRootFederatedSession(t *testing.T) {
	b := newBroker(t)
	root := b.env.STSClient(b.env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""))
	out := must(root.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("ops"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"*"}]}`)}))
	c := out.Credentials
	fed := b.env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	apiErr(t, getObject(b.env, fed, "k"), "AccessDenied", "federated-user/ops is not authorized to perform: s3:GetObject")
	if err := deleteObject(b.env, fed, "k"); err != nil {
		t.Fatalf("DeleteObject, allowed by the session policy of a root-federated user: %v", err)
	}
	id := must(b.env.STSClient(fed).GetCallerIdentity(ctx, nil))
	if *id.Arn != "arn:aws:sts::"+acct+":federated-user/ops" {
		t.Fatalf("GetCallerIdentity: %+v", id)
	}
}

// A federated user's sessions follow its user: deleting the user ends
// them, and a Deny on aws:TokenIssueTime in the user's policy revokes them.
func TestFederatedSessionsFollowTheirUser(t *testing.T) {
	b := newBroker(t)
	_, fed := b.federate(t, &sts.GetFederationTokenInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
	if err := getObject(b.env, fed, "k"); err != nil {
		t.Fatal(err)
	}
	revoke := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"` +
		time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}}}]}`
	must(b.env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("broker"), PolicyName: aws.String("revoke"), PolicyDocument: aws.String(revoke)}))
	apiErr(t, getObject(b.env, fed, "k"), "AccessDenied", "with an explicit deny in an identity-based policy")
	// The broker's own long-term keys carry no aws:TokenIssueTime.
	if err := getObject(b.env, b.creds, "k"); err != nil {
		t.Fatal(err)
	}
}
