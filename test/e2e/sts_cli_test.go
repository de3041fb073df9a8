package e2e

import (
	"strings"
	"testing"
)

// TestCLIProfileChaining is the flow of the users' documents: a profile with
// role_arn + source_profile is denied in AWS's words until the user may call
// sts:AssumeRole, then `get-caller-identity --profile` shows the assumed
// role; `aws sts assume-role` output configures a profile that works.
func TestCLIProfileChaining(t *testing.T) {
	srv := startServer(t, t.TempDir())
	aws := newAWSCLI(t, srv.URL)

	aws.must(nil, "iam", "create-user", "--user-name", "ccc")
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	aws.must(&key, "iam", "create-access-key", "--user-name", "ccc")
	// The trust policy names the account: the user's own policy must allow.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + accountID + `:root"},"Action":"sts:AssumeRole"}]}`
	aws.must(nil, "iam", "create-role", "--role-name", "DDD", "--assume-role-policy-document", trust)
	aws.must(nil, "iam", "attach-role-policy", "--role-name", "DDD", "--policy-arn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess")

	aws.appendFile("credentials", "[ccc]\naws_access_key_id = "+key.AccessKey.AccessKeyId+"\naws_secret_access_key = "+key.AccessKey.SecretAccessKey+"\n")
	aws.appendFile("config", "[profile platform]\nrole_arn = arn:aws:iam::"+accountID+":role/DDD\nsource_profile = ccc\n")

	msg := aws.fails("sts", "get-caller-identity", "--profile", "platform")
	want := "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::" + accountID + ":user/ccc is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::" + accountID + ":role/DDD"
	if !strings.Contains(msg, want) {
		t.Fatalf("denied profile:\n%s\nwant: %s", msg, want)
	}

	aws.must(nil, "iam", "put-user-policy", "--user-name", "ccc", "--policy-name", "assume", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListRoles","sts:AssumeRole"],"Resource":"*"}]}`)
	var ident struct{ UserId, Account, Arn string }
	aws.must(&ident, "sts", "get-caller-identity", "--profile", "platform")
	if !strings.HasPrefix(ident.Arn, "arn:aws:sts::"+accountID+":assumed-role/DDD/botocore-session-") || ident.Account != accountID ||
		!strings.HasPrefix(ident.UserId, "AROA") {
		t.Fatalf("platform identity: %+v", ident)
	}
	// The profile's session has the role's permissions.
	aws.must(nil, "iam", "list-roles", "--profile", "platform")
	if msg := aws.fails("iam", "create-user", "--user-name", "x", "--profile", "platform"); !strings.Contains(msg, "AccessDenied") {
		t.Fatalf("role session created a user: %s", msg)
	}

	// aws sts assume-role, then a profile with the temporary keys.
	var out struct {
		Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
		AssumedRoleUser struct{ AssumedRoleId, Arn string }
	}
	aws.must(&out, "sts", "assume-role", "--role-arn", "arn:aws:iam::"+accountID+":role/DDD", "--role-session-name", "mytestsession",
		"--duration-seconds", "3600", "--profile", "ccc")
	if out.AssumedRoleUser.Arn != "arn:aws:sts::"+accountID+":assumed-role/DDD/mytestsession" || !strings.HasSuffix(out.AssumedRoleUser.AssumedRoleId, ":mytestsession") {
		t.Fatalf("assume-role: %+v", out.AssumedRoleUser)
	}
	aws.appendFile("credentials", "[stsgenerated]\naws_access_key_id = "+out.Credentials.AccessKeyId+"\naws_secret_access_key = "+
		out.Credentials.SecretAccessKey+"\naws_session_token = "+out.Credentials.SessionToken+"\n")
	aws.must(&ident, "sts", "get-caller-identity", "--profile", "stsgenerated")
	if ident.Arn != out.AssumedRoleUser.Arn {
		t.Fatalf("stsgenerated identity: %+v", ident)
	}
	aws.must(nil, "iam", "get-role", "--role-name", "DDD", "--profile", "stsgenerated")
}
