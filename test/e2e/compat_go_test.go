package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// need returns v, or fails the test with err: need(f())(t).
func need[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestGoSDK drives aws-sdk-go-v2 as applications use it against AWS:
// configuration from the SDK's own loader, HTTPS, default checksums and
// upload manager, the stscreds assume-role provider.
func TestGoSDK(t *testing.T) {
	ctx := context.Background()
	cert, key := selfSignedCert(t)
	srv := startServer(t, t.TempDir(), "--tls-cert", cert, "--tls-key", key, "--log-level", "debug")
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(mustRead(t, cert))
	hc := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	// Nothing from the machine's own AWS configuration leaks into the test.
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_CA_BUNDLE", "") // the test's HTTP client trusts the test CA
	t.Setenv("AWS_PROFILE", "")
	load := func(creds aws.CredentialsProvider, opts ...func(*config.LoadOptions) error) aws.Config {
		t.Helper()
		base := []func(*config.LoadOptions) error{config.WithRegion("us-east-1"), config.WithHTTPClient(hc), config.WithRetryMaxAttempts(1)}
		if creds != nil {
			base = append(base, config.WithCredentialsProvider(creds))
		}
		return need(config.LoadDefaultConfig(ctx, append(base, opts...)...))(t)
	}
	endpoint := config.WithBaseEndpoint(srv.URL)
	root := load(credentials.NewStaticCredentialsProvider(rootKeyID, rootSecret, ""), endpoint)

	ic := iam.NewFromConfig(root)
	need(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("go-user")}))(t)
	k := need(ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("go-user")}))(t)
	roleARN := "arn:aws:iam::" + accountID + ":role/go-s3"
	need(ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("go-user"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + roleARN + `"}]}`)}))(t)
	need(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("go-s3"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + accountID + `:user/go-user"},"Action":"sts:AssumeRole"}]}`)}))(t)
	need(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("go-s3"), PolicyName: aws.String("s3"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}))(t)
	pathStyle := func(o *s3.Options) { o.UsePathStyle = true }
	need(s3.NewFromConfig(root, pathStyle).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("go-compat")}))(t)
	user := credentials.NewStaticCredentialsProvider(*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, "")
	userCfg := load(user, endpoint)

	// AssumeRole, then S3 with the temporary credentials.
	ar := need(sts.NewFromConfig(userCfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("go")}))(t)
	temp := credentials.NewStaticCredentialsProvider(*ar.Credentials.AccessKeyId, *ar.Credentials.SecretAccessKey, *ar.Credentials.SessionToken)
	tc := s3.NewFromConfig(load(temp, endpoint), pathStyle)
	_, err := tc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("go-compat"), Key: aws.String("hello.txt"), Body: strings.NewReader("hello")})
	if err == nil {
		_, err = tc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("go-compat")})
	}
	record(t, clientGo, featAssumeRole, err == nil, errText(err, "sts.AssumeRole, then an s3.Client with the returned credentials (static provider with the session token): PutObject and ListObjectsV2"))

	// The SDK's own assume-role provider refreshes before expiry: with a
	// 900-second session and an expiry window of 899 seconds, the cache
	// considers the credentials stale a second after issue.
	prov := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(userCfg), roleARN, func(o *stscreds.AssumeRoleOptions) { o.Duration = 15 * time.Minute })
	cache := aws.NewCredentialsCache(prov, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 899 * time.Second })
	pc := s3.NewFromConfig(load(cache, endpoint), pathStyle)
	first := need(cache.Retrieve(ctx))(t)
	_, err = pc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("go-compat")})
	time.Sleep(1500 * time.Millisecond)
	if err == nil {
		_, err = pc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("go-compat")})
	}
	second := need(cache.Retrieve(ctx))(t)
	refreshed := err == nil && first.AccessKeyID != second.AccessKeyID && strings.HasPrefix(second.AccessKeyID, "ASIA")
	record(t, clientGo, featProvider, refreshed, errText(err, "stscreds.NewAssumeRoleProvider in aws.NewCredentialsCache: new temporary credentials fetched once inside the cache's ExpiryWindow, and the next call succeeded"))

	// The upload manager's default path over HTTPS: 5 MiB parts sent
	// aws-chunked with a trailing CRC32.
	big := make([]byte, 64<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>13)
	}
	//lint:ignore SA1019 feature/s3/manager is deprecated, but it is the default path deployed clients use
	_, err = manager.NewUploader(tc).Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("go-compat"), Key: aws.String("big.bin"), Body: bytes.NewReader(big)})
	ok := err == nil
	if ok {
		h := sha256.New()
		w := manager.NewWriteAtBuffer(nil)
		//lint:ignore SA1019 as above
		_, err = manager.NewDownloader(tc).Download(ctx, w, &s3.GetObjectInput{Bucket: aws.String("go-compat"), Key: aws.String("big.bin")})
		h.Write(w.Bytes())
		ok = err == nil && bytes.Equal(h.Sum(nil), sha256Of(big))
	}
	chunked := strings.Contains(srv.stderr.String(), "operation=UploadPart") && strings.Contains(srv.stderr.String(), "payload=STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	record(t, clientGo, featUpload, ok && chunked, errText(err, "manager.Uploader defaults: 5 MiB parts, each aws-chunked with a trailing CRC32 (STREAMING-UNSIGNED-PAYLOAD-TRAILER) over HTTPS; read back with manager.Downloader"))

	// Presigned GET and PUT with the temporary credentials.
	pre := s3.NewPresignClient(tc)
	putURL := need(pre.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("go-compat"), Key: aws.String("presigned.txt")}))(t)
	req, _ := http.NewRequest(http.MethodPut, putURL.URL, strings.NewReader("via presigned PUT"))
	resp, err := hc.Do(req)
	ok = err == nil && resp.StatusCode == 200
	if resp != nil {
		resp.Body.Close()
	}
	getURL := need(pre.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("go-compat"), Key: aws.String("presigned.txt")}))(t)
	body, err := httpGet(hc, getURL.URL)
	ok = ok && err == nil && body == "via presigned PUT"
	record(t, clientGo, featPresign, ok, errText(err, "s3.PresignClient PresignPutObject and PresignGetObject with the session token, used with net/http"))

	// Endpoint configuration: BaseEndpoint (above), AWS_ENDPOINT_URL,
	// AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_STS, and endpoint_url in the
	// shared config file.
	var styles []string
	try := func(style string, cfg aws.Config) {
		t.Helper()
		_, e1 := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, nil)
		_, e2 := s3.NewFromConfig(cfg, pathStyle).ListBuckets(ctx, nil)
		if e1 != nil || e2 != nil {
			t.Errorf("%s: sts %v, s3 %v", style, e1, e2)
			return
		}
		styles = append(styles, style)
	}
	try("BaseEndpoint", root)
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	try("AWS_ENDPOINT_URL", load(credentials.NewStaticCredentialsProvider(rootKeyID, rootSecret, "")))
	os.Unsetenv("AWS_ENDPOINT_URL")
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.URL)
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL)
	try("AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_STS", load(credentials.NewStaticCredentialsProvider(rootKeyID, rootSecret, "")))
	os.Unsetenv("AWS_ENDPOINT_URL_S3")
	os.Unsetenv("AWS_ENDPOINT_URL_STS")
	cfgFile := filepath.Join(t.TempDir(), "config")
	os.WriteFile(cfgFile, []byte("[profile gh]\nregion = us-east-1\nendpoint_url = "+srv.URL+"\n"), 0o600)
	try("endpoint_url in a config-file profile", load(credentials.NewStaticCredentialsProvider(rootKeyID, rootSecret, ""),
		config.WithSharedConfigFiles([]string{cfgFile}), config.WithSharedConfigProfile("gh")))
	record(t, clientGo, featEndpoint, len(styles) == 4, "all of: "+strings.Join(styles, ", ")+" (S3 path style with UsePathStyle)")
}

func sha256Of(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func httpGet(hc *http.Client, url string) (string, error) {
	resp, err := hc.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return string(b), &httpStatusError{resp.StatusCode}
	}
	return string(b), err
}

type httpStatusError struct{ code int }

func (e *httpStatusError) Error() string { return http.StatusText(e.code) }

// errText is the detail of a result: how it was done, or what failed.
func errText(err error, how string) string {
	if err != nil {
		return how + " — failed: " + err.Error()
	}
	return how
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
