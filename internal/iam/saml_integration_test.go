package iam_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/saml/samltest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestSAMLProviders(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	idp, err := samltest.New("https://idp.example.com/metadata", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	doc := idp.Metadata("2031-02-03T04:05:06Z")
	arn := "arn:aws:iam::" + acct + ":saml-provider/Corp_IdP"
	out := must(c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Corp_IdP"), SAMLMetadataDocument: aws.String(doc),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	if aws.ToString(out.SAMLProviderArn) != arn || len(out.Tags) != 1 {
		t.Fatalf("create: %q %v", aws.ToString(out.SAMLProviderArn), out.Tags)
	}
	_, err = c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Corp_IdP"), SAMLMetadataDocument: aws.String(doc)})
	apiErr(t, err, "EntityAlreadyExists", "Corp_IdP")

	got := must(c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))
	if aws.ToString(got.SAMLMetadataDocument) != doc || len(aws.ToString(got.SAMLProviderUUID)) < 22 || got.CreateDate == nil ||
		!aws.ToTime(got.ValidUntil).Equal(time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)) || len(got.Tags) != 1 {
		t.Fatalf("get: %+v", got)
	}

	// Metadata without validUntil: valid for a century.
	must(c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("adfs"), SAMLMetadataDocument: aws.String(idp.Metadata(""))}))
	list := must(c.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})).SAMLProviderList
	if len(list) != 2 || aws.ToString(list[0].Arn) != "arn:aws:iam::"+acct+":saml-provider/adfs" || aws.ToTime(list[0].ValidUntil).Year() < time.Now().Year()+99 {
		t.Fatalf("list: %+v", list)
	}

	// Update replaces the metadata.
	doc2 := idp.Metadata("2032-01-01T00:00:00Z")
	must(c.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(doc2)}))
	got = must(c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))
	if aws.ToString(got.SAMLMetadataDocument) != doc2 || aws.ToTime(got.ValidUntil).Year() != 2032 {
		t.Fatalf("after update: %+v", got)
	}
	_, err = c.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	apiErr(t, err, "InvalidInput", "No updates are defined")

	// Tags.
	must(c.TagSAMLProvider(ctx, &iam.TagSAMLProviderInput{SAMLProviderArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))
	must(c.UntagSAMLProvider(ctx, &iam.UntagSAMLProviderInput{SAMLProviderArn: aws.String(arn), TagKeys: []string{"team"}}))
	tags := must(c.ListSAMLProviderTags(ctx, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(arn)})).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "env" {
		t.Fatalf("tags: %+v", tags)
	}

	// Refusals.
	_, err = c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("bad"), SAMLMetadataDocument: aws.String(strings.Repeat("x", 1200))})
	apiErr(t, err, "InvalidInput", "Could not parse metadata.")
	_, err = c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("short"), SAMLMetadataDocument: aws.String("<x/>")})
	apiErr(t, err, "ValidationError", "greater than or equal to 1000")
	_, err = c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("bad name!"), SAMLMetadataDocument: aws.String(doc)})
	apiErr(t, err, "ValidationError", `[\w._-]+`)
	_, err = c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("enc"), SAMLMetadataDocument: aws.String(doc),
		AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired})
	apiErr(t, err, "InvalidInput", "Encrypted SAML assertions are not supported")
	_, err = c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::" + acct + ":saml-provider/nobody")})
	apiErr(t, err, "NoSuchEntity", "saml-provider/nobody")
	_, err = c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::" + acct + ":role/not-a-provider")})
	apiErr(t, err, "InvalidInput", "is not valid")
	_, err = c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::999999999999:saml-provider/Corp_IdP")})
	apiErr(t, err, "NoSuchEntity", "")

	// Authorization goes through the pipeline: a user without iam
	// permissions is denied on the provider's ARN.
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("nobody")}))
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})).AccessKey
	uc := env.IAMClient(env.Credentials(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), ""))
	_, err = uc.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	apiErr(t, err, "AccessDenied", "iam:GetSAMLProvider on resource: "+arn)
	_, err = uc.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("x"), SAMLMetadataDocument: aws.String(doc)})
	apiErr(t, err, "AccessDenied", "iam:CreateSAMLProvider on resource: arn:aws:iam::"+acct+":saml-provider/x")

	must(c.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))
	_, err = c.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	apiErr(t, err, "NoSuchEntity", "")
	if n := len(must(c.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})).SAMLProviderList); n != 1 {
		t.Fatalf("%d providers left", n)
	}
}
