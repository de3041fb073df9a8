package iam_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

var ctx = context.Background()

const acct = testenv.AccountID

// apiErr asserts that err is an AWS API error with the code (and, if given,
// a message containing msg).
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

// must returns v, or panics with err (failing the test with a stack trace).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

const allowS3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

func trustFor(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"}]}`
}

func TestUsers(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	out := must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Alice"), Path: aws.String("/eng/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	u := out.User
	if *u.Arn != "arn:aws:iam::"+acct+":user/eng/Alice" || !strings.HasPrefix(*u.UserId, "AIDA") || len(*u.UserId) != 21 || *u.Path != "/eng/" {
		t.Fatalf("CreateUser: %+v", u)
	}
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
	apiErr(t, err, "EntityAlreadyExists", "User with name alice already exists.")
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name")})
	apiErr(t, err, "ValidationError", "failed to satisfy constraint: Member must satisfy regular expression pattern")
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(strings.Repeat("a", 65))})
	apiErr(t, err, "ValidationError", "Member must have length less than or equal to 64")
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("p"), Path: aws.String("nopath")})
	apiErr(t, err, "ValidationError", "pattern")

	got := must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("ALICE")}))
	if *got.User.UserName != "Alice" || len(got.User.Tags) != 1 {
		t.Fatalf("GetUser: %+v", got.User)
	}
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
	var nse *types.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Fatalf("NoSuchEntity not modelled: %T", err)
	}

	// Pagination over several users.
	for _, n := range []string{"bob", "carol", "dave", "erin"} {
		must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)}))
	}
	var names []string
	var marker *string
	pages := 0
	for {
		page := must(c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(2), Marker: marker}))
		pages++
		for _, u := range page.Users {
			names = append(names, *u.UserName)
		}
		if !page.IsTruncated {
			break
		}
		marker = page.Marker
	}
	if strings.Join(names, ",") != "Alice,bob,carol,dave,erin" || pages != 3 {
		t.Fatalf("paged ListUsers: %v in %d pages", names, pages)
	}
	eng := must(c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/eng/")}))
	if len(eng.Users) != 1 {
		t.Fatalf("PathPrefix: %d users", len(eng.Users))
	}

	must(c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("bob"), NewUserName: aws.String("robert"), NewPath: aws.String("/ops/")}))
	r := must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("robert")}))
	if *r.User.Arn != "arn:aws:iam::"+acct+":user/ops/robert" {
		t.Fatalf("renamed: %s", *r.User.Arn)
	}
	_, err = c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("robert"), NewUserName: aws.String("CAROL")})
	apiErr(t, err, "EntityAlreadyExists", "")

	// Tags.
	must(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("Alice"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("red")}, {Key: aws.String("env"), Value: aws.String("")}}}))
	tags := must(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("Alice")}))
	if len(tags.Tags) != 2 || *tags.Tags[0].Key != "env" || *tags.Tags[1].Value != "red" {
		t.Fatalf("tags: %+v", tags.Tags)
	}
	must(c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("Alice"), TagKeys: []string{"team"}}))
	tags = must(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("Alice")}))
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "env" {
		t.Fatalf("untag: %+v", tags.Tags)
	}
	_, err = c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("Alice"), Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("1")}}})
	apiErr(t, err, "InvalidInput", "aws:")

	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("erin")}))
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("erin")})
	apiErr(t, err, "NoSuchEntity", "")

	// GetUser without a name: the caller (root).
	me := must(c.GetUser(ctx, &iam.GetUserInput{}))
	if *me.User.Arn != "arn:aws:iam::"+acct+":root" || *me.User.UserId != acct {
		t.Fatalf("GetUser as root: %+v", me.User)
	}
}

func TestAccessKeys(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	k1 := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	if !strings.HasPrefix(*k1.AccessKeyId, "AKIA") || len(*k1.AccessKeyId) != 20 || len(*k1.SecretAccessKey) != 40 || k1.Status != types.StatusTypeActive {
		t.Fatalf("CreateAccessKey: %+v", k1)
	}
	must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))
	_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	apiErr(t, err, "LimitExceeded", "AccessKeysPerUser: 2")

	list := must(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")}))
	if len(list.AccessKeyMetadata) != 2 {
		t.Fatalf("ListAccessKeys: %+v", list.AccessKeyMetadata)
	}

	// The new key authenticates (STS GetCallerIdentity needs no permission)
	// but the foundation lets only the root call IAM, in AWS's words.
	userCreds := env.Credentials(*k1.AccessKeyId, *k1.SecretAccessKey, "")
	id := must(env.STSClient(userCreds).GetCallerIdentity(ctx, nil))
	if *id.Arn != "arn:aws:iam::"+acct+":user/alice" {
		t.Fatalf("caller: %s", *id.Arn)
	}
	_, err = env.IAMClient(userCreds).ListUsers(ctx, &iam.ListUsersInput{})
	apiErr(t, err, "AccessDenied", "User: arn:aws:iam::"+acct+":user/alice is not authorized to perform: iam:ListUsers on resource: * because no identity-based policy allows the iam:ListUsers action")

	// With a policy the same call is allowed, and only what it allows.
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("list"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)}))
	must(env.IAMClient(userCreds).ListUsers(ctx, &iam.ListUsersInput{}))
	_, err = env.IAMClient(userCreds).ListRoles(ctx, &iam.ListRolesInput{})
	apiErr(t, err, "AccessDenied", "iam:ListRoles")
	// A group's policy counts for its members.
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")}))
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}))
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("alice")}))
	must(env.IAMClient(userCreds).ListRoles(ctx, &iam.ListRolesInput{}))
	must(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("readers"), UserName: aws.String("alice")}))
	// ${aws:username}: a user may manage only her own keys.
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("own-keys"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)}))
	must(env.IAMClient(userCreds).ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	_, err = env.IAMClient(userCreds).ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob")})
	apiErr(t, err, "AccessDenied", "on resource: arn:aws:iam::"+acct+":user/bob")
	for _, pn := range []string{"list", "own-keys"} {
		must(c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String(pn)}))
	}

	// Last use is recorded.
	lu := must(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k1.AccessKeyId}))
	if *lu.UserName != "alice" || lu.AccessKeyLastUsed.LastUsedDate == nil || *lu.AccessKeyLastUsed.ServiceName != "sts" {
		t.Fatalf("GetAccessKeyLastUsed: %+v", lu.AccessKeyLastUsed)
	}

	// Deactivated keys stop working at once.
	must(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k1.AccessKeyId, Status: types.StatusTypeInactive}))
	_, err = env.STSClient(userCreds).GetCallerIdentity(ctx, nil)
	apiErr(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.")

	// A wrong secret is a signature mismatch.
	_, err = env.STSClient(env.Credentials(testenv.RootAccessKey, strings.Repeat("x", 40), "")).GetCallerIdentity(ctx, nil)
	apiErr(t, err, "SignatureDoesNotMatch", "")

	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	apiErr(t, err, "DeleteConflict", "")
	for _, k := range list.AccessKeyMetadata {
		must(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId}))
	}
	_, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k1.AccessKeyId})
	apiErr(t, err, "NoSuchEntity", "")
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))
}

func TestRolesAndTrustPolicies(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	trust := trustFor("arn:aws:iam::" + acct + ":user/alice")
	role := must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("reads"), MaxSessionDuration: aws.Int32(7200)})).Role
	if *role.Arn != "arn:aws:iam::"+acct+":role/reader" || !strings.HasPrefix(*role.RoleId, "AROA") {
		t.Fatalf("CreateRole: %+v", role)
	}
	got := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("READER")})).Role
	doc, err := url.QueryUnescape(*got.AssumeRolePolicyDocument)
	if err != nil || doc != trust || *got.MaxSessionDuration != 7200 || *got.Description != "reads" {
		t.Fatalf("GetRole: %s %+v", *got.AssumeRolePolicyDocument, got)
	}
	if strings.Contains(*got.AssumeRolePolicyDocument, "{") {
		t.Fatal("trust policy not URL-encoded")
	}

	for _, tc := range []struct {
		doc, code, msg string
	}{
		{trustFor("arn:aws:iam::" + acct + ":user/nobody"), "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"arn:aws:iam::` + acct + `:user/nobody"`},
		{trustFor("arn:aws:iam::" + acct + "0root"), "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"arn:aws:iam::` + acct + `0root"`},
		{trustFor("arn:aws:iam::" + acct + ":group/admins"), "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"arn:aws:iam::` + acct + `:group/admins"`},
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"s3:GetObject"}]}`, "MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions."},
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"sts:AssumeRole","Resource":"*"}]}`, "MalformedPolicyDocument", "Has prohibited field Resource"},
		{`not json`, "MalformedPolicyDocument", "Syntax errors in policy."},
	} {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(tc.doc)})
		apiErr(t, err, tc.code, tc.msg)
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(100)})
	apiErr(t, err, "ValidationError", "3600")
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trust)})
	apiErr(t, err, "EntityAlreadyExists", "")

	// Account-root and cross-account principals need no local entity.
	must(c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("reader"), PolicyDocument: aws.String(trustFor("arn:aws:iam::444455556666:root"))}))
	must(c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("reader"), MaxSessionDuration: aws.Int32(43200)}))
	must(c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("reader"), Description: aws.String("new")}))
	must(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("reader"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	got = must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")})).Role
	if *got.MaxSessionDuration != 43200 || *got.Description != "new" || len(got.Tags) != 1 {
		t.Fatalf("updated role: %+v", got)
	}

	// Inline and attached policies block deletion.
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("s3"), PolicyDocument: aws.String(allowS3)}))
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("reader"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("reader")})
	apiErr(t, err, "DeleteConflict", "")
	must(c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("s3")}))
	must(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("reader"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	must(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("reader")}))
	list := must(c.ListRoles(ctx, &iam.ListRolesInput{}))
	if len(list.Roles) != 0 {
		t.Fatalf("roles left: %d", len(list.Roles))
	}
}

func TestManagedPoliciesAndVersions(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	p := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("s3-all"), PolicyDocument: aws.String(allowS3), Path: aws.String("/team/")})).Policy
	arn := "arn:aws:iam::" + acct + ":policy/team/s3-all"
	if *p.Arn != arn || *p.DefaultVersionId != "v1" || !strings.HasPrefix(*p.PolicyId, "ANPA") {
		t.Fatalf("CreatePolicy: %+v", p)
	}
	_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("S3-ALL"), PolicyDocument: aws.String(allowS3)})
	apiErr(t, err, "EntityAlreadyExists", "")
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`)})
	apiErr(t, err, "MalformedPolicyDocument", "Policy statement must contain resources.")
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":[` + strings.Repeat(`"arn:aws:s3:::bucket-with-a-long-name/*",`, 200) + `"*"]}]}`
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	apiErr(t, err, "LimitExceeded", "6144")

	for i := 0; i < 4; i++ {
		must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(allowS3), SetAsDefault: i == 3}))
	}
	_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(allowS3)})
	apiErr(t, err, "LimitExceeded", "5 versions")
	vs := must(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})).Versions
	if len(vs) != 5 || *vs[0].VersionId != "v5" || !vs[0].IsDefaultVersion {
		t.Fatalf("versions: %+v", vs)
	}
	_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v5")})
	apiErr(t, err, "DeleteConflict", "default version")
	must(c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")}))
	v := must(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})).PolicyVersion
	if !v.IsDefaultVersion || must(url.QueryUnescape(*v.Document)) != allowS3 {
		t.Fatalf("GetPolicyVersion: %+v", v)
	}
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	apiErr(t, err, "DeleteConflict", "")

	// AWS managed policies are readable and listable.
	admin := must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})).Policy
	if *admin.PolicyName != "AdministratorAccess" {
		t.Fatalf("AWS policy: %+v", admin)
	}
	av := must(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: admin.Arn, VersionId: admin.DefaultVersionId})).PolicyVersion
	if d := must(url.QueryUnescape(*av.Document)); !strings.Contains(d, `"Action":"*"`) {
		t.Fatalf("AdministratorAccess document: %s", d)
	}
	local := must(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}))
	if len(local.Policies) != 1 {
		t.Fatalf("local policies: %d", len(local.Policies))
	}
	awsPolicies := must(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(1000)}))
	if len(awsPolicies.Policies) != 1000 || !awsPolicies.IsTruncated {
		t.Fatalf("AWS policies page: %d truncated=%v", len(awsPolicies.Policies), awsPolicies.IsTruncated)
	}
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: admin.Arn})
	apiErr(t, err, "InvalidInput", "")

	// Attachments, counts, entities.
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustFor(acct))}))
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(arn)}))
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String(arn)})) // no-op
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String(arn)}))
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arn)}))
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchPolicy")})
	apiErr(t, err, "NoSuchEntity", "")
	ents := must(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn)}))
	if len(ents.PolicyUsers) != 1 || len(ents.PolicyGroups) != 1 || len(ents.PolicyRoles) != 1 {
		t.Fatalf("ListEntitiesForPolicy: %+v", ents)
	}
	if got := must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})).Policy; *got.AttachmentCount != 3 {
		t.Fatalf("AttachmentCount = %d", *got.AttachmentCount)
	}
	att := must(c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("g")}))
	if len(att.AttachedPolicies) != 1 || *att.AttachedPolicies[0].PolicyName != "s3-all" {
		t.Fatalf("ListAttachedGroupPolicies: %+v", att.AttachedPolicies)
	}
	onlyAttached := must(c.ListPolicies(ctx, &iam.ListPoliciesInput{OnlyAttached: true}))
	if len(onlyAttached.Policies) != 1 {
		t.Fatalf("OnlyAttached: %d", len(onlyAttached.Policies))
	}
	_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	apiErr(t, err, "NoSuchEntity", "")

	// Boundaries.
	must(c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("u"), PermissionsBoundary: aws.String(arn)}))
	if u := must(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u")})).User; u.PermissionsBoundary == nil || *u.PermissionsBoundary.PermissionsBoundaryArn != arn {
		t.Fatalf("user boundary: %+v", u.PermissionsBoundary)
	}
	must(c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("u")}))
	must(c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}))
	_, err = c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"), PermissionsBoundary: aws.String("arn:aws:iam::" + acct + ":policy/none")})
	apiErr(t, err, "NoSuchEntity", "")

	// Policy tags.
	must(c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}))
	if tg := must(c.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(arn)})); len(tg.Tags) != 1 {
		t.Fatalf("policy tags: %+v", tg.Tags)
	}
}

func TestGroupsInlinePoliciesAndDetails(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	g := must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs"), Path: aws.String("/eng/")})).Group
	if *g.Arn != "arn:aws:iam::"+acct+":group/eng/devs" || !strings.HasPrefix(*g.GroupId, "AGPA") {
		t.Fatalf("CreateGroup: %+v", g)
	}
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))
	members := must(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")}))
	if len(members.Users) != 1 || *members.Users[0].UserName != "alice" {
		t.Fatalf("GetGroup: %+v", members.Users)
	}
	fu := must(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")}))
	if len(fu.Groups) != 1 {
		t.Fatalf("ListGroupsForUser: %+v", fu.Groups)
	}
	_, err := c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
	apiErr(t, err, "DeleteConflict", "")

	must(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowS3)}))
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowS3)}))
	gp := must(c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("p")}))
	if must(url.QueryUnescape(*gp.PolicyDocument)) != allowS3 || *gp.GroupName != "devs" {
		t.Fatalf("GetGroupPolicy: %+v", gp)
	}
	_, err = c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("none")})
	apiErr(t, err, "NoSuchEntity", "")
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p2"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)})
	apiErr(t, err, "MalformedPolicyDocument", "Policy document should not specify a principal.")
	large := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":[` + strings.Repeat(`"arn:aws:s3:::b/some/long/prefix/*",`, 60) + `"*"]}]}`
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("big"), PolicyDocument: aws.String(large)})
	apiErr(t, err, "LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user alice")
	names := must(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("alice")}))
	if len(names.PolicyNames) != 1 {
		t.Fatalf("ListUserPolicies: %v", names.PolicyNames)
	}

	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustFor(acct))}))
	details := must(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))
	if len(details.UserDetailList) != 1 || len(details.GroupDetailList) != 1 || len(details.RoleDetailList) != 1 ||
		len(details.UserDetailList[0].UserPolicyList) != 1 || details.UserDetailList[0].GroupList[0] != "devs" {
		t.Fatalf("GetAccountAuthorizationDetails: %+v", details)
	}
	onlyRoles := must(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}}))
	if len(onlyRoles.UserDetailList) != 0 || len(onlyRoles.RoleDetailList) != 1 {
		t.Fatalf("filtered details: %+v", onlyRoles)
	}
	sum := must(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}))
	if sum.SummaryMap["Users"] != 1 || sum.SummaryMap["Roles"] != 1 {
		t.Fatalf("summary: %v", sum.SummaryMap)
	}

	must(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))
	_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")})
	apiErr(t, err, "NoSuchEntity", "")
	must(c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("p")}))
	must(c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("developers")}))
	must(c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("developers")}))
}

func TestUnsignedAndUnknownAction(t *testing.T) {
	env := testenv.New(t)
	// Unknown action through the SDK's generic path is hard to reach; use raw HTTP.
	resp, err := env.HTTP().PostForm(env.URL+"/", url.Values{"Action": {"ListUsers"}, "Version": {"2010-05-08"}})
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != 403 || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") || !strings.Contains(body, "iam.amazonaws.com/doc/2010-05-08/") {
		t.Fatalf("unsigned IAM call: %d %s", resp.StatusCode, body)
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	env := testenv.New(t)
	must(env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	k := must(env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})).AccessKey
	env.Restart()
	must(env.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}))
	id := must(env.STSClient(env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, "")).GetCallerIdentity(ctx, nil))
	if *id.Arn != "arn:aws:iam::"+acct+":user/alice" {
		t.Fatalf("after restart: %s", *id.Arn)
	}
}

func TestBoundaryUsage(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	arn := *must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("cap"), PolicyDocument: aws.String(allowS3)})).Policy.Arn
	must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("unused"), PolicyDocument: aws.String(allowS3)}))
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u"), PermissionsBoundary: aws.String(arn)}))
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustFor(acct)), PermissionsBoundary: aws.String(arn)}))
	if got := must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})).Policy; *got.PermissionsBoundaryUsageCount != 2 || *got.AttachmentCount != 0 {
		t.Fatalf("usage counts: %d %d", *got.PermissionsBoundaryUsageCount, *got.AttachmentCount)
	}
	b := must(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}))
	if len(b.Policies) != 1 || *b.Policies[0].PolicyName != "cap" {
		t.Fatalf("boundary filter: %+v", b.Policies)
	}
	pp := must(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy}))
	if len(pp.Policies) != 0 {
		t.Fatalf("permissions-policy filter: %+v", pp.Policies)
	}
	ents := must(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}))
	if len(ents.PolicyUsers) != 1 || len(ents.PolicyRoles) != 1 {
		t.Fatalf("boundary entities: %+v", ents)
	}
	// An AWS policy id is stable and well-formed.
	a1 := must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})).Policy
	a2 := must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})).Policy
	if *a1.PolicyId != *a2.PolicyId || len(*a1.PolicyId) != 21 || !strings.HasPrefix(*a1.PolicyId, "ANPA") {
		t.Fatalf("AWS policy id %q", *a1.PolicyId)
	}
}

func TestSmallListsPaginate(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustFor(acct))}))
	for _, a := range []string{"ReadOnlyAccess", "IAMReadOnlyAccess", "AmazonS3ReadOnlyAccess"} {
		must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String("arn:aws:iam::aws:policy/" + a)}))
	}
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSAppSyncPushToCloudWatchLogs")}))
	var names []string
	var marker *string
	for pages := 0; ; pages++ {
		out := must(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("r"), MaxItems: aws.Int32(1), Marker: marker}))
		for _, a := range out.AttachedPolicies {
			names = append(names, *a.PolicyName)
		}
		if !out.IsTruncated {
			break
		}
		marker = out.Marker
		if pages > 10 {
			t.Fatal("no end")
		}
	}
	if strings.Join(names, ",") != "AmazonS3ReadOnlyAccess,AWSAppSyncPushToCloudWatchLogs,IAMReadOnlyAccess,ReadOnlyAccess" {
		t.Fatalf("paged attached policies: %v", names)
	}
	sr := must(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("r"), PathPrefix: aws.String("/service-role/")}))
	if len(sr.AttachedPolicies) != 1 || *sr.AttachedPolicies[0].PolicyName != "AWSAppSyncPushToCloudWatchLogs" {
		t.Fatalf("PathPrefix: %+v", sr.AttachedPolicies)
	}
	arn := *must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(allowS3)})).Policy.Arn
	for i := 0; i < 3; i++ {
		must(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(allowS3)}))
	}
	p1 := must(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(3)}))
	p2 := must(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn), MaxItems: aws.Int32(3), Marker: p1.Marker}))
	if !p1.IsTruncated || len(p1.Versions) != 3 || *p1.Versions[0].VersionId != "v4" || len(p2.Versions) != 1 || *p2.Versions[0].VersionId != "v1" || p2.IsTruncated {
		t.Fatalf("version pages: %+v / %+v", p1.Versions, p2.Versions)
	}
	must(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("r"), Tags: []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1")}}}))
	t1 := must(c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("r"), MaxItems: aws.Int32(1)}))
	t2 := must(c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("r"), MaxItems: aws.Int32(1), Marker: t1.Marker}))
	if len(t1.Tags) != 1 || *t1.Tags[0].Key != "a" || len(t2.Tags) != 1 || *t2.Tags[0].Key != "b" || t2.IsTruncated {
		t.Fatalf("tag pages: %+v / %+v", t1.Tags, t2.Tags)
	}
	for _, n := range []string{"b", "a", "c"} {
		must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String(n), PolicyDocument: aws.String(allowS3)}))
	}
	i1 := must(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("r"), MaxItems: aws.Int32(2)}))
	i2 := must(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("r"), MaxItems: aws.Int32(2), Marker: i1.Marker}))
	if strings.Join(i1.PolicyNames, ",") != "a,b" || strings.Join(i2.PolicyNames, ",") != "c" {
		t.Fatalf("inline pages: %v / %v", i1.PolicyNames, i2.PolicyNames)
	}
}

func TestAccountAuthorizationDetailsPages(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	for _, n := range []string{"u1", "u2", "u3"} {
		must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)}))
	}
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustFor(acct))}))
	count := 0
	var marker *string
	for pages := 0; ; pages++ {
		out := must(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2), Marker: marker}))
		n := len(out.UserDetailList) + len(out.RoleDetailList) + len(out.GroupDetailList) + len(out.Policies)
		if n > 2 {
			t.Fatalf("page of %d", n)
		}
		count += n
		if !out.IsTruncated {
			break
		}
		marker = out.Marker
		if pages > 5 {
			t.Fatal("no end")
		}
	}
	if count != 4 {
		t.Fatalf("saw %d entities over all pages", count)
	}
}
