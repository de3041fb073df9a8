package s3_test

// Attacks on ACLs and the writes that set them, from an independent
// review of the ACL work: each was a hole (or an AWS difference) before
// its fix. Every way of writing an object declares the same checks for
// the grants and tags it sets; WRITE grants no version deletion; an object
// another account owns is that account's for every object action; a new
// bucket under Block Public Access takes no public ACL; an upload's
// initiator (the entity, not its name) may abort it and list its parts.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// PutObject with grant headers needs s3:PutObjectAcl (resolvePut declares
// it); CopyObject and a browser-form POST set the same grants without it,
// so a bucket policy's Deny of s3:PutObjectAcl is bypassed.
func TestEveryWriteOfGrantsNeedsPutObjectAcl(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	aclBucket(t, c, "noacl", types.ObjectOwnershipObjectWriter)
	_, bRoot := env.CreateAccount("bee")
	bee := canonicalID(t, env.S3Client(bRoot))
	azMustBucketPolicy(t, env, "noacl", azS{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObjectAcl", "Resource": "arn:aws:s3:::noacl/*"})
	grant := `id="` + bee + `"`

	// The baseline: PutObject with a grant header is denied.
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("noacl"), Key: aws.String("uploads/put"), Body: strings.NewReader("x"), GrantRead: aws.String(grant)})
	azDenied(t, err)

	put(t, c, "noacl", "uploads/src", "secret")
	// CopyObject with the same grant header.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("noacl"), Key: aws.String("uploads/copy"), CopySource: aws.String("noacl/uploads/src"), GrantRead: aws.String(grant)})
	if err == nil {
		if body, gerr := azGet(env.S3Client(bRoot), "noacl", "uploads/copy"); gerr == nil {
			t.Errorf("CopyObject set a grant despite the Deny of s3:PutObjectAcl; account bee now reads %q", body)
		} else {
			t.Errorf("CopyObject with x-amz-grant-read succeeded despite the Deny of s3:PutObjectAcl")
		}
	}

	// A browser-form POST with the same grant field.
	root := env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, "")
	status, body := azPost(t, env, root, "noacl", "uploads/post", []byte("secret"), map[string]string{"x-amz-grant-read": grant}, false)
	if status/100 == 2 {
		if got, gerr := azGet(env.S3Client(bRoot), "noacl", "uploads/post"); gerr == nil {
			t.Errorf("POST set a grant despite the Deny of s3:PutObjectAcl; account bee now reads %q", got)
		} else {
			t.Errorf("POST with x-amz-grant-read succeeded (%d) despite the Deny of s3:PutObjectAcl", status)
		}
	} else if status != http.StatusForbidden {
		t.Errorf("POST: %d %s", status, body)
	}
}

// AWS maps a bucket's WRITE to s3:DeleteObjectVersion only when the
// grantee is the bucket owner ("Mapping of ACL permissions and access
// policy permissions"); Gatehouse lets any WRITE grantee (another account,
// AllUsers through public-read-write) permanently delete versions the
// bucket owner wrote, defeating versioning.
func TestWriteGrantDoesNotDeleteVersions(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	aclBucket(t, c, "vers", types.ObjectOwnershipObjectWriter)
	setVersioning(t, c, "vers", types.BucketVersioningStatusEnabled)
	_, bRoot := env.CreateAccount("bee")
	bee := canonicalID(t, env.S3Client(bRoot))
	out := put(t, c, "vers", "keep", "precious")
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("vers"), GrantFullControl: aws.String(`id="` + canonicalID(t, c) + `"`),
		GrantWrite: aws.String(`id="` + bee + `"`)}); err != nil {
		t.Fatal(err)
	}
	_, err := env.S3Client(bRoot).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vers"), Key: aws.String("keep"), VersionId: out.VersionId})
	if err == nil {
		t.Errorf("a WRITE grantee of another account permanently deleted a version the bucket owner wrote")
	}
}

// An object another account owns is that account's resource for every
// object action (docs/authorization.md): the bucket policy's Allow and the
// bucket owner's root reach tagging of it only where the ACL decides.
func TestForeignObjectTaggingIsTheOwnersOnly(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	aclBucket(t, c, "drop", types.ObjectOwnershipObjectWriter)
	_, bRoot := env.CreateAccount("bee")
	cID, cRoot := env.CreateAccount("cee")
	bee := canonicalID(t, env.S3Client(bRoot))
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("drop"), GrantFullControl: aws.String(`id="` + canonicalID(t, c) + `"`),
		GrantWrite: aws.String(`id="` + bee + `"`)}); err != nil {
		t.Fatal(err)
	}
	if err := azPut(env.S3Client(bRoot), "drop", "w1", "from bee"); err != nil {
		t.Fatal(err)
	}
	azMustBucketPolicy(t, env, "drop", azS{"Effect": "Allow", "Principal": map[string]string{"AWS": cID}, "Action": []string{"s3:GetObjectTagging", "s3:DeleteObjectTagging"}, "Resource": "arn:aws:s3:::drop/*"})
	if _, err := env.S3Client(cRoot).GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("drop"), Key: aws.String("w1")}); err == nil {
		t.Errorf("the bucket policy granted a third account GetObjectTagging on an object account bee owns")
	}
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("drop"), Key: aws.String("w1")}); err == nil {
		t.Errorf("the bucket owner's root deleted the tags of an object account bee owns")
	}
}

// With Block Public Access on for new buckets (--s3-block-public-access,
// AWS's default since April 2023), CreateBucket with a public ACL fails
// on AWS ("If you try to create a bucket with a public ACL, the request
// will fail"). Gatehouse creates the bucket and stores the public grants,
// which become live as soon as the configuration is deleted.
func TestCreateBucketPublicACLUnderDefaultBPA(t *testing.T) {
	env := testenv.New(t, func(c *config.Config) { c.S3BlockPublicAccess = true })
	c := env.S3
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pubnew"), ObjectOwnership: types.ObjectOwnershipObjectWriter, ACL: types.BucketCannedACLPublicRead})
	wantCode(t, err, "InvalidBucketAclWithBlockPublicAccessError")
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("pubnew")}); err == nil {
		t.Fatal("a refused CreateBucket left a bucket")
	}
	// A private one is created, with Block Public Access on.
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("privnew"), ObjectOwnership: types.ObjectOwnershipObjectWriter, ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Fatal(err)
	}
}

// The initiator of a multipart upload may abort it and list its parts
// ("By default, the bucket owner and the initiator of the multipart upload
// are allowed to perform this action"). A writer of another account whose
// only grant is the bucket's WRITE starts an upload it then cannot abort.
func TestInitiatorAbortsOwnUpload(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	aclBucket(t, c, "mpu", types.ObjectOwnershipObjectWriter)
	_, bRoot := env.CreateAccount("bee")
	bee := canonicalID(t, env.S3Client(bRoot))
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("mpu"), GrantFullControl: aws.String(`id="` + canonicalID(t, c) + `"`),
		GrantWrite: aws.String(`id="` + bee + `"`)}); err != nil {
		t.Fatal(err)
	}
	b := env.S3Client(bRoot)
	up, err := b.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big")})
	if err != nil {
		t.Fatalf("initiate: %v", err)
	}
	if _, err := b.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: up.UploadId}); err != nil {
		t.Errorf("the initiator may not list the parts of its own upload: %v", err)
	}
	// Another principal of the initiator's account, without policies, is
	// not the initiator.
	other := env.S3Client(azUser(t, env, env.IAMClient(bRoot), "other", ""))
	_, err = other.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: up.UploadId})
	azDenied(t, err)
	if _, err := b.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("big"), UploadId: up.UploadId}); err != nil {
		t.Errorf("the initiator may not abort its own upload: %v", err)
	}
}

// The initiator's default permission is bound to the entity: a user
// deleted and recreated under the same name does not inherit the uploads
// its predecessor started (and a user without the grant cannot list or
// abort them).
func TestInitiatorIsTheEntityNotTheName(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "mpu2")
	putOnly := azPolicy(azAllow("s3:PutObject", "arn:aws:s3:::mpu2/*"))
	first := env.S3Client(azUser(t, env, env.IAM, "uploader", putOnly))
	up, err := first.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu2"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu2"), Key: aws.String("big"), UploadId: up.UploadId}); err != nil {
		t.Fatalf("the initiator (with s3:PutObject only) may not list its parts: %v", err)
	}
	// Delete the user (its key and policy first) and create it again.
	keys := must[*iam.ListAccessKeysOutput](t)(env.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("uploader")}))
	for _, k := range keys.AccessKeyMetadata {
		must[*iam.DeleteAccessKeyOutput](t)(env.IAM.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("uploader"), AccessKeyId: k.AccessKeyId}))
	}
	must[*iam.DeleteUserPolicyOutput](t)(env.IAM.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("uploader"), PolicyName: aws.String("p")}))
	must[*iam.DeleteUserOutput](t)(env.IAM.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("uploader")}))
	second := env.S3Client(azUser(t, env, env.IAM, "uploader", putOnly))
	_, err = second.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu2"), Key: aws.String("big"), UploadId: up.UploadId})
	azDenied(t, err)
	_, err = second.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu2"), Key: aws.String("big"), UploadId: up.UploadId})
	azDenied(t, err)
	// Its own new upload is its to abort.
	up2, err := second.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu2"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := second.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpu2"), Key: aws.String("big"), UploadId: up2.UploadId}); err != nil {
		t.Fatalf("the new user may not abort its own upload: %v", err)
	}
}

// Same gap as TestEveryWriteOfGrantsNeedsPutObjectAcl for tags: PutObject with
// x-amz-tagging needs s3:PutObjectTagging, a POST form's tagging field not.
func TestPostTaggingNeedsPutObjectTagging(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("notag")}); err != nil {
		t.Fatal(err)
	}
	azMustBucketPolicy(t, env, "notag", azS{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObjectTagging", "Resource": "arn:aws:s3:::notag/*"})
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("notag"), Key: aws.String("uploads/put"), Body: strings.NewReader("x"), Tagging: aws.String("k=v")})
	azDenied(t, err)
	root := env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, "")
	tagging := `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`
	if status, body := azPost(t, env, root, "notag", "uploads/post", []byte("x"), map[string]string{"tagging": tagging}, false); status != http.StatusForbidden {
		t.Errorf("POST with a tagging field despite the Deny of s3:PutObjectTagging: %d %s", status, body)
	}
}

// A bucket's WRITE lets a grantee create objects, and delete or overwrite
// only those it owns (S3: "for the bucket and object owners of existing
// objects, also allows deletions and overwrites"): another account with
// WRITE cannot destroy what the bucket owner or a third account wrote, by
// PUT, copy, form upload, DELETE or DeleteObjects; anonymous writers of a
// public-read-write bucket cannot either.
func TestWriteGrantReplacesOnlyOwnObjects(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	aclBucket(t, c, "shared", types.ObjectOwnershipObjectWriter)
	_, bRoot := env.CreateAccount("bee")
	bee := canonicalID(t, env.S3Client(bRoot))
	if _, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("shared"), GrantFullControl: aws.String(`id="` + canonicalID(t, c) + `"`),
		GrantWrite: aws.String(`id="` + bee + `", uri="` + allUsers + `"`)}); err != nil {
		t.Fatal(err)
	}
	put(t, c, "shared", "owners", "the owner's")
	b := env.S3Client(bRoot)
	// New keys: allowed, to the grantee and to anonymous writers.
	if err := azPut(b, "shared", "bees", "bee's"); err != nil {
		t.Fatalf("WRITE grantee creating a new object: %v", err)
	}
	// Its own object: overwrite and delete allowed.
	if err := azPut(b, "shared", "bees", "bee's again"); err != nil {
		t.Fatalf("WRITE grantee overwriting its own object: %v", err)
	}
	// The bucket owner's object: no overwrite, copy over, form upload over,
	// delete, or DeleteObjects entry.
	azDenied(t, azPut(b, "shared", "owners", "clobbered"))
	_, err := b.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("shared"), Key: aws.String("owners"), CopySource: aws.String("shared/bees")})
	azDenied(t, err)
	status, _ := azPost(t, env, bRoot, "shared", "owners", []byte("clobbered"), nil, false)
	if status != http.StatusForbidden {
		t.Fatalf("form upload over the owner's object by a WRITE grantee: %d", status)
	}
	_, err = b.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("shared"), Key: aws.String("owners")})
	azDenied(t, err)
	out, err := b.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("shared"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("owners")}, {Key: aws.String("bees")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "owners" || aws.ToString(out.Errors[0].Code) != "AccessDenied" || len(out.Deleted) != 1 {
		t.Fatalf("DeleteObjects by a WRITE grantee: deleted %d, errors %+v", len(out.Deleted), out.Errors)
	}
	// Anonymous (AllUsers WRITE): new keys only.
	req, _ := http.NewRequest(http.MethodPut, env.URL+"/shared/anon-new", strings.NewReader("anon"))
	if status, body := azDo(t, env, req); status != http.StatusOK {
		t.Fatalf("anonymous PUT of a new key under public WRITE: %d %s", status, body)
	}
	req, _ = http.NewRequest(http.MethodPut, env.URL+"/shared/owners", strings.NewReader("anon clobber"))
	if status, _ := azDo(t, env, req); status != http.StatusForbidden {
		t.Fatalf("anonymous overwrite of the owner's object under public WRITE: %d", status)
	}
	req, _ = http.NewRequest(http.MethodDelete, env.URL+"/shared/owners", nil)
	if status, _ := azDo(t, env, req); status != http.StatusForbidden {
		t.Fatalf("anonymous delete of the owner's object under public WRITE: %d", status)
	}
	if body, err := azGet(c, "shared", "owners"); err != nil || body != "the owner's" {
		t.Fatalf("the owner's object after the attempts: %q %v", body, err)
	}
	// The bucket owner still deletes anything.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("shared"), Key: aws.String("anon-new")}); err != nil {
		t.Fatal(err)
	}
}
