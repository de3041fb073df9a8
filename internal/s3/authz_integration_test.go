package s3_test

// Authorization tests of the S3 service through the whole server: users,
// roles, session policies, per-key decisions, presigned URLs and bad
// credentials, each asserting what AWS S3 answers.

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

const azAcct = testenv.AccountID

// azS is one policy statement.
type azS map[string]any

// azPolicy is a 2012-10-17 policy document with the given statements.
func azPolicy(stmts ...azS) string {
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// azAllow is an identity-policy Allow of actions on resources.
func azAllow(actions any, resources ...string) azS {
	return azS{"Effect": "Allow", "Action": actions, "Resource": resources}
}

func azUserARN(account, name string) string { return "arn:aws:iam::" + account + ":user/" + name }

// azUser creates an IAM user with an access key and, when doc is set, an
// inline policy; it returns the user's credentials.
func azUser(t *testing.T, env *testenv.Env, c *iam.Client, name, doc string) aws.CredentialsProvider {
	t.Helper()
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if doc != "" {
		azUserPolicy(t, c, name, doc)
	}
	return env.Credentials(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, "")
}

// azUserPolicy sets (or replaces) the user's inline policy "p".
func azUserPolicy(t *testing.T, c *iam.Client, user, doc string) {
	t.Helper()
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatalf("put user policy: %v", err)
	}
}

// azRole creates a role trusting principalARN with, when doc is set, an
// inline policy; it returns the role ARN.
func azRole(t *testing.T, c *iam.Client, name, principalARN, doc string) string {
	t.Helper()
	trust := azPolicy(azS{"Effect": "Allow", "Principal": map[string]string{"AWS": principalARN}, "Action": "sts:AssumeRole"})
	r, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("create role %s: %v", name, err)
	}
	if doc != "" {
		if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatalf("put role policy: %v", err)
		}
	}
	return *r.Role.Arn
}

// azAssume assumes in.RoleArn with creds (session name "s1" unless set) and
// returns the temporary credentials.
func azAssume(t *testing.T, env *testenv.Env, creds aws.CredentialsProvider, in *sts.AssumeRoleInput) aws.CredentialsProvider {
	t.Helper()
	if in.RoleSessionName == nil {
		in.RoleSessionName = aws.String("s1")
	}
	out, err := env.STSClient(creds).AssumeRole(ctx, in)
	if err != nil {
		t.Fatalf("assume role: %v", err)
	}
	c := out.Credentials
	return env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

// azDenied asserts an AccessDenied error whose message contains each part.
func azDenied(t *testing.T, err error, parts ...string) {
	t.Helper()
	wantCode(t, err, "AccessDenied")
	var ae smithy.APIError
	errors.As(err, &ae)
	for _, p := range parts {
		if !strings.Contains(ae.ErrorMessage(), p) {
			t.Fatalf("AccessDenied message %q does not contain %q", ae.ErrorMessage(), p)
		}
	}
}

// azStatus is the HTTP status of an SDK error (0 if none).
func azStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func azGet(c *s3.Client, bucket, key string) (string, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), err
}

func azPut(c *s3.Client, bucket, key, body string) error {
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	return err
}

func azList(c *s3.Client, bucket, prefix string) ([]string, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	out, err := c.ListObjectsV2(ctx, in)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, *o.Key)
	}
	return keys, nil
}

// azExists reports whether root can HEAD the object.
func azExists(t *testing.T, env *testenv.Env, bucket, key string) bool {
	t.Helper()
	_, err := env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil && azStatus(err) != http.StatusNotFound {
		t.Fatalf("head %s/%s: %v", bucket, key, err)
	}
	return err == nil
}

// azDo sends a raw request and returns the status and body.
func azDo(t *testing.T, env *testenv.Env, req *http.Request) (int, string) {
	t.Helper()
	resp, err := env.HTTP().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// azFlip changes the last hex digit of s.
func azFlip(s string) string {
	if strings.HasSuffix(s, "0") {
		return s[:len(s)-1] + "1"
	}
	return s[:len(s)-1] + "0"
}

var azCodeRE = regexp.MustCompile(`<Code>([^<]*)</Code>`)

// azWantXML asserts an S3 XML error response with status and code.
func azWantXML(t *testing.T, status int, body string, wantStatus int, wantCode string) {
	t.Helper()
	m := azCodeRE.FindStringSubmatch(body)
	if status != wantStatus || m == nil || m[1] != wantCode {
		t.Fatalf("want %d %s, got %d %s", wantStatus, wantCode, status, body)
	}
}

// Seed flow 1: a user assumes a read-only role and reads, but cannot write.
func TestAuthzAssumedRoleReadOnly(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "seed")
	put(t, env.S3, "seed", "docs/readme.txt", "hello")
	alice := azUser(t, env, env.IAM, "alice", "")
	role := azRole(t, env.IAM, "s3-read-only", azUserARN(azAcct, "alice"), "")
	if _, err := env.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("s3-read-only"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	azUserPolicy(t, env.IAM, "alice", azPolicy(azAllow("sts:AssumeRole", role)))

	// Alice's own keys grant no S3 access: the role is what allows.
	_, err := azGet(env.S3Client(alice), "seed", "docs/readme.txt")
	azDenied(t, err, "User: "+azUserARN(azAcct, "alice")+" is not authorized to perform: s3:GetObject")

	sess := azAssume(t, env, alice, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("alice-session")})
	c := env.S3Client(sess)
	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 1 || *lb.Buckets[0].Name != "seed" {
		t.Fatalf("ListBuckets: %+v %v", lb, err)
	}
	if keys, err := azList(c, "seed", ""); err != nil || !slices.Equal(keys, []string{"docs/readme.txt"}) {
		t.Fatalf("ListObjectsV2: %v %v", keys, err)
	}
	if body, err := azGet(c, "seed", "docs/readme.txt"); err != nil || body != "hello" {
		t.Fatalf("GetObject: %q %v", body, err)
	}
	err = azPut(c, "seed", "docs/new.txt", "x")
	azDenied(t, err, "arn:aws:sts::"+azAcct+":assumed-role/s3-read-only/alice-session is not authorized to perform: s3:PutObject",
		`on resource: "arn:aws:s3:::seed/docs/new.txt"`)
	if azExists(t, env, "seed", "docs/new.txt") {
		t.Fatal("denied PutObject stored the object")
	}
}

// Seed flow 5: session policies (inline and managed) narrow a role's access.
func TestAuthzSessionPolicyNarrows(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "shared")
	put(t, env.S3, "shared", "other/y", "why")
	alice := azUser(t, env, env.IAM, "alice", "")
	role := azRole(t, env.IAM, "uploader", azUserARN(azAcct, "alice"),
		azPolicy(azAllow("s3:*", "arn:aws:s3:::shared", "arn:aws:s3:::shared/*")))

	// Without a session policy the role reads everything in the bucket.
	full := env.S3Client(azAssume(t, env, alice, &sts.AssumeRoleInput{RoleArn: aws.String(role)}))
	if body, err := azGet(full, "shared", "other/y"); err != nil || body != "why" {
		t.Fatalf("role without session policy: %q %v", body, err)
	}

	narrow := env.S3Client(azAssume(t, env, alice, &sts.AssumeRoleInput{RoleArn: aws.String(role),
		Policy: aws.String(azPolicy(azAllow("s3:PutObject", "arn:aws:s3:::shared/uploads/alice/*")))}))
	if err := azPut(narrow, "shared", "uploads/alice/x", "mine"); err != nil {
		t.Fatalf("put under uploads/alice/: %v", err)
	}
	azDenied(t, azPut(narrow, "shared", "uploads/bob/x", "theirs"), "because no session policy allows the s3:PutObject action")
	_, err := azGet(narrow, "shared", "uploads/alice/x")
	azDenied(t, err, "because no session policy allows the s3:GetObject action")
	if azExists(t, env, "shared", "uploads/bob/x") {
		t.Fatal("denied put stored uploads/bob/x")
	}

	// A customer managed policy passed as PolicyArns narrows the same way.
	p, err := env.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("uploads-read"),
		PolicyDocument: aws.String(azPolicy(azAllow("s3:GetObject", "arn:aws:s3:::shared/uploads/*")))})
	if err != nil {
		t.Fatal(err)
	}
	managed := env.S3Client(azAssume(t, env, alice, &sts.AssumeRoleInput{RoleArn: aws.String(role),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: p.Policy.Arn}}}))
	if body, err := azGet(managed, "shared", "uploads/alice/x"); err != nil || body != "mine" {
		t.Fatalf("managed session policy read: %q %v", body, err)
	}
	_, err = azGet(managed, "shared", "other/y")
	azDenied(t, err, "because no session policy allows the s3:GetObject action")
	azDenied(t, azPut(managed, "shared", "uploads/alice/z", "z"), "because no session policy allows the s3:PutObject action")
}

// A user without policies is denied everything; a home-directory policy
// (s3:prefix with ${aws:username}) allows listing only the user's prefix.
func TestAuthzUserHomePrefix(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "homes")
	put(t, env.S3, "homes", "home/carol/notes.txt", "c")
	put(t, env.S3, "homes", "home/other/notes.txt", "o")
	creds := azUser(t, env, env.IAM, "carol", "")
	c := env.S3Client(creds)

	_, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	azDenied(t, err, "s3:ListAllMyBuckets")
	_, err = azList(c, "homes", "")
	azDenied(t, err, "s3:ListBucket")
	_, err = azGet(c, "homes", "home/carol/notes.txt")
	azDenied(t, err, "s3:GetObject")
	azDenied(t, azPut(c, "homes", "home/carol/new.txt", "n"), "s3:PutObject")
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("homes"), Key: aws.String("home/carol/notes.txt")})
	azDenied(t, err, "s3:DeleteObject")
	_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("homes")})
	azDenied(t, err, "s3:GetBucketPolicy")
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("carols")})
	azDenied(t, err, "s3:CreateBucket")
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("homes")})
	if azStatus(err) != http.StatusForbidden {
		t.Fatalf("HeadBucket without permission: %v", err)
	}
	if !azExists(t, env, "homes", "home/carol/notes.txt") {
		t.Fatal("denied DeleteObject removed the object")
	}

	azUserPolicy(t, env.IAM, "carol", azPolicy(azS{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::homes",
		"Condition": map[string]any{"StringLike": map[string]any{"s3:prefix": []string{"home/${aws:username}/*"}}}}))
	if keys, err := azList(c, "homes", "home/carol/"); err != nil || !slices.Equal(keys, []string{"home/carol/notes.txt"}) {
		t.Fatalf("list own home: %v %v", keys, err)
	}
	_, err = azList(c, "homes", "home/other/")
	azDenied(t, err, "s3:ListBucket")
	_, err = azList(c, "homes", "")
	azDenied(t, err, "s3:ListBucket")
	_, err = azGet(c, "homes", "home/carol/notes.txt")
	azDenied(t, err, "s3:GetObject")
}

// A missing key is 403 without s3:ListBucket and 404 with it.
func TestAuthzMissingObject(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "hidden")
	put(t, env.S3, "hidden", "present", "here")
	c := env.S3Client(azUser(t, env, env.IAM, "gina", azPolicy(azAllow("s3:GetObject", "arn:aws:s3:::hidden/*"))))
	if body, err := azGet(c, "hidden", "present"); err != nil || body != "here" {
		t.Fatalf("get present: %q %v", body, err)
	}
	_, err := azGet(c, "hidden", "absent")
	azDenied(t, err, "s3:ListBucket")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("hidden"), Key: aws.String("absent")})
	if azStatus(err) != http.StatusForbidden {
		t.Fatalf("HEAD missing key without ListBucket: %v", err)
	}

	azUserPolicy(t, env.IAM, "gina", azPolicy(azAllow("s3:GetObject", "arn:aws:s3:::hidden/*"), azAllow("s3:ListBucket", "arn:aws:s3:::hidden")))
	_, err = azGet(c, "hidden", "absent")
	wantCode(t, err, "NoSuchKey")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("hidden"), Key: aws.String("absent")})
	if azStatus(err) != http.StatusNotFound {
		t.Fatalf("HEAD missing key with ListBucket: %v", err)
	}
}

// CopyObject needs s3:GetObject on the source and s3:PutObject on the target.
func TestAuthzCopyObject(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "src-bkt")
	mkBucket(t, env.S3, "dst-bkt")
	put(t, env.S3, "src-bkt", "in/obj", "copied bytes")
	getSrc := azAllow("s3:GetObject", "arn:aws:s3:::src-bkt/in/*")
	putDst := azAllow("s3:PutObject", "arn:aws:s3:::dst-bkt/out/*")
	c := env.S3Client(azUser(t, env, env.IAM, "hank", azPolicy(getSrc)))
	copyObj := func() error {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst-bkt"), Key: aws.String("out/obj"), CopySource: aws.String("src-bkt/in/obj")})
		return err
	}
	azDenied(t, copyObj(), `s3:PutObject on resource: "arn:aws:s3:::dst-bkt/out/obj"`)
	azUserPolicy(t, env.IAM, "hank", azPolicy(putDst))
	azDenied(t, copyObj(), `s3:GetObject on resource: "arn:aws:s3:::src-bkt/in/obj"`)
	if azExists(t, env, "dst-bkt", "out/obj") {
		t.Fatal("denied copy created the target")
	}
	azUserPolicy(t, env.IAM, "hank", azPolicy(getSrc, putDst))
	if err := copyObj(); err != nil {
		t.Fatalf("copy with both permissions: %v", err)
	}
	if got := get(t, env.S3, "dst-bkt", "out/obj"); got != "copied bytes" {
		t.Fatalf("copied object = %q", got)
	}
}

// DeleteObjects authorizes each key; denied keys are listed, the call succeeds.
func TestAuthzDeleteObjectsPerKey(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "multi")
	put(t, env.S3, "multi", "a/1", "a")
	put(t, env.S3, "multi", "b/1", "b")
	c := env.S3Client(azUser(t, env, env.IAM, "ivan", azPolicy(azAllow("s3:DeleteObject", "arn:aws:s3:::multi/a/*"))))
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("a/1")}, {Key: aws.String("b/1")}}}})
	if err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "a/1" {
		t.Fatalf("Deleted = %+v", out.Deleted)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "b/1" || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
		t.Fatalf("Errors = %+v", out.Errors)
	}
	if azExists(t, env, "multi", "a/1") || !azExists(t, env, "multi", "b/1") {
		t.Fatal("a/1 must be gone and b/1 must remain")
	}
}

// A role session's presigned URLs work over plain HTTP; tampered or expired
// ones do not.
func TestPresignTemporaryCredentials(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "pres")
	put(t, env.S3, "pres", "obj.txt", "presigned body")
	put(t, env.S3, "pres", "other.txt", "other body")
	alice := azUser(t, env, env.IAM, "alice", "")
	role := azRole(t, env.IAM, "presigner", azUserARN(azAcct, "alice"), azPolicy(azAllow([]string{"s3:GetObject", "s3:PutObject"}, "arn:aws:s3:::pres/*")))
	ps := s3.NewPresignClient(env.S3Client(azAssume(t, env, alice, &sts.AssumeRoleInput{RoleArn: aws.String(role)})))

	g, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pres"), Key: aws.String("obj.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(g.URL, "X-Amz-Security-Token=") {
		t.Fatalf("presigned URL without a session token: %s", g.URL)
	}
	req, _ := http.NewRequest(http.MethodGet, g.URL, nil)
	if status, body := azDo(t, env, req); status != http.StatusOK || body != "presigned body" {
		t.Fatalf("presigned GET: %d %s", status, body)
	}

	p, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pres"), Key: aws.String("up.txt")})
	if err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest(p.Method, p.URL, strings.NewReader("uploaded"))
	for k, vs := range p.SignedHeader {
		if !strings.EqualFold(k, "Host") {
			req.Header[k] = vs
		}
	}
	if status, body := azDo(t, env, req); status != http.StatusOK {
		t.Fatalf("presigned PUT: %d %s", status, body)
	}
	if got := get(t, env.S3, "pres", "up.txt"); got != "uploaded" {
		t.Fatalf("presigned PUT stored %q", got)
	}

	// Tampering: a changed signature, or a URL pointed at another key.
	sig := regexp.MustCompile(`X-Amz-Signature=([0-9a-f]+)`).FindStringSubmatch(g.URL)
	if sig == nil {
		t.Fatalf("no signature in %s", g.URL)
	}
	flipped := azFlip(sig[1])
	for _, u := range []string{strings.Replace(g.URL, sig[1], flipped, 1), strings.Replace(g.URL, "/pres/obj.txt?", "/pres/other.txt?", 1)} {
		if u == g.URL {
			t.Fatal("tampering did not change the URL")
		}
		req, _ = http.NewRequest(http.MethodGet, u, nil)
		status, body := azDo(t, env, req)
		azWantXML(t, status, body, http.StatusForbidden, "SignatureDoesNotMatch")
	}

	// Expired: a 1-second URL after the server clock moved 2 seconds.
	e, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pres"), Key: aws.String("obj.txt")}, s3.WithPresignExpires(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest(http.MethodGet, e.URL, nil)
	if status, body := azDo(t, env, req); status != http.StatusOK {
		t.Fatalf("1-second URL used at once: %d %s", status, body)
	}
	env.Advance(2 * time.Second)
	req, _ = http.NewRequest(http.MethodGet, e.URL, nil)
	status, body := azDo(t, env, req)
	azWantXML(t, status, body, http.StatusForbidden, "AccessDenied")
	if !strings.Contains(body, "Request has expired") {
		t.Fatalf("expired URL message: %s", body)
	}
}

// Bad credentials get S3's authentication error codes.
func TestAuthzInvalidCredentials(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "creds")
	list := func(creds aws.CredentialsProvider) error {
		_, err := env.S3Client(creds).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("creds")})
		return err
	}
	wantCode(t, list(env.Credentials("AKIAUNKNOWNKEY000000", testenv.RootSecretKey, "")), "InvalidAccessKeyId")
	wantCode(t, list(env.Credentials(testenv.RootAccessKey, "wrong"+testenv.RootSecretKey[5:], "")), "SignatureDoesNotMatch")

	alice := azUser(t, env, env.IAM, "alice", "")
	role := azRole(t, env.IAM, "lister", azUserARN(azAcct, "alice"), azPolicy(azAllow("s3:ListBucket", "arn:aws:s3:::creds")))
	out, err := env.STSClient(alice).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	tc := out.Credentials
	if err := list(env.Credentials(*tc.AccessKeyId, *tc.SecretAccessKey, *tc.SessionToken)); err != nil {
		t.Fatalf("valid session: %v", err)
	}
	wantCode(t, list(env.Credentials(*tc.AccessKeyId, *tc.SecretAccessKey, "garbage-token")), "InvalidToken")
	wantCode(t, list(env.Credentials(*tc.AccessKeyId, *tc.SecretAccessKey, "")), "InvalidToken")
	wantCode(t, list(env.Credentials(*tc.AccessKeyId, "wrong"+(*tc.SecretAccessKey)[5:], *tc.SessionToken)), "SignatureDoesNotMatch")

	// Expired session: 16 minutes on the server clock is past the 900 s
	// lifetime (and past the 15-minute skew; the token is checked first).
	env.Advance(16 * time.Minute)
	wantCode(t, list(env.Credentials(*tc.AccessKeyId, *tc.SecretAccessKey, *tc.SessionToken)), "ExpiredToken")
}
