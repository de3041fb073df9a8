package s3_test

// Bucket policies, S3 condition keys and browser form uploads, asserted
// against AWS S3's behaviour. Helpers are in authz_integration_test.go.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func azPutBucketPolicy(c *s3.Client, bucket, doc string) error {
	_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(doc)})
	return err
}

func azMustBucketPolicy(t *testing.T, env *testenv.Env, bucket string, stmts ...azS) {
	t.Helper()
	if err := azPutBucketPolicy(env.S3, bucket, azPolicy(stmts...)); err != nil {
		t.Fatalf("put bucket policy: %v", err)
	}
}

func TestBucketPolicyRoundTripAndValidation(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "pol")
	getPolicy := func() (string, error) {
		out, err := env.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("pol")})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.Policy), nil
	}
	_, err := getPolicy()
	wantCode(t, err, "NoSuchBucketPolicy")
	doc := azPolicy(azS{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol/*"})
	if err := azPutBucketPolicy(env.S3, "pol", doc); err != nil {
		t.Fatal(err)
	}
	if got, err := getPolicy(); err != nil || got != doc {
		t.Fatalf("GetBucketPolicy = %q, %v; want %q", got, err, doc)
	}
	if _, err := env.S3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("pol")}); err != nil {
		t.Fatal(err)
	}
	_, err = getPolicy()
	wantCode(t, err, "NoSuchBucketPolicy")

	for name, bad := range map[string]string{
		"bad JSON":          `{"Version":"2012-10-17","Statement":[`,
		"missing Principal": azPolicy(azS{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol/*"}),
		"foreign resource":  azPolicy(azS{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::elsewhere/*"}),
		"non-s3 action":     azPolicy(azS{"Effect": "Allow", "Principal": "*", "Action": "iam:ListUsers", "Resource": "arn:aws:s3:::pol/*"}),
	} {
		err := azPutBucketPolicy(env.S3, "pol", bad)
		if apiCode(err) != "MalformedPolicy" {
			t.Fatalf("%s: want MalformedPolicy, got %v", name, err)
		}
	}
	_, err = getPolicy()
	wantCode(t, err, "NoSuchBucketPolicy")

	// A user of the account needs s3:PutBucketPolicy.
	c := env.S3Client(azUser(t, env, env.IAM, "pat", ""))
	azDenied(t, azPutBucketPolicy(c, "pol", doc), "s3:PutBucketPolicy")
}

// Cross-account access needs the bucket policy AND the caller's identity policy.
func TestBucketPolicyCrossAccount(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "xacct")
	put(t, env.S3, "xacct", "data/1", "shared data")
	bID, bRoot := env.CreateAccount("bee")
	bIAM := env.IAMClient(bRoot)
	bob := azUser(t, env, bIAM, "bob", "")
	role := azRole(t, bIAM, "reader", azUserARN(bID, "bob"), "")
	grant := azS{"Effect": "Allow", "Principal": map[string]string{"AWS": role}, "Action": []string{"s3:GetObject", "s3:ListBucket"},
		"Resource": []string{"arn:aws:s3:::xacct", "arn:aws:s3:::xacct/*"}}
	azMustBucketPolicy(t, env, "xacct", grant)
	c := env.S3Client(azAssume(t, env, bob, &sts.AssumeRoleInput{RoleArn: aws.String(role)}))

	// Bucket policy only: B's side does not allow.
	_, err := azGet(c, "xacct", "data/1")
	azDenied(t, err)
	_, err = azList(c, "xacct", "")
	azDenied(t, err)

	// Both sides allow.
	if _, err := bIAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(azPolicy(azAllow([]string{"s3:GetObject", "s3:ListBucket", "s3:PutObject"}, "arn:aws:s3:::xacct", "arn:aws:s3:::xacct/*")))}); err != nil {
		t.Fatal(err)
	}
	if body, err := azGet(c, "xacct", "data/1"); err != nil || body != "shared data" {
		t.Fatalf("cross-account get: %q %v", body, err)
	}
	if keys, err := azList(c, "xacct", ""); err != nil || len(keys) != 1 {
		t.Fatalf("cross-account list: %v %v", keys, err)
	}
	// The bucket policy does not grant PutObject.
	azDenied(t, azPut(c, "xacct", "data/2", "x"))

	// Identity policy only: A's side does not allow.
	if _, err := env.S3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("xacct")}); err != nil {
		t.Fatal(err)
	}
	_, err = azGet(c, "xacct", "data/1")
	azDenied(t, err)
}

// Only identities of the bucket owner's account may use the bucket policy
// APIs: another account, even when both policies allow, gets 405.
func TestBucketPolicyAPIsOwnerAccountOnly(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "owned")
	bID, bRoot := env.CreateAccount("bee")
	bIAM := env.IAMClient(bRoot)
	bob := azUser(t, env, bIAM, "bob", "")
	role := azRole(t, bIAM, "admin", azUserARN(bID, "bob"), azPolicy(azAllow("s3:*", "*")))
	doc := azPolicy(azS{"Effect": "Allow", "Principal": map[string]string{"AWS": role},
		"Action": []string{"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"}, "Resource": "arn:aws:s3:::owned"})
	if err := azPutBucketPolicy(env.S3, "owned", doc); err != nil {
		t.Fatal(err)
	}
	c := env.S3Client(azAssume(t, env, bob, &sts.AssumeRoleInput{RoleArn: aws.String(role)}))
	_, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("owned")})
	wantCode(t, err, "MethodNotAllowed")
	err = azPutBucketPolicy(c, "owned", azPolicy(azS{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::owned/*"}))
	wantCode(t, err, "MethodNotAllowed")
	_, err = c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("owned")})
	wantCode(t, err, "MethodNotAllowed")
	out, err := env.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("owned")})
	if err != nil || aws.ToString(out.Policy) != doc {
		t.Fatalf("bucket policy changed by another account: %v", err)
	}
}

// Principal "*" opens exactly the granted actions to anonymous callers.
func TestBucketPolicyPublicRead(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "public")
	put(t, env.S3, "public", "index.html", "<h1>hi</h1>")
	anonGet := func(path string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, env.URL+path, nil)
		return azDo(t, env, req)
	}
	status, body := anonGet("/public/index.html")
	azWantXML(t, status, body, http.StatusForbidden, "AccessDenied")

	azMustBucketPolicy(t, env, "public", azS{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public/*"})
	if status, body := anonGet("/public/index.html"); status != http.StatusOK || body != "<h1>hi</h1>" {
		t.Fatalf("anonymous GET: %d %q", status, body)
	}
	status, body = anonGet("/public")
	azWantXML(t, status, body, http.StatusForbidden, "AccessDenied")
	status, body = anonGet("/public?list-type=2")
	azWantXML(t, status, body, http.StatusForbidden, "AccessDenied")
	req, _ := http.NewRequest(http.MethodPut, env.URL+"/public/evil.html", strings.NewReader("defaced"))
	status, body = azDo(t, env, req)
	azWantXML(t, status, body, http.StatusForbidden, "AccessDenied")
	if azExists(t, env, "public", "evil.html") {
		t.Fatal("anonymous PUT stored an object")
	}
}

// An explicit Deny in the bucket policy beats an identity Allow, and binds
// the bucket owner's root too.
func TestBucketPolicyExplicitDeny(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "vault")
	put(t, env.S3, "vault", "public/a", "pa")
	put(t, env.S3, "vault", "secret/a", "sa")
	c := env.S3Client(azUser(t, env, env.IAM, "dave", azPolicy(azAllow("s3:GetObject", "arn:aws:s3:::vault/*"))))
	if body, err := azGet(c, "vault", "secret/a"); err != nil || body != "sa" {
		t.Fatalf("before the deny: %q %v", body, err)
	}
	azMustBucketPolicy(t, env, "vault", azS{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::vault/secret/*"})
	if body, err := azGet(c, "vault", "public/a"); err != nil || body != "pa" {
		t.Fatalf("outside the deny: %q %v", body, err)
	}
	_, err := azGet(c, "vault", "secret/a")
	azDenied(t, err, "with an explicit deny in a resource-based policy")
	_, err = azGet(env.S3, "vault", "secret/a")
	azDenied(t, err, "arn:aws:iam::"+azAcct+":root", "with an explicit deny in a resource-based policy")
	if body, err := azGet(env.S3, "vault", "public/a"); err != nil || body != "pa" {
		t.Fatalf("root outside the deny: %q %v", body, err)
	}
}

// The bucket owner's root can always read, replace and delete the bucket
// policy, even when the policy denies it everything.
func TestBucketPolicyRootCannotLockOut(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "locked")
	put(t, env.S3, "locked", "k", "v")
	azMustBucketPolicy(t, env, "locked", azS{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
		"Resource": []string{"arn:aws:s3:::locked", "arn:aws:s3:::locked/*"}})
	_, err := azGet(env.S3, "locked", "k")
	azDenied(t, err, "with an explicit deny in a resource-based policy")
	if _, err := env.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("locked")}); err != nil {
		t.Fatalf("root GetBucketPolicy under a deny-all policy: %v", err)
	}
	if _, err := env.S3.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("locked")}); err != nil {
		t.Fatalf("root DeleteBucketPolicy under a deny-all policy: %v", err)
	}
	if body, err := azGet(env.S3, "locked", "k"); err != nil || body != "v" {
		t.Fatalf("after deleting the policy: %q %v", body, err)
	}
}

// A bucket policy naming a same-account user grants without any identity policy.
func TestBucketPolicyNamesUser(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "direct")
	put(t, env.S3, "direct", "k", "for erin")
	c := env.S3Client(azUser(t, env, env.IAM, "erin", ""))
	_, err := azGet(c, "direct", "k")
	azDenied(t, err, "s3:GetObject")
	azMustBucketPolicy(t, env, "direct", azS{"Effect": "Allow", "Principal": map[string]string{"AWS": azUserARN(azAcct, "erin")},
		"Action": "s3:GetObject", "Resource": "arn:aws:s3:::direct/*"})
	if body, err := azGet(c, "direct", "k"); err != nil || body != "for erin" {
		t.Fatalf("granted by the bucket policy: %q %v", body, err)
	}
	azDenied(t, azPut(c, "direct", "k2", "x"), "s3:PutObject")
}

// A Deny on aws:SecureTransport=false blocks plain-HTTP requests.
func TestConditionSecureTransport(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "tls-only")
	put(t, env.S3, "tls-only", "k", "v")
	c := env.S3Client(azUser(t, env, env.IAM, "frank", azPolicy(azAllow("s3:*", "arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"))))
	deny := func(secure string) azS {
		return azS{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": []string{"arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"},
			"Condition": map[string]any{"Bool": map[string]string{"aws:SecureTransport": secure}}}
	}
	// A Deny for secure requests does not touch this plain-HTTP one.
	azMustBucketPolicy(t, env, "tls-only", deny("true"))
	if body, err := azGet(c, "tls-only", "k"); err != nil || body != "v" {
		t.Fatalf("Deny on SecureTransport=true blocked plain HTTP: %q %v", body, err)
	}
	azMustBucketPolicy(t, env, "tls-only", deny("false"))
	_, err := azGet(c, "tls-only", "k")
	azDenied(t, err, "with an explicit deny in a resource-based policy")
	azDenied(t, azPut(c, "tls-only", "k2", "x"), "with an explicit deny")
}

// s3:ExistingObjectTag/<k> reads the stored object's tags.
func TestConditionExistingObjectTag(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "tagged")
	for key, tagging := range map[string]string{"pub": "classification=public", "priv": "classification=secret", "plain": ""} {
		in := &s3.PutObjectInput{Bucket: aws.String("tagged"), Key: aws.String(key), Body: strings.NewReader(key)}
		if tagging != "" {
			in.Tagging = aws.String(tagging)
		}
		if _, err := env.S3.PutObject(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	c := env.S3Client(azUser(t, env, env.IAM, "tess", azPolicy(azS{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::tagged/*",
		"Condition": map[string]any{"StringEquals": map[string]string{"s3:ExistingObjectTag/classification": "public"}}})))
	if body, err := azGet(c, "tagged", "pub"); err != nil || body != "pub" {
		t.Fatalf("public-tagged object: %q %v", body, err)
	}
	for _, k := range []string{"priv", "plain"} {
		_, err := azGet(c, "tagged", k)
		azDenied(t, err, "s3:GetObject")
	}
	if _, err := env.S3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tagged"), Key: aws.String("plain"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("classification"), Value: aws.String("public")}}}}); err != nil {
		t.Fatal(err)
	}
	if body, err := azGet(c, "tagged", "plain"); err != nil || body != "plain" {
		t.Fatalf("after tagging public: %q %v", body, err)
	}
}

// s3:RequestObjectTag/<k> reads the x-amz-tagging header of a PUT.
func TestConditionRequestObjectTag(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "teams")
	c := env.S3Client(azUser(t, env, env.IAM, "uma", azPolicy(azS{"Effect": "Allow", "Action": []string{"s3:PutObject", "s3:PutObjectTagging"},
		"Resource": "arn:aws:s3:::teams/*", "Condition": map[string]any{"StringEquals": map[string]string{"s3:RequestObjectTag/team": "core"}}})))
	putTagged := func(key, tagging string) error {
		in := &s3.PutObjectInput{Bucket: aws.String("teams"), Key: aws.String(key), Body: strings.NewReader("x")}
		if tagging != "" {
			in.Tagging = aws.String(tagging)
		}
		_, err := c.PutObject(ctx, in)
		return err
	}
	if err := putTagged("ok", "team=core&tier=1"); err != nil {
		t.Fatalf("put with team=core: %v", err)
	}
	azDenied(t, putTagged("ops", "team=ops"), "s3:PutObject")
	azDenied(t, putTagged("none", ""), "s3:PutObject")
	tags, err := env.S3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("teams"), Key: aws.String("ok")})
	if err != nil || len(tags.TagSet) != 2 {
		t.Fatalf("stored tags: %+v %v", tags, err)
	}
	if azExists(t, env, "teams", "ops") || azExists(t, env, "teams", "none") {
		t.Fatal("denied PUT stored an object")
	}
	// A tagged PUT also needs s3:PutObjectTagging.
	w := env.S3Client(azUser(t, env, env.IAM, "walt", azPolicy(azAllow("s3:PutObject", "arn:aws:s3:::teams/*"))))
	if err := azPut(w, "teams", "untagged", "x"); err != nil {
		t.Fatalf("untagged put: %v", err)
	}
	_, err = w.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("teams"), Key: aws.String("w"), Body: strings.NewReader("x"), Tagging: aws.String("team=core")})
	azDenied(t, err, "s3:PutObjectTagging")
}

// s3:x-amz-acl reads the canned ACL header of PutObject and CreateBucket.
func TestConditionCannedACL(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "acl")
	cond := map[string]any{"StringEquals": map[string]string{"s3:x-amz-acl": "bucket-owner-full-control"}}
	c := env.S3Client(azUser(t, env, env.IAM, "vic", azPolicy(
		azS{"Effect": "Allow", "Action": []string{"s3:PutObject", "s3:PutObjectAcl"}, "Resource": "arn:aws:s3:::acl/*", "Condition": cond},
		azS{"Effect": "Allow", "Action": "s3:CreateBucket", "Resource": "*",
			"Condition": map[string]any{"StringEquals": map[string]string{"s3:x-amz-acl": "private"}}})))
	putACL := func(key string, acl types.ObjectCannedACL) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acl"), Key: aws.String(key), Body: strings.NewReader("x"), ACL: acl})
		return err
	}
	if err := putACL("owned", types.ObjectCannedACLBucketOwnerFullControl); err != nil {
		t.Fatalf("put with bucket-owner-full-control: %v", err)
	}
	azDenied(t, putACL("noacl", ""), "s3:PutObject")
	azDenied(t, putACL("public", types.ObjectCannedACLPublicRead), "s3:PutObject")

	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vic-plain")})
	azDenied(t, err, "s3:CreateBucket")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vic-private"), ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Fatalf("CreateBucket with x-amz-acl private: %v", err)
	}
}

// azPost sends a browser form upload signed with creds. Every field in
// extra is also an exact-match condition of the policy; tamper corrupts the
// signature.
func azPost(t *testing.T, env *testenv.Env, creds aws.CredentialsProvider, bucket, key string, file []byte, extra map[string]string, tamper bool) (int, string) {
	t.Helper()
	cr, err := creds.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	date := now.Format("20060102")
	fields := [][2]string{{"key", key}}
	names := make([]string, 0, len(extra))
	for k := range extra {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fields = append(fields, [2]string{k, extra[k]})
	}
	fields = append(fields, [2]string{"x-amz-algorithm", sigv4.Algorithm},
		[2]string{"x-amz-credential", cr.AccessKeyID + "/" + date + "/" + testenv.Region + "/s3/aws4_request"},
		[2]string{"x-amz-date", now.Format("20060102T150405Z")})
	if cr.SessionToken != "" {
		fields = append(fields, [2]string{"x-amz-security-token", cr.SessionToken})
	}
	conds := []any{map[string]string{"bucket": bucket}, []any{"starts-with", "$key", "uploads/"}, []any{"content-length-range", 1, 1048576}}
	for _, f := range fields[1:] {
		conds = append(conds, map[string]string{f[0]: f[1]})
	}
	doc, err := json.Marshal(map[string]any{"expiration": now.Add(10 * time.Minute).Format("2006-01-02T15:04:05.000Z"), "conditions": conds})
	if err != nil {
		t.Fatal(err)
	}
	policy := base64.StdEncoding.EncodeToString(doc)
	sk := sigv4.DeriveKey(cr.SecretAccessKey, date, testenv.Region, "s3")
	mac := hmac.New(sha256.New, sk[:])
	mac.Write([]byte(policy))
	sig := hex.EncodeToString(mac.Sum(nil))
	if tamper {
		sig = azFlip(sig)
	}
	fields = append(fields, [2]string{"policy", policy}, [2]string{"x-amz-signature", sig})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", "upload.bin")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/"+bucket, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return azDo(t, env, req)
}

func TestPostObjectBrowserUpload(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "forms")
	alice := azUser(t, env, env.IAM, "alice", "")
	// The role may write anywhere in the bucket: only the form policy
	// confines keys to uploads/.
	role := azRole(t, env.IAM, "poster", azUserARN(azAcct, "alice"), azPolicy(azAllow("s3:PutObject", "arn:aws:s3:::forms/*")))
	sess := azAssume(t, env, alice, &sts.AssumeRoleInput{RoleArn: aws.String(role)})

	if status, body := azPost(t, env, sess, "forms", "uploads/a.txt", []byte("form bytes"), nil, false); status != http.StatusNoContent {
		t.Fatalf("default POST: %d %s", status, body)
	}
	if got := get(t, env.S3, "forms", "uploads/a.txt"); got != "form bytes" {
		t.Fatalf("uploaded object = %q", got)
	}

	status, body := azPost(t, env, sess, "forms", "uploads/b.txt", []byte("created"), map[string]string{"success_action_status": "201"}, false)
	var pr struct {
		XMLName xml.Name `xml:"PostResponse"`
		Bucket  string
		Key     string
		ETag    string
	}
	if status != http.StatusCreated || xml.Unmarshal([]byte(body), &pr) != nil || pr.Bucket != "forms" || pr.Key != "uploads/b.txt" ||
		pr.ETag != `"`+md5hex("created")+`"` {
		t.Fatalf("201 POST: %d %s", status, body)
	}
	if got := get(t, env.S3, "forms", "uploads/b.txt"); got != "created" {
		t.Fatalf("uploaded object = %q", got)
	}

	status, body = azPost(t, env, sess, "forms", "private/x", []byte("x"), nil, false)
	azWantXML(t, status, body, http.StatusForbidden, "AccessDenied")
	if !strings.Contains(body, "Policy Condition failed") {
		t.Fatalf("starts-with failure message: %s", body)
	}
	status, body = azPost(t, env, sess, "forms", "uploads/big", bytes.Repeat([]byte("z"), 1048577), nil, false)
	azWantXML(t, status, body, http.StatusBadRequest, "EntityTooLarge")
	status, body = azPost(t, env, sess, "forms", "uploads/forged", []byte("x"), nil, true)
	azWantXML(t, status, body, http.StatusForbidden, "SignatureDoesNotMatch")

	// A valid form from a principal without s3:PutObject.
	nobody := azUser(t, env, env.IAM, "nobody", "")
	status, body = azPost(t, env, nobody, "forms", "uploads/denied", []byte("x"), nil, false)
	azWantXML(t, status, body, http.StatusForbidden, "AccessDenied")

	for _, k := range []string{"private/x", "uploads/big", "uploads/forged", "uploads/denied"} {
		if azExists(t, env, "forms", k) {
			t.Fatalf("failed POST stored %s", k)
		}
	}
}

// Bucket records are cached between requests: a bucket deleted and made
// again by another account is the new account's at once, and a policy
// written, replaced or deleted decides the very next request.
func TestBucketCacheFollowsChanges(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "reborn")
	put(t, env.S3, "reborn", "k", "first owner's")
	if body, err := azGet(env.S3, "reborn", "k"); err != nil || body != "first owner's" {
		t.Fatalf("first owner's GET: %q %v", body, err)
	}
	if _, err := env.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("reborn"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.S3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("reborn")}); err != nil {
		t.Fatal(err)
	}
	_, bRoot := env.CreateAccount("other")
	b := env.S3Client(bRoot)
	mkBucket(t, b, "reborn")
	put(t, b, "reborn", "k", "second owner's")
	// The first account's root is nobody to the new bucket.
	_, err := azGet(env.S3, "reborn", "k")
	azDenied(t, err)
	azDenied(t, azPut(env.S3, "reborn", "k", "overwrite"))
	if body, err := azGet(b, "reborn", "k"); err != nil || body != "second owner's" {
		t.Fatalf("second owner's GET: %q %v", body, err)
	}
	// A policy decides the next request, and so does its replacement and
	// its removal.
	if _, err := b.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("reborn"), Policy: aws.String(azPolicy(
		azS{"Effect": "Allow", "Principal": map[string]string{"AWS": "arn:aws:iam::" + azAcct + ":root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reborn/*"}))}); err != nil {
		t.Fatal(err)
	}
	if body, err := azGet(env.S3, "reborn", "k"); err != nil || body != "second owner's" {
		t.Fatalf("granted by the policy: %q %v", body, err)
	}
	if _, err := b.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("reborn"), Policy: aws.String(azPolicy(
		azS{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reborn/*"}))}); err != nil {
		t.Fatal(err)
	}
	_, err = azGet(b, "reborn", "k")
	azDenied(t, err, "with an explicit deny in a resource-based policy")
	if _, err := b.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("reborn")}); err != nil {
		t.Fatal(err)
	}
	if body, err := azGet(b, "reborn", "k"); err != nil || body != "second owner's" {
		t.Fatalf("after the policy's removal: %q %v", body, err)
	}
	_, err = azGet(env.S3, "reborn", "k")
	azDenied(t, err)
}
