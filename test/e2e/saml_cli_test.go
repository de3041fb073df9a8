package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/saml/samltest"
)

// TestCLIAssumeRoleWithSAML is SAML federation through the aws CLI: the
// IdP's metadata becomes a SAML provider, `aws sts assume-role-with-saml`
// (unsigned) trades a signed Response for a session, and the session
// writes under its own ${saml:sub} prefix only.
func TestCLIAssumeRoleWithSAML(t *testing.T) {
	srv := startServer(t, t.TempDir())
	aws := newAWSCLI(t, srv.URL)
	idp, err := samltest.New("https://idp.example.com/metadata", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mdFile := filepath.Join(dir, "metadata.xml")
	if err := os.WriteFile(mdFile, []byte(idp.Metadata("")), 0o600); err != nil {
		t.Fatal(err)
	}
	var created struct{ SAMLProviderArn string }
	aws.must(&created, "iam", "create-saml-provider", "--name", "corp", "--saml-metadata-document", "file://"+mdFile)
	provider := "arn:aws:iam::" + accountID + ":saml-provider/corp"
	if created.SAMLProviderArn != provider {
		t.Fatalf("create-saml-provider: %+v", created)
	}
	var listed struct {
		SAMLProviderList []struct{ Arn, ValidUntil, CreateDate string }
	}
	aws.must(&listed, "iam", "list-saml-providers")
	if len(listed.SAMLProviderList) != 1 || listed.SAMLProviderList[0].Arn != provider {
		t.Fatalf("list-saml-providers: %+v", listed)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider + `"},` +
		`"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`
	role := "arn:aws:iam::" + accountID + ":role/fed"
	aws.must(nil, "iam", "create-role", "--role-name", "fed", "--assume-role-policy-document", trust)
	aws.must(nil, "iam", "put-role-policy", "--role-name", "fed", "--policy-name", "home", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::home/${saml:sub}/*"}]}`)
	aws.must(nil, "s3api", "create-bucket", "--bucket", "home")

	claims := samltest.Claims{Now: time.Now(), NameID: "carol", NameIDFormat: samltest.FormatTransnt, Attributes: []samltest.Attr{
		{Name: samltest.AttrRole, Values: []string{samltest.RolePair(role, provider)}},
		{Name: samltest.AttrSession, Values: []string{"carol"}},
	}}
	b64, err := idp.Build(claims, true, true)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Credentials                                           struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		AssumedRoleUser                                       struct{ Arn string }
		Subject, SubjectType, Issuer, Audience, NameQualifier string
	}
	aws.must(&out, "sts", "assume-role-with-saml", "--no-sign-request", "--role-arn", role, "--principal-arn", provider, "--saml-assertion", b64)
	if out.AssumedRoleUser.Arn != "arn:aws:sts::"+accountID+":assumed-role/fed/carol" || out.Subject != "carol" || out.SubjectType != "transient" ||
		out.Issuer != idp.EntityID || out.Audience != samltest.AudienceAWS || out.NameQualifier == "" {
		t.Fatalf("assume-role-with-saml: %+v", out)
	}
	aws.appendFile("credentials", "[carol]\naws_access_key_id = "+out.Credentials.AccessKeyId+"\naws_secret_access_key = "+
		out.Credentials.SecretAccessKey+"\naws_session_token = "+out.Credentials.SessionToken+"\n")
	body := filepath.Join(dir, "body.txt")
	if err := os.WriteFile(body, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	aws.must(nil, "s3api", "put-object", "--bucket", "home", "--key", "carol/hello.txt", "--body", body, "--profile", "carol")
	if msg := aws.fails("s3api", "put-object", "--bucket", "home", "--key", "dave/hello.txt", "--body", body, "--profile", "carol"); !strings.Contains(msg, "AccessDenied") {
		t.Fatalf("another subject's prefix: %s", msg)
	}

	// A tampered response is refused in AWS's words.
	doc, err := samltest.Decode(b64)
	if err != nil {
		t.Fatal(err)
	}
	for _, nid := range doc.FindElements("//NameID") {
		nid.SetText("admin")
	}
	bad, err := samltest.Encode(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	msg := aws.fails("sts", "assume-role-with-saml", "--no-sign-request", "--role-arn", role, "--principal-arn", provider, "--saml-assertion", bad)
	if !strings.Contains(msg, "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithSAML operation: Response signature invalid") {
		t.Fatalf("tampered response: %s", msg)
	}
	aws.must(nil, "iam", "delete-saml-provider", "--saml-provider-arn", provider)
	msg = aws.fails("sts", "assume-role-with-saml", "--no-sign-request", "--role-arn", role, "--principal-arn", provider, "--saml-assertion", b64)
	if !strings.Contains(msg, "InvalidIdentityToken") {
		t.Fatalf("deleted provider: %s", msg)
	}
}
