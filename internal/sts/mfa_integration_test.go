package sts_test

import (
	"encoding/base32"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/mfa"
)

// mfaDevice creates and enables a virtual MFA device for alice and returns
// its serial number and secret.
func (w *world) mfaDevice(t *testing.T, name, user string) (string, []byte) {
	t.Helper()
	d := must(w.env.IAM.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})).VirtualMFADevice
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(d.Base32StringSeed))
	if err != nil {
		t.Fatal(err)
	}
	step := mfa.StepAt(time.Now())
	must(w.env.IAM.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: d.SerialNumber,
		AuthenticationCode1: aws.String(mfa.Code(seed, step-1)), AuthenticationCode2: aws.String(mfa.Code(seed, step))}))
	return *d.SerialNumber, seed
}

// TestAssumeRoleWithMFA: a role whose trust policy requires MFA is assumed
// with a code of the caller's own device; each code works once; sessions
// carry the MFA sign-in (aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge).
func TestAssumeRoleWithMFA(t *testing.T) {
	w := setup(t, trust("arn:aws:iam::"+acct+":user/alice", `,"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"300"}}`))
	serial, seed := w.mfaDevice(t, "alice-phone", "alice")
	_, err := w.assume(&sts.AssumeRoleInput{})
	apiErr(t, err, "AccessDenied", "is not authorized to perform: sts:AssumeRole")

	// The enabling codes were steps now-1 and now: the next code is usable.
	code := mfa.Code(seed, mfa.StepAt(time.Now())+1)
	out, err := w.assume(&sts.AssumeRoleInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code)})
	if err != nil {
		t.Fatalf("assume with MFA: %v", err)
	}
	// The session has the role's permissions.
	must(w.env.IAMClient(w.session(out)).ListRoles(ctx, &iam.ListRolesInput{}))
	// The same code again is refused (a code works once), and so is a wrong one.
	_, err = w.assume(&sts.AssumeRoleInput{SerialNumber: aws.String(serial), TokenCode: aws.String(code)})
	apiErr(t, err, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	_, err = w.assume(&sts.AssumeRoleInput{SerialNumber: aws.String(serial), TokenCode: aws.String("000000")})
	apiErr(t, err, "AccessDenied", "MultiFactorAuthentication failed")
	_, err = w.assume(&sts.AssumeRoleInput{SerialNumber: aws.String(serial)})
	apiErr(t, err, "AccessDenied", "MultiFactorAuthentication failed")

	// Another user's device does not sign alice in.
	must(w.env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	bobSerial, bobSeed := w.mfaDevice(t, "bob-phone", "bob")
	_, err = w.assume(&sts.AssumeRoleInput{SerialNumber: aws.String(bobSerial), TokenCode: aws.String(mfa.Code(bobSeed, mfa.StepAt(time.Now())+1))})
	apiErr(t, err, "AccessDenied", "MultiFactorAuthentication failed")

	// Role chaining keeps the MFA sign-in: the role may assume itself again
	// (its own trust requires MFA) without a new code.
	must(w.env.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("reader"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + acct + `:user/alice","` + w.role + `"]},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)}))
	must(w.env.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("chain"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + w.role + `"}]}`)}))
	if _, err := w.env.STSClient(w.session(out)).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(w.role), RoleSessionName: aws.String("chained")}); err != nil {
		t.Fatalf("chained assume from an MFA session: %v", err)
	}
}

// TestGetSessionTokenWithMFA: a session from GetSessionToken with an MFA
// code may call IAM (one without MFA may not, as in AWS) and carries
// aws:MultiFactorAuthPresent for the user's policies.
func TestGetSessionTokenWithMFA(t *testing.T) {
	w := setup(t, "")
	serial, seed := w.mfaDevice(t, "alice-phone", "alice")
	must(w.env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("mfa-read"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)}))
	// Long-term keys: the condition's key is absent, so the policy does not allow.
	_, err := w.env.IAMClient(w.alice).ListUsers(ctx, &iam.ListUsersInput{})
	apiErr(t, err, "AccessDenied", "iam:ListUsers")
	out, err := w.env.STSClient(w.alice).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial),
		TokenCode: aws.String(mfa.Code(seed, mfa.StepAt(time.Now())+1))})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	session := w.env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	if _, err := w.env.IAMClient(session).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("MFA session ListUsers: %v", err)
	}
}
