package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// noInputValidation lets a call leave out a member the SDK requires
// (EnableMFADevice's UserName, for the root's own device).
func noInputValidation(o *iam.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		_, err := s.Initialize.Remove("OperationInputValidation")
		return err
	})
}

// TestRootMFADevice: the root enables a virtual MFA device for itself by
// calling EnableMFADevice without a UserName; the device is then the
// root's (listed for the root, assigned, AccountMFAEnabled) until the root
// deactivates it. A device never enabled is nobody's.
func TestRootMFADevice(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	accountMFA := func() int32 {
		t.Helper()
		return must(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap["AccountMFAEnabled"]
	}
	rootDevices := func() []types.MFADevice {
		t.Helper()
		return must(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{})).MFADevices
	}
	serial, seed := newDevice(t, c, "root-account-mfa-device", "")
	if accountMFA() != 0 || len(rootDevices()) != 0 {
		t.Fatalf("a device never enabled counts as the root's: %d %+v", accountMFA(), rootDevices())
	}
	// An IAM user, even one allowed everything, names a user: leaving it
	// out is not the root's form.
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin")}))
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})).AccessKey
	admin := env.IAMClient(env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, ""))
	a1, a2 := codes(seed, -1)
	_, err := admin.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{SerialNumber: aws.String(serial), AuthenticationCode1: a1, AuthenticationCode2: a2}, noInputValidation)
	apiErr(t, err, "ValidationError", "")
	if accountMFA() != 0 {
		t.Fatal("an IAM user enabled the root's device")
	}
	enableRoot := func(offset int64) error {
		c1, c2 := codes(seed, offset)
		_, err := c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{SerialNumber: aws.String(serial), AuthenticationCode1: c1, AuthenticationCode2: c2}, noInputValidation)
		return err
	}
	c1, _ := codes(seed, -1)
	_, err = c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{SerialNumber: aws.String(serial), AuthenticationCode1: c1, AuthenticationCode2: aws.String("000000")}, noInputValidation)
	apiErr(t, err, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	if err := enableRoot(-1); err != nil {
		t.Fatal(err)
	}
	if ds := rootDevices(); len(ds) != 1 || aws.ToString(ds[0].SerialNumber) != serial || ds[0].EnableDate == nil {
		t.Fatalf("the root's devices: %+v", ds)
	}
	if accountMFA() != 1 {
		t.Fatal("AccountMFAEnabled after enabling the root's device")
	}
	assigned := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})).VirtualMFADevices
	if len(assigned) != 1 || aws.ToString(assigned[0].SerialNumber) != serial || assigned[0].EnableDate == nil {
		t.Fatalf("assigned devices: %+v", assigned)
	}
	apiErr(t, enableRoot(1), "EntityAlreadyExists", "MFA Device is already in use.")
	_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	apiErr(t, err, "DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.")
	// A user's listing does not show it.
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	if ds := must(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")})).MFADevices; len(ds) != 0 {
		t.Fatalf("alice's devices: %+v", ds)
	}
	_, err = c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)})
	apiErr(t, err, "NoSuchEntity", "MFA Device invalid for user.")

	must(c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: aws.String(serial)}))
	if accountMFA() != 0 || len(rootDevices()) != 0 {
		t.Fatalf("after deactivating: %d %+v", accountMFA(), rootDevices())
	}
	must(c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}))
}
