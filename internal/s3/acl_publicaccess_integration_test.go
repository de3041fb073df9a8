package s3_test

// Block Public Access on buckets whose ACLs are enabled: IgnorePublicAcls
// makes grants to AllUsers and AuthenticatedUsers count for nothing (the
// bucket's flag or its account's), and BlockPublicAcls refuses a public ACL
// before it is stored.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestIgnorePublicAclsOnACLBucket(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	aclBucket(t, c, "ipa", types.ObjectOwnershipBucketOwnerPreferred)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ipa"), Key: aws.String("open"), Body: strings.NewReader("hello"), ACL: types.ObjectCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("ipa"), ACL: types.BucketCannedACLPublicRead}); err != nil {
		t.Fatal(err)
	}
	anonList := func() int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, env.URL+"/ipa", nil)
		if err != nil {
			t.Fatal(err)
		}
		status, _ := azDo(t, env, req)
		return status
	}
	public := func(want bool, when string) {
		t.Helper()
		wantStatus := http.StatusForbidden
		if want {
			wantStatus = http.StatusOK
		}
		if status, body := anonGet(t, env, "ipa", "open"); status != wantStatus || (want && body != "hello") {
			t.Fatalf("%s: anonymous GET of a public-read object: %d %q, want %d", when, status, body, wantStatus)
		}
		if status := anonList(); status != wantStatus {
			t.Fatalf("%s: anonymous ListObjects of a public-read bucket: %d, want %d", when, status, wantStatus)
		}
	}
	public(true, "no Block Public Access")

	// The bucket's IgnorePublicAcls: the grants stay stored and reported,
	// and count for nothing.
	putPAB(t, c, "ipa", pabConfig(false, true, false, false))
	public(false, "bucket IgnorePublicAcls")
	acl, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String("ipa"), Key: aws.String("open")})
	if err != nil {
		t.Fatal(err)
	}
	reported := false
	for _, g := range acl.Grants {
		reported = reported || (g.Grantee != nil && aws.ToString(g.Grantee.URI) == allUsers)
	}
	if !reported {
		t.Fatalf("GetObjectAcl under IgnorePublicAcls dropped the stored AllUsers grant: %+v", acl.Grants)
	}
	// The owner keeps its access (IgnorePublicAcls ignores public grants
	// only).
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ipa"), Key: aws.String("open")}); err != nil {
		t.Fatalf("owner GET under IgnorePublicAcls: %v", err)
	}
	putPAB(t, c, "ipa", pabConfig(false, false, false, false))
	public(true, "bucket flag off again")

	// The account's IgnorePublicAcls (S3 Control) reaches the bucket.
	root := env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, "")
	acctHdr := http.Header{"X-Amz-Account-Id": {azAcct}}
	if status, body := signedDo(t, env, root, http.MethodPut, controlPath, "", acctHdr,
		`<PublicAccessBlockConfiguration `+controlXMLNS+`><IgnorePublicAcls>true</IgnorePublicAcls></PublicAccessBlockConfiguration>`); status != http.StatusOK {
		t.Fatalf("put account configuration: %d %s", status, body)
	}
	public(false, "account IgnorePublicAcls")
	if status, body := signedDo(t, env, root, http.MethodDelete, controlPath, "", acctHdr, ""); status != http.StatusOK {
		t.Fatalf("delete account configuration: %d %s", status, body)
	}
	public(true, "account configuration deleted")
}

func TestBlockPublicAclsOnACLBucket(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	aclBucket(t, c, "bpa", types.ObjectOwnershipObjectWriter)
	putPAB(t, c, "bpa", pabConfig(true, false, false, false))
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bpa"), Key: aws.String("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	azDenied(t, err, "BlockPublicAcls")
	_, err = c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("bpa"), GrantRead: aws.String(`uri="` + authUsers + `"`)})
	azDenied(t, err, "BlockPublicAcls")
	// A private ACL is stored as any other.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bpa"), Key: aws.String("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPrivate}); err != nil {
		t.Fatalf("private ACL under BlockPublicAcls: %v", err)
	}
	if status, _ := anonGet(t, env, "bpa", "k"); status != http.StatusForbidden {
		t.Fatalf("anonymous GET of a private object: %d", status)
	}
	// Nothing public was stored by the refused writes.
	acl, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("bpa")})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range acl.Grants {
		if g.Grantee != nil && g.Grantee.URI != nil {
			t.Fatalf("a refused PutBucketAcl left a group grant: %s", aws.ToString(g.Grantee.URI))
		}
	}
}
