package sts_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// rootMayAssume turns on the account setting of the default account.
func rootMayAssume(c *config.Config) {
	c.Accounts = map[string]config.AccountSettings{testenv.AccountID: {RootMayAssumeRole: true}}
}

// TestRootAssumeRoleAccountSetting: AWS refuses the root's keys
// ("Roles may not be assumed by root accounts."); with root-may-assume-role
// the account's root may assume the account's own roles that trust it, as
// some S3-compatible services' documented flows do (RoleArn
// arn:aws:iam:::role/NAME, region "ctyun").
func TestRootAssumeRoleAccountSetting(t *testing.T) {
	trustAccount := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"sts:AssumeRole"}]}`
	setupRoles := func(env *testenv.Env) {
		must(env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("uploader"), AssumeRolePolicyDocument: aws.String(trustAccount)}))
		must(env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
		must(env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("alices"), AssumeRolePolicyDocument: aws.String(trust("arn:aws:iam::"+acct+":user/alice", ""))}))
	}
	// Off (the default): AWS's refusal.
	off := testenv.New(t)
	setupRoles(off)
	_, err := off.STS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/uploader"), RoleSessionName: aws.String("s1")})
	apiErr(t, err, "AccessDenied", "Roles may not be assumed by root accounts.")

	on := testenv.New(t, rootMayAssume)
	setupRoles(on)
	cfg := on.AWSConfig(on.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""))
	cfg.Region = "ctyun"
	root := sts.NewFromConfig(cfg)
	out, err := root.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam:::role/uploader"), RoleSessionName: aws.String("web-upload"),
		DurationSeconds: aws.Int32(900), Policy: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}}`)})
	if err != nil {
		t.Fatalf("root AssumeRole with the setting on: %v", err)
	}
	if *out.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/uploader/web-upload" {
		t.Fatalf("AssumedRoleUser: %+v", out.AssumedRoleUser)
	}
	c := out.Credentials
	id := must(on.STSClient(on.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)).GetCallerIdentity(ctx, nil))
	if *id.Arn != *out.AssumedRoleUser.Arn {
		t.Fatalf("GetCallerIdentity: %+v", id)
	}
	// The trust policy must still allow the root.
	_, err = root.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/alices"), RoleSessionName: aws.String("s1")})
	apiErr(t, err, "AccessDenied", "User: arn:aws:iam::"+acct+":root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::"+acct+":role/alices")
	// Only the account's own roles: another account's role is refused in
	// AWS's words, even when it trusts this account.
	otherID, otherRoot := on.CreateAccount("other")
	must(on.IAMClient(otherRoot).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("cross"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"sts:AssumeRole"}]}`)}))
	_, err = root.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + otherID + ":role/cross"), RoleSessionName: aws.String("s1")})
	apiErr(t, err, "AccessDenied", "Roles may not be assumed by root accounts.")
	// The setting is per account: the other account's root is still refused.
	must(on.IAMClient(otherRoot).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("own"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + otherID + `"},"Action":"sts:AssumeRole"}]}`)}))
	_, err = on.STSClient(otherRoot).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + otherID + ":role/own"), RoleSessionName: aws.String("s1")})
	apiErr(t, err, "AccessDenied", "Roles may not be assumed by root accounts.")
}

// quotaEnv has small STS quotas of one call per ten minutes, so that the
// real time a test takes refills no bucket; tests move the server's clock
// (within SigV4's 15 minutes) to refill them.
func quotaEnv(t *testing.T, principalBurst, accountBurst int) *testenv.Env {
	return testenv.New(t, func(c *config.Config) {
		c.STSPrincipalRate, c.STSPrincipalBurst = 1.0/600, principalBurst
		c.STSAccountRate, c.STSAccountBurst = 1.0/600, accountBurst
	})
}

func userKeys(env *testenv.Env, name string) aws.CredentialsProvider {
	must(env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	k := must(env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	return env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, "")
}

func wantThrottled(t *testing.T, err error) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "Throttling" || ae.ErrorMessage() != "Rate exceeded" {
		t.Fatalf("want Throttling: Rate exceeded, got %v", err)
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusBadRequest {
		t.Fatalf("want HTTP 400, got %v", err)
	}
}

// TestSTSQuotaPerPrincipal: a principal over its quota is throttled while
// another principal of the same account is served; the throttled request
// is recorded and counted; time refills the bucket.
func TestSTSQuotaPerPrincipal(t *testing.T) {
	env := quotaEnv(t, 3, 100)
	noisy, quiet := env.STSClient(userKeys(env, "noisy")), env.STSClient(userKeys(env, "quiet"))
	for i := 0; i < 3; i++ {
		must(noisy.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	}
	_, err := noisy.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantThrottled(t, err)
	// Every credential-issuing call draws on the same bucket.
	_, err = noisy.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed")})
	wantThrottled(t, err)
	_, err = noisy.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/none"), RoleSessionName: aws.String("s1")})
	wantThrottled(t, err)
	// Other calls are not limited.
	must(noisy.GetCallerIdentity(ctx, nil))
	// Another principal of the same account is served.
	for i := 0; i < 3; i++ {
		must(quiet.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	}
	if n := env.Server.Quota().Throttled(); n != 3 {
		t.Fatalf("Throttled() = %d, want 3", n)
	}
	// The refusal is recorded with its principal, like any other answer.
	rec := env.Records.Find(func(r *pipeline.Record) bool {
		return r.ErrorCode == "Throttling" && r.Operation == "GetFederationToken"
	})
	if rec == nil || rec.Principal == nil || rec.Principal.ARN != "arn:aws:iam::"+acct+":user/noisy" || rec.Status != http.StatusBadRequest ||
		rec.ErrorMessage != "Rate exceeded" || len(rec.Checks) != 0 {
		t.Fatalf("record of the throttled call: %+v", rec)
	}
	// Ten minutes at one call per ten minutes refill one token.
	env.Advance(10*time.Minute + 10*time.Second)
	must(noisy.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	_, err = noisy.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantThrottled(t, err)
}

// TestSTSQuotaPerAccount: the account's bucket bounds all its principals
// together; other accounts are not affected; per-account settings
// override the server's.
func TestSTSQuotaPerAccount(t *testing.T) {
	env := quotaEnv(t, 10, 4)
	a, b := env.STSClient(userKeys(env, "a")), env.STSClient(userKeys(env, "b"))
	for i := 0; i < 2; i++ {
		must(a.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
		must(b.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	}
	_, err := a.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantThrottled(t, err)
	_, err = env.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantThrottled(t, err) // the root is a principal of the account too
	if p, acc := env.Server.Quota().ThrottledBy(); p != 0 || acc != 2 {
		t.Fatalf("ThrottledBy() = %d, %d; want 0, 2", p, acc)
	}
	// Another account has its own bucket.
	_, other := env.CreateAccount("other")
	must(env.STSClient(other).GetSessionToken(ctx, &sts.GetSessionTokenInput{}))

	// Per-account overrides: this account may make 6 calls, others keep 4.
	over := testenv.New(t, func(c *config.Config) {
		c.STSPrincipalRate, c.STSPrincipalBurst, c.STSAccountRate, c.STSAccountBurst = 1.0/600, 10, 1.0/600, 4
		six := 6
		c.Accounts = map[string]config.AccountSettings{testenv.AccountID: {STSAccountBurst: &six}}
	})
	for i := 0; i < 6; i++ {
		must(over.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	}
	_, err = over.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantThrottled(t, err)
}

// Role sessions share their role's bucket: one workload, however many
// session names it uses.
func TestSTSQuotaRoleSessionsShareTheRole(t *testing.T) {
	env := quotaEnv(t, 3, 100)
	must(env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"sts:AssumeRole"}]}`)}))
	must(env.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	alice := userKeys(env, "alice")
	must(env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	var sessions []*sts.Client
	for _, name := range []string{"s1", "s2"} {
		out := must(env.STSClient(alice).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/r"), RoleSessionName: aws.String(name)}))
		c := out.Credentials
		sessions = append(sessions, env.STSClient(env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)))
	}
	chain := func(s *sts.Client) error {
		_, err := s.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/r"), RoleSessionName: aws.String("chained")})
		return err
	}
	for _, s := range []*sts.Client{sessions[0], sessions[1], sessions[0]} {
		if err := chain(s); err != nil {
			t.Fatal(err)
		}
	}
	wantThrottled(t, chain(sessions[1]))
}
