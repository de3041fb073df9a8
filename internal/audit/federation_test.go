package audit_test

import (
	"crypto/sha1"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/oidc/oidctest"
	"github.com/gatehouse/gatehouse/internal/saml/samltest"
)

func federatedTrust(provider, action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},"Action":"` + action + `"}]}`
}

// TestFlowWebIdentityAndSAML: the callers of AssumeRoleWithWebIdentity
// and AssumeRoleWithSAML are who their token or assertion names, as
// CloudTrail writes them — userIdentity of type WebIdentityUser or
// SAMLUser with principalId, userName and identityProvider — also when
// the trust policy refuses them; the token and the assertion are in no
// event.
func TestFlowWebIdentityAndSAML(t *testing.T) {
	f := newFlow(t)
	anon := f.sts(aws.AnonymousCredentials{})

	// Web identity: an OIDC provider and a role trusting it for one subject.
	iss := oidctest.New(t, oidctest.WithClock(f.env.Now))
	issuer := strings.TrimPrefix(iss.URL, "https://")
	prov := *got(f.iam(f.root).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(iss.URL),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{iss.Thumbprint}}))(t).OpenIDConnectProviderArn
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + prov +
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + issuer + `:sub":"repo:acme/app"}}}]}`
	webRole := f.role(f.root, "ci", trust, "")
	tok := iss.Token(iss.Claims("repo:acme/app", "sts.amazonaws.com", nil))
	f.secret(tok, "web identity token")
	out := got(anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(webRole),
		RoleSessionName: aws.String("build"), WebIdentityToken: aws.String(tok)}))(t)
	webKey := *out.Credentials.AccessKeyId
	got(f.sts(f.session(out.Credentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	other := iss.Token(iss.Claims("repo:evil/app", "sts.amazonaws.com", nil))
	f.secret(other, "web identity token")
	_, err := anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(webRole),
		RoleSessionName: aws.String("build"), WebIdentityToken: aws.String(other)})
	denied(t, err, "AccessDenied")

	// SAML: a provider, a role trusting it, alice's assertion.
	idp, err := samltest.New("https://idp.example.com/metadata", time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	sp := *got(f.iam(f.root).CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("corp-idp"),
		SAMLMetadataDocument: aws.String(idp.Metadata(""))}))(t).SAMLProviderArn
	samlRole := f.role(f.root, "saml-dev", federatedTrust(sp, "sts:AssumeRoleWithSAML"), "")
	assertion, err := idp.Build(samltest.Claims{Now: time.Now(), NameID: "alice", NameIDFormat: samltest.FormatPersist,
		Attributes: []samltest.Attr{{Name: samltest.AttrRole, Values: []string{samltest.RolePair(samlRole, sp)}},
			{Name: samltest.AttrSession, Values: []string{"alice@example.com"}}}}, true, false)
	if err != nil {
		t.Fatal(err)
	}
	f.secret(assertion, "SAML assertion")
	sout := got(anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRole), PrincipalArn: aws.String(sp),
		SAMLAssertion: aws.String(assertion)}))(t)
	f.session(sout.Credentials)

	events := f.trail()
	for _, e := range events {
		checkShape(t, e)
	}
	f.checkNoSecrets()

	web := audit.UserIdentity{Type: "WebIdentityUser", PrincipalID: issuer + ":sts.amazonaws.com:repo:acme/app", UserName: "repo:acme/app",
		IdentityProvider: issuer}
	ok := one(t, events, "AssumeRoleWithWebIdentity", "")
	if ok.UserIdentity != web || ok.RecipientAccountID != acct || ok.IssuedAccessKey() != webKey {
		t.Errorf("AssumeRoleWithWebIdentity: %+v, recipient %s, issued %s %v", ok.UserIdentity, ok.RecipientAccountID, ok.IssuedAccessKey(), ok.ResponseElements)
	}
	web.PrincipalID, web.UserName = issuer+":sts.amazonaws.com:repo:evil/app", "repo:evil/app"
	if e := one(t, events, "AssumeRoleWithWebIdentity", "AccessDenied"); e.UserIdentity != web || e.RecipientAccountID != acct {
		t.Errorf("refused AssumeRoleWithWebIdentity: %+v", e.UserIdentity)
	}
	sum := sha1.Sum([]byte("https://idp.example.com/metadata" + acct + "/corp-idp"))
	nq := base64.StdEncoding.EncodeToString(sum[:])
	want := audit.UserIdentity{Type: "SAMLUser", PrincipalID: nq + ":alice", UserName: "alice", IdentityProvider: nq}
	if e := one(t, events, "AssumeRoleWithSAML", ""); e.UserIdentity != want || e.RecipientAccountID != acct ||
		e.IssuedAccessKey() != *sout.Credentials.AccessKeyId || e.ResponseElements["subject"] != "alice" {
		t.Errorf("AssumeRoleWithSAML: %+v %v", e.UserIdentity, e.ResponseElements)
	}

	// The session is followed back to the subject that obtained it.
	_, res := f.search(audit.Query{Principal: webKey})
	if len(res.Chain) != 1 || audit.Caller(res.Chain[0]) != "WebIdentityUser "+issuer+":sts.amazonaws.com:repo:acme/app" {
		t.Fatalf("chain %v", res.Chain)
	}
}

// TestFlowFederatedUser: a GetFederationToken session's calls name the
// user who federated as the session's issuer (type IAMUser), as CloudTrail
// does; root's federated sessions name root.
func TestFlowFederatedUser(t *testing.T) {
	f := newFlow(t)
	broker := f.user(f.root, "broker", allow("sts:GetFederationToken", "*"))
	policy := allow("sts:GetCallerIdentity", "*")
	out := got(f.sts(broker).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("bob"), Policy: aws.String(policy)}))(t)
	got(f.sts(f.session(out.Credentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	rout := got(f.sts(f.root).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("carol"), Policy: aws.String(policy)}))(t)
	got(f.sts(f.session(rout.Credentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)

	events := f.trail()
	for _, e := range events {
		checkShape(t, e)
	}
	f.checkNoSecrets()
	calls := named(events, "GetCallerIdentity", "")
	if len(calls) != 2 {
		t.Fatalf("%d GetCallerIdentity events", len(calls))
	}
	fed := named(events, "GetFederationToken", "")
	if len(fed) != 2 || fed[0].IssuedAccessKey() != *out.Credentials.AccessKeyId || fed[1].IssuedAccessKey() != *rout.Credentials.AccessKeyId {
		t.Fatalf("GetFederationToken events: %d", len(fed))
	}
	brokerID := fed[0].UserIdentity
	for i, want := range []audit.SessionIssuer{
		{Type: "IAMUser", PrincipalID: brokerID.PrincipalID, ARN: "arn:aws:iam::" + acct + ":user/broker", AccountID: acct, UserName: "broker"},
		{Type: "Root", PrincipalID: acct, ARN: "arn:aws:iam::" + acct + ":root", AccountID: acct},
	} {
		u := calls[i].UserIdentity
		if u.Type != "FederatedUser" || u.SessionContext == nil || u.SessionContext.SessionIssuer != want {
			t.Errorf("federated user's call: %+v %+v", u, u.SessionContext)
		}
	}
}
