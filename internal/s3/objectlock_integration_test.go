package s3_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

const lockedMsg = "Access Denied because object protected by object lock."

// bypassGovernance adds x-amz-bypass-governance-retention: true to a
// request whose SDK input has no field for it.
func bypassGovernance(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("x-amz-bypass-governance-retention", "true"))
}

func lockBucket(t *testing.T, c *s3.Client, name string) {
	t.Helper()
	must[*s3.CreateBucketOutput](t)(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectLockEnabledForBucket: aws.Bool(true)}))
}

func putLocked(t *testing.T, c *s3.Client, bucket, key string, mode types.ObjectLockMode, until time.Time) string {
	t.Helper()
	out := must[*s3.PutObjectOutput](t)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: strings.NewReader("data of " + key), ObjectLockMode: mode, ObjectLockRetainUntilDate: aws.Time(until),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
	return aws.ToString(out.VersionId)
}

func deleteVersion(c *s3.Client, bucket, key, id string, opts ...func(*s3.Options)) error {
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(id)}, opts...)
	return err
}

func putRetention(c *s3.Client, bucket, key, id string, mode types.ObjectLockRetentionMode, until time.Time, opts ...func(*s3.Options)) error {
	_, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(id),
		Retention: &types.ObjectLockRetention{Mode: mode, RetainUntilDate: aws.Time(until)}}, opts...)
	return err
}

func wantLocked(t *testing.T, err error, what string) {
	t.Helper()
	wantStatusCode(t, err, 403, "AccessDenied")
	if errMessage(err) != lockedMsg {
		t.Fatalf("%s: message %q, want %q", what, errMessage(err), lockedMsg)
	}
}

// TestObjectLockComplianceBackupBucket is a backup tool's write-once
// bucket: Object Lock at creation, a COMPLIANCE default retention, and
// neither the account's root nor an administrator allowed s3:* (which
// includes s3:BypassGovernanceRetention) can delete a locked version or
// shorten, weaken or remove its retention, with or without the bypass
// header; extending works; a DELETE without a version id only adds a
// delete marker; once the server's clock passes the date the version can
// be deleted.
func TestObjectLockComplianceBackupBucket(t *testing.T) {
	env := testenv.New(t)
	root := env.S3
	admin := env.S3Client(azUser(t, env, env.IAM, "admin", azPolicy(azAllow("s3:*", "*"))))
	lockBucket(t, root, "backups")
	bk := aws.String("backups")
	if v := must[*s3.GetBucketVersioningOutput](t)(root.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bk})); v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning of a lock bucket: %q", v.Status)
	}
	cfg := must[*s3.GetObjectLockConfigurationOutput](t)(root.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: bk}))
	if cfg.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled || cfg.ObjectLockConfiguration.Rule != nil {
		t.Fatalf("lock configuration at creation: %+v", cfg.ObjectLockConfiguration)
	}
	_, err := root.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bk,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantStatusCode(t, err, 409, "InvalidBucketState")
	if errMessage(err) != "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed." {
		t.Fatalf("suspending: %v", err)
	}
	must[*s3.PutObjectLockConfigurationOutput](t)(root.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: bk,
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeCompliance, Days: aws.Int32(1)}}}}))
	cfg = must[*s3.GetObjectLockConfigurationOutput](t)(root.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: bk}))
	if r := cfg.ObjectLockConfiguration.Rule; r == nil || r.DefaultRetention.Mode != types.ObjectLockRetentionModeCompliance || aws.ToInt32(r.DefaultRetention.Days) != 1 {
		t.Fatalf("default retention: %+v", cfg.ObjectLockConfiguration.Rule)
	}

	// The default retention: a day from the write.
	v1 := aws.ToString(put(t, root, "backups", "snap/1", "snapshot one").VersionId)
	head := must[*s3.HeadObjectOutput](t)(root.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bk, Key: aws.String("snap/1")}))
	until := aws.ToTime(head.ObjectLockRetainUntilDate)
	if head.ObjectLockMode != types.ObjectLockModeCompliance || !until.Equal(aws.ToTime(head.LastModified).Add(24*time.Hour)) &&
		until.Sub(aws.ToTime(head.LastModified)) > 24*time.Hour+time.Second {
		t.Fatalf("HEAD of a default-retention version: mode %q until %v modified %v", head.ObjectLockMode, until, aws.ToTime(head.LastModified))
	}
	ret := must[*s3.GetObjectRetentionOutput](t)(root.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: bk, Key: aws.String("snap/1"), VersionId: aws.String(v1)}))
	if ret.Retention.Mode != types.ObjectLockRetentionModeCompliance || !aws.ToTime(ret.Retention.RetainUntilDate).Equal(until) {
		t.Fatalf("GetObjectRetention: %+v", ret.Retention)
	}

	for name, c := range map[string]*s3.Client{"root": root, "admin": admin} {
		wantLocked(t, deleteVersion(c, "backups", "snap/1", v1), name+" deletes the version")
		wantLocked(t, deleteVersion(c, "backups", "snap/1", v1, bypassGovernance), name+" deletes the version bypassing governance")
		wantLocked(t, putRetention(c, "backups", "snap/1", v1, types.ObjectLockRetentionModeCompliance, until.Add(-time.Hour)), name+" shortens")
		wantLocked(t, putRetention(c, "backups", "snap/1", v1, types.ObjectLockRetentionModeCompliance, until.Add(-time.Hour), bypassGovernance), name+" shortens bypassing")
		wantLocked(t, putRetention(c, "backups", "snap/1", v1, types.ObjectLockRetentionModeGovernance, until.Add(time.Hour), bypassGovernance), name+" weakens to GOVERNANCE")
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bk, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("snap/1"), VersionId: aws.String(v1)}}}}, bypassGovernance)
		if err != nil || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" || aws.ToString(out.Errors[0].Message) != lockedMsg || len(out.Deleted) != 0 {
			t.Fatalf("%s DeleteObjects of the version: %+v %v", name, out, err)
		}
	}
	// Extending works, for anyone allowed s3:PutObjectRetention.
	until = until.Add(48 * time.Hour).Truncate(time.Second)
	if err := putRetention(admin, "backups", "snap/1", v1, types.ObjectLockRetentionModeCompliance, until); err != nil {
		t.Fatalf("extending: %v", err)
	}
	wantLocked(t, putRetention(root, "backups", "snap/1", v1, types.ObjectLockRetentionModeCompliance, until.Add(-time.Second)), "shortening the extension")
	// A DELETE without a version id adds a delete marker; the version stays.
	del := must[*s3.DeleteObjectOutput](t)(root.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("snap/1")}))
	if !aws.ToBool(del.DeleteMarker) {
		t.Fatalf("DELETE without a version: %+v", del)
	}
	if body, _ := getVersion(t, root, "backups", "snap/1", v1); body != "snapshot one" {
		t.Fatalf("the locked version after the delete marker: %q", body)
	}
	// DeleteBucket refuses while versions exist.
	_, err = root.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: bk})
	wantStatusCode(t, err, 409, "BucketNotEmpty")

	// An explicit short COMPLIANCE retention: locked until the server's
	// clock passes it, then deletable.
	short := env.Now().Add(5 * time.Minute).Truncate(time.Second)
	v2 := putLocked(t, root, "backups", "snap/2", types.ObjectLockModeCompliance, short)
	wantLocked(t, deleteVersion(admin, "backups", "snap/2", v2, bypassGovernance), "before the date")
	env.Advance(5*time.Minute + time.Second)
	if err := deleteVersion(admin, "backups", "snap/2", v2); err != nil {
		t.Fatalf("deleting after the date: %v", err)
	}
	wantLocked(t, deleteVersion(root, "backups", "snap/1", v1), "the extended version")
}

// TestObjectLockGovernanceAndLegalHold: GOVERNANCE retention yields only
// to the bypass header together with s3:BypassGovernanceRetention; a legal
// hold blocks deletion whatever the mode until it is turned off.
func TestObjectLockGovernanceAndLegalHold(t *testing.T) {
	env := testenv.New(t)
	root := env.S3
	writer := env.S3Client(azUser(t, env, env.IAM, "writer", azPolicy(azAllow([]string{"s3:PutObject", "s3:GetObject*", "s3:DeleteObject*",
		"s3:PutObjectRetention", "s3:PutObjectLegalHold"}, "*"))))
	lockBucket(t, root, "gov")
	until := env.Now().Add(10 * time.Minute).Truncate(time.Second)
	v := putLocked(t, root, "gov", "k", types.ObjectLockModeGovernance, until)

	wantLocked(t, deleteVersion(writer, "gov", "k", v), "without the header")
	_, err := writer.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("gov"), Key: aws.String("k"), VersionId: aws.String(v)}, bypassGovernance)
	wantStatusCode(t, err, 403, "AccessDenied") // the header without s3:BypassGovernanceRetention
	if errMessage(err) == lockedMsg {
		t.Fatalf("the header without the permission was answered as a lock: %v", err)
	}
	wantLocked(t, putRetention(writer, "gov", "k", v, types.ObjectLockRetentionModeGovernance, until.Add(-time.Minute)), "shortening without the header")
	// Extending GOVERNANCE needs no bypass; turning it into COMPLIANCE
	// does (S3 asks for it).
	if err := putRetention(writer, "gov", "k", v, types.ObjectLockRetentionModeGovernance, until.Add(time.Minute)); err != nil {
		t.Fatalf("extending governance: %v", err)
	}
	wantLocked(t, putRetention(writer, "gov", "k", v, types.ObjectLockRetentionModeCompliance, until.Add(2*time.Minute)), "governance to compliance without the bypass")
	// Root may bypass: shorten, then the legal hold blocks even that.
	if err := putRetention(root, "gov", "k", v, types.ObjectLockRetentionModeGovernance, until, bypassGovernance); err != nil {
		t.Fatalf("root shortening governance with the header: %v", err)
	}
	must[*s3.PutObjectLegalHoldOutput](t)(writer.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("gov"), Key: aws.String("k"),
		VersionId: aws.String(v), LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}}))
	head := must[*s3.HeadObjectOutput](t)(root.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("gov"), Key: aws.String("k")}))
	if head.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn || head.ObjectLockMode != types.ObjectLockModeGovernance {
		t.Fatalf("HEAD of a held version: %+v", head)
	}
	wantLocked(t, deleteVersion(root, "gov", "k", v, bypassGovernance), "a held version")
	lh := must[*s3.GetObjectLegalHoldOutput](t)(root.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("gov"), Key: aws.String("k"), VersionId: aws.String(v)}))
	if lh.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("GetObjectLegalHold: %+v", lh.LegalHold)
	}
	must[*s3.PutObjectLegalHoldOutput](t)(writer.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("gov"), Key: aws.String("k"),
		VersionId: aws.String(v), LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}))
	if err := deleteVersion(root, "gov", "k", v, bypassGovernance); err != nil {
		t.Fatalf("root deleting governance with the header: %v", err)
	}
	// A legal hold alone, without retention, also blocks deletion.
	out := must[*s3.PutObjectOutput](t)(root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("gov"), Key: aws.String("h"), Body: strings.NewReader("x"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn, ChecksumAlgorithm: types.ChecksumAlgorithmSha256}))
	wantLocked(t, deleteVersion(root, "gov", "h", aws.ToString(out.VersionId), bypassGovernance), "a legal hold alone")
	_, err = root.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("gov"), Key: aws.String("h")})
	wantStatusCode(t, err, 404, "NoSuchObjectLockConfiguration")

	// A multipart upload carries its lock to the object it completes.
	id := createUpload(t, root, &s3.CreateMultipartUploadInput{Bucket: aws.String("gov"), Key: aws.String("mp"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(until), ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	etag := uploadPart(t, root, "gov", "mp", id, 1, []byte("part"))
	done, err := complete(root, "gov", "mp", id, &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(etag)}}})
	if err != nil {
		t.Fatal(err)
	}
	head = must[*s3.HeadObjectOutput](t)(root.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("gov"), Key: aws.String("mp")}))
	if head.ObjectLockMode != types.ObjectLockModeGovernance || !aws.ToTime(head.ObjectLockRetainUntilDate).Equal(until) ||
		head.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("a completed multipart upload's lock: %+v", head)
	}
	wantLocked(t, deleteVersion(root, "gov", "mp", aws.ToString(done.VersionId), bypassGovernance), "a held multipart object")
}

// TestObjectLockValidation: S3's answers to malformed or misplaced Object
// Lock requests.
func TestObjectLockValidation(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "plain")
	lockBucket(t, c, "locked")
	future := env.Now().Add(time.Hour)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plain"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(future)})
	wantStatusCode(t, err, 400, "InvalidRequest")
	if errMessage(err) != "Bucket is missing Object Lock Configuration" {
		t.Fatalf("lock headers on a plain bucket: %v", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("locked"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance})
	wantStatusCode(t, err, 400, "InvalidArgument")
	if errMessage(err) != "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied" {
		t.Fatalf("mode without a date: %v", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("locked"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(env.Now().Add(-time.Minute))})
	wantStatusCode(t, err, 400, "InvalidArgument")
	if errMessage(err) != "The retain until date must be in the future!" {
		t.Fatalf("a past date: %v", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("locked"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockMode: "FOREVER", ObjectLockRetainUntilDate: aws.Time(future)})
	wantStatusCode(t, err, 400, "InvalidArgument")
	// Lock parameters need Content-MD5 or a checksum.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("locked"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOff})
	wantStatusCode(t, err, 400, "InvalidRequest")
	if errMessage(err) != "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters" {
		t.Fatalf("lock parameters without a digest: %v", err)
	}
	_, err = c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("plain")})
	wantStatusCode(t, err, 404, "ObjectLockConfigurationNotFoundError")
	put(t, c, "plain", "k", "x")
	_, err = c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("plain"), Key: aws.String("k")})
	wantStatusCode(t, err, 400, "InvalidRequest")
	put(t, c, "locked", "k", "x")
	_, err = c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("locked"), Key: aws.String("k")})
	wantStatusCode(t, err, 404, "NoSuchObjectLockConfiguration")
	// A legal hold never set is not OFF: it is absent.
	_, err = c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("locked"), Key: aws.String("k")})
	wantStatusCode(t, err, 404, "NoSuchObjectLockConfiguration")
	must[*s3.PutObjectLegalHoldOutput](t)(c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("locked"), Key: aws.String("k"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}))
	lh := must[*s3.GetObjectLegalHoldOutput](t)(c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("locked"), Key: aws.String("k")}))
	if lh.LegalHold.Status != types.ObjectLockLegalHoldStatusOff {
		t.Fatalf("a legal hold turned off: %+v", lh.LegalHold)
	}
	if h := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("locked"), Key: aws.String("k")})); h.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOff {
		t.Fatalf("HEAD after the hold was turned off: %q", h.ObjectLockLegalHoldStatus)
	}
	rule := func(days, years *int32) error {
		_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("locked"),
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
				Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: days, Years: years}}}})
		return err
	}
	wantStatusCode(t, rule(aws.Int32(1), aws.Int32(1)), 400, "MalformedXML")
	err = rule(aws.Int32(0), nil)
	wantStatusCode(t, err, 400, "InvalidArgument")
	if errMessage(err) != "Default retention period must be a positive integer value" {
		t.Fatalf("zero days: %v", err)
	}
	// Enabling Object Lock on an existing bucket needs versioning enabled.
	enable := func(b string) error {
		_, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(b),
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}})
		return err
	}
	wantStatusCode(t, enable("plain"), 409, "InvalidBucketState")
	setVersioning(t, c, "plain", types.BucketVersioningStatusEnabled)
	if err := enable("plain"); err != nil {
		t.Fatalf("enabling Object Lock on a versioned bucket: %v", err)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("plain"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantStatusCode(t, err, 409, "InvalidBucketState")
}

// TestObjectLockConditionKeys: policies see a write's lock
// (s3:object-lock-mode, s3:object-lock-legal-hold) and a retention's
// remaining days (s3:object-lock-remaining-retention-days).
func TestObjectLockConditionKeys(t *testing.T) {
	env := testenv.New(t)
	lockBucket(t, env.S3, "cond")
	c := env.S3Client(azUser(t, env, env.IAM, "archiver", azPolicy(
		azS{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*", "Condition": map[string]any{
			"StringEquals": map[string]string{"s3:object-lock-mode": "COMPLIANCE"}}},
		azS{"Effect": "Allow", "Action": "s3:PutObjectRetention", "Resource": "*", "Condition": map[string]any{
			"NumericGreaterThanEquals": map[string]string{"s3:object-lock-remaining-retention-days": "2"}}},
		azS{"Effect": "Allow", "Action": "s3:PutObjectLegalHold", "Resource": "*", "Condition": map[string]any{
			"StringEquals": map[string]string{"s3:object-lock-legal-hold": "ON"}}},
		azAllow([]string{"s3:GetObject", "s3:ListBucket"}, "*"))))
	soon := env.Now().Add(10 * time.Minute).Truncate(time.Second)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("g"), Body: strings.NewReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(soon), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	wantStatusCode(t, err, 403, "AccessDenied")
	// A write's retention is also s3:PutObjectRetention, with its remaining days.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: aws.Time(soon), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	wantStatusCode(t, err, 403, "AccessDenied")
	v := putLocked(t, c, "cond", "k", types.ObjectLockModeCompliance, soon.Add(50*time.Hour))
	wantStatusCode(t, putRetention(c, "cond", "k", v, types.ObjectLockRetentionModeCompliance, soon.Add(time.Hour)), 403, "AccessDenied")
	if err := putRetention(c, "cond", "k", v, types.ObjectLockRetentionModeCompliance, soon.Add(72*time.Hour)); err != nil {
		t.Fatalf("a retention of three days: %v", err)
	}
	hold := func(s types.ObjectLockLegalHoldStatus) error {
		_, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("cond"), Key: aws.String("k"), VersionId: aws.String(v),
			LegalHold: &types.ObjectLockLegalHold{Status: s}})
		return err
	}
	if err := hold(types.ObjectLockLegalHoldStatusOn); err != nil {
		t.Fatal(err)
	}
	wantStatusCode(t, hold(types.ObjectLockLegalHoldStatusOff), 403, "AccessDenied")

	// GET and HEAD show the lock only to callers allowed to read it.
	head := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k")}))
	if head.ObjectLockMode != "" || head.ObjectLockRetainUntilDate != nil || head.ObjectLockLegalHoldStatus != "" {
		t.Fatalf("HEAD without s3:GetObjectRetention / s3:GetObjectLegalHold shows the lock: %+v", head)
	}
	head = must[*s3.HeadObjectOutput](t)(env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k")}))
	if head.ObjectLockMode != types.ObjectLockModeCompliance || head.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("HEAD as root: %+v", head)
	}
}
