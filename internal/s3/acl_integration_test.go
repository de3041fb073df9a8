package s3_test

// ACLs and Object Ownership on buckets whose ACLs are enabled: canned
// ACLs to their exact grants, grant headers, AccessControlPolicy
// validation, ownership controls, and how grants are weighed with the
// policies (in the pipeline: internal/policy's ACL cases hold the logic).

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const (
	allUsers  = "http://acs.amazonaws.com/groups/global/AllUsers"
	authUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	logGroup  = "http://acs.amazonaws.com/groups/s3/LogDelivery"
	xsi       = `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`
)

// aclBucket creates a bucket with the given Object Ownership.
func aclBucket(t *testing.T, c *s3.Client, name string, own types.ObjectOwnership) {
	t.Helper()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectOwnership: own}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

// wantACL asserts the exact AccessControlPolicy document GET url?acl answers.
func wantACL(t *testing.T, env *testenv.Env, url, owner string, grants ...string) {
	t.Helper()
	r := rawDo(t, env, http.MethodGet, url+"?acl", nil, nil)
	want := `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>` + owner + `</ID></Owner><AccessControlList>` +
		strings.Join(grants, "") + `</AccessControlList></AccessControlPolicy>`
	got := string(r.body)
	if i := strings.Index(got, "<AccessControlPolicy"); i >= 0 {
		got = got[i:]
	}
	if r.status != 200 || got != want {
		t.Fatalf("GET %s?acl: %d\n got %s\nwant %s", url, r.status, got, want)
	}
}

func userGrant(id, perm string) string {
	return `<Grant><Grantee ` + xsi + ` xsi:type="CanonicalUser"><ID>` + id + `</ID></Grantee><Permission>` + perm + `</Permission></Grant>`
}

func groupGrant(uri, perm string) string {
	return `<Grant><Grantee ` + xsi + ` xsi:type="Group"><URI>` + uri + `</URI></Grantee><Permission>` + perm + `</Permission></Grant>`
}

// Every canned ACL expands into the grants S3 documents, on objects and
// on buckets.
func TestCannedACLGrants(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	me := canonicalID(t, c)
	aclBucket(t, c, "canned", types.ObjectOwnershipBucketOwnerPreferred)
	full := userGrant(me, "FULL_CONTROL")
	for canned, grants := range map[string][]string{
		"private":                   {full},
		"public-read":               {full, groupGrant(allUsers, "READ")},
		"public-read-write":         {full, groupGrant(allUsers, "READ"), groupGrant(allUsers, "WRITE")},
		"authenticated-read":        {full, groupGrant(authUsers, "READ")},
		"aws-exec-read":             {full, userGrant("6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c", "READ")},
		"bucket-owner-read":         {full},
		"bucket-owner-full-control": {full},
		"log-delivery-write":        {full, groupGrant(logGroup, "WRITE"), groupGrant(logGroup, "READ_ACP")},
	} {
		u := objectURL(env, "canned", canned)
		rawDo(t, env, http.MethodPut, u, []byte("x"), map[string]string{"x-amz-acl": canned}).want(t, 200, "")
		wantACL(t, env, u, me, grants...)
		rawDo(t, env, http.MethodPut, env.URL+"/canned?acl", nil, map[string]string{"x-amz-acl": canned}).want(t, 200, "")
		wantACL(t, env, env.URL+"/canned", me, grants...)
	}
	// The default: the owner's full control.
	put(t, c, "canned", "plain", "x")
	wantACL(t, env, objectURL(env, "canned", "plain"), me, full)
	rawDo(t, env, http.MethodPut, objectURL(env, "canned", "bad"), []byte("x"), map[string]string{"x-amz-acl": "public"}).want(t, 400, "InvalidArgument")

	// Another account's write to a BucketOwnerPreferred bucket: its
	// bucket-owner-read grants the bucket owner READ (not READ_ACP: the
	// writer reads the ACL); with bucket-owner-full-control the bucket
	// owner owns the object and has its full control alone.
	_, bRoot := env.CreateAccount("bee")
	bc := env.S3Client(bRoot)
	bee := canonicalID(t, bc)
	rawDo(t, env, http.MethodPut, env.URL+"/canned?acl", nil, map[string]string{"x-amz-grant-write": `id="` + bee + `"`}).want(t, 200, "")
	for _, canned := range []types.ObjectCannedACL{types.ObjectCannedACLBucketOwnerRead, types.ObjectCannedACLBucketOwnerFullControl} {
		if _, err := bc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("canned"), Key: aws.String("bee-" + string(canned)), Body: strings.NewReader("b"), ACL: canned}); err != nil {
			t.Fatalf("cross-account PutObject %s: %v", canned, err)
		}
	}
	if _, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("canned"), Key: aws.String("bee-bucket-owner-read")}); httpStatus(err) != 403 {
		t.Fatalf("the bucket owner read the ACL of bucket-owner-read: %v", err)
	}
	out := must[*s3.GetObjectAclOutput](t)(bc.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("canned"), Key: aws.String("bee-bucket-owner-read")}))
	if aws.ToString(out.Owner.ID) != bee || len(out.Grants) != 2 || aws.ToString(out.Grants[1].Grantee.ID) != me || out.Grants[1].Permission != types.PermissionRead {
		t.Fatalf("bucket-owner-read by another account: %+v", out)
	}
	if body := get(t, c, "canned", "bee-bucket-owner-read"); body != "b" {
		t.Fatalf("bucket owner GET of bucket-owner-read: %q", body)
	}
	wantACL(t, env, objectURL(env, "canned", "bee-bucket-owner-full-control"), me, full)
}

// x-amz-grant-* headers: canonical ids and groups; no email grantees, no
// unknown ids, not with a canned ACL.
func TestGrantHeaders(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	me := canonicalID(t, c)
	_, bRoot := env.CreateAccount("bee")
	bee := canonicalID(t, env.S3Client(bRoot))
	aclBucket(t, c, "grants", types.ObjectOwnershipObjectWriter)
	u := objectURL(env, "grants", "k")
	rawDo(t, env, http.MethodPut, u, []byte("x"), map[string]string{
		"x-amz-grant-full-control": `id="` + me + `"`,
		"x-amz-grant-read":         `uri="` + allUsers + `", id="` + bee + `"`,
		"x-amz-grant-write-acp":    `id=` + bee,
	}).want(t, 200, "")
	wantACL(t, env, u, me, groupGrant(allUsers, "READ"), userGrant(bee, "READ"), userGrant(bee, "WRITE_ACP"), userGrant(me, "FULL_CONTROL"))

	for _, tc := range []struct {
		hdr    map[string]string
		status int
		want   s3Err
	}{
		{map[string]string{"x-amz-grant-read": `emailAddress="someone@example.com"`}, 405,
			s3Err{Code: "MethodNotAllowed", Message: "The specified method is not allowed against this resource."}},
		{map[string]string{"x-amz-grant-read": `id="` + strings.Repeat("0", 64) + `"`}, 400,
			s3Err{Code: "InvalidArgument", Message: "Invalid id", ArgumentName: "CanonicalUser/ID", ArgumentValue: strings.Repeat("0", 64)}},
		{map[string]string{"x-amz-grant-read": `uri="http://acs.amazonaws.com/groups/global/Everyone"`}, 400,
			s3Err{Code: "InvalidArgument", Message: "Invalid group uri", ArgumentName: "Group/URI", ArgumentValue: "http://acs.amazonaws.com/groups/global/Everyone"}},
		{map[string]string{"x-amz-grant-read": `name="x"`}, 400, s3Err{Code: "InvalidArgument", Message: "Invalid id", ArgumentName: "x-amz-grant-read"}},
		{map[string]string{"x-amz-acl": "public-read", "x-amz-grant-read": `id="` + bee + `"`}, 400,
			s3Err{Code: "InvalidRequest", Message: "Specifying both Canned ACLs and Header Grants is not allowed"}},
	} {
		rawDo(t, env, http.MethodPut, objectURL(env, "grants", "refused"), []byte("x"), tc.hdr).wantErr(t, tc.status, tc.want)
		rawDo(t, env, http.MethodPut, env.URL+"/grants?acl", nil, tc.hdr).wantErr(t, tc.status, tc.want)
	}
	wantNoObject(t, c, "grants", "refused")
}

// PutBucketAcl and PutObjectAcl documents: validated to S3's codes.
func TestPutACLDocument(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	me := canonicalID(t, c)
	aclBucket(t, c, "docs", types.ObjectOwnershipBucketOwnerPreferred)
	put(t, c, "docs", "k", "x")
	doc := func(owner string, grants ...string) []byte {
		o := ""
		if owner != "" {
			o = "<Owner><ID>" + owner + "</ID></Owner>"
		}
		return []byte(`<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + o + `<AccessControlList>` +
			strings.Join(grants, "") + `</AccessControlList></AccessControlPolicy>`)
	}
	malformed := s3Err{Code: "MalformedACLError", Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	many := make([]string, 101)
	for i := range many {
		many[i] = groupGrant(allUsers, "READ")
	}
	for _, url := range []string{env.URL + "/docs?acl", objectURL(env, "docs", "k") + "?acl"} {
		for _, tc := range []struct {
			body   []byte
			hdr    map[string]string
			status int
			want   s3Err
		}{
			{[]byte("<AccessControlPolicy>"), nil, 400, malformed},
			{doc("", userGrant(me, "FULL_CONTROL")), nil, 400, malformed},
			{doc(me, userGrant(me, "EVERYTHING")), nil, 400, malformed},
			{doc(me, `<Grant><Grantee `+xsi+` xsi:type="CanonicalUser"></Grantee><Permission>READ</Permission></Grant>`), nil, 400, malformed},
			{doc(me, many...), nil, 400, malformed},
			{doc(me, `<Grant><Grantee `+xsi+` xsi:type="AmazonCustomerByEmail"><EmailAddress>a@example.com</EmailAddress></Grantee><Permission>READ</Permission></Grant>`), nil,
				405, s3Err{Code: "MethodNotAllowed", Message: "The specified method is not allowed against this resource."}},
			{doc(strings.Repeat("a", 64), userGrant(me, "FULL_CONTROL")), nil, 403, s3Err{Code: "AccessDenied", Message: "Access Denied"}},
			{doc(me, userGrant(me, "FULL_CONTROL")), map[string]string{"x-amz-acl": "private"}, 400,
				s3Err{Code: "UnexpectedContent", Message: "This request does not support content"}},
			{nil, nil, 400, s3Err{Code: "MissingSecurityHeader", Message: "Your request was missing a required header"}},
		} {
			rawDo(t, env, http.MethodPut, url, tc.body, tc.hdr).wantErr(t, tc.status, tc.want)
		}
		rawDo(t, env, http.MethodPut, url, doc(me, userGrant(me, "FULL_CONTROL"), groupGrant(authUsers, "READ_ACP")), nil).want(t, 200, "")
		wantACL(t, env, strings.TrimSuffix(url, "?acl"), me, userGrant(me, "FULL_CONTROL"), groupGrant(authUsers, "READ_ACP"))
	}
	// The SDK's shapes round-trip.
	got := must[*s3.GetBucketAclOutput](t)(c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("docs")}))
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("docs"), AccessControlPolicy: &types.AccessControlPolicy{Owner: got.Owner, Grants: got.Grants}}); err != nil {
		t.Fatal(err)
	}
}

// Get/Put/DeleteBucketOwnershipControls, and the server's default.
func TestOwnershipControls(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "own")
	getOwn := func(bucket string) types.ObjectOwnership {
		t.Helper()
		out := must[*s3.GetBucketOwnershipControlsOutput](t)(c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(bucket)}))
		if len(out.OwnershipControls.Rules) != 1 {
			t.Fatalf("rules %+v", out.OwnershipControls.Rules)
		}
		return out.OwnershipControls.Rules[0].ObjectOwnership
	}
	if got := getOwn("own"); got != types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("default %s", got)
	}
	setOwn := func(o types.ObjectOwnership) error {
		_, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("own"),
			OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: o}}}})
		return err
	}
	if err := setOwn(types.ObjectOwnershipBucketOwnerPreferred); err != nil {
		t.Fatal(err)
	}
	if got := getOwn("own"); got != types.ObjectOwnershipBucketOwnerPreferred {
		t.Fatalf("after put: %s", got)
	}
	rawDo(t, env, http.MethodPut, env.URL+"/own?ownershipControls", []byte(`<OwnershipControls><Rule><ObjectOwnership>Nobody</ObjectOwnership></Rule></OwnershipControls>`), nil).
		want(t, 400, "MalformedXML")
	// Back to BucketOwnerEnforced: refused while the bucket ACL grants others.
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("own"), ACL: types.BucketCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	err := setOwn(types.ObjectOwnershipBucketOwnerEnforced)
	wantStatusCode(t, err, 400, "InvalidBucketAclWithObjectOwnership")
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("own"), ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Fatal(err)
	}
	if err := setOwn(types.ObjectOwnershipBucketOwnerEnforced); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String("own")}); err != nil {
		t.Fatal(err)
	}
	rawDo(t, env, http.MethodGet, env.URL+"/own?ownershipControls", nil, nil).wantErr(t, 404,
		s3Err{Code: "OwnershipControlsNotFoundError", Message: "The bucket ownership controls were not found"})
	// Without controls ACLs count (ObjectWriter).
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("own"), ACL: types.BucketCannedACLPublicRead}); err != nil {
		t.Fatalf("PutBucketAcl without ownership controls: %v", err)
	}

	// --s3-default-object-ownership.
	env2 := testenv.New(t, func(cfg *config.Config) { cfg.S3DefaultObjectOwnership = "ObjectWriter" })
	mkBucket(t, env2.S3, "writer")
	out := must[*s3.GetBucketOwnershipControlsOutput](t)(env2.S3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("writer")}))
	if out.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipObjectWriter {
		t.Fatalf("default ObjectWriter: %+v", out.OwnershipControls.Rules)
	}
	if _, err := env2.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("writer"), Key: aws.String("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatalf("public-read on an ObjectWriter bucket: %v", err)
	}
}

// anonGet is an unsigned GET of an object: its status and body.
// ACL grants are weighed with the policies, as S3 does.
func TestACLEvaluation(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	aclBucket(t, c, "pub", types.ObjectOwnershipBucketOwnerPreferred)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pub"), Key: aws.String("open"), Body: strings.NewReader("hello"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "pub", "closed", "secret")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pub"), Key: aws.String("signed"), Body: strings.NewReader("members"), ACL: types.ObjectCannedACLAuthenticatedRead}); err != nil {
		t.Fatal(err)
	}

	// Anonymous: the public-read object only.
	if status, body := anonGet(t, env, "pub", "open"); status != 200 || body != "hello" {
		t.Fatalf("anonymous GET of a public-read object: %d %q", status, body)
	}
	for _, k := range []string{"closed", "signed"} {
		if status, _ := anonGet(t, env, "pub", k); status != 403 {
			t.Fatalf("anonymous GET of %s: %d", k, status)
		}
	}

	// A same-account user without policies: what ACLs grant, nothing more.
	nobody := env.S3Client(azUser(t, env, env.IAM, "nobody", ""))
	for k, want := range map[string]string{"open": "hello", "signed": "members"} {
		if body, err := azGet(nobody, "pub", k); err != nil || body != want {
			t.Fatalf("user without policies GET %s: %q %v", k, body, err)
		}
	}
	_, err := azGet(nobody, "pub", "closed")
	azDenied(t, err)
	azDenied(t, azPut(nobody, "pub", "new", "x"))

	// An explicit Deny in the bucket policy beats the ACL grant.
	azMustBucketPolicy(t, env, "pub", azS{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pub/open"})
	if status, _ := anonGet(t, env, "pub", "open"); status != 403 {
		t.Fatalf("anonymous GET denied by the bucket policy: %d", status)
	}
	_, err = azGet(nobody, "pub", "open")
	azDenied(t, err)

	// Cross-account write: the bucket ACL's WRITE and the writer's own
	// identity policy, both.
	aclBucket(t, c, "drop", types.ObjectOwnershipObjectWriter)
	bID, bRoot := env.CreateAccount("bee")
	bIAM := env.IAMClient(bRoot)
	bee := canonicalID(t, env.S3Client(bRoot))
	writer := env.S3Client(azUser(t, env, bIAM, "writer", azPolicy(azAllow("s3:PutObject", "arn:aws:s3:::drop/*"))))
	idle := env.S3Client(azUser(t, env, bIAM, "idle", ""))
	azDenied(t, azPut(writer, "drop", "w1", "x"))
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("drop"), GrantFullControl: aws.String(`id="` + canonicalID(t, c) + `"`),
		GrantWrite: aws.String(`id="` + bee + `"`)}); err != nil {
		t.Fatal(err)
	}
	if err := azPut(writer, "drop", "w1", "from bee"); err != nil {
		t.Fatalf("cross-account write with WRITE and the identity policy: %v", err)
	}
	azDenied(t, azPut(idle, "drop", "w2", "x"))
	// The object is the writer's account's (ObjectWriter): the bucket
	// owner reads it only if its ACL says so.
	_, err = azGet(c, "drop", "w1")
	azDenied(t, err)
	// Every other object action too: the bucket owner's root (whose
	// account's policies would allow it on its own objects) may not read
	// or change the tags of an object it does not own; the owner may.
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("drop"), Key: aws.String("w1")})
	azDenied(t, err)
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("drop"), Key: aws.String("w1"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
	azDenied(t, err)
	if _, err := env.S3Client(bRoot).GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("drop"), Key: aws.String("w1")}); err != nil {
		t.Fatalf("the object owner's tagging read: %v", err)
	}
	oacl := must[*s3.GetObjectAclOutput](t)(env.S3Client(bRoot).GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("drop"), Key: aws.String("w1")}))
	if aws.ToString(oacl.Owner.ID) != bee {
		t.Fatalf("object owner %s, want account %s's %s", aws.ToString(oacl.Owner.ID), bID, bee)
	}
	if _, err := env.S3Client(bRoot).PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("drop"), Key: aws.String("w1"), ACL: types.ObjectCannedACLBucketOwnerRead}); err != nil {
		t.Fatal(err)
	}
	if body, err := azGet(c, "drop", "w1"); err != nil || body != "from bee" {
		t.Fatalf("bucket owner GET after bucket-owner-read: %q %v", body, err)
	}
	// The bucket owner may still delete it (bucket WRITE is the owner's).
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("drop"), Key: aws.String("w1")}); err != nil {
		t.Fatal(err)
	}

	// BucketOwnerEnforced ignores the ACLs objects still carry.
	if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("pub"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("pub")}); err != nil {
		t.Fatal(err)
	}
	if status, _ := anonGet(t, env, "pub", "open"); status != 403 {
		t.Fatalf("anonymous GET with ACLs disabled: %d", status)
	}
	_, err = azGet(nobody, "pub", "signed")
	azDenied(t, err)
}

// Canonical ids are stable across restarts (stored grants name accounts by
// them), distinct per account, and an ACL grant to one still applies after
// a restart.
func TestCanonicalIDsStable(t *testing.T) {
	env := testenv.New(t)
	me := canonicalID(t, env.S3)
	_, bRoot := env.CreateAccount("bee")
	bee := canonicalID(t, env.S3Client(bRoot))
	if me == bee {
		t.Fatal("two accounts share a canonical id")
	}
	aclBucket(t, env.S3, "stable", types.ObjectOwnershipObjectWriter)
	if _, err := env.S3.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("stable"), GrantWrite: aws.String(`id="` + bee + `"`),
		GrantFullControl: aws.String(`id="` + me + `"`)}); err != nil {
		t.Fatal(err)
	}
	env.Restart()
	if got := canonicalID(t, env.S3); got != me {
		t.Fatalf("canonical id changed across a restart: %s, then %s", me, got)
	}
	if err := azPut(env.S3Client(bRoot), "stable", "k", "x"); err != nil {
		t.Fatalf("a grant after a restart: %v", err)
	}
}
