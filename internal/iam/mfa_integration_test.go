package iam_test

import (
	"bytes"
	"encoding/base32"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/mfa"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// newDevice creates a virtual MFA device and returns its serial number and
// TOTP secret (decoded from Base32StringSeed, as an authenticator app would).
func newDevice(t *testing.T, c *iam.Client, name, path string) (string, []byte) {
	t.Helper()
	in := &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)}
	if path != "" {
		in.Path = aws.String(path)
	}
	d := must(c.CreateVirtualMFADevice(ctx, in)).VirtualMFADevice
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(d.Base32StringSeed))
	if err != nil {
		t.Fatalf("Base32StringSeed %q: %v", d.Base32StringSeed, err)
	}
	return *d.SerialNumber, seed
}

// codes returns the codes of two consecutive steps, the first from offset
// steps away from now.
func codes(seed []byte, offset int64) (*string, *string) {
	step := mfa.StepAt(time.Now()) + offset
	return aws.String(mfa.Code(seed, step)), aws.String(mfa.Code(seed, step+1))
}

func enable(c *iam.Client, user, serial string, seed []byte, offset int64) error {
	c1, c2 := codes(seed, offset)
	_, err := c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(serial),
		AuthenticationCode1: c1, AuthenticationCode2: c2})
	return err
}

func TestVirtualMFADeviceLifecycle(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	for _, n := range []string{"alice", "bob"} {
		must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)}))
	}

	// Create: serial number, seed and QR code.
	out := must(c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone"),
		Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("alice")}}})).VirtualMFADevice
	serial := "arn:aws:iam::" + acct + ":mfa/alice-phone"
	if *out.SerialNumber != serial || len(out.Tags) != 1 {
		t.Fatalf("CreateVirtualMFADevice: %+v", out)
	}
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(out.Base32StringSeed))
	if err != nil || len(seed) != mfa.SecretSize {
		t.Fatalf("seed %q: %v (%d bytes)", out.Base32StringSeed, err, len(seed))
	}
	img, err := png.Decode(bytes.NewReader(out.QRCodePNG))
	if err != nil || img.Bounds().Dx() < 100 {
		t.Fatalf("QRCodePNG: %v", err)
	}
	_, err = c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")})
	apiErr(t, err, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")
	_, err = c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("ALICE-PHONE")})
	apiErr(t, err, "EntityAlreadyExists", "")
	bobSerial, bobSeed := newDevice(t, c, "bob-phone", "/eng/")
	if bobSerial != "arn:aws:iam::"+acct+":mfa/eng/bob-phone" {
		t.Fatalf("serial with path: %s", bobSerial)
	}

	// Validation.
	_, err = c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("bad name")})
	apiErr(t, err, "ValidationError", "at 'virtualMFADeviceName' failed to satisfy constraint: Member must satisfy regular expression pattern")
	_, err = c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(strings.Repeat("a", 227))})
	apiErr(t, err, "ValidationError", "Member must have length less than or equal to 226")
	_, err = c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("x"), Path: aws.String("eng")})
	apiErr(t, err, "ValidationError", "at 'path'")
	c1, c2 := codes(seed, -1)
	for _, tc := range []struct{ code1, code2, serial, want string }{
		{"12345", *c2, serial, "at 'authenticationCode1' failed to satisfy constraint: Member must have length greater than or equal to 6"},
		{*c1, "1234567", serial, "at 'authenticationCode2' failed to satisfy constraint: Member must have length less than or equal to 6"},
		{*c1, "12345a", serial, `Member must satisfy regular expression pattern: [\d]+`},
		{*c1, *c2, "arn:x", "at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9"},
		{*c1, *c2, "arn:aws:iam::" + acct + ":mfa/a b", "at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern"},
	} {
		_, err = c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(tc.serial),
			AuthenticationCode1: aws.String(tc.code1), AuthenticationCode2: aws.String(tc.code2)})
		apiErr(t, err, "ValidationError", tc.want)
	}

	// Enable: unknown user or device, wrong codes, then the right ones.
	_, err = c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("nobody"), SerialNumber: aws.String(serial), AuthenticationCode1: c1, AuthenticationCode2: c2})
	apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
	err = enable(c, "alice", "arn:aws:iam::"+acct+":mfa/missing", seed, -1)
	apiErr(t, err, "NoSuchEntity", "VirtualMFADevice with serial number arn:aws:iam::"+acct+":mfa/missing doesn't exist.")
	// Codes of consecutive steps in the wrong order, and codes of another device.
	_, err = c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial), AuthenticationCode1: c2, AuthenticationCode2: c1})
	apiErr(t, err, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	err = enable(c, "alice", serial, bobSeed, -1)
	apiErr(t, err, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	before := time.Now().UTC().Truncate(time.Second)
	if err := enable(c, "alice", serial, seed, -1); err != nil {
		t.Fatalf("EnableMFADevice: %v", err)
	}
	// An assigned device cannot be enabled again, for anyone.
	err = enable(c, "bob", serial, seed, 0)
	apiErr(t, err, "EntityAlreadyExists", "MFA Device is already in use.")
	err = enable(c, "alice", serial, seed, 0)
	apiErr(t, err, "EntityAlreadyExists", "MFA Device is already in use.")

	// ListMFADevices: the user's enabled devices.
	l := must(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")}))
	if len(l.MFADevices) != 1 || *l.MFADevices[0].SerialNumber != serial || *l.MFADevices[0].UserName != "alice" ||
		l.MFADevices[0].EnableDate == nil || l.MFADevices[0].EnableDate.Before(before) || l.IsTruncated {
		t.Fatalf("ListMFADevices alice: %+v", l.MFADevices)
	}
	if l := must(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("bob")})); len(l.MFADevices) != 0 {
		t.Fatalf("ListMFADevices bob: %+v", l.MFADevices)
	}
	if l := must(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{})); len(l.MFADevices) != 0 {
		t.Fatalf("ListMFADevices as root: %+v", l.MFADevices)
	}
	_, err = c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("nobody")})
	apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
	g := must(c.GetMFADevice(ctx, &iam.GetMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)}))
	if *g.UserName != "alice" || *g.SerialNumber != serial || g.EnableDate == nil {
		t.Fatalf("GetMFADevice: %+v", g)
	}

	// ListVirtualMFADevices by assignment status.
	assigned := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})).VirtualMFADevices
	if len(assigned) != 1 || *assigned[0].SerialNumber != serial || assigned[0].User == nil || *assigned[0].User.UserName != "alice" ||
		*assigned[0].User.Arn != "arn:aws:iam::"+acct+":user/alice" || !strings.HasPrefix(*assigned[0].User.UserId, "AIDA") ||
		assigned[0].EnableDate == nil || assigned[0].Base32StringSeed != nil || assigned[0].QRCodePNG != nil {
		t.Fatalf("Assigned: %+v", assigned)
	}
	unassigned := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})).VirtualMFADevices
	if len(unassigned) != 1 || *unassigned[0].SerialNumber != bobSerial || unassigned[0].User != nil || unassigned[0].EnableDate != nil {
		t.Fatalf("Unassigned: %+v", unassigned)
	}
	for _, st := range []types.AssignmentStatusType{types.AssignmentStatusTypeAny, ""} {
		if all := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: st})).VirtualMFADevices; len(all) != 2 {
			t.Fatalf("%q: %+v", st, all)
		}
	}
	_, err = c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: "Sometimes"})
	apiErr(t, err, "ValidationError", "Member must satisfy enum value set: [Assigned, Unassigned, Any]")

	// While assigned, neither the user nor the device can be deleted.
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	apiErr(t, err, "DeleteConflict", "Cannot delete entity, must delete MFA device first.")
	_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	apiErr(t, err, "DeleteConflict", "MFA VirtualDevice in use. Must deactivate first.")
	sum := must(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap
	if sum["MFADevices"] != 2 || sum["MFADevicesInUse"] != 1 {
		t.Fatalf("summary: %v", sum)
	}

	// Resync with the next two codes; the same codes do not work twice.
	c3, c4 := codes(seed, 1)
	resync := &iam.ResyncMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial), AuthenticationCode1: c3, AuthenticationCode2: c4}
	must(c.ResyncMFADevice(ctx, resync))
	_, err = c.ResyncMFADevice(ctx, resync)
	apiErr(t, err, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	_, err = c.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(serial), AuthenticationCode1: c3, AuthenticationCode2: c4})
	apiErr(t, err, "NoSuchEntity", "MFA Device invalid for user.")

	// Deactivate: only for the device's user.
	_, err = c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(serial)})
	apiErr(t, err, "NoSuchEntity", "MFA Device invalid for user.")
	_, err = c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(bobSerial)})
	apiErr(t, err, "NoSuchEntity", "MFA Device invalid for user.")
	must(c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)}))
	if l := must(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("alice")})); len(l.MFADevices) != 0 {
		t.Fatalf("after deactivate: %+v", l.MFADevices)
	}
	_, err = c.GetMFADevice(ctx, &iam.GetMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial)})
	apiErr(t, err, "NoSuchEntity", "")
	// Enabling again takes codes not used before: a minute and a half later.
	err = enable(c, "bob", serial, seed, 1)
	apiErr(t, err, "InvalidAuthenticationCode", "")
	env.Advance(3 * mfa.Step)
	if err := enable(c, "bob", serial, seed, 3); err != nil {
		t.Fatalf("enable for bob after deactivation: %v", err)
	}
	must(c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(serial)}))

	// Tags of a device.
	must(c.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: aws.String(serial), Tags: []types.Tag{{Key: aws.String("kind"), Value: aws.String("phone")}}}))
	tg := must(c.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String(serial)})).Tags
	if len(tg) != 2 || *tg[0].Key != "kind" || *tg[1].Key != "owner" {
		t.Fatalf("ListMFADeviceTags: %+v", tg)
	}
	must(c.UntagMFADevice(ctx, &iam.UntagMFADeviceInput{SerialNumber: aws.String(serial), TagKeys: []string{"owner"}}))
	if tg := must(c.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String(serial)})).Tags; len(tg) != 1 {
		t.Fatalf("after untag: %+v", tg)
	}
	_, err = c.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String("arn:aws:iam::" + acct + ":mfa/missing")})
	apiErr(t, err, "NoSuchEntity", "")

	// Unassigned, the device and then the user can be deleted.
	must(c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}))
	_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	apiErr(t, err, "NoSuchEntity", "VirtualMFADevice with serial number "+serial+" doesn't exist.")
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))
	// The name is free again.
	newDevice(t, c, "alice-phone", "")
}

func TestMFADevicesPerUserAndPaging(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
	var serials []string
	for i := 0; i < 9; i++ {
		serial, seed := newDevice(t, c, "key-"+string(rune('a'+i)), "")
		serials = append(serials, serial)
		err := enable(c, "carol", serial, seed, -1)
		if i < 8 && err != nil {
			t.Fatalf("enable device %d: %v", i, err)
		}
		if i == 8 {
			apiErr(t, err, "LimitExceeded", "MFADevicesPerUser: 8")
		}
	}

	// ListMFADevices pages.
	var got []string
	var marker *string
	for pages := 1; ; pages++ {
		out := must(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("carol"), MaxItems: aws.Int32(3), Marker: marker}))
		for _, d := range out.MFADevices {
			got = append(got, *d.SerialNumber)
		}
		if !out.IsTruncated {
			if pages != 3 {
				t.Fatalf("ListMFADevices in %d pages", pages)
			}
			break
		}
		marker = out.Marker
	}
	if strings.Join(got, ",") != strings.Join(serials[:8], ",") {
		t.Fatalf("paged ListMFADevices: %v", got)
	}

	// ListVirtualMFADevices pages, with the filter applied before paging.
	got, marker = nil, nil
	for pages := 1; ; pages++ {
		out := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{MaxItems: aws.Int32(4), Marker: marker}))
		for _, d := range out.VirtualMFADevices {
			got = append(got, *d.SerialNumber)
		}
		if !out.IsTruncated {
			if pages != 3 {
				t.Fatalf("ListVirtualMFADevices in %d pages", pages)
			}
			break
		}
		marker = out.Marker
	}
	if strings.Join(got, ",") != strings.Join(serials, ",") {
		t.Fatalf("paged ListVirtualMFADevices: %v", got)
	}
	un := must(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned, MaxItems: aws.Int32(1)}))
	if len(un.VirtualMFADevices) != 1 || *un.VirtualMFADevices[0].SerialNumber != serials[8] || un.IsTruncated {
		t.Fatalf("unassigned page: %+v", un)
	}
	_, err := c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{MaxItems: aws.Int32(1001)})
	apiErr(t, err, "ValidationError", "maxItems")
}

// TestSelfServiceMFA: with AWS's self-service policy shape a user manages
// her own device (named after her) and nobody else's; the seed survives a
// restart sealed.
func TestSelfServiceMFA(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave")}))
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("erin")}))
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dave")})).AccessKey
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dave"), PolicyName: aws.String("self-mfa"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:CreateVirtualMFADevice","iam:DeleteVirtualMFADevice"],"Resource":"arn:aws:iam::*:mfa/${aws:username}"},
		{"Effect":"Allow","Action":["iam:EnableMFADevice","iam:ResyncMFADevice","iam:DeactivateMFADevice","iam:ListMFADevices"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)}))
	dave := env.IAMClient(env.Credentials(*k.AccessKeyId, *k.SecretAccessKey, ""))

	serial, seed := newDevice(t, dave, "dave", "")
	_, err := dave.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("erin")})
	apiErr(t, err, "AccessDenied", "on resource: arn:aws:iam::"+acct+":mfa/erin")
	_, err = dave.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{})
	apiErr(t, err, "AccessDenied", "iam:ListVirtualMFADevices on resource: *")
	err = enable(dave, "erin", serial, seed, -1)
	apiErr(t, err, "AccessDenied", "on resource: arn:aws:iam::"+acct+":user/erin")

	env.Restart()
	if err := enable(dave, "dave", serial, seed, -1); err != nil {
		t.Fatalf("enable own device after restart: %v", err)
	}
	// Without UserName: the caller's own devices.
	l := must(dave.ListMFADevices(ctx, &iam.ListMFADevicesInput{}))
	if len(l.MFADevices) != 1 || *l.MFADevices[0].UserName != "dave" {
		t.Fatalf("own ListMFADevices: %+v", l.MFADevices)
	}
	must(dave.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: aws.String(serial)}))
	must(dave.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}))
}
