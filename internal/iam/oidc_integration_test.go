package iam_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse/gatehouse/internal/saml/samltest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const thumb = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"

// TestOpenIDConnectProviders: every provider API through the SDK, with
// AWS's limits and errors; a provider's URL may carry a port, which its
// ARN keeps.
func TestOpenIDConnectProviders(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	out := must(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://IdP.Example.com:8443/realms/main"), ClientIDList: []string{"sts.amazonaws.com", "app", "app"},
		ThumbprintList: []string{strings.ToUpper(thumb)}, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}}}))
	arn := "arn:aws:iam::" + acct + ":oidc-provider/idp.example.com:8443/realms/main"
	if *out.OpenIDConnectProviderArn != arn || len(out.Tags) != 1 {
		t.Fatalf("create: %+v", out)
	}
	got := must(c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))
	if *got.Url != "idp.example.com:8443/realms/main" || !slices.Equal(got.ClientIDList, []string{"sts.amazonaws.com", "app"}) ||
		!slices.Equal(got.ThumbprintList, []string{thumb}) || got.CreateDate == nil || len(got.Tags) != 1 {
		t.Fatalf("get: %+v", got)
	}
	// Thumbprints are optional, as AWS now allows.
	plain := *must(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.example.org")})).OpenIDConnectProviderArn
	list := must(c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{}))
	if len(list.OpenIDConnectProviderList) != 2 || *list.OpenIDConnectProviderList[0].Arn != arn || *list.OpenIDConnectProviderList[1].Arn != plain {
		t.Fatalf("list: %+v", list.OpenIDConnectProviderList)
	}

	_, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://idp.example.com:8443/realms/main")})
	apiErr(t, err, "EntityAlreadyExists", "Provider with url https://idp.example.com:8443/realms/main already exists.")
	for _, u := range []string{"http://idp.example.com", "https://idp.example.com?x=1", "https://idp.example.com#f", "idp.example.com", "https://a@b.example.com"} {
		_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(u)})
		apiErr(t, err, "InvalidInput", "Invalid URL "+u)
	}
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://" + strings.Repeat("a", 250) + ".com")})
	apiErr(t, err, "ValidationError", "Member must have length less than or equal to 255")
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://x.example.com"), ThumbprintList: []string{"abc"}})
	apiErr(t, err, "ValidationError", "at 'thumbprintList.1.member' failed to satisfy constraint: Member must have length greater than or equal to 40")
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://x.example.com"), ThumbprintList: []string{strings.Repeat("g", 40)}})
	apiErr(t, err, "InvalidInput", "Thumbprint "+strings.Repeat("g", 40)+" is not valid")
	six := []string{}
	for i := 0; i < 6; i++ {
		six = append(six, strings.Repeat(strconv.Itoa(i), 40))
	}
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://x.example.com"), ThumbprintList: six})
	apiErr(t, err, "LimitExceeded", "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: 5")
	var ids []string
	for i := 0; i < 101; i++ {
		ids = append(ids, "client-"+strconv.Itoa(i))
	}
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://x.example.com"), ClientIDList: ids})
	apiErr(t, err, "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://x.example.com"), ClientIDList: []string{strings.Repeat("c", 256)}})
	apiErr(t, err, "ValidationError", "at 'clientIDList.1.member' failed to satisfy constraint: Member must have length less than or equal to 255")

	// Client ids: add and remove are idempotent; 100 at most.
	must(c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("web")}))
	must(c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("web")}))
	must(c.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("app")}))
	must(c.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("never")}))
	got = must(c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))
	if !slices.Equal(got.ClientIDList, []string{"sts.amazonaws.com", "web"}) {
		t.Fatalf("client ids: %v", got.ClientIDList)
	}
	for i := 0; i < 98; i++ {
		must(c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("c" + strconv.Itoa(i))}))
	}
	_, err = c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("one-too-many")})
	apiErr(t, err, "LimitExceeded", "ClientIdsPerOpenIdConnectProvider: 100")
	_, err = c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), ClientID: aws.String("")})
	apiErr(t, err, "ValidationError", "clientID")

	// Thumbprints: replaced whole; an empty list clears them.
	must(c.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn),
		ThumbprintList: []string{strings.Repeat("a", 40), strings.Repeat("b", 40)}}))
	got = must(c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))
	if !slices.Equal(got.ThumbprintList, []string{strings.Repeat("a", 40), strings.Repeat("b", 40)}) {
		t.Fatalf("thumbprints: %v", got.ThumbprintList)
	}
	_, err = c.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(arn), ThumbprintList: six})
	apiErr(t, err, "LimitExceeded", "ThumbprintsPerOpenIdConnectProvider: 5")

	// Tags.
	must(c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("ml")}}}))
	must(c.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn), TagKeys: []string{"env"}}))
	tags := must(c.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)}))
	if len(tags.Tags) != 1 || *tags.Tags[0].Key != "team" || *tags.Tags[0].Value != "ml" {
		t.Fatalf("tags: %+v", tags.Tags)
	}
	_, err = c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
	apiErr(t, err, "InvalidInput", "can't start with 'aws:'")

	// ARNs: malformed, missing, another account's.
	for _, bad := range []string{"arn:aws:iam::" + acct + ":role/not-a-provider", "not an arn at all, long enough"} {
		_, err = c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(bad)})
		apiErr(t, err, "InvalidInput", "ARN "+bad+" is not valid.")
	}
	missing := "arn:aws:iam::" + acct + ":oidc-provider/nope.example.com"
	for _, call := range []func() error{
		func() error {
			_, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(missing)})
			return err
		},
		func() error {
			_, err := c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(missing)})
			return err
		},
		func() error {
			_, err := c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(missing), ClientID: aws.String("x")})
			return err
		},
		func() error {
			_, err := c.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(missing)})
			return err
		},
		func() error {
			_, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String("arn:aws:iam::999999999999:oidc-provider/idp.example.com:8443/realms/main")})
			return err
		},
	} {
		apiErr(t, call(), "NoSuchEntity", "OpenIDConnect provider not found for arn arn:aws:iam::")
	}

	// Delete; the URL may be registered again, and has the same ARN.
	must(c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))
	_, err = c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	apiErr(t, err, "NoSuchEntity", "OpenIDConnect provider not found for arn "+arn)
	again := must(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://idp.example.com:8443/realms/main")}))
	if *again.OpenIDConnectProviderArn != arn {
		t.Fatalf("re-created: %s", *again.OpenIDConnectProviderArn)
	}

	// 100 providers per account.
	for i := 0; i < 98; i++ {
		must(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://idp" + strconv.Itoa(i) + ".example.com")}))
	}
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://one-too-many.example.com")})
	apiErr(t, err, "LimitExceeded", "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100")
}

// TestTrustPolicyFederatedPrincipals: a role's trust policy may name an
// OIDC or SAML provider that exists, or a domain name; anything else is
// refused as IAM refuses it.
func TestTrustPolicyFederatedPrincipals(t *testing.T) {
	env := testenv.New(t)
	c := env.IAM
	arn := *must(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://idp.example.com")})).OpenIDConnectProviderArn
	trust := func(p string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + p + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`)
	}
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("web"), AssumeRolePolicyDocument: trust(arn)}))
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("google"), AssumeRolePolicyDocument: trust("accounts.google.com")}))
	for _, p := range []string{"arn:aws:iam::" + acct + ":oidc-provider/other.example.com", "arn:aws:iam::" + acct + ":saml-provider/corp",
		"arn:aws:iam::" + acct + ":role/web", "not a domain", "*"} {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: trust(p)})
		apiErr(t, err, "MalformedPolicyDocument", "Federated principals must be valid domain names or SAML metadata ARNs")
		_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("web"), PolicyDocument: trust(p)})
		apiErr(t, err, "MalformedPolicyDocument", "Federated principals must be valid domain names or SAML metadata ARNs")
	}
	// A SAML provider, once it exists (its name exactly).
	idp, err := samltest.New("https://idp.example.com/metadata", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	must(c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(idp.Metadata(""))}))
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("saml"), AssumeRolePolicyDocument: trust("arn:aws:iam::" + acct + ":saml-provider/corp")}))
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: trust("arn:aws:iam::" + acct + ":saml-provider/CORP")})
	apiErr(t, err, "MalformedPolicyDocument", "Federated principals must be valid domain names or SAML metadata ARNs")
	// Deleting the provider leaves the trust policy as written.
	must(c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}))
	role := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("web")}))
	if !strings.Contains(*role.Role.AssumeRolePolicyDocument, "oidc-provider%2Fidp.example.com") {
		t.Fatalf("trust policy after the provider was deleted: %s", *role.Role.AssumeRolePolicyDocument)
	}
}
