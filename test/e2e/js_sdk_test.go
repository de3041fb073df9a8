package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// jsDir holds the AWS SDK for JavaScript v3 part of the suite: package.json
// and package-lock.json pin the SDK; compat.mjs drives it.
const jsDir = "js"

// jsDeps makes sure js/node_modules matches the lockfile: `npm ci` when it
// is missing, incomplete (npm writes node_modules/.package-lock.json last)
// or older than package-lock.json. scripts/test does the same; running it
// twice is harmless.
func jsDeps(t *testing.T) { npmDeps(t, jsDir) }

// npmDeps is jsDeps for the Node package in jsDir.
func npmDeps(t *testing.T, jsDir string) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("Node.js 20+ with npm is required for the AWS SDK for JavaScript end-to-end test (scripts/test installs the prerequisites): %v", err)
		}
	}
	lock, err := os.Stat(filepath.Join(jsDir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if installed, err := os.Stat(filepath.Join(jsDir, "node_modules", ".package-lock.json")); err == nil && !installed.ModTime().Before(lock.ModTime()) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = jsDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm ci in test/e2e/%s: %v\n%s", jsDir, err, out)
	}
	t.Logf("npm ci in test/e2e/%s:\n%s", jsDir, out)
}

// jsEnv is this process's environment without AWS_* variables (a
// developer's profile or endpoint must not leak into the SDK), with shared
// config files that do not exist.
func jsEnv(t *testing.T, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	none := filepath.Join(t.TempDir(), "absent")
	env = append(env, "AWS_CONFIG_FILE="+none, "AWS_SHARED_CREDENTIALS_FILE="+none, "AWS_EC2_METADATA_DISABLED=true")
	return append(env, extra...)
}

// jsResult is one line of compat.mjs's output.
type jsResult struct {
	Feature string `json:"feature"`
	OK      bool   `json:"ok"`
	Detail  string `json:"detail"`
	// UploadPartPayload is how the upload's parts were sent, by their
	// x-amz-content-sha256: "SHA-256" (a signed payload) or the header's
	// literal value.
	UploadPartPayload string `json:"uploadPartPayload"`
}

var (
	jsS3RequestLine = regexp.MustCompile(`msg="s3 request" .*\boperation=(\S+) .*\bpayload=(\S*)`)
	jsHexDigest     = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// TestJSSDK runs js/compat.mjs: the AWS SDK for JavaScript v3 through the
// compatibility suite's five features, one JSON result line each.
func TestJSSDK(t *testing.T) {
	jsDeps(t)
	srv := startServer(t, t.TempDir(), "--log-level", "debug")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "compat.mjs")
	cmd.Dir = jsDir
	cmd.Env = jsEnv(t, "GATEHOUSE_URL="+srv.URL, "ACCOUNT_ID="+accountID, "ROOT_KEY_ID="+rootKeyID, "ROOT_SECRET="+rootSecret)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("compat.mjs stdout:\n%s", out)
	if s := stderr.String(); s != "" {
		t.Logf("compat.mjs stderr:\n%s", s)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("compat.mjs did not finish within 5 minutes")
	}
	if err != nil {
		t.Fatalf("compat.mjs: %v", err)
	}

	got := map[string]jsResult{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r jsResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("compat.mjs: bad result line %q: %v", line, err)
		}
		got[r.Feature] = r
	}
	for f, r := range got {
		if !slices.Contains(features, f) {
			t.Errorf("compat.mjs reported an unknown feature %q", f)
			continue
		}
		record(t, clientJS, f, r.OK, r.Detail)
	}
	for _, f := range features {
		if _, ok := got[f]; !ok {
			t.Errorf("compat.mjs reported nothing for %q", f)
		}
	}

	// The server saw the parts the way the script says the SDK sent them.
	if r := got[featUpload]; r.OK {
		modes := map[string]int{}
		for _, m := range jsS3RequestLine.FindAllStringSubmatch(srv.stderr.String(), -1) {
			if m[1] != "UploadPart" {
				continue
			}
			mode := m[2]
			if jsHexDigest.MatchString(mode) {
				mode = "SHA-256"
			}
			modes[mode]++
		}
		list := slices.Sorted(maps.Keys(modes))
		for _, m := range list {
			t.Logf("UploadPart with x-amz-content-sha256 %s: %d requests", m, modes[m])
		}
		if len(list) != 1 || list[0] != r.UploadPartPayload {
			t.Errorf("the server logged UploadPart payload modes %v; compat.mjs says the SDK sent %q", list, r.UploadPartPayload)
		}
	}
}
