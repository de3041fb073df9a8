package s3_test

// S3 Block Public Access and GetBucketPolicyStatus through the whole
// server: the bucket and account (S3 Control) APIs with their exact XML and
// codes, and each setting's effect, as the S3 User Guide's "Blocking public
// access to your Amazon S3 storage" describes it.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storefault"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const (
	pabXMLNS     = `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`
	controlXMLNS = `xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"`
	controlPath  = "/v20180820/configuration/publicAccessBlock"
)

func pabConfig(acls, ignore, policy, restrict bool) *types.PublicAccessBlockConfiguration {
	return &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(acls), IgnorePublicAcls: aws.Bool(ignore),
		BlockPublicPolicy: aws.Bool(policy), RestrictPublicBuckets: aws.Bool(restrict)}
}

func putPAB(t *testing.T, c *s3.Client, bucket string, conf *types.PublicAccessBlockConfiguration) {
	t.Helper()
	if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(bucket), PublicAccessBlockConfiguration: conf}); err != nil {
		t.Fatalf("put public access block: %v", err)
	}
}

// signedDo sends a SigV4-signed request (service s3) with creds and
// returns the status and body. host, when set, replaces the Host header.
func signedDo(t *testing.T, env *testenv.Env, creds aws.CredentialsProvider, method, path, host string, h http.Header, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, env.URL+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if creds != nil {
		c, err := creds.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(body))
		hash := hex.EncodeToString(sum[:])
		req.Header.Set("x-amz-content-sha256", hash)
		if err := v4.NewSigner().SignHTTP(context.Background(), c, req, hash, "s3", testenv.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return azDo(t, env, req)
}

// anonGet reads an object without credentials.
func anonGet(t *testing.T, env *testenv.Env, bucket, key string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.URL+"/"+bucket+"/"+key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return azDo(t, env, req)
}

func TestPublicAccessBlockBucketAPI(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "pab")
	root := env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, "")

	_, err := env.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")})
	wantStatusCode(t, err, http.StatusNotFound, "NoSuchPublicAccessBlockConfiguration")
	status, body := signedDo(t, env, root, http.MethodGet, "/pab?publicAccessBlock", "", nil, "")
	if status != http.StatusNotFound || !strings.Contains(body, "<Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>The public access block configuration was not found</Message><BucketName>pab</BucketName>") {
		t.Fatalf("get without configuration: %d %s", status, body)
	}

	putPAB(t, env.S3, "pab", pabConfig(true, false, true, false))
	out := must[*s3.GetPublicAccessBlockOutput](t)(env.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")}))
	if c := out.PublicAccessBlockConfiguration; !*c.BlockPublicAcls || *c.IgnorePublicAcls || !*c.BlockPublicPolicy || *c.RestrictPublicBuckets {
		t.Fatalf("configuration read back: %+v", c)
	}
	status, body = signedDo(t, env, root, http.MethodGet, "/pab?publicAccessBlock", "", nil, "")
	want := `<PublicAccessBlockConfiguration ` + pabXMLNS + `><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>`
	if status != http.StatusOK || !strings.Contains(body, want) {
		t.Fatalf("get: %d %s\nwant %s", status, body, want)
	}

	// Absent elements are false; 1 and 0 are xsd:booleans.
	status, body = signedDo(t, env, root, http.MethodPut, "/pab?publicAccessBlock", "", nil, `<PublicAccessBlockConfiguration><RestrictPublicBuckets>1</RestrictPublicBuckets></PublicAccessBlockConfiguration>`)
	if status != http.StatusOK {
		t.Fatalf("put partial: %d %s", status, body)
	}
	out = must[*s3.GetPublicAccessBlockOutput](t)(env.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")}))
	if c := out.PublicAccessBlockConfiguration; *c.BlockPublicAcls || *c.IgnorePublicAcls || *c.BlockPublicPolicy || !*c.RestrictPublicBuckets {
		t.Fatalf("partial configuration read back: %+v", c)
	}
	for _, bad := range []string{`<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>`, `<Other/>`, `not xml`} {
		status, body = signedDo(t, env, root, http.MethodPut, "/pab?publicAccessBlock", "", nil, bad)
		azWantXML(t, status, body, http.StatusBadRequest, "MalformedXML")
	}

	status, body = signedDo(t, env, root, http.MethodDelete, "/pab?publicAccessBlock", "", nil, "")
	if status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", status, body)
	}
	_, err = env.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")})
	wantCode(t, err, "NoSuchPublicAccessBlockConfiguration")
	_, err = env.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("no-such-pab")})
	wantCode(t, err, "NoSuchBucket")

	// The actions: s3:GetBucketPublicAccessBlock, s3:PutBucketPublicAccessBlock
	// (also for Delete).
	reader := env.S3Client(azUser(t, env, env.IAM, "reader", azPolicy(azAllow("s3:GetBucketPublicAccessBlock", "arn:aws:s3:::pab"))))
	_, err = reader.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("pab")})
	wantCode(t, err, "NoSuchPublicAccessBlockConfiguration")
	_, err = reader.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("pab"), PublicAccessBlockConfiguration: pabConfig(true, true, true, true)})
	azDenied(t, err, "s3:PutBucketPublicAccessBlock")
	_, err = reader.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("pab")})
	azDenied(t, err, "s3:PutBucketPublicAccessBlock")
}

func TestBucketPolicyStatus(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "status")
	root := env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, "")
	_, err := env.S3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("status")})
	wantStatusCode(t, err, http.StatusNotFound, "NoSuchBucketPolicy")

	read := func(principal any, cond map[string]any) azS {
		s := azS{"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::status/*"}
		if cond != nil {
			s["Condition"] = cond
		}
		return s
	}
	for _, tc := range []struct {
		name   string
		stmts  []azS
		public bool
	}{
		{"Principal *", []azS{read("*", nil)}, true},
		{`Principal {"AWS":["*"]}`, []azS{read(map[string]any{"AWS": []string{"*"}}, nil)}, true},
		{"a fixed account", []azS{read(map[string]any{"AWS": azAcct}, nil)}, false},
		{"a service principal", []azS{read(map[string]any{"Service": "cloudtrail.amazonaws.com"}, nil)}, false},
		{"Principal * pinned by aws:SourceAccount", []azS{read("*", map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": azAcct}})}, false},
		{"Principal * pinned by a /24 aws:SourceIp", []azS{read("*", map[string]any{"IpAddress": map[string]any{"aws:SourceIp": "203.0.113.0/24"}})}, false},
		{"Principal * with aws:SourceIp 0.0.0.0/0", []azS{read("*", map[string]any{"IpAddress": map[string]any{"aws:SourceIp": "0.0.0.0/0"}})}, true},
		{"Principal * with aws:UserAgent (not pinning)", []azS{read("*", map[string]any{"StringEquals": map[string]any{"aws:UserAgent": "app"}})}, true},
		{"Principal * with StringLike aws:SourceVpc vpc-*", []azS{read("*", map[string]any{"StringLike": map[string]any{"aws:SourceVpc": "vpc-*"}})}, true},
		{"Principal * with StringNotEquals aws:SourceAccount", []azS{read("*", map[string]any{"StringNotEquals": map[string]any{"aws:SourceAccount": azAcct}})}, true},
		{"a Deny with Principal *", []azS{{"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::status/*"}}, false},
		{"a fixed and a public statement", []azS{read(map[string]any{"AWS": azAcct}, nil), read("*", nil)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			azMustBucketPolicy(t, env, "status", tc.stmts...)
			out := must[*s3.GetBucketPolicyStatusOutput](t)(env.S3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("status")}))
			if got := aws.ToBool(out.PolicyStatus.IsPublic); got != tc.public {
				t.Fatalf("IsPublic = %v, want %v", got, tc.public)
			}
			status, body := signedDo(t, env, root, http.MethodGet, "/status?policyStatus", "", nil, "")
			want := "<PolicyStatus " + pabXMLNS + "><IsPublic>" + map[bool]string{true: "true", false: "false"}[tc.public] + "</IsPublic></PolicyStatus>"
			if status != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("raw: %d %s; want %s", status, body, want)
			}
		})
	}
	// The action is s3:GetBucketPolicyStatus.
	c := env.S3Client(azUser(t, env, env.IAM, "viewer", azPolicy(azAllow("s3:GetBucketPolicy", "arn:aws:s3:::status"))))
	_, err = c.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("status")})
	azDenied(t, err, "s3:GetBucketPolicyStatus")
}

// BlockPublicPolicy refuses a public PutBucketPolicy, to the owner's root
// and its users alike, with AWS's message; a non-public policy, an
// existing public policy and PutPublicAccessBlock itself are unaffected.
// The account's flag applies to every bucket of the account.
func TestBlockPublicPolicy(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "bpp")
	mkBucket(t, env.S3, "other-bucket")
	public := azPolicy(azS{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bpp/*"})
	fixed := azPolicy(azS{"Effect": "Allow", "Principal": map[string]any{"AWS": azAcct}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bpp/*"})
	if err := azPutBucketPolicy(env.S3, "bpp", public); err != nil {
		t.Fatalf("public policy without the setting: %v", err)
	}
	putPAB(t, env.S3, "bpp", pabConfig(false, false, true, false))
	// The existing public policy stays.
	out := must[*s3.GetBucketPolicyStatusOutput](t)(env.S3.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String("bpp")}))
	if !aws.ToBool(out.PolicyStatus.IsPublic) {
		t.Fatal("the existing public policy is gone")
	}
	msg := func(who string) string {
		return "User: " + who + ` is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::bpp" because public policies are prevented by the BlockPublicPolicy setting in S3 Block Public Access.`
	}
	err := azPutBucketPolicy(env.S3, "bpp", public)
	azDenied(t, err, msg("arn:aws:iam::"+azAcct+":root"))
	admin := env.S3Client(azUser(t, env, env.IAM, "admin", azPolicy(azAllow("s3:*", "*"))))
	azDenied(t, azPutBucketPolicy(admin, "bpp", public), msg(azUserARN(azAcct, "admin")))
	// A principal with no policies gets the plain denial first.
	nobody := env.S3Client(azUser(t, env, env.IAM, "nobody", ""))
	azDenied(t, azPutBucketPolicy(nobody, "bpp", public), "because no identity-based policy allows the s3:PutBucketPolicy action")
	// A malformed policy is MalformedPolicy, not a Block Public Access denial.
	if err := azPutBucketPolicy(env.S3, "bpp", `{"Version":"2012-10-17","Statement":[`); apiCode(err) != "MalformedPolicy" {
		t.Fatalf("malformed: %v", err)
	}
	for _, doc := range []string{fixed, azPolicy(azS{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bpp/*",
		"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalAccount": azAcct}}})} {
		if err := azPutBucketPolicy(admin, "bpp", doc); err != nil {
			t.Fatalf("non-public policy %s: %v", doc, err)
		}
	}
	// Turning the setting off is allowed, and then the public policy is.
	putPAB(t, env.S3, "bpp", pabConfig(false, false, false, false))
	if err := azPutBucketPolicy(env.S3, "bpp", public); err != nil {
		t.Fatalf("after turning BlockPublicPolicy off: %v", err)
	}

	// The account's setting reaches every bucket.
	root := env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, "")
	acctHdr := http.Header{"X-Amz-Account-Id": {azAcct}}
	if status, body := signedDo(t, env, root, http.MethodPut, controlPath, "", acctHdr,
		`<PublicAccessBlockConfiguration `+controlXMLNS+`><BlockPublicPolicy>true</BlockPublicPolicy></PublicAccessBlockConfiguration>`); status != http.StatusOK {
		t.Fatalf("put account configuration: %d %s", status, body)
	}
	otherPublic := azPolicy(azS{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-bucket/*"})
	azDenied(t, azPutBucketPolicy(env.S3, "other-bucket", otherPublic), "BlockPublicPolicy")
	azDenied(t, azPutBucketPolicy(env.S3, "bpp", public), "BlockPublicPolicy")
	if status, body := signedDo(t, env, root, http.MethodDelete, controlPath, "", acctHdr, ""); status != http.StatusOK {
		t.Fatalf("delete account configuration: %d %s", status, body)
	}
	if err := azPutBucketPolicy(env.S3, "other-bucket", otherPublic); err != nil {
		t.Fatalf("after the account configuration was deleted: %v", err)
	}
}

// RestrictPublicBuckets: while the bucket policy is public, only the
// bucket owner's account (and AWS services) keep what it grants;
// anonymous and cross-account access end, including a cross-account grant
// of a non-public statement of the same policy (the User Guide's
// "Account-2" example). A non-public policy is unaffected.
func TestRestrictPublicBuckets(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "rsb")
	put(t, env.S3, "rsb", "k", "public data")
	otherID, otherRoot := env.CreateAccount("other")
	otherS3 := env.S3Client(otherRoot)
	otherUser := env.S3Client(azUser(t, env, env.IAMClient(otherRoot), "xuser", azPolicy(azAllow("s3:GetObject", "arn:aws:s3:::rsb/*"))))
	sameNoPolicy := env.S3Client(azUser(t, env, env.IAM, "plain", ""))

	toOther := azS{"Sid": "Account2", "Effect": "Allow", "Principal": map[string]any{"AWS": otherID}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::rsb/*"}
	public := azS{"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::rsb/*"}
	azMustBucketPolicy(t, env, "rsb", toOther, public)

	readable := func(t *testing.T, want bool) {
		t.Helper()
		status, body := anonGet(t, env, "rsb", "k")
		if got := status == http.StatusOK; got != want {
			t.Fatalf("anonymous read: %d %s; want readable=%v", status, body, want)
		}
		if !want {
			azWantXML(t, status, body, http.StatusForbidden, "AccessDenied")
		}
		for name, c := range map[string]*s3.Client{"the other account's root": otherS3, "the other account's user": otherUser} {
			_, err := azGet(c, "rsb", "k")
			if got := err == nil; got != want {
				t.Fatalf("%s: %v; want readable=%v", name, err, want)
			}
			if !want {
				azDenied(t, err)
			}
		}
		// The owner's account keeps the public grant.
		if body, err := azGet(sameNoPolicy, "rsb", "k"); err != nil || body != "public data" {
			t.Fatalf("same-account user without policies: %q %v", body, err)
		}
	}
	readable(t, true)
	putPAB(t, env.S3, "rsb", pabConfig(false, false, false, true))
	readable(t, false)
	// Without the public statement the policy is not public: the
	// cross-account grant applies again.
	azMustBucketPolicy(t, env, "rsb", toOther)
	if body, err := azGet(otherS3, "rsb", "k"); err != nil || body != "public data" {
		t.Fatalf("non-public policy under RestrictPublicBuckets: %q %v", body, err)
	}
	azMustBucketPolicy(t, env, "rsb", toOther, public)
	readable(t, false)
	// Other flags do not restrict.
	putPAB(t, env.S3, "rsb", pabConfig(true, true, false, false))
	readable(t, true)

	// The account's RestrictPublicBuckets applies to the bucket too.
	root := env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, "")
	acctHdr := http.Header{"X-Amz-Account-Id": {azAcct}}
	if status, body := signedDo(t, env, root, http.MethodPut, controlPath, "", acctHdr,
		`<PublicAccessBlockConfiguration><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>`); status != http.StatusOK {
		t.Fatalf("put account configuration: %d %s", status, body)
	}
	readable(t, false)
	if _, err := env.S3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("rsb")}); err != nil {
		t.Fatal(err)
	}
	readable(t, false)
	signedDo(t, env, root, http.MethodDelete, controlPath, "", acctHdr, "")
	readable(t, true)
}

// BlockPublicAcls refuses a write that sets a public ACL (canned, a grant
// header or an AccessControlPolicy naming AllUsers or AuthenticatedUsers)
// with AWS's message, before the BucketOwnerEnforced refusal; an ACL that
// is not public passes.
func TestBlockPublicAcls(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "bpa-acl")
	putPAB(t, env.S3, "bpa-acl", pabConfig(true, false, false, false))
	_, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bpa-acl"), Key: aws.String("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	azDenied(t, err, `User: arn:aws:iam::`+azAcct+`:root is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::bpa-acl/k" because public ACLs are prevented by the BlockPublicAcls setting in S3 Block Public Access.`)
	_, err = env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bpa-acl"), Key: aws.String("k"), Body: strings.NewReader("x"),
		GrantRead: aws.String(`uri="http://acs.amazonaws.com/groups/global/AllUsers"`)})
	azDenied(t, err, "BlockPublicAcls")
	_, err = env.S3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bpa-acl"), Key: aws.String("k2"), CopySource: aws.String("bpa-acl/k"), ACL: types.ObjectCannedACLAuthenticatedRead})
	azDenied(t, err, "BlockPublicAcls")
	if azExists(t, env, "bpa-acl", "k") {
		t.Fatal("a refused upload left an object")
	}
	// An ACL that is not public passes Block Public Access (and is then
	// judged as any ACL of a BucketOwnerEnforced bucket is).
	if _, err := env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bpa-acl"), Key: aws.String("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
		t.Fatalf("bucket-owner-full-control: %v", err)
	}
	// PutBucketAcl and PutObjectAcl: a public ACL, by header or document.
	_, err = env.S3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("bpa-acl"), ACL: types.BucketCannedACLPublicRead})
	azDenied(t, err, `s3:PutBucketAcl on resource: "arn:aws:s3:::bpa-acl" because public ACLs are prevented by the BlockPublicAcls setting in S3 Block Public Access.`)
	publicDoc := &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(strings.Repeat("0", 64))}, Grants: []types.Grant{
		{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")}, Permission: types.PermissionRead}}}
	_, err = env.S3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("bpa-acl"), AccessControlPolicy: publicDoc})
	azDenied(t, err, "BlockPublicAcls")
	_, err = env.S3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("bpa-acl"), Key: aws.String("k"), AccessControlPolicy: publicDoc})
	azDenied(t, err, "BlockPublicAcls")
	_, err = env.S3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("bpa-acl"), Key: aws.String("k"), ACL: types.ObjectCannedACLPublicReadWrite})
	azDenied(t, err, "BlockPublicAcls")
	cur, err := env.S3.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("bpa-acl")})
	if err != nil {
		t.Fatal(err)
	}
	ownerDoc := &types.AccessControlPolicy{Owner: cur.Owner, Grants: []types.Grant{
		{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: cur.Owner.ID}, Permission: types.PermissionFullControl}}}
	if _, err := env.S3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("bpa-acl"), Key: aws.String("k"), AccessControlPolicy: ownerDoc}); err != nil {
		t.Fatalf("the owner's ACL: %v", err)
	}

	// Without the setting, a public ACL reaches the BucketOwnerEnforced
	// refusal instead: Block Public Access is decided first.
	if _, err := env.S3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("bpa-acl")}); err != nil {
		t.Fatal(err)
	}
	_, err = env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bpa-acl"), Key: aws.String("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	wantCode(t, err, "AccessControlListNotSupported")
	_, err = env.S3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("bpa-acl"), AccessControlPolicy: publicDoc})
	wantCode(t, err, "AccessControlListNotSupported")
}

// S3 Control's account configuration: exact XML, S3 Control's error
// shape, the account-id host prefix the SDKs add, and the account boundary.
func TestAccountPublicAccessBlock(t *testing.T) {
	env := testenv.New(t)
	root := env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, "")
	acctHdr := http.Header{"X-Amz-Account-Id": {azAcct}}
	u, err := url.Parse(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	prefixed := azAcct + "." + u.Host // what the SDKs send to a custom endpoint

	status, body := signedDo(t, env, root, http.MethodGet, controlPath, prefixed, acctHdr, "")
	if status != http.StatusNotFound || !strings.Contains(body, "<ErrorResponse><Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>The public access block configuration was not found</Message></Error>") {
		t.Fatalf("get without configuration: %d %s", status, body)
	}
	status, body = signedDo(t, env, root, http.MethodPut, controlPath, prefixed, acctHdr,
		`<PublicAccessBlockConfiguration `+controlXMLNS+`><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>`)
	if status != http.StatusOK {
		t.Fatalf("put: %d %s", status, body)
	}
	status, body = signedDo(t, env, root, http.MethodGet, controlPath, "", acctHdr, "")
	want := `<PublicAccessBlockConfiguration ` + controlXMLNS + `><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>`
	if status != http.StatusOK || !strings.Contains(body, want) {
		t.Fatalf("get: %d %s\nwant %s", status, body, want)
	}
	// The account's configuration is not the bucket's.
	mkBucket(t, env.S3, "acct-pab")
	_, err = env.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("acct-pab")})
	wantCode(t, err, "NoSuchPublicAccessBlockConfiguration")

	// Another account's root may not read or change it; errors keep S3
	// Control's shape.
	_, otherRoot := env.CreateAccount("other")
	status, body = signedDo(t, env, otherRoot, http.MethodGet, controlPath, "", acctHdr, "")
	if status != http.StatusForbidden || !strings.Contains(body, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>Access Denied</Message>") {
		t.Fatalf("another account's root: %d %s", status, body)
	}
	status, _ = signedDo(t, env, otherRoot, http.MethodDelete, controlPath, "", acctHdr, "")
	if status != http.StatusForbidden {
		t.Fatalf("another account's root deleting: %d", status)
	}
	status, body = signedDo(t, env, nil, http.MethodGet, controlPath, "", acctHdr, "")
	azWantXML(t, status, body, http.StatusForbidden, "AccessDenied")

	// The actions: s3:GetAccountPublicAccessBlock, s3:PutAccountPublicAccessBlock.
	reader := azUser(t, env, env.IAM, "auditor", azPolicy(azAllow("s3:GetAccountPublicAccessBlock", "*")))
	if status, body = signedDo(t, env, reader, http.MethodGet, controlPath, "", acctHdr, ""); status != http.StatusOK {
		t.Fatalf("auditor get: %d %s", status, body)
	}
	status, body = signedDo(t, env, reader, http.MethodPut, controlPath, "", acctHdr, `<PublicAccessBlockConfiguration/>`)
	if status != http.StatusForbidden || !strings.Contains(body, "s3:PutAccountPublicAccessBlock") {
		t.Fatalf("auditor put: %d %s", status, body)
	}
	status, body = signedDo(t, env, root, http.MethodPost, controlPath, "", acctHdr, "")
	if status != http.StatusMethodNotAllowed || !strings.Contains(body, "<ErrorResponse>") {
		t.Fatalf("POST: %d %s", status, body)
	}
	status, body = signedDo(t, env, root, http.MethodGet, "/v20180820/jobs", "", acctHdr, "")
	if status != http.StatusNotImplemented || !strings.Contains(body, "<ErrorResponse>") {
		t.Fatalf("another S3 Control operation: %d %s", status, body)
	}

	if status, body = signedDo(t, env, root, http.MethodDelete, controlPath, "", acctHdr, ""); status != http.StatusOK {
		t.Fatalf("delete: %d %s", status, body)
	}
	if status, body = signedDo(t, env, root, http.MethodDelete, controlPath, "", acctHdr, ""); status != http.StatusOK {
		t.Fatalf("delete again: %d %s", status, body)
	}
	status, _ = signedDo(t, env, root, http.MethodGet, controlPath, "", acctHdr, "")
	if status != http.StatusNotFound {
		t.Fatalf("get after delete: %d", status)
	}
}

// With s3-block-public-access on, a new bucket starts with all four
// settings, as AWS's do since April 2023; turning them off opens it.
func TestBlockPublicAccessByDefault(t *testing.T) {
	env := testenv.New(t, func(c *config.Config) { c.S3BlockPublicAccess = true })
	mkBucket(t, env.S3, "locked")
	out := must[*s3.GetPublicAccessBlockOutput](t)(env.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("locked")}))
	if c := out.PublicAccessBlockConfiguration; !*c.BlockPublicAcls || !*c.IgnorePublicAcls || !*c.BlockPublicPolicy || !*c.RestrictPublicBuckets {
		t.Fatalf("new bucket: %+v", c)
	}
	public := azPolicy(azS{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::locked/*"})
	azDenied(t, azPutBucketPolicy(env.S3, "locked", public), "BlockPublicPolicy")
	if _, err := env.S3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("locked")}); err != nil {
		t.Fatal(err)
	}
	if err := azPutBucketPolicy(env.S3, "locked", public); err != nil {
		t.Fatal(err)
	}
	put(t, env.S3, "locked", "k", "v")
	if status, _ := anonGet(t, env, "locked", "k"); status != http.StatusOK {
		t.Fatalf("anonymous read after opening the bucket: %d", status)
	}
}

// Failing to read the account's configuration fails the request (500):
// a public bucket is never served on the assumption that the account
// restricts nothing.
func TestAccountPublicAccessLoadFailsClosed(t *testing.T) {
	var faults *storefault.Store
	env := testenv.NewWith(t, func(o *server.Options) {
		o.WrapStore = func(st store.Store) store.Store { faults = storefault.New(st); return faults }
	})
	mkBucket(t, env.S3, "open")
	put(t, env.S3, "open", "k", "v")
	azMustBucketPolicy(t, env, "open", azS{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::open/*"})
	if status, _ := anonGet(t, env, "open", "k"); status != http.StatusOK {
		t.Fatalf("anonymous read: %d", status)
	}
	// An IAM write moves the generation: the account's configuration is
	// read again, and that read fails.
	if _, err := env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("someone")}); err != nil {
		t.Fatal(err)
	}
	faults.FailNth("GetAccountPublicAccessBlock", 1, errors.New("disk on fire"))
	status, body := anonGet(t, env, "open", "k")
	azWantXML(t, status, body, http.StatusInternalServerError, "InternalError")
	if status, _ := anonGet(t, env, "open", "k"); status != http.StatusOK {
		t.Fatalf("after recovery: %d", status)
	}
}
