package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIManagesIAMAndSurvivesRestart drives the real aws CLI through the
// foundation's first session: a user with an access key, a role with a trust
// policy, a managed policy attached, an inline policy; everything is listed
// back, the server restarts, and everything is still there.
func TestCLIManagesIAMAndSurvivesRestart(t *testing.T) {
	dataDir := t.TempDir()
	srv := startServer(t, dataDir)
	aws := newAWSCLI(t, srv.URL)

	// The root credentials file was written once, 0600.
	st, err := os.Stat(filepath.Join(dataDir, "root-credentials"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("root-credentials mode %v", st.Mode().Perm())
	}

	var ident struct{ Arn, Account, UserId string }
	aws.must(&ident, "sts", "get-caller-identity")
	if ident.Arn != "arn:aws:iam::"+accountID+":root" || ident.Account != accountID {
		t.Fatalf("get-caller-identity as root: %+v", ident)
	}

	var user struct {
		User struct{ UserName, Arn, UserId, Path string }
	}
	aws.must(&user, "iam", "create-user", "--user-name", "alice", "--path", "/engineering/")
	if user.User.Arn != "arn:aws:iam::"+accountID+":user/engineering/alice" || !strings.HasPrefix(user.User.UserId, "AIDA") {
		t.Fatalf("create-user: %+v", user.User)
	}
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey, Status, UserName string }
	}
	aws.must(&key, "iam", "create-access-key", "--user-name", "alice")
	if !strings.HasPrefix(key.AccessKey.AccessKeyId, "AKIA") || len(key.AccessKey.AccessKeyId) != 20 || len(key.AccessKey.SecretAccessKey) != 40 || key.AccessKey.Status != "Active" {
		t.Fatalf("create-access-key: %+v", key.AccessKey)
	}

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + accountID + `:user/engineering/alice"},"Action":"sts:AssumeRole"}]}`
	var role struct {
		Role struct{ RoleName, Arn, RoleId string }
	}
	aws.must(&role, "iam", "create-role", "--role-name", "s3-read-only", "--assume-role-policy-document", trust, "--max-session-duration", "7200")
	if role.Role.Arn != "arn:aws:iam::"+accountID+":role/s3-read-only" || !strings.HasPrefix(role.Role.RoleId, "AROA") {
		t.Fatalf("create-role: %+v", role.Role)
	}
	aws.must(nil, "iam", "attach-role-policy", "--role-name", "s3-read-only", "--policy-arn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::` + accountID + `:role/s3-read-only"}]}`
	aws.must(nil, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "assume-s3-read-only", "--policy-document", inline)

	check := func(stage string) {
		t.Helper()
		var users struct{ Users []struct{ UserName string } }
		aws.must(&users, "iam", "list-users")
		if len(users.Users) != 1 || users.Users[0].UserName != "alice" {
			t.Fatalf("%s: list-users = %+v", stage, users)
		}
		var keys struct {
			AccessKeyMetadata []struct{ AccessKeyId string }
		}
		aws.must(&keys, "iam", "list-access-keys", "--user-name", "alice")
		if len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].AccessKeyId != key.AccessKey.AccessKeyId {
			t.Fatalf("%s: list-access-keys = %+v", stage, keys)
		}
		var got struct {
			Role struct {
				AssumeRolePolicyDocument json.RawMessage
				MaxSessionDuration       int
			}
		}
		aws.must(&got, "iam", "get-role", "--role-name", "s3-read-only")
		var doc struct {
			Statement []struct{ Principal struct{ AWS string } }
		}
		if err := json.Unmarshal(got.Role.AssumeRolePolicyDocument, &doc); err != nil || len(doc.Statement) != 1 ||
			doc.Statement[0].Principal.AWS != "arn:aws:iam::"+accountID+":user/engineering/alice" {
			t.Fatalf("%s: get-role trust policy = %s (%v)", stage, got.Role.AssumeRolePolicyDocument, err)
		}
		if got.Role.MaxSessionDuration != 7200 {
			t.Fatalf("%s: MaxSessionDuration = %d", stage, got.Role.MaxSessionDuration)
		}
		var att struct {
			AttachedPolicies []struct{ PolicyName, PolicyArn string }
		}
		aws.must(&att, "iam", "list-attached-role-policies", "--role-name", "s3-read-only")
		if len(att.AttachedPolicies) != 1 || att.AttachedPolicies[0].PolicyName != "AmazonS3ReadOnlyAccess" {
			t.Fatalf("%s: list-attached-role-policies = %+v", stage, att)
		}
		var names struct{ PolicyNames []string }
		aws.must(&names, "iam", "list-user-policies", "--user-name", "alice")
		if len(names.PolicyNames) != 1 || names.PolicyNames[0] != "assume-s3-read-only" {
			t.Fatalf("%s: list-user-policies = %+v", stage, names)
		}
		var pol struct{ PolicyDocument json.RawMessage }
		aws.must(&pol, "iam", "get-user-policy", "--user-name", "alice", "--policy-name", "assume-s3-read-only")
		var pdoc struct {
			Statement []struct{ Action, Resource string }
		}
		if err := json.Unmarshal(pol.PolicyDocument, &pdoc); err != nil || len(pdoc.Statement) != 1 || pdoc.Statement[0].Action != "sts:AssumeRole" {
			t.Fatalf("%s: get-user-policy = %s (%v)", stage, pol.PolicyDocument, err)
		}
	}
	check("before restart")

	// Errors come back in AWS's words through the CLI.
	if msg := aws.fails("iam", "get-user", "--user-name", "nobody"); !strings.Contains(msg, "NoSuchEntity") || !strings.Contains(msg, "The user with name nobody cannot be found.") {
		t.Fatalf("get-user of a missing user: %s", msg)
	}
	if msg := aws.fails("iam", "create-user", "--user-name", "ALICE"); !strings.Contains(msg, "EntityAlreadyExists") {
		t.Fatalf("create-user duplicate: %s", msg)
	}

	srv.stop()
	srv2 := startServer(t, dataDir)
	aws.setURL(srv2.URL)
	if strings.Contains(srv2.stdout.String(), "aws_secret_access_key") {
		t.Fatal("root credentials were printed again on restart")
	}
	check("after restart")

	// The user's own key authenticates (IAM stays root-only in the foundation).
	aws.appendFile("credentials", "[alice]\naws_access_key_id = "+key.AccessKey.AccessKeyId+"\naws_secret_access_key = "+key.AccessKey.SecretAccessKey+"\n")
	aws.must(&ident, "sts", "get-caller-identity", "--profile", "alice")
	if ident.Arn != user.User.Arn || ident.UserId != user.User.UserId {
		t.Fatalf("get-caller-identity as alice: %+v", ident)
	}
}

// TestCLIIAMPolicyGrammarTagsAndShapes drives the aws CLI through IAM's
// stricter rules: identity policies without Version 2012-10-17 or with a
// malformed action are refused in AWS's words, a trust policy of 2008-10-17
// is still accepted, tag keys differing only in case are refused, CreateRole
// echoes its boundary, and GetAccountSummary has every key of AWS's answer.
func TestCLIIAMPolicyGrammarTagsAndShapes(t *testing.T) {
	srv := startServer(t, t.TempDir())
	aws := newAWSCLI(t, srv.URL)
	aws.must(nil, "iam", "create-user", "--user-name", "alice")

	refusals := []struct {
		args []string
		want string
	}{
		{[]string{"iam", "put-user-policy", "--user-name", "alice", "--policy-name", "p", "--policy-document",
			`{"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`},
			"An error occurred (MalformedPolicyDocument) when calling the PutUserPolicy operation: Policy document must be version 2012-10-17 or greater."},
		{[]string{"iam", "create-policy", "--policy-name", "p", "--policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:List:Bucket","Resource":"*"}]}`},
			"An error occurred (MalformedPolicyDocument) when calling the CreatePolicy operation: Actions/Condition can contain only one colon."},
		{[]string{"iam", "create-policy", "--policy-name", "p", "--policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:xyz:s3:::b"}]}`},
			`An error occurred (MalformedPolicyDocument) when calling the CreatePolicy operation: Partition "xyz" is not valid for resource "arn:xyz:s3:::b".`},
		{[]string{"iam", "tag-user", "--user-name", "alice", "--tags", "Key=Team,Value=a", "Key=team,Value=b"},
			"An error occurred (InvalidInput) when calling the TagUser operation: Duplicate tag keys found. Please note that Tag keys are case insensitive."},
	}
	for _, r := range refusals {
		if msg := strings.TrimSpace(aws.fails(r.args...)); msg != r.want {
			t.Fatalf("aws %s:\n got %s\nwant %s", strings.Join(r.args[:2], " "), msg, r.want)
		}
	}

	trust := `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + accountID + `:root"},"Action":"sts:AssumeRole"}]}`
	var created struct {
		Role struct {
			RoleName            string
			Description         *string
			Tags                []struct{ Key, Value string }
			PermissionsBoundary struct{ PermissionsBoundaryType, PermissionsBoundaryArn string }
		}
	}
	aws.must(&created, "iam", "create-role", "--role-name", "bounded", "--assume-role-policy-document", trust,
		"--permissions-boundary", "arn:aws:iam::aws:policy/PowerUserAccess")
	if b := created.Role.PermissionsBoundary; b.PermissionsBoundaryType != "PermissionsBoundaryPolicy" || b.PermissionsBoundaryArn != "arn:aws:iam::aws:policy/PowerUserAccess" {
		t.Fatalf("create-role's boundary: %+v", created.Role)
	}
	if created.Role.Description != nil || created.Role.Tags != nil {
		t.Fatalf("create-role shows an unset description or tags: %+v", created.Role)
	}

	var summary struct{ SummaryMap map[string]int }
	aws.must(&summary, "iam", "get-account-summary")
	for _, k := range []string{"GroupPolicySizeQuota", "InstanceProfilesQuota", "Policies", "GroupsPerUserQuota", "InstanceProfiles",
		"AttachedPoliciesPerUserQuota", "Users", "PoliciesQuota", "Providers", "AccountMFAEnabled", "AccessKeysPerUserQuota",
		"AssumeRolePolicySizeQuota", "PolicyVersionsInUseQuota", "GlobalEndpointTokenVersion", "VersionsPerPolicyQuota",
		"AttachedPoliciesPerGroupQuota", "PolicySizeQuota", "Groups", "AccountSigningCertificatesPresent", "UsersQuota",
		"ServerCertificatesQuota", "MFADevices", "UserPolicySizeQuota", "PolicyVersionsInUse", "ServerCertificates", "Roles",
		"RolesQuota", "SigningCertificatesPerUserQuota", "MFADevicesInUse", "RolePolicySizeQuota", "AttachedPoliciesPerRoleQuota",
		"AccountAccessKeysPresent", "GroupsQuota"} {
		if _, ok := summary.SummaryMap[k]; !ok {
			t.Errorf("get-account-summary has no %s", k)
		}
	}
	if len(summary.SummaryMap) != 33 || summary.SummaryMap["Users"] != 1 || summary.SummaryMap["Roles"] != 1 {
		t.Fatalf("get-account-summary: %v", summary.SummaryMap)
	}
}
