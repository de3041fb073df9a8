package sts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

var ctx = context.Background()

const acct = testenv.AccountID

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func apiErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s error, got %v", code, err)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func trust(principal string, extra string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"` + extra + `}]}`
}

const readIAM = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`

// world is a user alice with keys, and a role "reader" that trusts her and
// can read IAM.
type world struct {
	env   *testenv.Env
	alice aws.CredentialsProvider
	role  string
}

func setup(t *testing.T, trustDoc string) *world {
	env := testenv.New(t)
	c := env.IAM
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	if trustDoc == "" {
		trustDoc = trust("arn:aws:iam::"+acct+":user/alice", "")
	}
	r := must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), Path: aws.String("/app/"), AssumeRolePolicyDocument: aws.String(trustDoc), MaxSessionDuration: aws.Int32(7200)})).Role
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readIAM)}))
	return &world{env: env, alice: env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, ""), role: *r.Arn}
}

func (w *world) assume(in *sts.AssumeRoleInput) (*sts.AssumeRoleOutput, error) {
	if in.RoleArn == nil {
		in.RoleArn = aws.String(w.role)
	}
	if in.RoleSessionName == nil {
		in.RoleSessionName = aws.String("s1")
	}
	return w.env.STSClient(w.alice).AssumeRole(ctx, in)
}

func (w *world) session(out *sts.AssumeRoleOutput) aws.CredentialsProvider {
	c := out.Credentials
	return w.env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

func TestAssumeRoleSameAccountTrustNamesUser(t *testing.T) {
	w := setup(t, "")
	before := time.Now()
	out := must(w.assume(&sts.AssumeRoleInput{}))
	c := out.Credentials
	if !strings.HasPrefix(*c.AccessKeyId, "ASIA") || len(*c.AccessKeyId) != 20 || len(*c.SecretAccessKey) != 40 || *c.SessionToken == "" {
		t.Fatalf("credentials: %+v", c)
	}
	if d := c.Expiration.Sub(before); d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("default duration: %v", d)
	}
	if *out.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/reader/s1" || !strings.HasPrefix(*out.AssumedRoleUser.AssumedRoleId, "AROA") ||
		!strings.HasSuffix(*out.AssumedRoleUser.AssumedRoleId, ":s1") {
		t.Fatalf("AssumedRoleUser: %+v", out.AssumedRoleUser)
	}
	//lint:ignore SA1019 AWS still returns PackedPolicySize; the test checks that Gatehouse does too
	if out.PackedPolicySize != nil {
		t.Fatal("PackedPolicySize without session policies")
	}
	sess := w.session(out)
	id := must(w.env.STSClient(sess).GetCallerIdentity(ctx, nil))
	if *id.Arn != *out.AssumedRoleUser.Arn || *id.UserId != *out.AssumedRoleUser.AssumedRoleId || *id.Account != acct {
		t.Fatalf("GetCallerIdentity: %+v", id)
	}
	// The session has the role's permissions: read IAM, not write.
	must(w.env.IAMClient(sess).ListUsers(ctx, &iam.ListUsersInput{}))
	_, err := w.env.IAMClient(sess).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	apiErr(t, err, "AccessDenied", "User: arn:aws:sts::"+acct+":assumed-role/reader/s1 is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+acct+":user/x because no identity-based policy allows the iam:CreateUser action")
	// Alice herself has no IAM permissions.
	_, err = w.env.IAMClient(w.alice).ListUsers(ctx, &iam.ListUsersInput{})
	apiErr(t, err, "AccessDenied", "because no identity-based policy allows the iam:ListUsers action")
	// The account-less ARN form (S3-compatible vendors) names the same role.
	must(w.assume(&sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam:::role/app/reader")}))
}

func TestAssumeRoleTrustNamingAccountDelegates(t *testing.T) {
	w := setup(t, trust(acct, ""))
	_, err := w.assume(&sts.AssumeRoleInput{})
	apiErr(t, err, "AccessDenied", "User: arn:aws:iam::"+acct+":user/alice is not authorized to perform: sts:AssumeRole on resource: "+w.role)
	must(w.env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + w.role + `"}]}`)}))
	must(w.assume(&sts.AssumeRoleInput{}))
}

func TestAssumeRoleParameters(t *testing.T) {
	w := setup(t, "")
	for _, tc := range []struct {
		in   *sts.AssumeRoleInput
		code string
		msg  string
	}{
		{&sts.AssumeRoleInput{RoleSessionName: aws.String("x")}, "ValidationError", "Member must have length greater than or equal to 2"},
		{&sts.AssumeRoleInput{RoleSessionName: aws.String("bad name")}, "ValidationError", `Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{&sts.AssumeRoleInput{RoleSessionName: aws.String(strings.Repeat("a", 65))}, "ValidationError", "Member must have length less than or equal to 64"},
		{&sts.AssumeRoleInput{DurationSeconds: aws.Int32(899)}, "ValidationError", "greater than or equal to 900"},
		{&sts.AssumeRoleInput{DurationSeconds: aws.Int32(7201)}, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{&sts.AssumeRoleInput{DurationSeconds: aws.Int32(43201)}, "ValidationError", "less than or equal to 43200"},
		{&sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/app/missing")}, "AccessDenied", "is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::" + acct + ":role/app/missing"},
		{&sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/reader")}, "AccessDenied", "not authorized"},
		{&sts.AssumeRoleInput{RoleArn: aws.String("short")}, "ValidationError", "roleArn"},
		{&sts.AssumeRoleInput{Policy: aws.String(`{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}`)}, "MalformedPolicyDocument", "Policy statement must contain resources."},
		{&sts.AssumeRoleInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"` + strings.Repeat("x", 2048) + `"}]}`)}, "ValidationError", "less than or equal to 2048"},
		{&sts.AssumeRoleInput{PolicyArns: []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::" + acct + ":policy/none")}}}, "InvalidParameterValue", "does not exist"},
		{&sts.AssumeRoleInput{ExternalId: aws.String("x")}, "ValidationError", "externalId"},
		{&sts.AssumeRoleInput{SourceIdentity: aws.String("aws:me")}, "ValidationError", "aws:"},
		{&sts.AssumeRoleInput{TokenCode: aws.String("12345")}, "ValidationError", "tokenCode"},
		{&sts.AssumeRoleInput{Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}}, "InvalidParameterValue", "aws:"},
	} {
		_, err := w.assume(tc.in)
		apiErr(t, err, tc.code, tc.msg)
	}
	out := must(w.assume(&sts.AssumeRoleInput{DurationSeconds: aws.Int32(7200)}))
	if d := time.Until(*out.Credentials.Expiration); d < 119*time.Minute {
		t.Fatalf("duration 7200 gave %v", d)
	}
	// Root may not assume roles.
	_, err := w.env.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(w.role), RoleSessionName: aws.String("root")})
	apiErr(t, err, "AccessDenied", "Roles may not be assumed by root accounts.")
}

func TestSessionPolicyNarrowsAndCannotWiden(t *testing.T) {
	w := setup(t, "")
	narrow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`
	out := must(w.assume(&sts.AssumeRoleInput{Policy: aws.String(narrow)}))
	//lint:ignore SA1019 AWS still returns PackedPolicySize; the test checks that Gatehouse does too
	if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 || *out.PackedPolicySize > 100 {
		//lint:ignore SA1019 as above
		t.Fatalf("PackedPolicySize: %v", out.PackedPolicySize)
	}
	c := w.env.IAMClient(w.session(out))
	must(c.ListUsers(ctx, &iam.ListUsersInput{}))
	_, err := c.ListRoles(ctx, &iam.ListRolesInput{})
	apiErr(t, err, "AccessDenied", "because no session policy allows the iam:ListRoles action")

	wide := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	out = must(w.assume(&sts.AssumeRoleInput{Policy: aws.String(wide)}))
	_, err = w.env.IAMClient(w.session(out)).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	apiErr(t, err, "AccessDenied", "because no identity-based policy allows the iam:CreateUser action")

	// Managed policies as session policies.
	out = must(w.assume(&sts.AssumeRoleInput{PolicyArns: []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}}}))
	must(w.env.IAMClient(w.session(out)).ListRoles(ctx, &iam.ListRolesInput{}))
	out = must(w.assume(&sts.AssumeRoleInput{PolicyArns: []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}}}))
	_, err = w.env.IAMClient(w.session(out)).ListRoles(ctx, &iam.ListRolesInput{})
	apiErr(t, err, "AccessDenied", "because no session policy allows")
}

func TestPermissionsBoundaryCapsUser(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}))
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})).AccessKey
	ac := env.IAMClient(env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, ""))
	must(ac.ListUsers(ctx, &iam.ListUsersInput{}))
	_, err := ac.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	apiErr(t, err, "AccessDenied", "because no permissions boundary allows the iam:CreateUser action")
	// Without the boundary the administrator can.
	must(c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("admin")}))
	must(ac.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")}))
	// An explicit deny wins, in AWS's words.
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("no-delete"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}`)}))
	_, err = ac.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("x")})
	apiErr(t, err, "AccessDenied", "on resource: arn:aws:iam::"+acct+":user/x with an explicit deny in an identity-based policy")
}

func TestCrossAccountNeedsBothSides(t *testing.T) {
	env := testenv.New(t)
	// Account B holds a role that trusts account A.
	b, bRoot := env.CreateAccount("b")
	bIAM := env.IAMClient(bRoot)
	roleArn := *must(bIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("partner"),
		AssumeRolePolicyDocument: aws.String(trust(acct, `,"Condition":{"StringEquals":{"sts:ExternalId":"Unique-1234"}}`))})).Role.Arn
	must(bIAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("partner"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readIAM)}))
	// Account A's user.
	must(env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	k := must(env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	alice := env.STSClient(env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, ""))
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleArn), RoleSessionName: aws.String("xa"), ExternalId: aws.String("Unique-1234")}
	_, err := alice.AssumeRole(ctx, in)
	apiErr(t, err, "AccessDenied", "User: arn:aws:iam::"+acct+":user/alice is not authorized to perform: sts:AssumeRole on resource: "+roleArn)
	must(env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/partner"}]}`)}))
	out := must(alice.AssumeRole(ctx, in))
	if *out.AssumedRoleUser.Arn != "arn:aws:sts::"+b+":assumed-role/partner/xa" {
		t.Fatalf("cross-account session: %s", *out.AssumedRoleUser.Arn)
	}
	// The session works in account B.
	users := must(env.IAMClient(env.Credentials(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)).ListRoles(ctx, &iam.ListRolesInput{}))
	if len(users.Roles) != 1 || *users.Roles[0].RoleName != "partner" {
		t.Fatalf("session sees account B: %+v", users.Roles)
	}
	// The confused deputy: a wrong or missing ExternalId is denied.
	in.ExternalId = aws.String("guess")
	_, err = alice.AssumeRole(ctx, in)
	apiErr(t, err, "AccessDenied", "not authorized to perform: sts:AssumeRole")
	in.ExternalId = nil
	_, err = alice.AssumeRole(ctx, in)
	apiErr(t, err, "AccessDenied", "not authorized to perform: sts:AssumeRole")
}

func TestRevokeOlderSessions(t *testing.T) {
	w := setup(t, "")
	old := w.session(must(w.assume(&sts.AssumeRoleInput{})))
	must(w.env.IAMClient(old).ListUsers(ctx, &iam.ListUsersInput{}))
	// AWS's "Revoke active sessions": deny everything to tokens issued before now.
	cutoff := time.Now().Add(time.Second).UTC().Format(time.RFC3339)
	must(w.env.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("AWSRevokeOlderSessions"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + cutoff + `"}}}]}`)}))
	_, err := w.env.IAMClient(old).ListUsers(ctx, &iam.ListUsersInput{})
	apiErr(t, err, "AccessDenied", "with an explicit deny in an identity-based policy")
	w.env.Advance(1100 * time.Millisecond) // the fresh session is issued after the cutoff
	fresh := w.session(must(w.assume(&sts.AssumeRoleInput{})))
	must(w.env.IAMClient(fresh).ListUsers(ctx, &iam.ListUsersInput{}))
}

func TestTokenFailures(t *testing.T) {
	w := setup(t, "")
	out := must(w.assume(&sts.AssumeRoleInput{DurationSeconds: aws.Int32(900)}))
	c := out.Credentials
	// A tampered token.
	tok := []byte(*c.SessionToken)
	tok[len(tok)/2] ^= 1
	if tok[len(tok)/2] == '-' || tok[len(tok)/2] == '_' {
		tok[len(tok)/2] = 'A'
	}
	_, err := w.env.STSClient(w.env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, string(tok))).GetCallerIdentity(ctx, nil)
	apiErr(t, err, "InvalidClientTokenId", "The security token included in the request is invalid")
	// A token bound to another access key.
	_, err = w.env.STSClient(w.env.Credentials("ASIAAAAAAAAAAAAAAAAA", *c.SecretAccessKey, *c.SessionToken)).GetCallerIdentity(ctx, nil)
	apiErr(t, err, "InvalidClientTokenId", "")
	// A wrong secret with a good token.
	_, err = w.env.STSClient(w.env.Credentials(*c.AccessKeyId, strings.Repeat("x", 40), *c.SessionToken)).GetCallerIdentity(ctx, nil)
	apiErr(t, err, "SignatureDoesNotMatch", "")
	// Key rotation keeps existing sessions valid.
	w.env.RotateTokenKeys()
	w.env.Advance(1100 * time.Millisecond) // the server notices another process's rotation within a second of its clock
	sess := w.env.STSClient(w.session(out))
	must(sess.GetCallerIdentity(ctx, nil))
	must(w.env.STSClient(w.session(must(w.assume(&sts.AssumeRoleInput{})))).GetCallerIdentity(ctx, nil))
	// Expiry: 15 minutes later the session is over (the server's clock moves).
	w.env.Advance(15*time.Minute + time.Second)
	_, err = sess.GetCallerIdentity(ctx, nil)
	apiErr(t, err, "ExpiredToken", "The security token included in the request is expired")
}

func TestRoleChainingTagsAndSourceIdentity(t *testing.T) {
	w := setup(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:user/alice"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`)
	// A second role trusting the first role.
	must(w.env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("second"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + w.role + `"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`)}))
	first := must(w.assume(&sts.AssumeRoleInput{SourceIdentity: aws.String("alice-src"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}},
		TransitiveTagKeys: []string{"team"}}))
	if *first.SourceIdentity != "alice-src" {
		t.Fatalf("SourceIdentity: %v", first.SourceIdentity)
	}
	chain := w.env.STSClient(w.session(first))
	secondArn := "arn:aws:iam::" + acct + ":role/second"
	_, err := chain.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(secondArn), RoleSessionName: aws.String("chained"), DurationSeconds: aws.Int32(3601)})
	apiErr(t, err, "ValidationError", "1 hour session limit for roles assumed by role chaining")
	_, err = chain.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(secondArn), RoleSessionName: aws.String("chained"), SourceIdentity: aws.String("other")})
	apiErr(t, err, "AccessDenied", "source identity")
	second := must(chain.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(secondArn), RoleSessionName: aws.String("chained")}))
	if *second.SourceIdentity != "alice-src" {
		t.Fatalf("source identity not carried: %v", second.SourceIdentity)
	}
	// Tags need sts:TagSession in the trust policy.
	must(w.env.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("reader"), PolicyDocument: aws.String(trust("arn:aws:iam::"+acct+":user/alice", ""))}))
	_, err = w.assume(&sts.AssumeRoleInput{Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
	apiErr(t, err, "AccessDenied", "sts:TagSession")
}

func TestGetSessionToken(t *testing.T) {
	w := setup(t, "")
	out := must(w.env.STSClient(w.alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)}))
	c := out.Credentials
	if !strings.HasPrefix(*c.AccessKeyId, "ASIA") || time.Until(*c.Expiration) > 16*time.Minute {
		t.Fatalf("GetSessionToken: %+v", c)
	}
	sess := w.env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	id := must(w.env.STSClient(sess).GetCallerIdentity(ctx, nil))
	if *id.Arn != "arn:aws:iam::"+acct+":user/alice" {
		t.Fatalf("session identity: %s", *id.Arn)
	}
	// Without MFA the session cannot call IAM, as in AWS.
	_, err := w.env.IAMClient(sess).ListUsers(ctx, &iam.ListUsersInput{})
	apiErr(t, err, "InvalidClientTokenId", "")
	// It can assume the role its user may assume.
	must(w.env.STSClient(sess).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(w.role), RoleSessionName: aws.String("from-session")}))
	_, err = w.env.STSClient(sess).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	apiErr(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	_, err = w.env.STSClient(w.alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)})
	apiErr(t, err, "ValidationError", "129600")
	// Root sessions are capped at one hour.
	root := must(w.env.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(7200)}))
	if time.Until(*root.Credentials.Expiration) > 61*time.Minute {
		t.Fatalf("root session not capped: %v", *root.Credentials.Expiration)
	}
}
