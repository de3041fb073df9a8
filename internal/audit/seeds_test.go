package audit_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/mfa"
	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The flows of the user notes (docs/audit.md lists them), each through the
// AWS SDK for Go v2: the trail must hold the expected events — denials
// included — in CloudTrail's shape, equal to its golden file, with no
// secret the flow used in the trail or the server's log.

const acct = testenv.AccountID

func allow(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

func trustPolicy(principal, condition string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"` + condition + `}]}`
}

func (f *flow) role(root aws.CredentialsProvider, name, trust, policy string) string {
	f.t.Helper()
	c := f.iam(root)
	r := got(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}))(f.t).Role
	if policy != "" {
		got(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(name + "-policy"), PolicyDocument: aws.String(policy)}))(f.t)
	}
	return *r.Arn
}

func (f *flow) bucket(root aws.CredentialsProvider, name string, objects ...string) {
	f.t.Helper()
	c := f.s3(root)
	got(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}))(f.t)
	for _, k := range objects {
		got(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String(k), Body: strings.NewReader("hello " + k)}))(f.t)
	}
}

func (f *flow) get(c *s3.Client, bucket, key string) error {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		io.Copy(io.Discard, out.Body)
		out.Body.Close()
	}
	return err
}

// TestFlowDelegation: a user assumes a read-only role and uses its session
// on S3; the session's write is denied (the notes' "upload failed ...
// AccessDenied"); a forged request claiming the user's key and an
// anonymous read are recorded too.
func TestFlowDelegation(t *testing.T) {
	f := newFlow(t)
	roleARN := "arn:aws:iam::" + acct + ":role/sts-s3-read-only"
	dev := f.user(f.root, "mystsuser", allow("sts:AssumeRole", roleARN))
	f.role(f.root, "sts-s3-read-only", trustPolicy("arn:aws:iam::"+acct+":user/mystsuser", ""), "")
	got(f.iam(f.root).AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("sts-s3-read-only"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}))(t)
	f.bucket(f.root, "www-example", "index.html")

	out := got(f.sts(dev).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("mytestsession"),
		DurationSeconds: aws.Int32(3600)}))(t)
	sess := f.session(out.Credentials)
	got(f.s3(sess).ListBuckets(ctx, &s3.ListBucketsInput{}))(t)
	if err := f.get(f.s3(sess), "www-example", "index.html"); err != nil {
		t.Fatal(err)
	}
	_, err := f.s3(sess).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("www-example"), Key: aws.String("abc.txt"), Body: strings.NewReader("x")})
	denied(t, err, "AccessDenied")
	_, err = f.s3(dev).ListBuckets(ctx, &s3.ListBucketsInput{})
	denied(t, err, "AccessDenied")

	// A request signed with a wrong secret for dev's key, and an anonymous read.
	devKey := got(dev.Retrieve(ctx))(t).AccessKeyID
	_, err = f.sts(f.env.Credentials(devKey, "wrongSecretwrongSecretwrongSecretwrongSec", "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	denied(t, err, "SignatureDoesNotMatch")
	req, _ := http.NewRequest(http.MethodGet, f.env.URL+"/www-example/index.html", nil)
	if resp := f.do(req); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("anonymous GET: %d", resp.StatusCode)
	}

	events := f.trail()
	sessKey := *out.Credentials.AccessKeyId
	ar := one(t, events, "AssumeRole", "")
	if ar.UserIdentity.Type != "IAMUser" || ar.UserIdentity.UserName != "mystsuser" || ar.UserIdentity.AccessKeyID != devKey ||
		ar.RequestParameters["roleArn"] != roleARN || ar.RequestParameters["roleSessionName"] != "mytestsession" ||
		ar.RequestParameters["durationSeconds"] != float64(3600) || ar.IssuedAccessKey() != sessKey || !ar.ReadOnly ||
		len(ar.Resources) != 1 || ar.Resources[0] != (audit.Resource{ARN: roleARN, AccountID: acct, Type: "AWS::IAM::Role"}) {
		t.Errorf("AssumeRole event: %+v", ar)
	}
	creds := ar.ResponseElements["credentials"].(map[string]any)
	if len(creds) != 2 || creds["expiration"] == nil || ar.ResponseElements["assumedRoleUser"].(map[string]any)["arn"] != *out.AssumedRoleUser.Arn {
		t.Errorf("AssumeRole responseElements: %v", ar.ResponseElements)
	}
	put := one(t, events, "PutObject", "AccessDenied")
	if put.UserIdentity.Type != "AssumedRole" || put.UserIdentity.AccessKeyID != sessKey || put.UserIdentity.ARN != *out.AssumedRoleUser.Arn ||
		put.UserIdentity.SessionContext.SessionIssuer.ARN != roleARN || put.EventCategory != "Data" || put.ManagementEvent ||
		put.RequestParameters["bucketName"] != "www-example" || put.RequestParameters["key"] != "abc.txt" ||
		put.Resources[0].Type != "AWS::S3::Object" || put.Resources[1] != (audit.Resource{ARN: "arn:aws:s3:::www-example", AccountID: acct, Type: "AWS::S3::Bucket"}) ||
		put.AdditionalEventData["AuthenticationMethod"] != "AuthHeader" || put.AdditionalEventData["SignatureVersion"] != "SigV4" {
		t.Errorf("denied PutObject event: %+v", put)
	}
	key := one(t, events, "CreateAccessKey", "")
	ak := key.ResponseElements["accessKey"].(map[string]any)
	if ak["accessKeyId"] != devKey || ak["status"] != "Active" || ak["userName"] != "mystsuser" || ak["createDate"] == nil || len(ak) != 4 {
		t.Errorf("CreateAccessKey responseElements: %v", key.ResponseElements)
	}
	forged := one(t, events, "GetCallerIdentity", "SignatureDoesNotMatch")
	if forged.UserIdentity != (audit.UserIdentity{Type: "Unknown", AccessKeyID: devKey}) || forged.RecipientAccountID != "" {
		t.Errorf("forged request's identity: %+v", forged.UserIdentity)
	}
	anon := find(events, func(e *audit.Event) bool { return e.UserIdentity.AccountID == "anonymous" })
	if len(anon) != 1 || anon[0].UserIdentity.Type != "AWSAccount" || anon[0].RecipientAccountID != acct || anon[0].ErrorCode != "AccessDenied" {
		t.Errorf("anonymous read: %+v", anon)
	}

	// Everything the session did, and who assumed it.
	sel, res := f.search(audit.Query{Principal: *out.AssumedRoleUser.Arn})
	if names(sel) != "AssumeRole ListBuckets GetObject PutObject" || len(res.Chain) != 1 || res.Chain[0].UserIdentity.UserName != "mystsuser" {
		t.Errorf("session search: %s, chain %d", names(sel), len(res.Chain))
	}
	f.check("delegation", events)
}

func names(events []*audit.Event) string {
	var s []string
	for _, e := range events {
		s = append(s, e.EventName)
	}
	return strings.Join(s, " ")
}

// TestFlowProfileChaining: the CLI's profile chaining (source_profile,
// role_arn): the user's first AssumeRole is denied (no identity policy),
// then allowed; the role session assumes a second role, whose session is
// followed back through both AssumeRole events to the user.
func TestFlowProfileChaining(t *testing.T) {
	f := newFlow(t)
	user := f.user(f.root, "ccc@example.com", "")
	platform := f.role(f.root, "DDD", trustPolicy("arn:aws:iam::"+acct+":root", ""), allow("sts:AssumeRole", "arn:aws:iam::"+acct+":role/deploy"))
	deploy := f.role(f.root, "deploy", trustPolicy(platform, ""), allow("s3:ListAllMyBuckets", "*"))

	_, err := f.sts(user).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(platform), RoleSessionName: aws.String("botocore-session-1585272320")})
	denied(t, err, "AccessDenied")
	got(f.iam(f.root).PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ccc@example.com"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListRoles","sts:AssumeRole"],"Resource":"*"}]}`)}))(t)
	p := got(f.sts(user).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(platform), RoleSessionName: aws.String("botocore-session-1585272320")}))(t)
	platformSess := f.session(p.Credentials)
	got(f.sts(platformSess).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	d := got(f.sts(platformSess).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(deploy), RoleSessionName: aws.String("chained")}))(t)
	deploySess := f.session(d.Credentials)
	got(f.s3(deploySess).ListBuckets(ctx, &s3.ListBucketsInput{}))(t)
	_, err = f.iam(deploySess).ListUsers(ctx, &iam.ListUsersInput{})
	denied(t, err, "AccessDenied")

	events := f.trail()
	chained := named(events, "AssumeRole", "")[1]
	if chained.UserIdentity.Type != "AssumedRole" || chained.UserIdentity.AccessKeyID != *p.Credentials.AccessKeyId ||
		chained.UserIdentity.SessionContext.SessionIssuer.UserName != "DDD" || chained.IssuedAccessKey() != *d.Credentials.AccessKeyId {
		t.Errorf("chained AssumeRole: %+v", chained)
	}
	// The deploy session, followed back to the user.
	sel, res := f.search(audit.Query{Principal: *d.Credentials.AccessKeyId})
	if names(sel) != "AssumeRole AssumeRole ListBuckets ListUsers" || len(res.Chain) != 2 ||
		res.Chain[0].UserIdentity.ARN != *p.AssumedRoleUser.Arn || res.Chain[1].UserIdentity.UserName != "ccc@example.com" {
		t.Errorf("deploy session search: %s, chain %d", names(sel), len(res.Chain))
	}
	// Only its errors (and still its provenance).
	sel, _ = f.search(audit.Query{Principal: *d.Credentials.AccessKeyId, Errors: true})
	if names(sel) != "AssumeRole AssumeRole ListUsers" {
		t.Errorf("deploy session errors: %s", names(sel))
	}
	// Everything the user did, through the sessions it assumed.
	sel, _ = f.search(audit.Query{Principal: "arn:aws:iam::" + acct + ":user/ccc@example.com", Follow: true})
	if names(sel) != "AssumeRole AssumeRole GetCallerIdentity AssumeRole ListBuckets ListUsers" {
		t.Errorf("user search with sessions: %s", names(sel))
	}
	f.check("profile-chaining", events)
}

// TestFlowCrossAccountExternalID: a partner account's user assumes a role
// of this account that demands an ExternalId (refused without it and with
// a wrong one), and reads a bucket of this account directly through its
// bucket policy. Cross-account calls are in both accounts' trails, the
// owner's copy naming the caller as AWSAccount.
func TestFlowCrossAccountExternalID(t *testing.T) {
	f := newFlow(t)
	partner, partnerRoot := f.env.CreateAccount("partner")
	roleARN := f.role(f.root, "UpdateApp", trustPolicy("arn:aws:iam::"+partner+":root", `,"Condition":{"StringEquals":{"sts:ExternalId":"Unique-ExternalId-4e2f"}}`),
		allow("s3:PutObject", "arn:aws:s3:::prod-app-data/*"))
	f.bucket(f.root, "prod-app-data", "report.csv")
	dev := f.user(partnerRoot, "dev", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+roleARN+`"},`+
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::prod-app-data/*"}]}`)
	devARN := "arn:aws:iam::" + partner + ":user/dev"
	got(f.s3(f.root).PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("prod-app-data"), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + devARN + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::prod-app-data/*"}]}`)}))(t)

	in := func(ext *string) *sts.AssumeRoleInput {
		return &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("partner-dev"), ExternalId: ext}
	}
	_, err := f.sts(dev).AssumeRole(ctx, in(nil))
	denied(t, err, "AccessDenied")
	_, err = f.sts(dev).AssumeRole(ctx, in(aws.String("guessed")))
	denied(t, err, "AccessDenied")
	out := got(f.sts(dev).AssumeRole(ctx, in(aws.String("Unique-ExternalId-4e2f"))))(t)
	sess := f.session(out.Credentials)
	got(f.s3(sess).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("prod-app-data"), Key: aws.String("upload.csv"), Body: strings.NewReader("a,b")}))(t)
	if err := f.get(f.s3(dev), "prod-app-data", "report.csv"); err != nil {
		t.Fatal(err)
	}

	events := f.trail()
	ok := named(events, "AssumeRole", "")
	if len(ok) != 2 {
		t.Fatalf("want the caller's and the owner's AssumeRole event, got %d", len(ok))
	}
	caller, owner := ok[0], ok[1]
	if caller.RecipientAccountID != partner || caller.UserIdentity.ARN != devARN || owner.RecipientAccountID != acct ||
		owner.UserIdentity.Type != "AWSAccount" || owner.UserIdentity.AccountID != partner || owner.UserIdentity.PrincipalID != caller.UserIdentity.PrincipalID ||
		caller.SharedEventID == "" || caller.SharedEventID != owner.SharedEventID || caller.EventID == owner.EventID ||
		caller.RequestParameters["externalId"] != "Unique-ExternalId-4e2f" || owner.IssuedAccessKey() != *out.Credentials.AccessKeyId {
		t.Errorf("cross-account AssumeRole events:\n%+v\n%+v", caller, owner)
	}
	if n := len(named(events, "AssumeRole", "AccessDenied")); n != 4 {
		t.Errorf("want both trails' copies of the two refused AssumeRoles, got %d", n)
	}
	gets := find(events, func(e *audit.Event) bool { return e.EventName == "GetObject" && e.UserIdentity.AccountID == partner })
	if len(gets) != 2 || gets[0].RecipientAccountID != partner || gets[1].RecipientAccountID != acct || gets[1].UserIdentity.Type != "AWSAccount" {
		t.Errorf("cross-account GetObject events: %+v", gets)
	}
	// One account's trail.
	sel, _ := f.search(audit.Query{Account: partner})
	for _, e := range sel {
		if e.RecipientAccountID != partner {
			t.Errorf("account search returned %s's event", e.RecipientAccountID)
		}
	}
	if names(sel) != "CreateUser PutUserPolicy CreateAccessKey AssumeRole AssumeRole AssumeRole GetObject" {
		t.Errorf("partner's trail: %s", names(sel))
	}
	f.check("cross-account-externalid", events)
}

// TestFlowSessionPolicyUploads: a web app assumes an upload role with a
// session policy narrowing it to one user's prefix, and hands the browser
// the session; the browser uploads with the SDK, a presigned PUT URL and
// a form POST. Writes outside the prefix and reads are denied.
func TestFlowSessionPolicyUploads(t *testing.T) {
	f := newFlow(t)
	roleARN := "arn:aws:iam::" + acct + ":role/uploader"
	app := f.user(f.root, "webapp", allow("sts:AssumeRole", roleARN))
	f.role(f.root, "uploader", trustPolicy("arn:aws:iam::"+acct+":user/webapp", ""),
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":["arn:aws:s3:::uploads-bucket/*"]}}`)
	f.bucket(f.root, "uploads-bucket")

	sessionPolicy := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:PutObject"],"Resource":["arn:aws:s3:::uploads-bucket/alice/*"]}}`
	out := got(f.sts(app).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("alice"),
		DurationSeconds: aws.Int32(900), Policy: aws.String(sessionPolicy)}))(t)
	sess := f.session(out.Credentials)
	browser := f.s3(sess)
	got(browser.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads-bucket"), Key: aws.String("alice/photo.jpg"), Body: strings.NewReader("jpeg")}))(t)
	_, err := browser.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads-bucket"), Key: aws.String("bob/photo.jpg"), Body: strings.NewReader("jpeg")})
	denied(t, err, "AccessDenied")
	denied(t, f.get(browser, "uploads-bucket", "alice/photo.jpg"), "AccessDenied")

	// A presigned PUT URL carries the signature and the session token.
	ps := got(s3.NewPresignClient(browser).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads-bucket"), Key: aws.String("alice/p2.jpg")}))(t)
	u := ps.URL
	for _, p := range []string{"X-Amz-Signature", "X-Amz-Security-Token"} {
		f.secret(queryValue(t, u, p), "presigned URL "+p)
	}
	req, _ := http.NewRequest(http.MethodPut, u, strings.NewReader("jpeg2"))
	if resp := f.do(req); resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT: %d", resp.StatusCode)
	}
	// A browser form upload signed with the session.
	if code := f.postForm(t, out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken, "uploads-bucket", "alice/p3.jpg"); code != http.StatusNoContent {
		t.Fatalf("form upload: %d", code)
	}

	events := f.trail()
	ar := one(t, events, "AssumeRole", "")
	if ar.RequestParameters["policy"] != sessionPolicy || ar.ResponseElements["packedPolicySize"] == nil {
		t.Errorf("AssumeRole with a session policy: %v %v", ar.RequestParameters, ar.ResponseElements)
	}
	presigned := find(events, func(e *audit.Event) bool {
		return e.EventName == "PutObject" && e.AdditionalEventData["AuthenticationMethod"] == "QueryString"
	})
	if len(presigned) != 1 || presigned[0].UserIdentity.AccessKeyID != *out.Credentials.AccessKeyId || presigned[0].RequestParameters["X-Amz-Expires"] == nil {
		t.Errorf("presigned PUT event: %+v", presigned)
	}
	post := one(t, events, "PostObject", "")
	if post.UserIdentity.Type != "AssumedRole" || post.RequestParameters["bucketName"] != "uploads-bucket" {
		t.Errorf("form upload event: %+v", post)
	}
	f.check("session-policy-uploads", events)
}

// postForm sends a browser form upload signed with temporary credentials
// and returns the status.
func (f *flow) postForm(t *testing.T, akid, secret, token *string, bucket, key string) int {
	now := time.Now().UTC()
	date := now.Format("20060102")
	fields := [][2]string{{"key", key}, {"x-amz-algorithm", sigv4.Algorithm},
		{"x-amz-credential", *akid + "/" + date + "/" + testenv.Region + "/s3/aws4_request"},
		{"x-amz-date", now.Format("20060102T150405Z")}, {"x-amz-security-token", *token}}
	conds := []any{map[string]string{"bucket": bucket}}
	for _, kv := range fields {
		conds = append(conds, map[string]string{kv[0]: kv[1]})
	}
	doc, _ := json.Marshal(map[string]any{"expiration": now.Add(10 * time.Minute).Format("2006-01-02T15:04:05.000Z"), "conditions": conds})
	policy := base64.StdEncoding.EncodeToString(doc)
	sk := sigv4.DeriveKey(*secret, date, testenv.Region, "s3")
	mac := hmac.New(sha256.New, sk[:])
	mac.Write([]byte(policy))
	sig := hex.EncodeToString(mac.Sum(nil))
	f.secret(sig, "form upload signature")
	fields = append(fields, [2]string{"policy", policy}, [2]string{"x-amz-signature", sig})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, kv := range fields {
		mw.WriteField(kv[0], kv[1])
	}
	fw, _ := mw.CreateFormFile("file", "p3.jpg")
	fw.Write([]byte("jpeg3"))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, f.env.URL+"/"+bucket, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return f.do(req).StatusCode
}

func queryValue(t *testing.T, rawURL, name string) string {
	t.Helper()
	i := strings.Index(rawURL, name+"=")
	if i < 0 {
		t.Fatalf("no %s in the presigned URL", name)
	}
	v, _, _ := strings.Cut(rawURL[i+len(name)+1:], "&")
	return v
}

// mfaDevice creates and enables a virtual MFA device for user, keeping its
// seed, QR code and enabling codes as secrets.
func (f *flow) mfaDevice(name, user string) (string, []byte) {
	f.t.Helper()
	d := got(f.iam(f.root).CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)}))(f.t).VirtualMFADevice
	f.secret(string(d.Base32StringSeed), "MFA seed")
	f.secret(base64.StdEncoding.EncodeToString(d.Base32StringSeed), "MFA seed (base64)")
	f.secret(base64.StdEncoding.EncodeToString(d.QRCodePNG), "MFA QR code")
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(d.Base32StringSeed))
	if err != nil {
		f.t.Fatal(err)
	}
	step := mfa.StepAt(time.Now())
	c1, c2 := mfa.Code(seed, step-1), mfa.Code(seed, step)
	f.code(c1)
	f.code(c2)
	got(f.iam(f.root).EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: d.SerialNumber,
		AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)}))(f.t)
	return *d.SerialNumber, seed
}

// TestFlowMFA: a role that requires MFA is refused without a code and with
// a wrong one, and assumed with the caller's device; a GetSessionToken
// session with MFA may call IAM. Attempts to set passwords (which
// Gatehouse does not serve) are recorded without them.
func TestFlowMFA(t *testing.T) {
	f := newFlow(t)
	roleARN := "arn:aws:iam::" + acct + ":role/admin-mfa"
	alice := f.user(f.root, "alice", allow("sts:AssumeRole", roleARN))
	bob := f.user(f.root, "bob", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}}`)
	f.role(f.root, "admin-mfa", trustPolicy("arn:aws:iam::"+acct+":user/alice", `,"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`), allow("iam:ListRoles", "*"))
	serial, seed := f.mfaDevice("alice-phone", "alice")
	bobSerial, bobSeed := f.mfaDevice("bob-phone", "bob")

	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("alice-admin")}
	_, err := f.sts(alice).AssumeRole(ctx, in)
	denied(t, err, "AccessDenied")
	in.SerialNumber, in.TokenCode = aws.String(serial), aws.String("000000")
	_, err = f.sts(alice).AssumeRole(ctx, in)
	denied(t, err, "AccessDenied")
	code := mfa.Code(seed, mfa.StepAt(time.Now())+1)
	f.code(code)
	in.TokenCode = aws.String(code)
	out := got(f.sts(alice).AssumeRole(ctx, in))(t)
	got(f.iam(f.session(out.Credentials)).ListRoles(ctx, &iam.ListRolesInput{}))(t)

	bobCode := mfa.Code(bobSeed, mfa.StepAt(time.Now())+1)
	f.code(bobCode)
	st := got(f.sts(bob).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(bobSerial), TokenCode: aws.String(bobCode)}))(t)
	got(f.iam(f.session(st.Credentials)).ListUsers(ctx, &iam.ListUsersInput{}))(t)

	// Passwords never reach the trail, even in calls that fail.
	f.secret("Correct-Horse-Battery-Staple-1", "password")
	f.secret("Tr0ub4dor&3-new-password", "password")
	_, err = f.iam(f.root).CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Correct-Horse-Battery-Staple-1")})
	if err == nil {
		t.Fatal("CreateLoginProfile is served?")
	}
	_, err = f.iam(alice).ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("Correct-Horse-Battery-Staple-1"), NewPassword: aws.String("Tr0ub4dor&3-new-password")})
	if err == nil {
		t.Fatal("ChangePassword is served?")
	}

	events := f.trail()
	mfaOK := one(t, events, "AssumeRole", "")
	if mfaOK.RequestParameters["serialNumber"] != serial || mfaOK.RequestParameters["tokenCode"] != nil {
		t.Errorf("MFA AssumeRole requestParameters: %v", mfaOK.RequestParameters)
	}
	lr := one(t, events, "ListRoles", "")
	if lr.UserIdentity.SessionContext.Attributes.MFAAuthenticated != "true" {
		t.Errorf("MFA session: %+v", lr.UserIdentity.SessionContext)
	}
	lu := one(t, events, "ListUsers", "")
	if lu.UserIdentity.Type != "IAMUser" || lu.UserIdentity.UserName != "bob" || lu.UserIdentity.SessionContext == nil ||
		lu.UserIdentity.SessionContext.Attributes.MFAAuthenticated != "true" || lu.UserIdentity.AccessKeyID != *st.Credentials.AccessKeyId {
		t.Errorf("GetSessionToken session's call: %+v", lu.UserIdentity)
	}
	dev := named(events, "CreateVirtualMFADevice", "")[0]
	if d := dev.ResponseElements["virtualMFADevice"].(map[string]any); len(d) != 1 || d["serialNumber"] != serial {
		t.Errorf("CreateVirtualMFADevice responseElements: %v", dev.ResponseElements)
	}
	if p := one(t, events, "CreateLoginProfile", "*").RequestParameters; len(p) != 1 || p["userName"] != "alice" {
		t.Errorf("CreateLoginProfile requestParameters: %v", p)
	}
	f.check("mfa", events)
}

// TestFlowRevocation: sessions issued before a role's AWSRevokeOlderSessions
// policy are denied from the next request on; a session issued after it is
// not. The revoked session's calls and its denial are found by its key.
func TestFlowRevocation(t *testing.T) {
	f := newFlow(t)
	roleARN := "arn:aws:iam::" + acct + ":role/worker"
	ops := f.user(f.root, "ops", allow("sts:AssumeRole", roleARN))
	f.role(f.root, "worker", trustPolicy("arn:aws:iam::"+acct+":user/ops", ""), allow("s3:GetObject", "arn:aws:s3:::work/*"))
	f.bucket(f.root, "work", "job.json")

	old := got(f.sts(ops).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("leaked")}))(t)
	oldSess := f.session(old.Credentials)
	if err := f.get(f.s3(oldSess), "work", "job.json"); err != nil {
		t.Fatal(err)
	}
	revokeAt := time.Now().Add(time.Second).UTC().Format(time.RFC3339)
	got(f.iam(f.root).PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("AWSRevokeOlderSessions"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + revokeAt + `"}}}]}`)}))(t)
	denied(t, f.get(f.s3(oldSess), "work", "job.json"), "AccessDenied")
	f.env.Advance(3 * time.Second)
	fresh := got(f.sts(ops).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("fresh")}))(t)
	if err := f.get(f.s3(f.session(fresh.Credentials)), "work", "job.json"); err != nil {
		t.Fatal(err)
	}

	events := f.trail()
	sel, res := f.search(audit.Query{Principal: *old.Credentials.AccessKeyId, Action: "s3:Get*"})
	if names(sel) != "AssumeRole GetObject GetObject" || sel[2].ErrorCode != "AccessDenied" || len(res.Chain) != 1 {
		t.Errorf("revoked session's reads: %s", names(sel))
	}
	if !strings.Contains(sel[2].ErrorMessage, "explicit deny") {
		t.Errorf("revoked session's denial: %q", sel[2].ErrorMessage)
	}
	sel, _ = f.search(audit.Query{Errors: true, Resource: "arn:aws:s3:::work/job.json"})
	if len(sel) != 1 || sel[0].UserIdentity.AccessKeyID != *old.Credentials.AccessKeyId {
		t.Errorf("denials on the object: %d", len(sel))
	}
	f.check("revocation", events)
}
