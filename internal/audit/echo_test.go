package audit_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestErrorMessageEchoesNoSecret: AWS's ValidationError quotes the value
// that failed ("Value '1234567' at 'tokenCode' …"), and a mistyped MFA
// code holds most of a valid one. The client gets AWS's words; the
// trail's errorMessage keeps the message without the value.
func TestErrorMessageEchoesNoSecret(t *testing.T) {
	f := newFlow(t)
	dev := f.user(f.root, "echo", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	serial := "arn:aws:iam::" + acct + ":mfa/echo"

	// Too many digits (GetSessionToken, AssumeRole), a letter among
	// digits (EnableMFADevice's codes).
	_, err := f.sts(dev).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String("4815162")})
	denied(t, err, "ValidationError")
	_, err = f.sts(dev).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/none"),
		RoleSessionName: aws.String("echo-session"), SerialNumber: aws.String(serial), TokenCode: aws.String("2342342")})
	denied(t, err, "ValidationError")
	_, err = f.iam(f.root).EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("echo"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String("97531x"), AuthenticationCode2: aws.String("864200")})
	denied(t, err, "ValidationError")
	_, err = f.iam(f.root).EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("echo"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String("975310"), AuthenticationCode2: aws.String("86420y")})
	denied(t, err, "ValidationError")
	for _, c := range []string{"4815162", "2342342", "97531x", "86420y"} {
		f.code(c)
	}

	events := f.trail()
	f.checkNoSecrets()
	for _, name := range []string{"GetSessionToken", "AssumeRole", "EnableMFADevice"} {
		for _, e := range named(events, name, "ValidationError") {
			if !strings.Contains(e.ErrorMessage, "Value '***' at '") || !strings.Contains(e.ErrorMessage, "failed to satisfy constraint") {
				t.Errorf("%s errorMessage %q", name, e.ErrorMessage)
			}
		}
	}
	if n := len(named(events, "EnableMFADevice", "ValidationError")); n != 2 {
		t.Fatalf("%d EnableMFADevice failures in the trail", n)
	}
}
