package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The Gatehouse account and its root key: those of internal/testenv, which
// runs a complete Gatehouse in-process for the test.
const (
	accountID  = testenv.AccountID
	rootKeyID  = testenv.RootAccessKey
	rootSecret = testenv.RootSecretKey
	region     = testenv.Region
	bucket     = "browser-uploads"
	roleName   = "browser-upload"
	appUser    = "browser-upload-app"
)

// startGatehouse starts a Gatehouse server with a fresh data directory and
// returns its URL. It stops with the test.
func startGatehouse(t *testing.T) string {
	t.Helper()
	return testenv.New(t).URL
}

// awsConfig is an SDK configuration for Gatehouse at endpoint with static
// credentials.
func awsConfig(endpoint, key, secret, token string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, token),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   &http.Client{Timeout: 2 * time.Minute},
	}
}

func s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// setup is the Gatehouse side of the example, done as root, as README.md
// does it with the aws CLI.
type setup struct {
	appKey, appSecret string // the app's own IAM user's access key
	roleARN           string
}

// setUpGatehouse creates the bucket with CORS rules for the app's origin,
// the role the app assumes for its users, and the app's IAM user.
func setUpGatehouse(t *testing.T, ctx context.Context, endpoint, appOrigin string) setup {
	t.Helper()
	root := awsConfig(endpoint, rootKeyID, rootSecret, "")
	s3c, iamc := s3Client(root), iam.NewFromConfig(root)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	must("CreateBucket", err)
	_, err = s3c.PutBucketCors(ctx, &s3.PutBucketCorsInput{
		Bucket: aws.String(bucket),
		CORSConfiguration: &s3types.CORSConfiguration{CORSRules: []s3types.CORSRule{{
			AllowedOrigins: []string{appOrigin},
			AllowedMethods: []string{"PUT", "POST", "GET", "HEAD"},
			AllowedHeaders: []string{"*"},
			ExposeHeaders:  []string{"ETag"},
			MaxAgeSeconds:  aws.Int32(3000),
		}}},
	})
	must("PutBucketCors", err)

	userARN := "arn:aws:iam::" + accountID + ":user/" + appUser
	roleARN := "arn:aws:iam::" + accountID + ":role/" + roleName
	_, err = iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(appUser)})
	must("CreateUser", err)
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(appUser)})
	must("CreateAccessKey", err)
	_, err = iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName:   aws.String(appUser),
		PolicyName: aws.String("browser-upload-app"),
		PolicyDocument: aws.String(policyJSON(t,
			allow([]string{"sts:AssumeRole"}, roleARN),
			allow([]string{"s3:ListBucket"}, "arn:aws:s3:::"+bucket))),
	})
	must("PutUserPolicy", err)
	_, err = iamc.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String(roleName),
		AssumeRolePolicyDocument: aws.String(policyJSON(t, map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]string{"AWS": userARN},
			"Action":    "sts:AssumeRole",
		})),
	})
	must("CreateRole", err)
	_, err = iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName:   aws.String(roleName),
		PolicyName: aws.String("uploads"),
		PolicyDocument: aws.String(policyJSON(t,
			allow([]string{"s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:GetObject"}, "arn:aws:s3:::"+bucket+"/*"),
			allow([]string{"s3:ListBucket"}, "arn:aws:s3:::"+bucket))),
	})
	must("PutRolePolicy", err)
	return setup{
		appKey:    aws.ToString(key.AccessKey.AccessKeyId),
		appSecret: aws.ToString(key.AccessKey.SecretAccessKey),
		roleARN:   roleARN,
	}
}

func allow(actions []string, resource string) map[string]any {
	return map[string]any{"Effect": "Allow", "Action": actions, "Resource": resource}
}

func policyJSON(t *testing.T, statements ...map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// listen opens the app's listener first: its origin goes into the bucket's
// CORS rules before the app starts.
func listen(t *testing.T) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, "http://" + ln.Addr().String()
}

// startApp serves NewServer(cfg) on ln until the test ends.
func startApp(t *testing.T, ln net.Listener, gatehouse string, s setup, assets string) {
	t.Helper()
	handler, err := NewServer(Config{
		Gatehouse:   gatehouse,
		Region:      region,
		Bucket:      bucket,
		RoleARN:     s.roleARN,
		Assets:      assets,
		Credentials: credentials.NewStaticCredentialsProvider(s.appKey, s.appSecret, ""),
		Logger:      slog.New(slog.NewTextHandler(testWriter{t}, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("app shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("app server: %v", err)
		}
	})
}

// testWriter sends the app's log to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("app: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// browser is one logged-in HTTP client of the app (its cookie jar holds
// the session).
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

// login logs user in through the app's login form.
func login(t *testing.T, appURL, user, password string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, base: appURL, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	res, err := b.c.PostForm(appURL+"/login", url.Values{"user": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.RawQuery != "" {
		t.Fatalf("login as %s ended at %s with %s, want the page", user, res.Request.URL, res.Status)
	}
	var me struct{ User string }
	if status := b.getJSON("/api/me", &me); status != http.StatusOK || me.User != user {
		t.Fatalf("/api/me after logging in as %s: %d %+v", user, status, me)
	}
	return b
}

// getJSON GETs path and decodes a 200 answer into out; it returns the status.
func (b *browser) getJSON(path string, out any) int {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusOK {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			b.t.Fatalf("GET %s: %v", path, err)
		}
	}
	return res.StatusCode
}

// credentials fetches the user's temporary upload credentials.
func (b *browser) credentials() Credentials {
	b.t.Helper()
	var c Credentials
	if status := b.getJSON("/api/credentials", &c); status != http.StatusOK {
		b.t.Fatalf("GET /api/credentials: %d", status)
	}
	return c
}
