package s3_test

import (
	"crypto/md5"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestPostObjectLock: a browser form upload's x-amz-object-lock-* fields
// lock the new version as PutObject's headers do: the same validation, and
// s3:PutObjectRetention / s3:PutObjectLegalHold beside s3:PutObject.
func TestPostObjectLock(t *testing.T) {
	env := testenv.New(t)
	root := env.S3
	lockBucket(t, root, "plock")
	until := env.Now().Add(time.Hour).UTC().Truncate(time.Second)
	date := until.Format(time.RFC3339)

	status, body := rootForm{bucket: "plock", key: "gov", fields: [][2]string{
		{"x-amz-object-lock-mode", "GOVERNANCE"}, {"x-amz-object-lock-retain-until-date", date}, {"x-amz-object-lock-legal-hold", "ON"}}}.post(t, env, []byte("locked"))
	if status != 204 {
		t.Fatalf("a locked form upload: %d %s", status, body)
	}
	ret := must[*s3.GetObjectRetentionOutput](t)(root.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("plock"), Key: aws.String("gov")}))
	if ret.Retention.Mode != types.ObjectLockRetentionModeGovernance || !ret.Retention.RetainUntilDate.Equal(until) {
		t.Fatalf("retention %+v, want GOVERNANCE until %v", ret.Retention, until)
	}
	hold := must[*s3.GetObjectLegalHoldOutput](t)(root.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String("plock"), Key: aws.String("gov")}))
	if hold.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("legal hold %+v", hold.LegalHold)
	}
	head := must[*s3.HeadObjectOutput](t)(root.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("plock"), Key: aws.String("gov")}))
	wantLocked(t, deleteVersion(root, "plock", "gov", aws.ToString(head.VersionId)), "a version locked by its form")

	// The fields are validated as PutObject's headers.
	for _, tc := range []struct {
		fields [][2]string
		msg    string
	}{
		{[][2]string{{"x-amz-object-lock-mode", "GOVERNANCE"}}, "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"},
		{[][2]string{{"x-amz-object-lock-retain-until-date", date}}, "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"},
		{[][2]string{{"x-amz-object-lock-mode", "FOREVER"}, {"x-amz-object-lock-retain-until-date", date}}, "Unknown wormMode directive."},
		{[][2]string{{"x-amz-object-lock-mode", "COMPLIANCE"}, {"x-amz-object-lock-retain-until-date", "tomorrow"}}, "The retain until date must be provided in ISO 8601 format"},
		{[][2]string{{"x-amz-object-lock-mode", "COMPLIANCE"}, {"x-amz-object-lock-retain-until-date", env.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}}, "The retain until date must be in the future!"},
		{[][2]string{{"x-amz-object-lock-legal-hold", "YES"}}, "Legal Hold must be either of 'ON' or 'OFF'"},
	} {
		status, body := rootForm{bucket: "plock", key: "bad", fields: tc.fields}.post(t, env, []byte("x"))
		if status != 400 || !strings.Contains(body, "<Code>InvalidArgument</Code>") || !strings.Contains(body, "<Message>"+strings.ReplaceAll(tc.msg, "'", "&#39;")+"</Message>") {
			t.Errorf("%v: %d %s, want InvalidArgument %q", tc.fields, status, body, tc.msg)
		}
	}
	wantNoObject(t, root, "plock", "bad")

	// Authorization: s3:PutObject alone does not lock.
	retention := map[string]string{"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": date}
	legalHold := map[string]string{"x-amz-object-lock-legal-hold": "ON"}
	putOnly := azUser(t, env, env.IAM, "put-only", azPolicy(azAllow("s3:PutObject", "*")))
	retainer := azUser(t, env, env.IAM, "retainer", azPolicy(azAllow([]string{"s3:PutObject", "s3:PutObjectRetention"}, "*")))
	holder := azUser(t, env, env.IAM, "holder", azPolicy(azAllow([]string{"s3:PutObject", "s3:PutObjectLegalHold"}, "*")))
	for _, tc := range []struct {
		who    string
		creds  aws.CredentialsProvider
		fields map[string]string
		status int
	}{
		{"put-only, retention", putOnly, retention, 403},
		{"put-only, legal hold", putOnly, legalHold, 403},
		{"retainer, retention", retainer, retention, 204},
		{"retainer, legal hold", retainer, legalHold, 403},
		{"holder, legal hold", holder, legalHold, 204},
		{"holder, retention", holder, retention, 403},
		{"put-only, no lock", putOnly, nil, 204},
	} {
		key := "uploads/" + strings.NewReplacer(",", "", " ", "-").Replace(tc.who)
		status, body := azPost(t, env, tc.creds, "plock", key, []byte("x"), tc.fields, false)
		if tc.status == 403 {
			azWantXML(t, status, body, 403, "AccessDenied")
			wantNoObject(t, root, "plock", key)
			continue
		}
		if status != tc.status {
			t.Fatalf("%s: %d %s", tc.who, status, body)
		}
	}
	// The same holds for PutObject's headers.
	_, err := env.S3Client(putOnly).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plock"), Key: aws.String("put"), Body: strings.NewReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(until), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	wantStatusCode(t, err, 403, "AccessDenied")
	_, err = env.S3Client(putOnly).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plock"), Key: aws.String("put"), Body: strings.NewReader("x"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	wantStatusCode(t, err, 403, "AccessDenied")
	wantNoObject(t, root, "plock", "put")
	must[*s3.PutObjectOutput](t)(env.S3Client(retainer).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plock"), Key: aws.String("put"), Body: strings.NewReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(until), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
}

// TestPostObjectLockPolicyCondition: the form's policy governs the lock
// fields like any other: a condition on the mode must hold, and a lock
// field the policy does not name is an extra input field.
func TestPostObjectLockPolicyCondition(t *testing.T) {
	env := testenv.New(t)
	lockBucket(t, env.S3, "pcond")
	date := env.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	f := rootForm{bucket: "pcond", key: "k", fields: [][2]string{{"x-amz-object-lock-mode", "GOVERNANCE"}, {"x-amz-object-lock-retain-until-date", date}}}
	status, body := f.postWith(t, env, []byte("x"), func(conds []any) []any {
		for i, c := range conds {
			if m, ok := c.(map[string]string); ok && m["x-amz-object-lock-mode"] != "" {
				conds[i] = map[string]string{"x-amz-object-lock-mode": "COMPLIANCE"}
			}
		}
		return conds
	})
	if status != 403 || !strings.Contains(body, "Policy Condition failed") {
		t.Fatalf("a mode the policy does not allow: %d %s", status, body)
	}
	status, body = f.postWith(t, env, []byte("x"), func(conds []any) []any {
		var out []any
		for _, c := range conds {
			if m, ok := c.(map[string]string); !ok || m["x-amz-object-lock-retain-until-date"] == "" {
				out = append(out, c)
			}
		}
		return out
	})
	if status != 403 || !strings.Contains(body, "Extra input fields: x-amz-object-lock-retain-until-date") {
		t.Fatalf("a lock field the policy does not name: %d %s", status, body)
	}
	wantNoObject(t, env.S3, "pcond", "k")
}

// postWith posts the form with its policy's conditions edited.
func (f rootForm) postWith(t *testing.T, env *testenv.Env, file []byte, edit func([]any) []any) (int, string) {
	t.Helper()
	f.conds = edit
	return f.post(t, env, file)
}

// TestPostContentMD5: a form's Content-MD5 field is checked against the
// file, as PutObject's header is against the body.
func TestPostContentMD5(t *testing.T) {
	env := testenv.New(t)
	lockBucket(t, env.S3, "pmd5")
	file := []byte("form file")
	sum := md5.Sum(file)
	good := base64.StdEncoding.EncodeToString(sum[:])
	other := md5.Sum([]byte("something else"))
	for _, tc := range []struct {
		md5, key, code string
		status         int
	}{
		{good, "good", "", 204},
		{base64.StdEncoding.EncodeToString(other[:]), "wrong", "BadDigest", 400},
		{"not-base64!", "invalid", "InvalidDigest", 400},
	} {
		status, body := rootForm{bucket: "pmd5", key: tc.key, fields: [][2]string{{"Content-MD5", tc.md5},
			{"x-amz-object-lock-legal-hold", "OFF"}}}.post(t, env, file)
		if tc.code == "" {
			if status != tc.status {
				t.Fatalf("%s: %d %s", tc.key, status, body)
			}
			continue
		}
		azWantXML(t, status, body, tc.status, tc.code)
		wantNoObject(t, env.S3, "pmd5", tc.key)
	}
}
