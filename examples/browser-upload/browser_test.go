package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

const (
	fileSize = 50 << 20 // ten 5 MiB parts
	webDir   = "web"
)

// TestBrowserUpload is the whole flow in a real Chromium: Gatehouse set up
// as README.md describes, the app in process, the page built with npm, and
// a Playwright script (web/test/upload.mjs) that logs in as alice and
// uploads a 50 MiB file from the page.
func TestBrowserUpload(t *testing.T) {
	t.Parallel()
	chromium := chromiumPath()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("this test drives Chromium at %s, which is missing: install it with `apt-get update && apt-get install -y chromium` (scripts/test installs it)", chromium)
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("this test needs Node.js ≥ 20 and npm (%s not found): install them with `apt-get install -y nodejs npm`", tool)
		}
	}
	buildPage(t)

	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	gatehouse := startGatehouse(t)
	ln, appURL := listen(t)
	s := setUpGatehouse(t, ctx, gatehouse, appURL)
	startApp(t, ln, gatehouse, s, filepath.Join(webDir, "dist"))

	// The file to upload: random bytes, so a wrong part order would show.
	file := filepath.Join(t.TempDir(), "browser-upload-50MiB.bin")
	data := make([]byte, fileSize)
	_, _ = rand.Read(data)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(data)
	data = nil

	shots, err := filepath.Abs(filepath.Join("..", "..", "test-artifacts", "browser-upload"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	progressPNG, completePNG := filepath.Join(shots, "progress.png"), filepath.Join(shots, "complete.png")
	for _, f := range []string{progressPNG, completePNG} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}

	// The browser part.
	started := time.Now()
	out := runNode(t, ctx, 5*time.Minute, "test/upload.mjs",
		"APP_URL="+appURL, "FILE="+file, "SCREENSHOT_DIR="+shots, "CHROMIUM="+chromium)
	var result struct {
		ETag              string    `json:"etag"`
		ProgressSeen      []float64 `json:"progressSeen"`
		Status            string    `json:"status"`
		ProgressShotAt    float64   `json:"progressShotAt"`
		ProgressAfterShot float64   `json:"progressAfterShot"`
		Listed            []string  `json:"listed"`
		Seconds           float64   `json:"seconds"`
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &result); err != nil {
		t.Fatalf("upload.mjs printed %q: %v", out, err)
	}
	t.Logf("browser upload: %.1fs, progress seen %v, progress screenshot between %v%% and %v%%, ETag %s",
		result.Seconds, result.ProgressSeen, result.ProgressShotAt, result.ProgressAfterShot, result.ETag)

	// Progress was shown, and screenshotted, mid-upload.
	mid := false
	for _, p := range result.ProgressSeen {
		mid = mid || (p >= 1 && p <= 99)
	}
	if !mid {
		t.Errorf("progress values seen %v: none between 1%% and 99%%", result.ProgressSeen)
	}
	if result.ProgressShotAt < 1 || result.ProgressShotAt > 99 || result.ProgressAfterShot >= 100 {
		t.Errorf("progress screenshot taken at %v%% (then %v%%), want it mid-upload", result.ProgressShotAt, result.ProgressAfterShot)
	}
	if len(result.ProgressSeen) == 0 || result.ProgressSeen[len(result.ProgressSeen)-1] != 100 {
		t.Errorf("progress values seen %v, want them to end at 100", result.ProgressSeen)
	}
	// The completion screenshot was taken with "Upload complete" shown (the
	// script checks the text just before shooting), after the first one.
	if !strings.Contains(result.Status, "Upload complete") || !strings.Contains(result.Status, result.ETag) {
		t.Errorf("status at the completion screenshot %q, want Upload complete with the ETag %s", result.Status, result.ETag)
	}
	progressInfo, completeInfo := checkPNG(t, progressPNG, started), checkPNG(t, completePNG, started)
	if progressInfo != nil && completeInfo != nil && completeInfo.ModTime().Before(progressInfo.ModTime()) {
		t.Errorf("complete.png (%v) is older than progress.png (%v)", completeInfo.ModTime(), progressInfo.ModTime())
	}

	// The page listed the file under alice's prefix.
	key := "uploads/alice/" + filepath.Base(file)
	found := false
	for _, k := range result.Listed {
		found = found || k == key
	}
	if !found {
		t.Errorf("the page listed %q, want %s among them", result.Listed, key)
	}

	// The object is the file, uploaded in ten parts.
	if !strings.HasSuffix(strings.Trim(result.ETag, `"`), "-10") {
		t.Errorf("ETag %s, want a multipart ETag of 10 parts (…-10)", result.ETag)
	}
	obj, err := s3Client(awsConfig(gatehouse, rootKeyID, rootSecret, "")).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s as root: %v", key, err)
	}
	defer obj.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, obj.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	if n != fileSize || !bytes.Equal(h.Sum(nil), want[:]) {
		t.Errorf("%s: %d bytes with SHA-256 %x, want %d bytes with %x", key, n, h.Sum(nil), fileSize, want)
	}
	if got := aws.ToString(obj.ETag); got != result.ETag {
		t.Errorf("stored ETag %s, the page showed %s", got, result.ETag)
	}
}

// TestCredentialsStayInPrefix checks what the credentials handed to the
// browser can do: upload under their own user's prefix, nothing else.
func TestCredentialsStayInPrefix(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	gatehouse := startGatehouse(t)
	ln, appURL := listen(t)
	s := setUpGatehouse(t, ctx, gatehouse, appURL)
	assets := t.TempDir() // this test needs no built page
	if err := os.WriteFile(filepath.Join(assets, "index.html"), []byte("<!doctype html><title>upload</title>\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	startApp(t, ln, gatehouse, s, assets)

	// Without a session, no credentials; a wrong password starts none.
	res, err := http.Get(appURL + "/api/credentials")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/credentials without a session: %s, want 401", res.Status)
	}
	res, err = http.PostForm(appURL+"/login", map[string][]string{"user": {"alice"}, "password": {"demo-bob"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Query().Get("login") != "failed" {
		t.Errorf("login with a wrong password ended at %s, want /?login=failed", res.Request.URL)
	}

	alice := login(t, appURL, "alice", "demo-alice")
	bob := login(t, appURL, "bob", "demo-bob")
	aliceCreds, bobCreds := alice.credentials(), bob.credentials()
	for _, c := range []struct {
		got  Credentials
		user string
	}{{aliceCreds, "alice"}, {bobCreds, "bob"}} {
		if c.got.Prefix != "uploads/"+c.user+"/" || c.got.Bucket != bucket || c.got.Region != region || c.got.Endpoint != gatehouse ||
			c.got.AccessKeyID == "" || c.got.SecretAccessKey == "" || c.got.SessionToken == "" {
			t.Errorf("%s's credentials: %+v", c.user, redacted(c.got))
		}
		if left := time.Until(c.got.Expiration); left <= 10*time.Minute || left > 16*time.Minute {
			t.Errorf("%s's credentials expire in %v, want 15 minutes", c.user, left)
		}
	}
	asAlice := s3Client(awsConfig(gatehouse, aliceCreds.AccessKeyID, aliceCreds.SecretAccessKey, aliceCreds.SessionToken))
	asBob := s3Client(awsConfig(gatehouse, bobCreds.AccessKeyID, bobCreds.SecretAccessKey, bobCreds.SessionToken))

	put := func(c *s3.Client, key string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("hello from " + key)})
		return err
	}
	get := func(c *s3.Client, key string) error {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	if err := put(asBob, "uploads/bob/secret.txt"); err != nil {
		t.Fatalf("bob: PutObject uploads/bob/secret.txt: %v", err)
	}
	if err := put(asAlice, "uploads/alice/x"); err != nil {
		t.Errorf("alice: PutObject uploads/alice/x: %v", err)
	}
	wantAccessDenied(t, "alice: PutObject uploads/bob/x", put(asAlice, "uploads/bob/x"))
	wantAccessDenied(t, "alice: PutObject other/x", put(asAlice, "other/x"))
	wantAccessDenied(t, "alice: PutObject uploads/alice (no trailing slash)", put(asAlice, "uploads/alice"))
	wantAccessDenied(t, "alice: GetObject uploads/bob/secret.txt", get(asAlice, "uploads/bob/secret.txt"))
	wantAccessDenied(t, "alice: GetObject uploads/alice/x", get(asAlice, "uploads/alice/x"))
	_, err = asAlice.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("uploads/alice/")})
	wantAccessDenied(t, "alice: ListObjectsV2 uploads/alice/", err)

	// Each user's list shows their own uploads only.
	for _, c := range []struct {
		b    *browser
		want string
	}{{alice, "uploads/alice/x"}, {bob, "uploads/bob/secret.txt"}} {
		var files []File
		if status := c.b.getJSON("/api/files", &files); status != http.StatusOK {
			t.Fatalf("GET /api/files: %d", status)
		}
		if len(files) != 1 || files[0].Key != c.want || files[0].Size == 0 || files[0].ETag == "" {
			t.Errorf("GET /api/files: %+v, want just %s", files, c.want)
		}
	}

	// After logging out, no more credentials.
	res, err = alice.c.Get(appURL + "/logout")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var c Credentials
	if status := alice.getJSON("/api/credentials", &c); status != http.StatusUnauthorized {
		t.Errorf("GET /api/credentials after logging out: %d, want 401", status)
	}
}

func wantAccessDenied(t *testing.T, what string, err error) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Errorf("%s: got %v, want AccessDenied", what, err)
	}
}

// redacted is c without its secrets, for failure messages.
func redacted(c Credentials) Credentials {
	if c.SecretAccessKey != "" {
		c.SecretAccessKey = "(set)"
	}
	if c.SessionToken != "" {
		c.SessionToken = "(set)"
	}
	return c
}

// chromiumPath is the browser the Playwright script drives.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// buildPage installs the page's npm dependencies if they are missing
// (npm ci: exactly package-lock.json) and builds web/dist.
func buildPage(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(webDir, "node_modules")); errors.Is(err, os.ErrNotExist) {
		runIn(t, webDir, 10*time.Minute, "npm", "ci", "--no-audit", "--no-fund")
	}
	runIn(t, webDir, 2*time.Minute, "npm", "run", "build")
}

// runIn runs a command in dir, failing the test if it fails or outlasts
// timeout.
func runIn(t *testing.T, dir string, timeout time.Duration, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s in %s: %v (timeout %v)\n%s", name, strings.Join(args, " "), dir, err, timeout, out)
	}
}

// runNode runs a node script in web/ with extra environment and returns
// its stdout; its stderr goes to the test log. On timeout node gets
// SIGTERM, on which Playwright closes the browser.
func runNode(t *testing.T, ctx context.Context, timeout time.Duration, script string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Dir = webDir
	cmd.Env = append(os.Environ(), env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	for _, line := range strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n") {
		if line != "" {
			t.Logf("%s: %s", script, line)
		}
	}
	if err != nil {
		t.Fatalf("node %s: %v (timeout %v)\n%s", script, err, timeout, stdout.String())
	}
	return stdout.String()
}

// checkPNG checks that path is a PNG written since start.
func checkPNG(t *testing.T, path string, start time.Time) os.FileInfo {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return nil
	}
	if len(b) < 1000 || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("%s: %d bytes, not a PNG screenshot", path, len(b))
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Error(err)
		return nil
	}
	if info.ModTime().Before(start.Add(-time.Second)) {
		t.Errorf("%s was written at %v, before this run started at %v", path, info.ModTime(), start)
	}
	return info
}
