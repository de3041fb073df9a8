package e2e

import (
	"bufio"
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The OpenID Provider of TestWebIdentityRealOP: the program in oidcop/ (a
// Go module of its own, so that its OP library stays out of Gatehouse's
// module), built by the test and run as a child process.
const (
	opDir         = "oidcop"
	opRedirectURI = "http://127.0.0.1/callback" // never dialled: the relying party stops at the redirect
	rpUserAgent   = "gatehouse-e2e-relying-party"
)

// realOP is one running oidcop process.
type realOP struct {
	issuer     string
	thumbprint string // SHA-1 of its self-signed certificate, hex
	client     *http.Client
	log        *lockedBuffer // its request log, JSON lines
}

// startRealOP builds oidcop into a temporary directory and starts it with
// users (id → username:password) and confidential clients (id → secret).
func startRealOP(t *testing.T, users map[string]string, clients map[string]string) *realOP {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "oidcop")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = opDir
	build.Env = append(os.Environ(), "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in test/e2e/%s (it needs the Go module proxy the first time): %v\n%s", opDir, err, out)
	}

	type user struct{ ID, Username, Password string }
	byID := map[string]user{}
	for id, up := range users {
		name, pass, _ := strings.Cut(up, ":")
		byID[id] = user{id, name, pass}
	}
	usersFile := filepath.Join(dir, "users.json")
	b, _ := json.Marshal(byID)
	if err := os.WriteFile(usersFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(dir, "cert.pem")
	args := []string{"-cert", certFile, "-users", usersFile, "-redirect-uri", opRedirectURI}
	for id, secret := range clients {
		args = append(args, "-client", id+":"+secret)
	}

	cmd := exec.Command(bin, args...)
	op := &realOP{log: &lockedBuffer{}}
	cmd.Stderr = op.log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("oidcop exited with %v", err)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("oidcop did not stop within 10s of SIGINT")
		}
		if t.Failed() {
			t.Logf("oidcop log:\n%s", op.log.String())
		}
	})
	issuerc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if iss, ok := strings.CutPrefix(sc.Text(), "oidcop issuer="); ok {
				issuerc <- iss
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case op.issuer = <-issuerc:
	case err := <-exited:
		t.Fatalf("oidcop exited before listening: %v\n%s", err, op.log.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("oidcop did not start within 30s\n%s", op.log.String())
	}

	block, _ := pem.Decode(mustRead(t, certFile))
	if block == nil {
		t.Fatalf("%s holds no PEM certificate", certFile)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(cert.Raw)
	op.thumbprint = hex.EncodeToString(sum[:])
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	jar, _ := cookiejar.New(nil)
	op.client = &http.Client{
		Timeout:   30 * time.Second,
		Jar:       jar,
		Transport: userAgent{&http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}},
		// The authorization response goes to the redirect URI: the relying
		// party reads it from the Location header and goes no further.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), opRedirectURI) {
				return http.ErrUseLastResponse
			}
			if len(via) >= 10 {
				return errors.New("more than 10 redirects")
			}
			return nil
		},
	}
	return op
}

// userAgent sets the relying party's User-Agent, so that the OP's log tells
// its requests from Gatehouse's.
type userAgent struct{ next http.RoundTripper }

func (u userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", rpUserAgent)
	return u.next.RoundTrip(r)
}

// opRequest is one line of the OP's request log.
type opRequest struct {
	Msg, Method, Path string
	UserAgent         string `json:"user_agent"`
}

// requestsByOthers returns the OP's logged requests not made by the test's
// relying party — Gatehouse's — as "METHOD PATH".
func (op *realOP) requestsByOthers(t *testing.T) []string {
	t.Helper()
	var got []string
	for line := range strings.Lines(op.log.String()) {
		var r opRequest
		if json.Unmarshal([]byte(line), &r) != nil || r.Msg != "request" || r.UserAgent == rpUserAgent {
			continue
		}
		got = append(got, r.Method+" "+r.Path)
	}
	return got
}

// discovery is the part of the OP's discovery document the relying party uses.
type discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
}

func (op *realOP) discover(t *testing.T) discovery {
	t.Helper()
	resp, err := op.client.Get(op.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d discovery
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("discovery: %d %v", resp.StatusCode, err)
	}
	return d
}

var loginFormID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// idToken runs the authorization-code flow as a web application and its
// user's browser would: the authorization request, the OP's login form
// filled in with username and password, the code from the redirect, then
// the token request authenticated with the client's secret. It returns the
// ID token.
func (op *realOP) idToken(t *testing.T, d discovery, clientID, secret, username, password string) string {
	t.Helper()
	state, nonce := fmt.Sprintf("st-%d", time.Now().UnixNano()), "n-"+username
	q := url.Values{"client_id": {clientID}, "redirect_uri": {opRedirectURI}, "response_type": {"code"},
		"scope": {"openid"}, "state": {state}, "nonce": {nonce}}
	resp, err := op.client.Get(d.AuthorizationEndpoint + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginFormID.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("authorization request: %d, no login form:\n%s", resp.StatusCode, page)
	}
	loginURL := resp.Request.URL // the form posts back to where it was served
	resp, err = op.client.PostForm(loginURL.String(), url.Values{"id": {string(m[1])}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), opRedirectURI) || loc.Query().Get("state") != state {
		t.Fatalf("login: %d, redirected to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	code := loc.Query().Get("code")

	req, _ := http.NewRequest(http.MethodPost, d.TokenEndpoint, strings.NewReader(url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {opRedirectURI}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err = op.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		IDToken   string `json:"id_token"`
		TokenType string `json:"token_type"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.IDToken == "" {
		t.Fatalf("token request: %d %v %+v", resp.StatusCode, err, tok)
	}
	return tok.IDToken
}

// TestWebIdentityRealOP exchanges ID tokens of a real OpenID Provider —
// zitadel/oidc's example OP in its own process, HTTPS with a self-signed
// certificate, tokens from the authorization-code flow through its login
// form — for role credentials: Gatehouse finds the keys through the OP's
// discovery document and JWKS, trusts its certificate by thumbprint, and
// the trust policy's HOST:PORT:aud and :sub conditions decide.
func TestWebIdentityRealOP(t *testing.T) {
	op := startRealOP(t,
		map[string]string{"u-alice": "alice:alice-pw", "u-mallory": "mallory:mallory-pw"},
		map[string]string{"gatehouse-app": "app-secret", "other-app": "other-secret"})
	d := op.discover(t)
	if d.Issuer != op.issuer || d.JWKSURI != op.issuer+"/keys" {
		t.Fatalf("discovery: %+v, want issuer %s", d, op.issuer)
	}
	alice := op.idToken(t, d, "gatehouse-app", "app-secret", "alice", "alice-pw")
	mallory := op.idToken(t, d, "gatehouse-app", "app-secret", "mallory", "mallory-pw")
	aliceElsewhere := op.idToken(t, d, "other-app", "other-secret", "alice", "alice-pw")
	if got := op.requestsByOthers(t); len(got) != 0 {
		t.Fatalf("the OP served requests before Gatehouse had any token: %v", got)
	}

	srv := startServer(t, t.TempDir())
	cli := newAWSCLI(t, srv.URL)
	name := strings.TrimPrefix(op.issuer, "https://") // 127.0.0.1:PORT
	var prov struct{ OpenIDConnectProviderArn string }
	cli.must(&prov, "iam", "create-open-id-connect-provider", "--url", op.issuer, "--client-id-list", "gatehouse-app",
		"--thumbprint-list", op.thumbprint)
	if prov.OpenIDConnectProviderArn != "arn:aws:iam::"+accountID+":oidc-provider/"+name {
		t.Fatalf("provider: %+v", prov)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + prov.OpenIDConnectProviderArn +
		`"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + name + `:aud":"gatehouse-app","` +
		name + `:sub":"u-alice"}}}]}`
	cli.must(nil, "iam", "create-role", "--role-name", "op-users", "--assume-role-policy-document", trust)
	role := "arn:aws:iam::" + accountID + ":role/op-users"

	var out struct {
		SubjectFromWebIdentityToken, Audience, Provider string
		AssumedRoleUser                                 struct{ Arn string }
		Credentials                                     struct{ AccessKeyId string }
	}
	cli.must(&out, "sts", "assume-role-with-web-identity", "--role-arn", role, "--role-session-name", "alice-cli",
		"--web-identity-token", alice)
	if out.SubjectFromWebIdentityToken != "u-alice" || out.Audience != "gatehouse-app" || out.Provider != prov.OpenIDConnectProviderArn ||
		out.AssumedRoleUser.Arn != "arn:aws:sts::"+accountID+":assumed-role/op-users/alice-cli" ||
		!strings.HasPrefix(out.Credentials.AccessKeyId, "ASIA") {
		t.Fatalf("assume-role-with-web-identity: %+v", out)
	}
	// Gatehouse found the keys itself: the discovery document, then the
	// JWKS it names, fetched from the OP.
	if got := strings.Join(op.requestsByOthers(t), ", "); got != "GET /.well-known/openid-configuration, GET /keys" {
		t.Fatalf("Gatehouse's requests to the OP: %q", got)
	}

	// Another user of the same client: the :sub condition refuses.
	msg := cli.fails("sts", "assume-role-with-web-identity", "--role-arn", role, "--role-session-name", "mallory",
		"--web-identity-token", mallory)
	if !strings.Contains(msg, "(AccessDenied)") || !strings.Contains(msg, "Not authorized to perform sts:AssumeRoleWithWebIdentity") {
		t.Fatalf("another subject: %s", msg)
	}
	// The same user through another client of the OP: its audience (azp) is
	// not one of the provider's client ids.
	msg = cli.fails("sts", "assume-role-with-web-identity", "--role-arn", role, "--role-session-name", "alice",
		"--web-identity-token", aliceElsewhere)
	if !strings.Contains(msg, "(InvalidIdentityToken)") || !strings.Contains(msg, "Incorrect token audience") {
		t.Fatalf("another audience: %s", msg)
	}

	// aws-sdk-go-v2's web-identity provider with the OP's token in a file.
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(alice), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hc := &http.Client{Timeout: 30 * time.Second}
	anon := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), HTTPClient: hc})
	creds := aws.NewCredentialsCache(stscreds.NewWebIdentityRoleProvider(anon, role, stscreds.IdentityTokenFile(file),
		func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = "alice-go" }))
	client := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), HTTPClient: hc, Credentials: creds})
	id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(id.Arn); got != "arn:aws:sts::"+accountID+":assumed-role/op-users/alice-go" {
		t.Fatalf("GetCallerIdentity with the Go SDK's web-identity credentials: %s", got)
	}

	// The certificate is trusted by its thumbprint: with another thumbprint
	// registered, the keys cannot be fetched from the OP.
	cli.must(nil, "iam", "update-open-id-connect-provider-thumbprint", "--open-id-connect-provider-arn", prov.OpenIDConnectProviderArn,
		"--thumbprint-list", strings.Repeat("0", 40))
	msg = cli.fails("sts", "assume-role-with-web-identity", "--role-arn", role, "--role-session-name", "alice",
		"--web-identity-token", alice)
	if !strings.Contains(msg, "(InvalidIdentityToken)") || !strings.Contains(msg, "doesn't match configured thumbprint") {
		t.Fatalf("another thumbprint: %s", msg)
	}
}
