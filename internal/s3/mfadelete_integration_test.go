package s3_test

import (
	"crypto/tls"
	"encoding/base32"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/mfa"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// virtualMFA creates a virtual MFA device in the default account and
// returns its serial number and secret.
func virtualMFA(t *testing.T, env *testenv.Env, name string) (string, []byte) {
	t.Helper()
	d := must[*iam.CreateVirtualMFADeviceOutput](t)(env.IAM.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})).VirtualMFADevice
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(d.Base32StringSeed))
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(d.SerialNumber), secret
}

// rootMFA creates a virtual MFA device and has the operator enable it for
// the account's root (`gatehouse mfa enable-root`: no API call does), and
// returns its serial number and secret.
func rootMFA(t *testing.T, env *testenv.Env, name string) (string, []byte) {
	t.Helper()
	serial, secret := virtualMFA(t, env, name)
	step := mfa.StepAt(time.Now())
	env.EnableRootMFA(serial, mfa.Code(secret, step-1), mfa.Code(secret, step))
	return serial, secret
}

// mfaOverHTTP lets tests send x-amz-mfa over plain HTTP.
func mfaOverHTTP(c *config.Config) { c.S3MFAAllowHTTP = true }

func wantMessage(t *testing.T, err error, status int, code, msg string) {
	t.Helper()
	wantStatusCode(t, err, status, code)
	if got := errMessage(err); got != msg {
		t.Fatalf("message %q, want %q", got, msg)
	}
}

// TestMFADelete: MFA Delete with Gatehouse's virtual MFA devices — only the
// bucket owner's root, with a code of a device enabled for it, may turn it on or off, change the versioning state, or
// permanently delete a version while it is on; a code works once.
func TestMFADelete(t *testing.T) {
	env := testenv.New(t, mfaOverHTTP)
	c := env.S3
	mkBucket(t, c, "guarded")
	bk := aws.String("guarded")
	setVersioning(t, c, "guarded", types.BucketVersioningStatusEnabled)
	// A device created but never enabled is nobody's, not the root's.
	loose, looseSecret := virtualMFA(t, env, "loose")
	env.Advance(mfa.Step)
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bk, MFA: aws.String(loose + " " + mfa.Code(looseSecret, mfa.StepAt(env.Now()))),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
	wantMessage(t, err, 400, "InvalidArgument", "Mfa header is invalid -- the header should be formatted as {serialNumber}(space){tokenCode}")
	serial, secret := rootMFA(t, env, "root-account-mfa-device")
	// next moves the clock to the next TOTP step and returns its x-amz-mfa.
	next := func() string {
		env.Advance(mfa.Step)
		return serial + " " + mfa.Code(secret, mfa.StepAt(env.Now()))
	}
	turnOn := func(header *string) error {
		_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bk, MFA: header,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
		return err
	}
	wantMessage(t, turnOn(nil), 403, "AccessDenied", "Mfa Authentication must be used for this request")
	wantMessage(t, turnOn(aws.String("no-space-here")), 400, "InvalidArgument", "Mfa header is invalid -- the header should be formatted as {serialNumber}(space){tokenCode}")
	wantMessage(t, turnOn(aws.String(serial+" 000000")), 400, "InvalidArgument", "Mfa header is invalid -- the header should be formatted as {serialNumber}(space){tokenCode}")

	// An IAM user allowed everything is not the bucket owner's root.
	admin := env.S3Client(azUser(t, env, env.IAM, "admin", azPolicy(azAllow("s3:*", "*"))))
	_, err = admin.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bk, MFA: aws.String(next()),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
	wantMessage(t, err, 403, "AccessDenied", "This operation may only be performed by the bucket owner")
	// Nor are the root's temporary credentials.
	st := must[*sts.GetSessionTokenOutput](t)(env.STS.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	rootSession := env.S3Client(env.Credentials(*st.Credentials.AccessKeyId, *st.Credentials.SecretAccessKey, *st.Credentials.SessionToken))
	_, err = rootSession.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bk, MFA: aws.String(next()),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
	wantStatusCode(t, err, 400, "InvalidRequest")

	code := next()
	if err := turnOn(aws.String(code)); err != nil {
		t.Fatalf("root with a code: %v", err)
	}
	if v := must[*s3.GetBucketVersioningOutput](t)(c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bk})); v.MFADelete != types.MFADeleteStatusEnabled || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning: %+v", v)
	}
	wantStatusCode(t, turnOn(aws.String(code)), 400, "InvalidArgument") // a code works once

	v1 := aws.ToString(put(t, c, "guarded", "k", "one").VersionId)
	put(t, c, "guarded", "k", "two")
	// A delete marker needs no code; permanent deletion does.
	must[*s3.DeleteObjectOutput](t)(admin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k")}))
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v1)})
	wantMessage(t, err, 403, "AccessDenied", "Mfa Authentication must be used for this request")
	_, err = admin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v1)})
	wantMessage(t, err, 403, "AccessDenied", "Mfa Authentication must be used for this request")
	_, err = admin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v1), MFA: aws.String(next())})
	wantMessage(t, err, 403, "AccessDenied", "This operation may only be performed by the bucket owner")
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bk, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("other")}, {Key: aws.String("k"), VersionId: aws.String(v1)}}}})
	wantMessage(t, err, 403, "AccessDenied", "Mfa Authentication must be used for this request")
	if body, _ := getVersion(t, c, "guarded", "k", v1); body != "one" {
		t.Fatalf("v1 after refused deletions: %q", body)
	}
	// A device enabled for an IAM user is not the root's.
	userSerial, userSecret := virtualMFA(t, env, "admin-device")
	step := mfa.StepAt(env.Now())
	must[*iam.EnableMFADeviceOutput](t)(env.IAM.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("admin"), SerialNumber: aws.String(userSerial),
		AuthenticationCode1: aws.String(mfa.Code(userSecret, step-1)), AuthenticationCode2: aws.String(mfa.Code(userSecret, step))}))
	env.Advance(mfa.Step)
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v1),
		MFA: aws.String(userSerial + " " + mfa.Code(userSecret, mfa.StepAt(env.Now())))})
	wantStatusCode(t, err, 400, "InvalidArgument")

	del := must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: aws.String(v1), MFA: aws.String(next())}))
	if aws.ToString(del.VersionId) != v1 {
		t.Fatalf("permanent delete with MFA: %+v", del)
	}
	// Changing the versioning state needs a code; turning MFA Delete off too.
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bk,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantMessage(t, err, 403, "AccessDenied", "Mfa Authentication must be used for this request")
	must[*s3.PutBucketVersioningOutput](t)(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bk, MFA: aws.String(next()),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended, MFADelete: types.MFADeleteDisabled}}))
	if v := must[*s3.GetBucketVersioningOutput](t)(c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bk})); v.MFADelete != types.MFADeleteStatusDisabled || v.Status != types.BucketVersioningStatusSuspended {
		t.Fatalf("versioning after turning MFA Delete off: %+v", v)
	}
	out := must[*s3.ListObjectVersionsOutput](t)(c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bk}))
	must[*s3.DeleteObjectOutput](t)(admin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bk, Key: aws.String("k"), VersionId: out.Versions[0].VersionId}))
}

const mfaInsecureMsg = "Requests specifying Mfa Authentication must be made over a secure connection."

// TestMFARequiresHTTPS: a request carrying x-amz-mfa over plain HTTP is
// refused (whether or not the bucket has MFA Delete) unless the server
// allows it; over HTTPS the same code works.
func TestMFARequiresHTTPS(t *testing.T) {
	certFile, keyFile, pool := testenv.SelfSignedCert(t)
	env := testenv.New(t, func(c *config.Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(hc.CloseIdleConnections)
	cfg := env.AWSConfig(env.Credentials(testenv.RootAccessKey, testenv.RootSecretKey, ""))
	cfg.BaseEndpoint = aws.String(strings.Replace(env.URL, "http://", "https://", 1))
	cfg.HTTPClient = hc
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	env.IAM = iam.NewFromConfig(cfg)

	mkBucket(t, c, "secure")
	setVersioning(t, c, "secure", types.BucketVersioningStatusEnabled)
	serial, secret := rootMFA(t, env, "root-account-mfa-device")
	env.Advance(mfa.Step)
	must[*s3.PutBucketVersioningOutput](t)(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("secure"),
		MFA:                     aws.String(serial + " " + mfa.Code(secret, mfa.StepAt(env.Now()))),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}}))

	// A second server, on plain HTTP.
	http1 := testenv.New(t)
	p := http1.S3
	mkBucket(t, p, "plain")
	setVersioning(t, p, "plain", types.BucketVersioningStatusEnabled)
	pserial, psecret := rootMFA(t, http1, "root-account-mfa-device")
	http1.Advance(mfa.Step)
	code := aws.String(pserial + " " + mfa.Code(psecret, mfa.StepAt(http1.Now())))
	_, err := p.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("plain"), MFA: code,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
	wantError(t, err, 400, "InvalidRequest", mfaInsecureMsg)
	if v := must[*s3.GetBucketVersioningOutput](t)(p.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("plain")})); v.MFADelete != "" {
		t.Fatalf("MFA Delete turned on over plain HTTP: %q", v.MFADelete)
	}
	// Any request carrying the header, MFA Delete or not.
	id := aws.ToString(put(t, p, "plain", "k", "v").VersionId)
	_, err = p.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("plain"), Key: aws.String("k"), VersionId: aws.String(id), MFA: code})
	wantError(t, err, 400, "InvalidRequest", mfaInsecureMsg)
	if body, _ := getVersion(t, p, "plain", "k", id); body != "v" {
		t.Fatalf("version after the refused delete: %q", body)
	}
}
