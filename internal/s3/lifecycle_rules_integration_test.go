package s3_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/mfa"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestLifecycleActionRules: the checks between a rule's actions, through
// the SDK, with S3's codes and messages.
func TestLifecycleActionRules(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "lcr")
	put := func(r types.LifecycleRule) error {
		_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcr"),
			LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{r}}})
		return err
	}
	tr := func(days int32, class types.TransitionStorageClass) types.Transition {
		return types.Transition{Days: aws.Int32(days), StorageClass: class}
	}
	for _, tc := range []struct {
		name   string
		edit   func(r *types.LifecycleRule)
		status int
		code   string
		msg    string
	}{
		{"expiration not after transition", func(r *types.LifecycleRule) {
			r.Expiration = &types.LifecycleExpiration{Days: aws.Int32(30)}
			r.Transitions = []types.Transition{tr(30, types.TransitionStorageClassStandardIa)}
		}, 400, "InvalidArgument", "'Days' in the Expiration action for filter '(prefix=logs/)' must be greater than 'Days' in the Transition action"},
		{"standard-ia too soon", func(r *types.LifecycleRule) {
			r.Transitions = []types.Transition{tr(7, types.TransitionStorageClassStandardIa)}
		}, 400, "InvalidArgument", "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"},
		{"noncurrent expiration not after transition", func(r *types.LifecycleRule) {
			r.NoncurrentVersionExpiration = &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(10)}
			r.NoncurrentVersionTransitions = []types.NoncurrentVersionTransition{{NoncurrentDays: aws.Int32(10), StorageClass: types.TransitionStorageClassGlacier}}
		}, 400, "InvalidArgument", "'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '(prefix=logs/)' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action"},
		{"abort with a size filter", func(r *types.LifecycleRule) {
			r.Filter = &types.LifecycleRuleFilter{ObjectSizeGreaterThan: aws.Int64(1024)}
			r.AbortIncompleteMultipartUpload = &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}
		}, 400, "InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Object Size."},
		{"abort with a tag filter", func(r *types.LifecycleRule) {
			r.Filter = &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("k"), Value: aws.String("v")}}
			r.AbortIncompleteMultipartUpload = &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}
		}, 400, "InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags."},
		{"size bound", func(r *types.LifecycleRule) {
			r.Filter = &types.LifecycleRuleFilter{ObjectSizeLessThan: aws.Int64(0)}
			r.Expiration = &types.LifecycleExpiration{Days: aws.Int32(1)}
		}, 400, "InvalidRequest", "'ObjectSizeLessThan' should be between 1 and 1099511627776000."},
		{"unknown transition class", func(r *types.LifecycleRule) {
			r.Transitions = []types.Transition{tr(30, "COLD")}
		}, 400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"},
	} {
		r := prefixRule("r", "logs/")
		tc.edit(&r)
		err := put(r)
		if err == nil {
			t.Fatalf("%s: accepted", tc.name)
		}
		wantError(t, err, tc.status, tc.code, tc.msg)
	}
	_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcr"),
		TransitionDefaultMinimumObjectSize: "all_storage_classes_1K",
		LifecycleConfiguration:             &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{prefixRule("r", "")}}})
	wantError(t, err, 400, "InvalidRequest", "Invalid TransitionDefaultMinimumObjectSize found: all_storage_classes_1K")
	ok := prefixRule("r", "logs/")
	ok.Transitions = []types.Transition{tr(30, types.TransitionStorageClassStandardIa), tr(60, types.TransitionStorageClassGlacier)}
	ok.Expiration = &types.LifecycleExpiration{Days: aws.Int32(61)}
	if err := put(ok); err != nil {
		t.Fatalf("a valid waterfall: %v", err)
	}
}

// TestLifecycleAndMFADelete: S3 has no lifecycle configuration on a bucket
// with MFA Delete, nor MFA Delete on a bucket with a lifecycle
// configuration.
func TestLifecycleAndMFADelete(t *testing.T) {
	env := testenv.New(t, mfaOverHTTP)
	c := env.S3
	mkBucket(t, c, "mfalc")
	bk := aws.String("mfalc")
	setVersioning(t, c, "mfalc", types.BucketVersioningStatusEnabled)
	serial, secret := rootMFA(t, env, "root-account-mfa-device")
	next := func() *string {
		env.Advance(mfa.Step)
		return aws.String(serial + " " + mfa.Code(secret, mfa.StepAt(env.Now())))
	}
	mfaDelete := func(state types.MFADelete) error {
		_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bk, MFA: next(),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: state}})
		return err
	}
	r := prefixRule("r", "")
	r.Expiration = &types.LifecycleExpiration{Days: aws.Int32(1)}
	putLifecycle(t, c, "mfalc", r)
	wantError(t, mfaDelete(types.MFADeleteEnabled), 409, "InvalidBucketState",
		"Mfa Authentication is not supported on a bucket with lifecycle configuration. Delete lifecycle configuration before enabling Mfa Authentication.")
	if v := must[*s3.GetBucketVersioningOutput](t)(c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bk})); v.MFADelete != "" {
		t.Fatalf("MFA Delete after the refusal: %q", v.MFADelete)
	}
	must[*s3.DeleteBucketLifecycleOutput](t)(c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: bk}))
	if err := mfaDelete(types.MFADeleteEnabled); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: bk,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{r}}})
	wantError(t, err, 409, "InvalidBucketState",
		"Lifecycle configuration is not supported on a bucket with Mfa Authentication. Disable Mfa Authentication before setting a lifecycle configuration.")
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bk})
	wantCode(t, err, "NoSuchLifecycleConfiguration")
	// Once MFA Delete is off, a configuration is accepted again.
	if err := mfaDelete(types.MFADeleteDisabled); err != nil {
		t.Fatal(err)
	}
	putLifecycle(t, c, "mfalc", r)
}
