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
	"strings"
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
	name := strings.TrimPrefix(iss.url, "https://")
	var prov struct{ OpenIDConnectProviderArn string }
	aws.must(&prov, "iam", "create-open-id-connect-provider", "--url", iss.url, "--client-id-list", "sts.amazonaws.com",
		"--thumbprint-list", iss.thumbprint)
	if prov.OpenIDConnectProviderArn != "arn:aws:iam::"+accountID+":oidc-provider/"+name {
		t.Fatalf("provider: %+v", prov)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + prov.OpenIDConnectProviderArn +
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"` + name + `:sub":"system:serviceaccount:prod:*"},"StringEquals":{"` +
		name + `:aud":"sts.amazonaws.com"}}}]}`
	aws.must(nil, "iam", "create-role", "--role-name", "pods", "--assume-role-policy-document", trust)
	aws.must(nil, "iam", "attach-role-policy", "--role-name", "pods", "--policy-arn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
	role := "arn:aws:iam::" + accountID + ":role/pods"

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
