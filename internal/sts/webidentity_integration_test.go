package sts_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/oidc/oidctest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// fed is a server, an issuer registered as an IAM OIDC provider (by its
// self-signed certificate's thumbprint), and a role that trusts it.
type fed struct {
	env      *testenv.Env
	iss      *oidctest.Issuer
	provider string // provider ARN
	name     string // provider name: the condition-key prefix (127.0.0.1:PORT)
	anon     *sts.Client
}

func newFed(t *testing.T, opts ...testenv.Option) *fed {
	env := testenv.New(t, opts...)
	f := &fed{env: env, anon: env.STSClient(aws.AnonymousCredentials{})}
	f.iss = oidctest.New(t, oidctest.WithClock(env.Now))
	f.name = strings.TrimPrefix(f.iss.URL, "https://")
	out := must(env.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(f.iss.URL),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{f.iss.Thumbprint}}))
	f.provider = *out.OpenIDConnectProviderArn
	return f
}

// role creates a role trusting the provider (with extra statement text,
// such as a Condition) and attaches policy when given.
func (f *fed) role(t *testing.T, name, extra, policy string) string {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + f.provider +
		`"},"Action":"sts:AssumeRoleWithWebIdentity"` + extra + `}]}`
	r := must(f.env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust),
		MaxSessionDuration: aws.Int32(7200)}))
	if policy != "" {
		must(f.env.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}))
	}
	return *r.Role.Arn
}

func (f *fed) assume(role, token string, mod ...func(*sts.AssumeRoleWithWebIdentityInput)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(role), RoleSessionName: aws.String("web"), WebIdentityToken: aws.String(token)}
	for _, m := range mod {
		m(in)
	}
	return f.anon.AssumeRoleWithWebIdentity(ctx, in)
}

func (f *fed) creds(out *sts.AssumeRoleWithWebIdentityOutput) aws.CredentialsProvider {
	c := out.Credentials
	return f.env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	f := newFed(t)
	role := f.role(t, "ci", `,"Condition":{"StringEquals":{"`+f.name+`:aud":"sts.amazonaws.com","`+f.name+`:sub":"repo:acme/app:ref:refs/heads/main"}}`, readIAM)
	tok := f.iss.Token(f.iss.Claims("repo:acme/app:ref:refs/heads/main", "sts.amazonaws.com", nil))
	out, err := f.assume(role, tok, func(in *sts.AssumeRoleWithWebIdentityInput) { in.DurationSeconds = aws.Int32(7200) })
	if err != nil {
		t.Fatal(err)
	}
	if *out.SubjectFromWebIdentityToken != "repo:acme/app:ref:refs/heads/main" || *out.Audience != "sts.amazonaws.com" ||
		*out.Provider != f.provider || *out.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/ci/web" ||
		!strings.HasSuffix(*out.AssumedRoleUser.AssumedRoleId, ":web") || packedSize(out) != nil ||
		time.Until(*out.Credentials.Expiration) < 7100*time.Second {
		t.Fatalf("response: %+v %+v", out, out.AssumedRoleUser)
	}
	id := must(f.env.STSClient(f.creds(out)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *id.Arn != *out.AssumedRoleUser.Arn {
		t.Fatalf("caller: %s", *id.Arn)
	}
	must(f.env.IAMClient(f.creds(out)).ListRoles(ctx, &iam.ListRolesInput{}))
	// Another branch's token does not meet the trust policy's condition.
	_, err = f.assume(role, f.iss.Token(f.iss.Claims("repo:acme/app:ref:refs/heads/dev", "sts.amazonaws.com", nil)))
	apiErr(t, err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	// The record names the operation, not the token.
	for _, r := range f.env.Records.All() {
		if r.Operation == "AssumeRoleWithWebIdentity" && strings.Contains(r.Params.Get("WebIdentityToken"), ".") {
			t.Fatal("a record keeps the web identity token")
		}
	}
}

// TestWebIdentityErrors: each error AWS documents, with the input that
// causes it.
func TestWebIdentityErrors(t *testing.T) {
	f := newFed(t)
	role := f.role(t, "r", "", "")
	claims := func(extra map[string]any) map[string]any {
		return f.iss.Claims("user-1234", "sts.amazonaws.com", extra)
	}
	good := f.iss.Token(claims(nil))
	stranger, _ := rsa.GenerateKey(rand.Reader, 2048)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := f.env.Now()
	for _, tc := range []struct {
		name, token, code, msg string
		mod                    func(*sts.AssumeRoleWithWebIdentityInput)
	}{
		{"alg none", oidctest.Unsigned(claims(nil)), "InvalidIdentityToken", "signing algorithm is not supported", nil},
		{"HS256", oidctest.SignHMAC(t, "HS256", []byte("0123456789abcdef0123456789abcdef"), claims(nil)), "InvalidIdentityToken", "signing algorithm is not supported", nil},
		{"not a JWT", "abcdefgh", "InvalidIdentityToken", "not a valid JWT", nil},
		{"wrong audience", f.iss.Token(f.iss.Claims("user-1234", "someone-else", nil)), "InvalidIdentityToken", "Incorrect token audience", nil},
		{"azp not a client id", f.iss.Token(claims(map[string]any{"aud": []string{"sts.amazonaws.com", "x"}, "azp": "x"})), "InvalidIdentityToken", "Incorrect token audience", nil},
		{"expired", f.iss.Token(claims(map[string]any{"exp": now.Add(-10 * time.Minute).Unix()})), "ExpiredTokenException", "Token expired: current date/time", nil},
		{"signed by a stranger under the issuer's kid", oidctest.Sign(t, "RS256", stranger, f.iss.KeyID(), claims(nil)), "InvalidIdentityToken", "signature could not be verified", nil},
		{"ES256 under the issuer's RSA kid", oidctest.Sign(t, "ES256", ec, f.iss.KeyID(), claims(nil)), "InvalidIdentityToken", "signature could not be verified", nil},
		{"unknown kid", oidctest.Sign(t, "RS256", stranger, "no-such-kid", claims(nil)), "InvalidIdentityToken", "publishes no key with the token's key ID", nil},
		{"unregistered issuer", f.iss.Token(claims(map[string]any{"iss": "https://elsewhere.example.com"})), "InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://elsewhere.example.com", nil},
		{"issuer as http", f.iss.Token(claims(map[string]any{"iss": strings.Replace(f.iss.URL, "https", "http", 1)})), "InvalidIdentityToken", "No OpenIDConnect provider found", nil},
		{"no sub", f.iss.Token(claims(map[string]any{"sub": nil})), "IDPRejectedClaim", "claim sub is missing", nil},
		{"not valid yet", f.iss.Token(claims(map[string]any{"nbf": now.Add(time.Hour).Unix()})), "IDPRejectedClaim", "claim nbf is in the future", nil},
		{"exp not an integer", f.iss.Token(claims(map[string]any{"exp": 1.5})), "InvalidIdentityToken", "claims are malformed", nil},
		{"bad tags claim", f.iss.Token(claims(map[string]any{"https://aws.amazon.com/tags": map[string]any{"principal_tags": map[string]any{"aws:x": []string{"y"}}}})), "IDPRejectedClaim", "aws: namespace", nil},
		{"malformed session policy", good, "MalformedPolicyDocument", "", func(in *sts.AssumeRoleWithWebIdentityInput) { in.Policy = aws.String(`{"Version":"2012-10-17"}`) }},
		{"session name", good, "ValidationError", "roleSessionName", func(in *sts.AssumeRoleWithWebIdentityInput) { in.RoleSessionName = aws.String("bad name") }},
		{"duration over the role's maximum", good, "ValidationError", "exceeds the MaxSessionDuration", func(in *sts.AssumeRoleWithWebIdentityInput) { in.DurationSeconds = aws.Int32(7201) }},
		{"duration under 900", good, "ValidationError", "durationSeconds", func(in *sts.AssumeRoleWithWebIdentityInput) { in.DurationSeconds = aws.Int32(899) }},
		{"ProviderId for an ID token", good, "InvalidParameterValue", "ProviderId", func(in *sts.AssumeRoleWithWebIdentityInput) { in.ProviderId = aws.String("www.amazon.com") }},
		{"no such role", good, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", func(in *sts.AssumeRoleWithWebIdentityInput) {
			in.RoleArn = aws.String("arn:aws:iam::" + acct + ":role/nope")
		}},
		{"no such session policy", good, "InvalidParameterValue", "does not exist", func(in *sts.AssumeRoleWithWebIdentityInput) {
			in.PolicyArns = append(in.PolicyArns, stsPolicyARN("arn:aws:iam::"+acct+":policy/nope"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mods []func(*sts.AssumeRoleWithWebIdentityInput)
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			_, err := f.assume(role, tc.token, mods...)
			apiErr(t, err, tc.code, tc.msg)
		})
	}
	// The token is never echoed in an error, even a validation error.
	long := strings.Repeat("x", 20001)
	_, err := f.assume(role, long)
	apiErr(t, err, "ValidationError", "webIdentityToken")
	if strings.Contains(err.Error(), "xxxxxxxx") {
		t.Fatal("the token is echoed")
	}
	must(f.assume(role, good))
}

// TestWebIdentityTrustAndPackedSize: a trust policy naming another
// provider denies; session policies and token tags share the packed size.
func TestWebIdentityTrustAndPackedSize(t *testing.T) {
	f := newFed(t)
	other := oidctest.New(t)
	otherARN := *must(f.env.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(other.URL),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{other.Thumbprint}})).OpenIDConnectProviderArn
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + otherARN + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	role := *must(f.env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("trusts-other"), AssumeRolePolicyDocument: aws.String(trust)})).Role.Arn
	_, err := f.assume(role, f.iss.Token(f.iss.Claims("user-1", "sts.amazonaws.com", nil)))
	apiErr(t, err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	must(f.assume(role, other.Token(other.Claims("user-1", "sts.amazonaws.com", nil))))

	// A 2,000-character session policy and the token's tags: over 100 %.
	mine := f.role(t, "mine", `},{"Effect":"Allow","Principal":{"Federated":"`+f.provider+`"},"Action":"sts:TagSession"`, "")
	pad := strings.Repeat("a", 1900)
	pol := `{"Version":"2012-10-17","Statement":[{"Sid":"` + pad + `","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	tags := map[string]any{"https://aws.amazon.com/tags": map[string]any{"principal_tags": map[string][]string{"team": {strings.Repeat("t", 200)}}}}
	_, err = f.assume(mine, f.iss.Token(f.iss.Claims("user-1", "sts.amazonaws.com", tags)), func(in *sts.AssumeRoleWithWebIdentityInput) { in.Policy = aws.String(pol) })
	apiErr(t, err, "PackedPolicyTooLarge", "Packed size of consumed session policies and tags exceeds the limit")
	out := must(f.assume(mine, f.iss.Token(f.iss.Claims("user-1", "sts.amazonaws.com", tags))))
	if packedSize(out) == nil || *packedSize(out) < 10 {
		t.Fatalf("packed size: %v", packedSize(out))
	}
}

// TestWebIdentityKeyRotation: the issuer rotates its key; the next token,
// signed with the new kid, verifies once the keys are fetched again; a
// token of the retired key no longer does.
func TestWebIdentityKeyRotation(t *testing.T) {
	f := newFed(t)
	role := f.role(t, "r", "", "")
	old := f.iss.Token(f.iss.Claims("user-1", "sts.amazonaws.com", nil))
	must(f.assume(role, old))
	f.iss.Rotate()
	f.env.Advance(11 * time.Second) // past the refetch interval of the last fetch
	must(f.assume(role, f.iss.Token(f.iss.Claims("user-1", "sts.amazonaws.com", nil))))
	if _, jwks := f.iss.Requests(); jwks != 2 {
		t.Fatalf("%d JWKS fetches; want 2 (one per key)", jwks)
	}
	_, err := f.assume(role, old)
	apiErr(t, err, "InvalidIdentityToken", "publishes no key with the token's key ID")
	// Warm: no more fetches.
	for i := 0; i < 5; i++ {
		must(f.assume(role, f.iss.Token(f.iss.Claims("user-1", "sts.amazonaws.com", nil))))
	}
	if _, jwks := f.iss.Requests(); jwks != 2 {
		t.Fatalf("%d JWKS fetches with a warm cache", jwks)
	}
}

// TestWebIdentityIssuerTrust: a wrong thumbprint fails; the issuer down is
// IDPCommunicationError; a CA file trusts an issuer with no thumbprint.
func TestWebIdentityIssuerTrust(t *testing.T) {
	f := newFed(t)
	role := f.role(t, "r", "", "")
	must(f.env.IAM.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{
		OpenIDConnectProviderArn: aws.String(f.provider), ThumbprintList: []string{strings.Repeat("0", 40)}}))
	_, err := f.assume(role, f.iss.Token(f.iss.Claims("user-1", "sts.amazonaws.com", nil)))
	apiErr(t, err, "InvalidIdentityToken", "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint")
	must(f.env.IAM.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{
		OpenIDConnectProviderArn: aws.String(f.provider), ThumbprintList: []string{f.iss.Thumbprint}}))
	must(f.assume(role, f.iss.Token(f.iss.Claims("user-1", "sts.amazonaws.com", nil))))

	down := oidctest.New(t, oidctest.WithClock(f.env.Now))
	downARN := *must(f.env.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(down.URL),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{down.Thumbprint}})).OpenIDConnectProviderArn
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + downARN + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	downRole := *must(f.env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("down"), AssumeRolePolicyDocument: aws.String(trust)})).Role.Arn
	tok := down.Token(down.Claims("user-1", "sts.amazonaws.com", nil))
	down.Close()
	_, err = f.assume(downRole, tok)
	apiErr(t, err, "IDPCommunicationError", "Couldn't retrieve verification key from your identity provider")

	// A private CA trusted by --oidc-ca-files: no thumbprint needed.
	ca := oidctest.New(t)
	g := newFed(t, func(c *config.Config) { c.OIDCCAFiles = ca.CAFile() })
	caARN := *must(g.env.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(ca.URL),
		ClientIDList: []string{"sts.amazonaws.com"}})).OpenIDConnectProviderArn
	trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + caARN + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	caRole := *must(g.env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ca"), AssumeRolePolicyDocument: aws.String(trust)})).Role.Arn
	must(g.assume(caRole, ca.Token(ca.Claims("user-1", "sts.amazonaws.com", nil))))
	// The same issuer without the CA file and without a thumbprint is not trusted.
	noCA := *must(f.env.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(ca.URL),
		ClientIDList: []string{"sts.amazonaws.com"}})).OpenIDConnectProviderArn
	trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + noCA + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	noCARole := *must(f.env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("noca"), AssumeRolePolicyDocument: aws.String(trust)})).Role.Arn
	_, err = f.assume(noCARole, ca.Token(ca.Claims("user-1", "sts.amazonaws.com", nil)))
	apiErr(t, err, "InvalidIdentityToken", "doesn't match configured thumbprint")
}

// TestDeletedAndRecreatedProvider follows AWS: a provider has no unique
// id; a trust policy names it by ARN (its URL). Deleted, its tokens name
// no provider; created again with the same URL it has the same ARN, and
// the same trust policy trusts it again.
func TestDeletedAndRecreatedProvider(t *testing.T) {
	f := newFed(t)
	role := f.role(t, "r", "", "")
	must(f.assume(role, f.iss.Token(f.iss.Claims("user-1", "sts.amazonaws.com", nil))))
	must(f.env.IAM.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(f.provider)}))
	_, err := f.assume(role, f.iss.Token(f.iss.Claims("user-1", "sts.amazonaws.com", nil)))
	apiErr(t, err, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for "+f.iss.URL)
	again := must(f.env.IAM.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(f.iss.URL),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{f.iss.Thumbprint}}))
	if *again.OpenIDConnectProviderArn != f.provider {
		t.Fatal(*again.OpenIDConnectProviderArn)
	}
	must(f.assume(role, f.iss.Token(f.iss.Claims("user-1", "sts.amazonaws.com", nil))))
}

// TestWebIdentitySessionKeys: the session carries the provider's claims
// as policy variables and condition keys (${PROVIDER:sub},
// aws:FederatedProvider) and the token's tags, allowed by sts:TagSession.
func TestWebIdentitySessionKeys(t *testing.T) {
	f := newFed(t)
	must(f.env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("homes")}))
	policy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::homes/${` + f.name + `:sub}/*",
		 "Condition":{"StringEquals":{"aws:FederatedProvider":"` + f.provider + `"}}},
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::homes/teams/${aws:PrincipalTag/team}/*"}]}`
	role := f.role(t, "home", `},{"Effect":"Allow","Principal":{"Federated":"`+f.provider+`"},"Action":"sts:TagSession",
		"Condition":{"StringEquals":{"aws:RequestTag/team":"data"}}`, policy)
	tags := map[string]any{"https://aws.amazon.com/tags": map[string]any{"principal_tags": map[string][]string{"team": {"data"}}, "transitive_tag_keys": []string{"team"}}}
	out := must(f.assume(role, f.iss.Token(f.iss.Claims("alice", "sts.amazonaws.com", tags))))
	s := f.env.S3Client(f.creds(out))
	must(s.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("homes"), Key: aws.String("alice/notes.txt"), Body: strings.NewReader("mine")}))
	must(s.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("homes"), Key: aws.String("alice/notes.txt")}))
	_, err := s.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("homes"), Key: aws.String("bob/notes.txt"), Body: strings.NewReader("not mine")})
	apiErr(t, err, "AccessDenied", "")
	must(f.env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("homes"), Key: aws.String("teams/data/plan"), Body: strings.NewReader("p")}))
	must(s.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("homes"), Key: aws.String("teams/data/plan")}))
	// A tag the trust policy does not allow: TagSession is denied, and
	// named (as for AssumeRoleWithSAML).
	bad := map[string]any{"https://aws.amazon.com/tags": map[string]any{"principal_tags": map[string][]string{"team": {"ops"}}}}
	_, err = f.assume(role, f.iss.Token(f.iss.Claims("alice", "sts.amazonaws.com", bad)))
	apiErr(t, err, "AccessDenied", "Not authorized to perform sts:TagSession")
}

// TestKubernetesServiceAccountToken: a projected service-account token
// (sub system:serviceaccount:NS:NAME, aud a list) assumes a role whose
// trust policy matches the namespace with StringLike.
func TestKubernetesServiceAccountToken(t *testing.T) {
	f := newFed(t)
	role := f.role(t, "prod-apps", `,"Condition":{"StringLike":{"`+f.name+`:sub":"system:serviceaccount:prod:*"},"StringEquals":{"`+f.name+`:aud":"sts.amazonaws.com"}}`, readIAM)
	sa := func(ns, name string) string {
		return f.iss.Token(f.iss.Claims("system:serviceaccount:"+ns+":"+name, "", map[string]any{"aud": []string{"sts.amazonaws.com"},
			"kubernetes.io": map[string]any{"namespace": ns, "serviceaccount": map[string]string{"name": name, "uid": "0d1f"}}}))
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte(sa("prod", "billing")), 0o600); err != nil {
		t.Fatal(err)
	}
	// The SDK's own web-identity provider, as AWS_WEB_IDENTITY_TOKEN_FILE configures it.
	p := stscreds.NewWebIdentityRoleProvider(f.anon, role, stscreds.IdentityTokenFile(file))
	creds := must(p.Retrieve(ctx))
	if !strings.HasPrefix(creds.AccessKeyID, "ASIA") || creds.SessionToken == "" || !creds.CanExpire {
		t.Fatalf("creds: %+v", creds)
	}
	cfg := f.env.AWSConfig(aws.NewCredentialsCache(p))
	id := must(sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if !strings.HasPrefix(*id.Arn, "arn:aws:sts::"+acct+":assumed-role/prod-apps/") {
		t.Fatalf("identity: %s", *id.Arn)
	}
	must(iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{}))
	_, err := f.assume(role, sa("dev", "billing"))
	apiErr(t, err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
}

// TestCatalogVending: a catalog service assumes a broad data role on a
// client's behalf with a session policy that lists and reads/writes one
// table's prefix; the credentials it hands out can do that and nothing
// else.
func TestCatalogVending(t *testing.T) {
	f := newFed(t)
	must(f.env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("warehouse")}))
	for _, k := range []string{"tables/orders/data/0001.parquet", "tables/users/data/0001.parquet"} {
		must(f.env.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("warehouse"), Key: aws.String(k), Body: strings.NewReader("x")}))
	}
	role := f.role(t, "data", "", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::warehouse","arn:aws:s3:::warehouse/*"]}]}`)
	session := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::warehouse","Condition":{"StringLike":{"s3:prefix":["tables/orders/","tables/orders/*"]}}},
		{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::warehouse/tables/orders/*"}]}`
	out := must(f.assume(role, f.iss.Token(f.iss.Claims("catalog-client-7", "sts.amazonaws.com", nil)), func(in *sts.AssumeRoleWithWebIdentityInput) {
		in.Policy, in.DurationSeconds, in.RoleSessionName = aws.String(session), aws.Int32(900), aws.String("orders-vend")
	}))
	if packedSize(out) == nil {
		t.Fatal("no packed size with a session policy")
	}
	s := f.env.S3Client(f.creds(out))
	list := must(s.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("warehouse"), Prefix: aws.String("tables/orders/")}))
	if len(list.Contents) != 1 || *list.Contents[0].Key != "tables/orders/data/0001.parquet" {
		t.Fatalf("list: %+v", list.Contents)
	}
	must(s.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("warehouse"), Key: aws.String("tables/orders/data/0002.parquet"), Body: strings.NewReader("y")}))
	must(s.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("warehouse"), Key: aws.String("tables/orders/data/0002.parquet")}))
	must(s.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("warehouse"), Key: aws.String("tables/orders/data/0002.parquet")}))
	for name, call := range map[string]func() error{
		"list another table": func() error {
			_, err := s.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("warehouse"), Prefix: aws.String("tables/users/")})
			return err
		},
		"list the bucket": func() error {
			_, err := s.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("warehouse")})
			return err
		},
		"read another table": func() error {
			_, err := s.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("warehouse"), Key: aws.String("tables/users/data/0001.parquet")})
			return err
		},
		"write another table": func() error {
			_, err := s.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("warehouse"), Key: aws.String("tables/users/x"), Body: strings.NewReader("z")})
			return err
		},
		"delete another table": func() error {
			_, err := s.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("warehouse"), Key: aws.String("tables/users/data/0001.parquet")})
			return err
		},
		"create a bucket": func() error {
			_, err := s.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("escape")})
			return err
		},
	} {
		if err := call(); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
			t.Errorf("%s: %v; want AccessDenied", name, err)
		}
	}
}

func stsPolicyARN(arn string) types.PolicyDescriptorType {
	return types.PolicyDescriptorType{Arn: aws.String(arn)}
}

// packedSize is the response's PackedPolicySize, which the SDK deprecates
// for SessionTokenUtilization.
func packedSize(out *sts.AssumeRoleWithWebIdentityOutput) *int32 {
	//lint:ignore SA1019 AWS still returns PackedPolicySize; the tests check that Gatehouse does too
	return out.PackedPolicySize
}

// TestWebIdentityQuota: AssumeRoleWithWebIdentity draws on the STS quotas
// of the token's subject in the provider's account — once the token is
// verified, so that forged tokens naming a subject cannot spend its quota.
func TestWebIdentityQuota(t *testing.T) {
	f := newFed(t, func(c *config.Config) {
		c.STSPrincipalRate, c.STSPrincipalBurst = 1.0/600, 2
		c.STSAccountRate, c.STSAccountBurst = 1.0/600, 100
	})
	role := f.role(t, "r", "", "")
	token := func(sub string) string { return f.iss.Token(f.iss.Claims(sub, "sts.amazonaws.com", nil)) }
	// Forged tokens for alice (another token's signature): refused, and
	// not counted.
	alice, other := token("alice"), token("mallory")
	forged := alice[:strings.LastIndex(alice, ".")] + other[strings.LastIndex(other, "."):]
	for i := 0; i < 5; i++ {
		_, err := f.assume(role, forged)
		apiErr(t, err, "InvalidIdentityToken", "")
	}
	for i := 0; i < 2; i++ {
		must(f.assume(role, token("alice")))
	}
	_, err := f.assume(role, token("alice"))
	wantThrottled(t, err)
	// Another subject of the same provider has its own bucket.
	must(f.assume(role, token("bob")))
}
