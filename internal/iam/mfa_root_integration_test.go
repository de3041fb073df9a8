package iam_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// noInputValidation lets a call leave out a member the SDK requires
// (EnableMFADevice's UserName).
func noInputValidation(o *iam.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		_, err := s.Initialize.Remove("OperationInputValidation")
		return err
	})
}

// enableRoot runs the operator's `gatehouse mfa enable-root` on env's
// data dir and returns its error.
func enableRoot(t *testing.T, env *testenv.Env, serial string, seed []byte, offset int64) error {
	t.Helper()
	admin, err := server.OpenAdmin(context.Background(), env.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	c1, c2 := codes(seed, offset)
	return admin.EnableRootMFADevice(context.Background(), env.Cfg.AccountID, serial, *c1, *c2)
}

func awsCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *awsapi.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

// TestRootMFADevice: the root's virtual MFA device is enabled only by the
// operator (`gatehouse mfa enable-root`, as AWS assigns it only in its
// console): no API call does it, not the root's own EnableMFADevice without
// a UserName, so stolen root keys cannot add a device and then pass MFA
// Delete. The device is then the root's (listed for the root, assigned,
// AccountMFAEnabled) until the root deactivates it. A device never enabled
// is nobody's.
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
	// No API caller enables it for the root: not an IAM user allowed
	// everything, not the root itself.
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin")}))
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})).AccessKey
	admin := env.IAMClient(env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, ""))
	for name, client := range map[string]*iam.Client{"an IAM user": admin, "the root": c} {
		a1, a2 := codes(seed, -1)
		_, err := client.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{SerialNumber: aws.String(serial), AuthenticationCode1: a1, AuthenticationCode2: a2}, noInputValidation)
		apiErr(t, err, "ValidationError", "")
		if accountMFA() != 0 {
			t.Fatalf("%s enabled the root's device through the API", name)
		}
	}
	// The operator does, with two good consecutive codes.
	c1, _ := codes(seed, -1)
	a := must(server.OpenAdmin(context.Background(), env.Cfg))
	err := a.EnableRootMFADevice(context.Background(), env.Cfg.AccountID, serial, *c1, "000000")
	a.Close()
	awsCode(t, err, "InvalidAuthenticationCode")
	if err := enableRoot(t, env, serial, seed, -1); err != nil {
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
	awsCode(t, enableRoot(t, env, serial, seed, 1), "EntityAlreadyExists")
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
