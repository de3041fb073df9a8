package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A Deny scoped by path covers the entities at that path, whatever path
// (none) the request names: the pipeline authorizes on the entity's real ARN.
func TestPathScopedDeny(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin")}))
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})).AccessKey
	doc := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":"iam:*","Resource":"*"},
	 {"Effect":"Deny","Action":["iam:Get*","iam:Delete*","iam:Attach*","iam:Put*","iam:Add*","iam:Update*","iam:Tag*","iam:List*"],
	  "Resource":["arn:aws:iam::` + acct + `:user/admins/*","arn:aws:iam::` + acct + `:role/admins/*","arn:aws:iam::` + acct + `:group/admins/*","arn:aws:iam::` + acct + `:policy/admins/*"]}]}`
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("boss"), Path: aws.String("/admins/")}))
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ops"), Path: aws.String("/admins/"), AssumeRolePolicyDocument: aws.String(trustFor(acct))}))
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("chiefs"), Path: aws.String("/admins/")}))
	pol := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("top"), Path: aws.String("/admins/"), PolicyDocument: aws.String(allowS3)})).Policy
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("intern")}))

	a := env.IAMClient(env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, ""))
	denied := func(what string, err error, resource string) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s succeeded despite the Deny on its path", what)
		}
		apiErr(t, err, "AccessDenied", "on resource: "+resource+" with an explicit deny in an identity-based policy")
	}
	user := "arn:aws:iam::" + acct + ":user/admins/boss"
	_, err := a.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("boss")})
	denied("GetUser", err, user)
	_, err = a.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("boss")})
	denied("DeleteUser", err, user)
	_, err = a.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("boss"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	denied("AttachUserPolicy", err, user)
	// The name is case-insensitive: another spelling still names boss.
	_, err = a.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("BOSS")})
	denied("GetUser BOSS", err, user)
	_, err = a.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("boss")})
	denied("ListAccessKeys", err, user)

	role := "arn:aws:iam::" + acct + ":role/admins/ops"
	_, err = a.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ops")})
	denied("GetRole", err, role)
	_, err = a.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ops"), PolicyDocument: aws.String(trustFor(acct))})
	denied("UpdateAssumeRolePolicy", err, role)
	_, err = a.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ops"), PolicyName: aws.String("x"), PolicyDocument: aws.String(allowS3)})
	denied("PutRolePolicy", err, role)

	group := "arn:aws:iam::" + acct + ":group/admins/chiefs"
	_, err = a.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("chiefs"), UserName: aws.String("intern")})
	denied("AddUserToGroup", err, group)
	_, err = a.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("chiefs")})
	denied("GetGroup", err, group)

	_, err = a.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: pol.Arn})
	denied("GetPolicy", err, *pol.Arn)
	_, err = a.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: pol.Arn})
	denied("DeletePolicy", err, *pol.Arn)

	// Outside the path the same actions are allowed.
	must(a.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("intern")}))
	must(a.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("intern"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	// boss is still there.
	must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("boss")}))
}
