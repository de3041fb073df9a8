package sts_test

// A trust policy names the user or role it was written for, not whoever
// holds that name later: AWS binds the principal to the entity's unique id
// when the policy is saved, shows the id once the entity is deleted, and
// matches no re-created entity of the same name.

import (
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// newUser creates a user with an access key and returns its unique id and
// credentials.
func newUser(t *testing.T, env *testenv.Env, name string) (string, aws.CredentialsProvider) {
	t.Helper()
	u := must(env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})).User
	k := must(env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	return *u.UserId, env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, "")
}

// deleteUser removes a user with its keys and inline policies.
func deleteUser(t *testing.T, env *testenv.Env, name string) {
	t.Helper()
	keys := must(env.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(name)}))
	for _, k := range keys.AccessKeyMetadata {
		must(env.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(name), AccessKeyId: k.AccessKeyId}))
	}
	pols := must(env.IAM.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String(name)}))
	for _, p := range pols.PolicyNames {
		must(env.IAM.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(p)}))
	}
	must(env.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(name)}))
}

// trustShown is a role's trust policy as GetRole shows it, decoded.
func trustShown(t *testing.T, c *iam.Client, role string) string {
	t.Helper()
	r := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})).Role
	doc, err := url.QueryUnescape(*r.AssumeRolePolicyDocument)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func allowAssume(role string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + role + `"}]}`
}

func TestTrustPolicyNamesTheUserNotItsName(t *testing.T) {
	env := testenv.New(t)
	aliceARN := "arn:aws:iam::" + acct + ":user/alice"
	oldID, alice := newUser(t, env, "alice")
	role := *must(env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("admin"),
		AssumeRolePolicyDocument: aws.String(trust(aliceARN, ""))})).Role.Arn
	must(env.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("admin"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))
	in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1")}
	must(env.STSClient(alice).AssumeRole(ctx, in))
	if got := trustShown(t, env.IAM, "admin"); got != trust(aliceARN, "") {
		t.Fatalf("trust policy of a live principal shows %s", got)
	}

	// Delete alice and create her again: a new entity with a new id.
	deleteUser(t, env, "alice")
	newID, alice2 := newUser(t, env, "alice")
	if newID == oldID {
		t.Fatal("re-created user kept its unique id")
	}
	// Even with an identity policy allowing it, the trust policy does not
	// name the new alice.
	must(env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(allowAssume(role))}))
	_, err := env.STSClient(alice2).AssumeRole(ctx, in)
	apiErr(t, err, "AccessDenied", "User: "+aliceARN+" is not authorized to perform: sts:AssumeRole on resource: "+role)
	// GetRole, ListRoles and GetAccountAuthorizationDetails show the old id
	// in place of the ARN.
	want := trust(oldID, "")
	if got := trustShown(t, env.IAM, "admin"); got != want {
		t.Fatalf("GetRole after deletion shows %s, want %s", got, want)
	}
	for _, r := range must(env.IAM.ListRoles(ctx, &iam.ListRolesInput{})).Roles {
		if doc, _ := url.QueryUnescape(*r.AssumeRolePolicyDocument); doc != want {
			t.Fatalf("ListRoles shows %s", doc)
		}
	}
	for _, r := range must(env.IAM.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})).RoleDetailList {
		if doc, _ := url.QueryUnescape(*r.AssumeRolePolicyDocument); doc != want {
			t.Fatalf("GetAccountAuthorizationDetails shows %s", doc)
		}
	}
	// Writing the shown document back is refused: the id names no one.
	_, err = env.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("admin"), PolicyDocument: aws.String(want)})
	apiErr(t, err, "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"`+oldID+`"`)
	// Naming alice again binds the new alice.
	must(env.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("admin"), PolicyDocument: aws.String(trust(aliceARN, ""))}))
	must(env.STSClient(alice2).AssumeRole(ctx, in))
	if got := trustShown(t, env.IAM, "admin"); got != trust(aliceARN, "") {
		t.Fatalf("re-bound trust policy shows %s", got)
	}

	// A renamed user is still the principal, shown under its new name.
	must(env.IAM.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("alicia"), NewPath: aws.String("/staff/")}))
	if got, want := trustShown(t, env.IAM, "admin"), trust("arn:aws:iam::"+acct+":user/staff/alicia", ""); got != want {
		t.Fatalf("trust policy after rename shows %s, want %s", got, want)
	}
	must(env.STSClient(alice2).AssumeRole(ctx, in))

	// A trust policy naming a user that does not exist is refused.
	_, err = env.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("admin"), PolicyDocument: aws.String(trust(aliceARN, ""))})
	apiErr(t, err, "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"`+aliceARN+`"`)
}

func TestTrustPolicyNamesTheRoleNotItsName(t *testing.T) {
	w := setup(t, "") // alice may assume app/reader
	env := w.env
	chained := *must(env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("chained"),
		AssumeRolePolicyDocument: aws.String(trust(w.role, ""))})).Role.Arn
	in := &sts.AssumeRoleInput{RoleArn: aws.String(chained), RoleSessionName: aws.String("c1")}
	must(env.STSClient(w.session(must(w.assume(&sts.AssumeRoleInput{})))).AssumeRole(ctx, in))
	oldID := *must(env.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")})).Role.RoleId

	// Re-create reader, same name, path, trust and permissions, plus
	// permission to assume chained.
	must(env.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("read")}))
	must(env.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("reader")}))
	must(env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), Path: aws.String("/app/"),
		AssumeRolePolicyDocument: aws.String(trust("arn:aws:iam::"+acct+":user/alice", ""))}))
	must(env.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(allowAssume(chained))}))
	sess := w.session(must(w.assume(&sts.AssumeRoleInput{})))
	_, err := env.STSClient(sess).AssumeRole(ctx, in)
	apiErr(t, err, "AccessDenied", "User: arn:aws:sts::"+acct+":assumed-role/reader/s1 is not authorized to perform: sts:AssumeRole on resource: "+chained)
	if got, want := trustShown(t, env.IAM, "chained"), trust(oldID, ""); got != want {
		t.Fatalf("GetRole after the trusted role's deletion shows %s, want %s", got, want)
	}
}

// Trust policies saved before principals were bound have no bindings: they
// keep matching by ARN (binding on first read could bind a name that
// already points at a re-created user), until they are written again.
func TestTrustPolicyWrittenBeforeBindings(t *testing.T) {
	env := testenv.New(t)
	aliceARN := "arn:aws:iam::" + acct + ":user/alice"
	_, _ = newUser(t, env, "alice")
	role := *must(env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"),
		AssumeRolePolicyDocument: aws.String(trust(aliceARN, ""))})).Role.Arn
	// Make the record what an earlier version wrote: no bindings.
	st, err := sqlite.Open(env.DataDir + "/" + server.StoreFile)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx store.Tx) error {
		r, err := tx.GetRole(ctx, acct, "r")
		if err != nil {
			return err
		}
		r.TrustPrincipals = nil
		return tx.UpdateRole(ctx, r)
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	env.Restart()

	deleteUser(t, env, "alice")
	id2, alice2 := newUser(t, env, "alice")
	in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1")}
	must(env.STSClient(alice2).AssumeRole(ctx, in)) // matched by ARN, as before
	if got := trustShown(t, env.IAM, "r"); got != trust(aliceARN, "") {
		t.Fatalf("unbound trust policy shows %s", got)
	}
	// Writing it again binds it (to the current alice); deleting her then
	// leaves the policy naming no one.
	must(env.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(trust(aliceARN, ""))}))
	deleteUser(t, env, "alice")
	_, alice3 := newUser(t, env, "alice")
	_, err = env.STSClient(alice3).AssumeRole(ctx, in)
	apiErr(t, err, "AccessDenied", "not authorized to perform: sts:AssumeRole")
	if got, want := trustShown(t, env.IAM, "r"), trust(id2, ""); got != want {
		t.Fatalf("re-written trust policy after deletion shows %s, want %s", got, want)
	}
}
