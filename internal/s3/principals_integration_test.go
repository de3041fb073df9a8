package s3_test

// Principals in bucket policies, asserted against AWS's behaviour: a Deny
// with NotPrincipal spares only the principals it lists in full (AWS's two
// examples), and a saved policy names the users and roles it was written
// for — their unique ids — not whoever holds those names later.

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// npDeny is AWS's NotPrincipal pattern: deny s3:* on the bucket to all but
// the listed principals.
func npDeny(bucket string, principals ...string) azS {
	return azS{"Effect": "Deny", "NotPrincipal": map[string]any{"AWS": principals}, "Action": "s3:*",
		"Resource": []string{"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"}}
}

func azRoleARN(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }

func azRoot(account string) string { return "arn:aws:iam::" + account + ":root" }

// AWS's first NotPrincipal example: everyone but bob (and the account's
// root) is denied — not every user of the account.
func TestBucketPolicyNotPrincipalUser(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "notp")
	put(t, env.S3, "notp", "k", "data")
	all := azPolicy(azAllow("s3:*", "*"))
	bob := env.S3Client(azUser(t, env, env.IAM, "bob", all))
	carol := env.S3Client(azUser(t, env, env.IAM, "carol", all))
	azMustBucketPolicy(t, env, "notp", npDeny("notp", azUserARN(azAcct, "bob"), azRoot(azAcct)))

	if body, err := azGet(bob, "notp", "k"); err != nil || body != "data" {
		t.Fatalf("bob (listed) get: %q %v", body, err)
	}
	if body, err := azGet(env.S3, "notp", "k"); err != nil || body != "data" {
		t.Fatalf("root (account listed) get: %q %v", body, err)
	}
	_, err := azGet(carol, "notp", "k")
	azDenied(t, err, "arn:aws:iam::"+azAcct+":user/carol", "with an explicit deny in a resource-based policy")
	azDenied(t, azPut(carol, "notp", "k2", "x"))
	// Anonymous callers are denied even by a public-read statement.
	pub := azS{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::notp/*"}
	azMustBucketPolicy(t, env, "notp", pub, npDeny("notp", azUserARN(azAcct, "bob"), azRoot(azAcct)))
	resp, err := env.HTTP().Get(env.URL + "/notp/k")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("anonymous get: status %d", resp.StatusCode)
	}

	// Listing only the account spares its root, not its users.
	azMustBucketPolicy(t, env, "notp", npDeny("notp", azAcct))
	_, err = azGet(bob, "notp", "k")
	azDenied(t, err)
	if _, err := azGet(env.S3, "notp", "k"); err != nil {
		t.Fatalf("root get with the account listed: %v", err)
	}
	// Listing bob without his account denies bob too (and the root).
	azMustBucketPolicy(t, env, "notp", npDeny("notp", azUserARN(azAcct, "bob")))
	_, err = azGet(bob, "notp", "k")
	azDenied(t, err)
	_, err = azGet(env.S3, "notp", "k")
	azDenied(t, err)
}

// AWS's second NotPrincipal example: the session, its role and the account
// are listed; only that session is spared.
func TestBucketPolicyNotPrincipalRoleSession(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "notp")
	put(t, env.S3, "notp", "k", "data")
	all := azPolicy(azAllow("s3:*", "*"))
	alice := azUser(t, env, env.IAM, "alice", "")
	carol := env.S3Client(azUser(t, env, env.IAM, "carol", all))
	role := azRole(t, env.IAM, "cross-account-read-only-role", azUserARN(azAcct, "alice"), all)
	sessionARN := "arn:aws:sts::" + azAcct + ":assumed-role/cross-account-read-only-role/cross-account-audit-app"
	azMustBucketPolicy(t, env, "notp", npDeny("notp", sessionARN, role, azRoot(azAcct)))

	audit := env.S3Client(azAssume(t, env, alice, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("cross-account-audit-app")}))
	other := env.S3Client(azAssume(t, env, alice, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("other")}))
	if body, err := azGet(audit, "notp", "k"); err != nil || body != "data" {
		t.Fatalf("listed session get: %q %v", body, err)
	}
	_, err := azGet(other, "notp", "k")
	azDenied(t, err, "assumed-role/cross-account-read-only-role/other", "explicit deny")
	_, err = azGet(carol, "notp", "k")
	azDenied(t, err, "explicit deny")
	if _, err := azGet(env.S3, "notp", "k"); err != nil {
		t.Fatalf("root get: %v", err)
	}
	// Without the role, the listed session is denied too.
	azMustBucketPolicy(t, env, "notp", npDeny("notp", sessionARN, azRoot(azAcct)))
	_, err = azGet(audit, "notp", "k")
	azDenied(t, err)
}

// policyShown is the bucket policy as GetBucketPolicy returns it.
func policyShown(t *testing.T, c *s3.Client, bucket string) string {
	t.Helper()
	out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Policy)
}

// wantInvalidPrincipal asserts S3's answer to a policy naming a principal
// that does not exist.
func wantInvalidPrincipal(t *testing.T, err error) {
	t.Helper()
	wantCode(t, err, "MalformedPolicy")
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorMessage() != "Invalid principal in policy" || azStatus(err) != http.StatusBadRequest {
		t.Fatalf("want 400 MalformedPolicy \"Invalid principal in policy\", got %v", err)
	}
}

func deleteUserWithKeys(t *testing.T, c *iam.Client, name string) {
	t.Helper()
	keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys.AccessKeyMetadata {
		if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(name), AccessKeyId: k.AccessKeyId}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p")}); err != nil && apiCode(err) != "NoSuchEntity" {
		t.Fatal(err)
	}
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}

func userID(t *testing.T, c *iam.Client, name string) string {
	t.Helper()
	u, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return *u.User.UserId
}

// A bucket policy naming bob names that user: a new bob of the same name
// is not granted, and GetBucketPolicy shows the deleted bob's id.
func TestBucketPolicyNamesTheUserNotItsName(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "bound")
	put(t, env.S3, "bound", "k", "data")
	bobARN := azUserARN(azAcct, "bob")
	bob := env.S3Client(azUser(t, env, env.IAM, "bob", ""))
	oldID := userID(t, env.IAM, "bob")
	grant := azS{"Effect": "Allow", "Principal": map[string]any{"AWS": bobARN}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bound/*"}
	doc := azPolicy(grant)
	azMustBucketPolicy(t, env, "bound", grant)
	if body, err := azGet(bob, "bound", "k"); err != nil || body != "data" {
		t.Fatalf("bob get: %q %v", body, err)
	}
	if got := policyShown(t, env.S3, "bound"); got != doc {
		t.Fatalf("GetBucketPolicy = %s, want %s", got, doc)
	}

	deleteUserWithKeys(t, env.IAM, "bob")
	bob2 := env.S3Client(azUser(t, env, env.IAM, "bob", ""))
	_, err := azGet(bob2, "bound", "k")
	azDenied(t, err, "User: "+bobARN+" is not authorized to perform: s3:GetObject")
	shown := policyShown(t, env.S3, "bound")
	if want := strings.Replace(doc, bobARN, oldID, 1); shown != want {
		t.Fatalf("GetBucketPolicy after deletion = %s, want %s", shown, want)
	}
	// The shown document names no one: writing it back is refused, as is
	// any principal that does not exist.
	wantInvalidPrincipal(t, azPutBucketPolicy(env.S3, "bound", shown))
	for _, p := range []string{azUserARN(azAcct, "ghost"), azRoleARN(azAcct, "ghost"), "arn:aws:iam::" + azAcct + ":user/path/bob",
		azUserARN("999988887777", "bob"), "arn:aws:iam::" + azAcct + ":group/admins"} {
		g := azS{"Effect": "Allow", "Principal": map[string]any{"AWS": []string{azAcct, p}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bound/*"}
		wantInvalidPrincipal(t, azPutBucketPolicy(env.S3, "bound", azPolicy(g)))
		np := npDeny("bound", p, azRoot(azAcct))
		wantInvalidPrincipal(t, azPutBucketPolicy(env.S3, "bound", azPolicy(np)))
	}
	if got := policyShown(t, env.S3, "bound"); got != shown {
		t.Fatalf("a refused policy replaced the bucket's: %s", got)
	}
	// Writing the ARN again binds the new bob.
	azMustBucketPolicy(t, env, "bound", grant)
	if body, err := azGet(bob2, "bound", "k"); err != nil || body != "data" {
		t.Fatalf("new bob after re-binding: %q %v", body, err)
	}

	// A NotPrincipal exemption does not pass to a re-created user either.
	all := azPolicy(azAllow("s3:*", "*"))
	azUserPolicy(t, env.IAM, "bob", all)
	azMustBucketPolicy(t, env, "bound", npDeny("bound", bobARN, azRoot(azAcct)))
	if _, err := azGet(bob2, "bound", "k"); err != nil {
		t.Fatalf("listed bob: %v", err)
	}
	deleteUserWithKeys(t, env.IAM, "bob")
	bob3 := env.S3Client(azUser(t, env, env.IAM, "bob", all))
	_, err = azGet(bob3, "bound", "k")
	azDenied(t, err, "explicit deny")

	// Users of another account held here are bound too.
	bAcct, bRoot := env.CreateAccount("bee")
	bIAM := env.IAMClient(bRoot)
	azUser(t, env, bIAM, "dave", "")
	daveID := userID(t, bIAM, "dave")
	xgrant := azS{"Effect": "Allow", "Principal": map[string]any{"AWS": azUserARN(bAcct, "dave")}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bound/*"}
	azMustBucketPolicy(t, env, "bound", xgrant)
	deleteUserWithKeys(t, bIAM, "dave")
	var got map[string]any
	if err := json.Unmarshal([]byte(policyShown(t, env.S3, "bound")), &got); err != nil {
		t.Fatal(err)
	}
	if p := got["Statement"].([]any)[0].(map[string]any)["Principal"].(map[string]any)["AWS"]; p != daveID {
		t.Fatalf("deleted cross-account principal shows %v, want %s", p, daveID)
	}
}

// A bucket policy naming a role names that role: sessions of a re-created
// role of the same name are not granted.
func TestBucketPolicyNamesTheRoleNotItsName(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "bound")
	put(t, env.S3, "bound", "k", "data")
	alice := azUser(t, env, env.IAM, "alice", "")
	role := azRole(t, env.IAM, "reader", azUserARN(azAcct, "alice"), "")
	oldID := *must[*iam.GetRoleOutput](t)(env.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")})).Role.RoleId
	grant := azS{"Effect": "Allow", "Principal": map[string]any{"AWS": role}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bound/*"}
	azMustBucketPolicy(t, env, "bound", grant)
	sess := env.S3Client(azAssume(t, env, alice, &sts.AssumeRoleInput{RoleArn: aws.String(role)}))
	if body, err := azGet(sess, "bound", "k"); err != nil || body != "data" {
		t.Fatalf("role session get: %q %v", body, err)
	}

	if _, err := env.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("reader")}); err != nil {
		t.Fatal(err)
	}
	azRole(t, env.IAM, "reader", azUserARN(azAcct, "alice"), "")
	sess2 := env.S3Client(azAssume(t, env, alice, &sts.AssumeRoleInput{RoleArn: aws.String(role)}))
	_, err := azGet(sess2, "bound", "k")
	azDenied(t, err, "assumed-role/reader/s1")
	if shown, want := policyShown(t, env.S3, "bound"), strings.Replace(azPolicy(grant), role, oldID, 1); shown != want {
		t.Fatalf("GetBucketPolicy after the role's deletion = %s, want %s", shown, want)
	}
	// Binding the new role grants its sessions again.
	azMustBucketPolicy(t, env, "bound", grant)
	if _, err := azGet(sess2, "bound", "k"); err != nil {
		t.Fatalf("new role's session after re-binding: %v", err)
	}
}
