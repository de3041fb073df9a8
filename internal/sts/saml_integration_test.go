package sts_test

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse/gatehouse/internal/saml/samltest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const (
	idpEntity   = "https://idp.example.com/metadata"
	providerARN = "arn:aws:iam::" + acct + ":saml-provider/corp-idp"
	samlRoleARN = "arn:aws:iam::" + acct + ":role/saml-dev"
)

// samlWorld is a server with a SAML provider "corp-idp" for a test IdP and
// a role "saml-dev" trusting it, whose policy lets each session write
// under the bucket prefix of its own saml:sub.
type samlWorld struct {
	env  *testenv.Env
	idp  *samltest.IdP
	anon *sts.Client
}

func samlTrust(extra string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN + `"},` +
		`"Action":["sts:AssumeRoleWithSAML"` + extra + `],"Condition":{"StringEquals":{"saml:aud":"https://signin.aws.amazon.com/saml"}}}]}`
}

const perSubject = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],` +
	`"Resource":"arn:aws:s3:::home/${saml:sub}/*"}]}`

func setupSAML(t *testing.T, trustDoc string) *samlWorld {
	t.Helper()
	env := testenv.New(t)
	idp, err := samltest.New(idpEntity, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	out := must(env.IAM.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("corp-idp"), SAMLMetadataDocument: aws.String(idp.Metadata(""))}))
	if aws.ToString(out.SAMLProviderArn) != providerARN {
		t.Fatalf("provider ARN %q", aws.ToString(out.SAMLProviderArn))
	}
	if trustDoc == "" {
		trustDoc = samlTrust("")
	}
	must(env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("saml-dev"), AssumeRolePolicyDocument: aws.String(trustDoc)}))
	must(env.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("saml-dev"), PolicyName: aws.String("home"), PolicyDocument: aws.String(perSubject)}))
	return &samlWorld{env: env, idp: idp, anon: env.STSClient(aws.AnonymousCredentials{})}
}

// claims are alice's: a persistent NameID, the saml-dev role and a
// session name.
func samlClaims(attrs ...samltest.Attr) samltest.Claims {
	return samltest.Claims{Now: time.Now(), NameID: "alice", NameIDFormat: samltest.FormatPersist,
		Attributes: append([]samltest.Attr{
			{Name: samltest.AttrRole, Values: []string{samltest.RolePair(samlRoleARN, providerARN)}},
			{Name: samltest.AttrSession, Values: []string{"alice@example.com"}},
		}, attrs...)}
}

func (w *samlWorld) assume(t *testing.T, c samltest.Claims, edit ...func(*sts.AssumeRoleWithSAMLInput)) (*sts.AssumeRoleWithSAMLOutput, error) {
	t.Helper()
	b64, err := w.idp.Build(c, true, false)
	if err != nil {
		t.Fatal(err)
	}
	in := &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRoleARN), PrincipalArn: aws.String(providerARN), SAMLAssertion: aws.String(b64)}
	for _, e := range edit {
		e(in)
	}
	return w.anon.AssumeRoleWithSAML(ctx, in)
}

func sessionOf(w *samlWorld, cr *types.Credentials) aws.CredentialsProvider {
	return w.env.Credentials(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
}

func TestAssumeRoleWithSAMLAndUseTheSession(t *testing.T) {
	w := setupSAML(t, "")
	must(w.env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("home")}))
	_, err := w.assume(t, samlClaims(samltest.Attr{Name: samltest.AttrSourceID, Values: []string{"alice"}}))
	if err == nil || !strings.Contains(err.Error(), "Not authorized to perform sts:SetSourceIdentity") {
		t.Fatalf("a source identity without sts:SetSourceIdentity in the trust policy: %v", err)
	}
	out, err := w.assume(t, samlClaims())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(idpEntity + acct + "/corp-idp"))
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != "arn:aws:sts::"+acct+":assumed-role/saml-dev/alice@example.com" {
		t.Errorf("AssumedRoleUser %q", got)
	}
	if aws.ToString(out.Subject) != "alice" || aws.ToString(out.SubjectType) != "persistent" || aws.ToString(out.Issuer) != idpEntity ||
		aws.ToString(out.Audience) != samltest.AudienceAWS || aws.ToString(out.NameQualifier) != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("response: subject %q type %q issuer %q audience %q qualifier %q", aws.ToString(out.Subject), aws.ToString(out.SubjectType),
			aws.ToString(out.Issuer), aws.ToString(out.Audience), aws.ToString(out.NameQualifier))
	}
	if d := time.Until(aws.ToTime(out.Credentials.Expiration)); d < 55*time.Minute || d > 61*time.Minute {
		t.Errorf("session lasts %s, want the default hour", d)
	}
	sess := sessionOf(w, out.Credentials)
	id := must(w.env.STSClient(sess).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Arn) != aws.ToString(out.AssumedRoleUser.Arn) {
		t.Errorf("GetCallerIdentity %q", aws.ToString(id.Arn))
	}
	// ${saml:sub} in the role's policy: alice writes under home/alice/ only.
	c := w.env.S3Client(sess)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("home"), Key: aws.String("alice/notes.txt"), Body: strings.NewReader("hi")}); err != nil {
		t.Fatalf("own prefix: %v", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("home"), Key: aws.String("bob/notes.txt"), Body: strings.NewReader("hi")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("another subject's prefix: %v", err)
	}
}

func TestAssumeRoleWithSAMLSessionAttributes(t *testing.T) {
	w := setupSAML(t, samlTrust(`,"sts:TagSession","sts:SetSourceIdentity"`))
	must(w.env.IAM.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("saml-dev"), MaxSessionDuration: aws.Int32(7200)}))
	out, err := w.assume(t, samlClaims(
		samltest.Attr{Name: samltest.AttrDuration, Values: []string{"1800"}},
		samltest.Attr{Name: samltest.AttrSourceID, Values: []string{"alice-src"}},
		samltest.Attr{Name: samltest.AttrTagPrefix + "team", Values: []string{"blue"}},
		samltest.Attr{Name: samltest.AttrTransient, Values: []string{"team"}},
	))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SourceIdentity) != "alice-src" {
		t.Errorf("source identity %q", aws.ToString(out.SourceIdentity))
	}
	if d := time.Until(aws.ToTime(out.Credentials.Expiration)); d < 25*time.Minute || d > 31*time.Minute {
		t.Errorf("SessionDuration 1800: the session lasts %s", d)
	}
	// DurationSeconds wins over SessionDuration; over the role's maximum
	// it fails.
	out, err = w.assume(t, samlClaims(), func(in *sts.AssumeRoleWithSAMLInput) { in.DurationSeconds = aws.Int32(3600 * 2) })
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(aws.ToTime(out.Credentials.Expiration)); d < 115*time.Minute {
		t.Errorf("DurationSeconds 7200: the session lasts %s", d)
	}
	_, err = w.assume(t, samlClaims(), func(in *sts.AssumeRoleWithSAMLInput) { in.DurationSeconds = aws.Int32(3600 * 3) })
	apiErr(t, err, "ValidationError", "MaxSessionDuration")
	// Tags need sts:TagSession.
	w2 := setupSAML(t, "")
	_, err = w2.assume(t, samlClaims(samltest.Attr{Name: samltest.AttrTagPrefix + "team", Values: []string{"blue"}}))
	apiErr(t, err, "AccessDenied", "Not authorized to perform sts:TagSession")
}

func TestAssumeRoleWithSAMLTrustConditions(t *testing.T) {
	// Only persistent subjects whose name starts with "a".
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN + `"},` +
		`"Action":"sts:AssumeRoleWithSAML","Condition":{"StringLike":{"saml:sub":"a*"},"StringEquals":{"saml:sub_type":"persistent",` +
		`"saml:iss":"` + idpEntity + `","saml:doc":"` + acct + `/corp-idp"},"ForAnyValue:StringEquals":{"saml:edupersonaffiliation":"staff"}}}]}`
	w := setupSAML(t, doc)
	staff := samltest.Attr{Name: "urn:oid:1.3.6.1.4.1.5923.1.1.1.1", Values: []string{"member", "staff"}}
	if _, err := w.assume(t, samlClaims(staff)); err != nil {
		t.Fatal(err)
	}
	c := samlClaims(staff)
	c.NameID = "bob"
	_, err := w.assume(t, c)
	apiErr(t, err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
	c = samlClaims(staff)
	c.NameIDFormat = samltest.FormatTransnt
	_, err = w.assume(t, c)
	apiErr(t, err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
	_, err = w.assume(t, samlClaims(samltest.Attr{Name: "urn:oid:1.3.6.1.4.1.5923.1.1.1.1", Values: []string{"student"}}))
	apiErr(t, err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
}

func TestAssumeRoleWithSAMLRefusals(t *testing.T) {
	w := setupSAML(t, "")
	other, err := samltest.New(idpEntity, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	withClaims := func(edit func(*samltest.Claims)) samltest.Claims {
		c := samlClaims()
		edit(&c)
		return c
	}
	cases := []struct {
		name      string
		claims    samltest.Claims
		in        func(*sts.AssumeRoleWithSAMLInput)
		code, msg string
	}{
		{"role pair not in the Role attribute", withClaims(func(c *samltest.Claims) {
			c.Attributes[0].Values = []string{samltest.RolePair("arn:aws:iam::"+acct+":role/other", providerARN)}
		}), nil, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"pair in the other order", withClaims(func(c *samltest.Claims) {
			c.Attributes[0].Values = []string{providerARN + "," + samlRoleARN}
		}), nil, "", ""},
		{"role that does not exist", withClaims(func(c *samltest.Claims) {
			c.Attributes[0].Values = []string{samltest.RolePair("arn:aws:iam::"+acct+":role/ghost", providerARN)}
		}), func(in *sts.AssumeRoleWithSAMLInput) { in.RoleArn = aws.String("arn:aws:iam::" + acct + ":role/ghost") }, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"expired", withClaims(func(c *samltest.Claims) {
			c.NotBefore, c.NotOnOrAfter = time.Now().Add(-time.Hour), time.Now().Add(-10*time.Minute)
		}), nil, "ExpiredTokenException", "expired"},
		{"not yet valid", withClaims(func(c *samltest.Claims) {
			c.NotBefore, c.NotOnOrAfter = time.Now().Add(10*time.Minute), time.Now().Add(20*time.Minute)
		}), nil, "ExpiredTokenException", "not yet valid"},
		{"wrong audience", withClaims(func(c *samltest.Claims) { c.Audience = "https://elsewhere.example.com" }), nil,
			"InvalidIdentityToken", "Response does not contain the required audience."},
		{"wrong recipient", withClaims(func(c *samltest.Claims) { c.Recipient = "https://elsewhere.example.com/acs" }), nil,
			"InvalidIdentityToken", "recipient"},
		{"wrong issuer", withClaims(func(c *samltest.Claims) { c.Issuer = "https://evil.example.com" }), nil,
			"InvalidIdentityToken", "Issuer not present in specified provider"},
		{"no RoleSessionName", withClaims(func(c *samltest.Claims) { c.Attributes = c.Attributes[:1] }), nil,
			"InvalidIdentityToken", "RoleSessionName is required in AuthnResponse"},
		{"bad RoleSessionName", withClaims(func(c *samltest.Claims) { c.Attributes[1].Values = []string{"a b"} }), nil,
			"InvalidIdentityToken", "RoleSessionName in AuthnResponse must match"},
		{"provider that does not exist", samlClaims(), func(in *sts.AssumeRoleWithSAMLInput) {
			in.PrincipalArn = aws.String("arn:aws:iam::" + acct + ":saml-provider/nobody")
		}, "InvalidIdentityToken", "Specified provider doesn't exist."},
		{"not base64", samlClaims(), func(in *sts.AssumeRoleWithSAMLInput) { in.SAMLAssertion = aws.String("%%%%%%") },
			"InvalidIdentityToken", "could not be parsed"},
		{"saml: keys too large for a session", samlClaims(samltest.Attr{Name: "urn:oid:2.5.4.3", Values: []string{strings.Repeat("x", 4000), strings.Repeat("y", 4000)}}), nil,
			"InvalidIdentityToken", "exceed 6144 bytes"},
		{"bad session policy", samlClaims(), func(in *sts.AssumeRoleWithSAMLInput) { in.Policy = aws.String(`{"Version":"2012-10-17"}`) },
			"MalformedPolicyDocument", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var edits []func(*sts.AssumeRoleWithSAMLInput)
			if tc.in != nil {
				edits = append(edits, tc.in)
			}
			_, err := w.assume(t, tc.claims, edits...)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			apiErr(t, err, tc.code, tc.msg)
		})
	}
	t.Run("signed by another key", func(t *testing.T) {
		b64, err := other.Build(samlClaims(), true, true)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRoleARN), PrincipalArn: aws.String(providerARN), SAMLAssertion: aws.String(b64)})
		apiErr(t, err, "InvalidIdentityToken", "Response signature invalid")
	})
	t.Run("unsigned", func(t *testing.T) {
		b64, err := w.idp.Build(samlClaims(), false, false)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRoleARN), PrincipalArn: aws.String(providerARN), SAMLAssertion: aws.String(b64)})
		apiErr(t, err, "InvalidIdentityToken", "Response signature invalid")
	})
	t.Run("response signed, assertion not", func(t *testing.T) {
		b64, err := w.idp.Build(samlClaims(), false, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRoleARN), PrincipalArn: aws.String(providerARN), SAMLAssertion: aws.String(b64)}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("trust policy that does not name the provider", func(t *testing.T) {
		// A trust policy may name only an existing provider: another one.
		must(w.env.IAM.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("other-idp"), SAMLMetadataDocument: aws.String(w.idp.Metadata(""))}))
		must(w.env.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("saml-dev"),
			PolicyDocument: aws.String(strings.Replace(samlTrust(""), "corp-idp", "other-idp", 1))}))
		_, err := w.assume(t, samlClaims())
		apiErr(t, err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
		must(w.env.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("saml-dev"), PolicyDocument: aws.String(samlTrust(""))}))
	})
	t.Run("provider deleted", func(t *testing.T) {
		if _, err := w.assume(t, samlClaims()); err != nil {
			t.Fatal(err)
		}
		must(w.env.IAM.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(providerARN)}))
		_, err := w.assume(t, samlClaims())
		apiErr(t, err, "InvalidIdentityToken", "Specified provider doesn't exist.")
	})
}
