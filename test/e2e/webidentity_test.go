package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// issuer is a minimal OpenID Connect issuer on 127.0.0.1 over HTTPS with a
// self-signed certificate: discovery, JWKS, RS256 tokens.
type issuer struct {
	url, thumbprint string
	key             *rsa.PrivateKey
}

func newIssuer(t *testing.T) *issuer {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	i := &issuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		// The issuer is the URL this was fetched at (i.url is set after the
		// server starts, unsynchronized with its handlers).
		iss := "https://" + r.Host
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": iss + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	i.url = srv.URL
	sum := sha1.Sum(srv.Certificate().Raw)
	i.thumbprint = hex.EncodeToString(sum[:])
	return i
}

// token is a Kubernetes-style projected service-account token.
func (i *issuer) token(t *testing.T, sub string, exp time.Time) string {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: i.key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"iss": i.url, "sub": sub, "aud": []string{"sts.amazonaws.com"}, "iat": time.Now().Unix(), "exp": exp.Unix()})
	obj, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := obj.CompactSerialize()
	return out
}

// TestWebIdentityCLIAndBoto3: the aws CLI and boto3 get credentials with
// AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, as in a Kubernetes pod or a
// CI job, from a self-signed issuer registered by its thumbprint.
func TestWebIdentityCLIAndBoto3(t *testing.T) {
	srv := startServer(t, t.TempDir())
	aws := newAWSCLI(t, srv.URL)
	iss := newIssuer(t)
	role := webIdentityRole(t, aws, iss)
	var prov struct{ OpenIDConnectProviderArn string }
	prov.OpenIDConnectProviderArn = "arn:aws:iam::" + accountID + ":oidc-provider/" + strings.TrimPrefix(iss.url, "https://")

	// The explicit call.
	var out struct {
		SubjectFromWebIdentityToken, Audience, Provider string
		AssumedRoleUser                                 struct{ Arn string }
		Credentials                                     struct{ AccessKeyId string }
	}
	aws.must(&out, "sts", "assume-role-with-web-identity", "--role-arn", role, "--role-session-name", "cli",
		"--web-identity-token", iss.token(t, "system:serviceaccount:prod:api", time.Now().Add(time.Hour)))
	if out.SubjectFromWebIdentityToken != "system:serviceaccount:prod:api" || out.Audience != "sts.amazonaws.com" ||
		out.Provider != prov.OpenIDConnectProviderArn || out.AssumedRoleUser.Arn != "arn:aws:sts::"+accountID+":assumed-role/pods/cli" ||
		!strings.HasPrefix(out.Credentials.AccessKeyId, "ASIA") {
		t.Fatalf("assume-role-with-web-identity: %+v", out)
	}
	msg := aws.fails("sts", "assume-role-with-web-identity", "--role-arn", role, "--role-session-name", "cli",
		"--web-identity-token", iss.token(t, "system:serviceaccount:prod:api", time.Now().Add(-time.Hour)))
	if !strings.Contains(msg, "ExpiredTokenException") {
		t.Fatalf("expired token: %s", msg)
	}
	msg = aws.fails("sts", "assume-role-with-web-identity", "--role-arn", role, "--role-session-name", "cli",
		"--web-identity-token", iss.token(t, "system:serviceaccount:dev:api", time.Now().Add(time.Hour)))
	if !strings.Contains(msg, "AccessDenied") || !strings.Contains(msg, "Not authorized to perform sts:AssumeRoleWithWebIdentity") {
		t.Fatalf("other namespace: %s", msg)
	}

	// The environment of a pod: AWS_ROLE_ARN and a token file, no keys.
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(iss.token(t, "system:serviceaccount:prod:api", time.Now().Add(time.Hour))), 0o600); err != nil {
		t.Fatal(err)
	}
	podEnv := []string{"AWS_ROLE_ARN=" + role, "AWS_WEB_IDENTITY_TOKEN_FILE=" + file, "AWS_ROLE_SESSION_NAME=pod-1",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null"}
	o, e, ok := aws.runBare(podEnv, "sts", "get-caller-identity", "--endpoint-url", srv.URL)
	if !ok || !strings.Contains(o, `"arn:aws:sts::`+accountID+`:assumed-role/pods/pod-1"`) {
		t.Fatalf("CLI with a token file: %s%s", o, e)
	}
	if o, e, ok := aws.runBare(podEnv, "iam", "list-roles", "--endpoint-url", srv.URL); !ok || !strings.Contains(o, `"RoleName": "pods"`) {
		t.Fatalf("CLI list-roles with a token file: %s%s", o, e)
	}

	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with boto3 is required for end-to-end tests: ", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/boto3_webidentity.py")
	cmd.Env = append(cleanAWSEnv(), "GATEHOUSE_URL="+srv.URL, "AWS_ENDPOINT_URL="+srv.URL, "AWS_CONFIG_FILE=/dev/null", "HOME="+t.TempDir(),
		"AWS_ROLE_ARN="+role, "AWS_WEB_IDENTITY_TOKEN_FILE="+file, "AWS_ROLE_SESSION_NAME=boto3-pod", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	b, err := cmd.CombinedOutput()
	t.Logf("%s", b)
	if err != nil || !strings.Contains(string(b), "IDENTITY arn:aws:sts::"+accountID+":assumed-role/pods/boto3-pod") ||
		!strings.Contains(string(b), "KEY ASIA") {
		t.Fatalf("boto3: %v", err)
	}
}

// webIdentityRole registers iss with Gatehouse (audience sts.amazonaws.com)
// and creates the role "pods" that the issuer's subjects
// system:serviceaccount:prod:* may assume, with IAMReadOnlyAccess. It
// returns the role's ARN.
func webIdentityRole(t *testing.T, aws *awsCLI, iss *issuer) string {
	t.Helper()
	name := strings.TrimPrefix(iss.url, "https://")
	aws.must(nil, "iam", "create-open-id-connect-provider", "--url", iss.url, "--client-id-list", "sts.amazonaws.com",
		"--thumbprint-list", iss.thumbprint)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + accountID +
		`:oidc-provider/` + name + `"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"` + name +
		`:sub":"system:serviceaccount:prod:*"},"StringEquals":{"` + name + `:aud":"sts.amazonaws.com"}}}]}`
	aws.must(nil, "iam", "create-role", "--role-name", "pods", "--assume-role-policy-document", trust)
	aws.must(nil, "iam", "attach-role-policy", "--role-name", "pods", "--policy-arn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
	return "arn:aws:iam::" + accountID + ":role/pods"
}

// writeToken writes a token of iss for sub, valid for an hour, to a file
// and returns its path.
func writeToken(t *testing.T, iss *issuer, sub string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(iss.token(t, sub, time.Now().Add(time.Hour))), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestWebIdentityCLIProfile: the aws CLI with a profile of role_arn +
// web_identity_token_file + role_session_name, selected with --profile.
//
// The CLI (v1, botocore 1.43 here) gets the profile's credentials from an
// STS client of its own, which --endpoint-url does not reach: that client
// takes its endpoint from the configuration — endpoint_url in the profile,
// an sts endpoint_url in the profile's services section, or the
// AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_STS environment variables. The
// three forms are run here; and, with only --endpoint-url, that the CLI
// indeed goes elsewhere for its credentials: to AWS's STS, as the test's
// proxy on 127.0.0.1 sees — every request not bound for 127.0.0.1 is sent to
// it, and it refuses them all, so that nothing leaves the machine.
func TestWebIdentityCLIProfile(t *testing.T) {
	srv := startServer(t, t.TempDir())
	aws := newAWSCLI(t, srv.URL)
	iss := newIssuer(t)
	role := webIdentityRole(t, aws, iss)
	file := writeToken(t, iss, "system:serviceaccount:prod:api")

	config := filepath.Join(t.TempDir(), "config")
	profile := func(name, extra string) string {
		return "[profile " + name + "]\nregion = us-east-1\noutput = json\nrole_arn = " + role + "\nweb_identity_token_file = " + file +
			"\nrole_session_name = " + name + "\n" + extra + "\n"
	}
	text := profile("pod", "endpoint_url = "+srv.URL) +
		profile("pod-sts", "services = gatehouse-sts") + "[services gatehouse-sts]\nsts =\n  endpoint_url = " + srv.URL + "\n\n" +
		profile("pod-bare", "")
	if err := os.WriteFile(config, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		outbound []string // what the CLI asked the proxy for
	)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		outbound = append(outbound, r.Method+" "+r.Host)
		mu.Unlock()
		http.Error(w, "the test reaches nothing but 127.0.0.1", http.StatusForbidden)
	}))
	t.Cleanup(proxy.Close)
	sent := func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(outbound, ", ")
	}
	env := []string{"AWS_CONFIG_FILE=" + config, "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_ENDPOINT_URL=", // unset: each case says where STS is
		"HTTPS_PROXY=" + proxy.URL, "HTTP_PROXY=" + proxy.URL, "NO_PROXY=127.0.0.1", "AWS_MAX_ATTEMPTS=1"}
	identity := func(profile string, extraEnv []string, args ...string) string {
		t.Helper()
		// A HOME of its own: the CLI caches a profile's role credentials
		// under ~/.aws/cli/cache, and each case must fetch its own.
		caseEnv := append(append([]string{"HOME=" + t.TempDir()}, env...), extraEnv...)
		o, e, ok := aws.runBare(caseEnv, append([]string{"--profile", profile}, args...)...)
		if !ok {
			t.Fatalf("aws --profile %s %s: %s%s", profile, strings.Join(args, " "), o, e)
		}
		return o
	}
	want := func(session string) string {
		return `"Arn": "arn:aws:sts::` + accountID + `:assumed-role/pods/` + session + `"`
	}

	// endpoint_url in the profile: every client of the profile, the
	// credential provider's STS client included, goes to Gatehouse.
	if o := identity("pod", nil, "sts", "get-caller-identity"); !strings.Contains(o, want("pod")) {
		t.Fatalf("profile with endpoint_url: %s", o)
	}
	if o := identity("pod", nil, "iam", "list-roles"); !strings.Contains(o, `"RoleName": "pods"`) {
		t.Fatalf("profile with endpoint_url, list-roles: %s", o)
	}
	// --endpoint-url for the command, the services section for STS.
	if o := identity("pod-sts", nil, "--endpoint-url", srv.URL, "sts", "get-caller-identity"); !strings.Contains(o, want("pod-sts")) {
		t.Fatalf("profile with an sts services section: %s", o)
	}
	// --endpoint-url for the command, AWS_ENDPOINT_URL_STS for STS.
	o := identity("pod-bare", []string{"AWS_ENDPOINT_URL_STS=" + srv.URL}, "--endpoint-url", srv.URL, "iam", "list-roles")
	if !strings.Contains(o, `"RoleName": "pods"`) {
		t.Fatalf("profile with AWS_ENDPOINT_URL_STS: %s", o)
	}
	if s := sent(); s != "" {
		t.Fatalf("the CLI sent requests outside 127.0.0.1: %s", s)
	}
	// --endpoint-url alone: the credentials are asked of AWS's STS (its
	// regional endpoint, botocore's default now; the global one before).
	o, e, ok := aws.runBare(append([]string{"HOME=" + t.TempDir()}, env...), "--profile", "pod-bare", "--endpoint-url", srv.URL,
		"iam", "list-roles")
	if s := sent(); ok || (s != "CONNECT sts.us-east-1.amazonaws.com:443" && s != "CONNECT sts.amazonaws.com:443") {
		t.Fatalf("profile without an STS endpoint: want a failure to reach AWS's STS, got %v (proxy asked for %q): %s%s", ok, sent(), o, e)
	}
}

// TestWebIdentityJSFromTokenFile runs js/webidentity.mjs: the AWS SDK for
// JavaScript v3's fromTokenFile provider, with AWS_ROLE_ARN,
// AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_SESSION_NAME set and its STS
// client pointed at Gatehouse by clientConfig.endpoint, then STS, IAM and S3
// calls with the credentials it got.
func TestWebIdentityJSFromTokenFile(t *testing.T) {
	jsDeps(t)
	srv := startServer(t, t.TempDir())
	aws := newAWSCLI(t, srv.URL)
	iss := newIssuer(t)
	role := webIdentityRole(t, aws, iss)
	aws.must(nil, "s3api", "create-bucket", "--bucket", "webid-js")
	aws.must(nil, "iam", "put-role-policy", "--role-name", "pods", "--policy-name", "objects", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::webid-js/*"}]}`)

	type result struct {
		OK                       bool
		Arn, AccessKeyId, Object string
		Roles                    []string
		Name, Message            string
	}
	run := func(tokenFile string) result {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "node", "webidentity.mjs")
		cmd.Dir = jsDir
		cmd.Env = jsEnv(t, "GATEHOUSE_URL="+srv.URL, "BUCKET=webid-js",
			"AWS_ROLE_ARN="+role, "AWS_WEB_IDENTITY_TOKEN_FILE="+tokenFile, "AWS_ROLE_SESSION_NAME=js-pod")
		var stderr lockedBuffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		t.Logf("webidentity.mjs: %s%s", out, stderr.String())
		if err != nil {
			t.Fatalf("webidentity.mjs: %v", err)
		}
		var r result
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("webidentity.mjs printed %q: %v", out, err)
		}
		return r
	}

	r := run(writeToken(t, iss, "system:serviceaccount:prod:api"))
	if !r.OK || r.Arn != "arn:aws:sts::"+accountID+":assumed-role/pods/js-pod" || !strings.HasPrefix(r.AccessKeyId, "ASIA") ||
		!slices.Contains(r.Roles, "pods") || r.Object != "written with web-identity credentials" {
		t.Fatalf("fromTokenFile: %+v", r)
	}
	// A token whose subject the trust policy does not allow.
	r = run(writeToken(t, iss, "system:serviceaccount:dev:api"))
	if r.OK || r.Name != "AccessDenied" || !strings.Contains(r.Message, "Not authorized to perform sts:AssumeRoleWithWebIdentity") {
		t.Fatalf("fromTokenFile with a subject the role does not trust: %+v", r)
	}
}
