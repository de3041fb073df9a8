package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsV2Dir holds the AWS SDK for JavaScript v2 package (aws-sdk, pinned by
// package-lock.json) and ctyun.js, an S3-compatible vendor's documented
// STS flow.
const jsV2Dir = "jsv2"

// TestJSSDKv2VendorFlow runs jsv2/ctyun.js against the binary: the AWS
// SDK for JavaScript v2 signing for region "ctyun", the account's root keys
// calling AssumeRole on arn:aws:iam:::role/NAME (the account setting
// root-may-assume-role in the config file), then S3 with the temporary
// credentials — as docs/clients.md describes.
func TestJSSDKv2VendorFlow(t *testing.T) {
	npmDeps(t, jsV2Dir)
	conf := filepath.Join(t.TempDir(), "gatehouse.toml")
	if err := os.WriteFile(conf, []byte("[accounts."+accountID+"]\nroot-may-assume-role = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, t.TempDir(), "--config", conf)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "ctyun.js")
	cmd.Dir = jsV2Dir
	cmd.Env = jsEnv(t, "GATEHOUSE_URL="+srv.URL, "ROOT_KEY_ID="+rootKeyID, "ROOT_SECRET="+rootSecret)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("ctyun.js stdout:\n%s", out)
	if s := stderr.String(); s != "" {
		t.Logf("ctyun.js stderr:\n%s", s)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("ctyun.js did not finish within 3 minutes")
	}
	steps := 0
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r struct {
			Step   string `json:"step"`
			OK     bool   `json:"ok"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("ctyun.js: bad result line %q: %v", line, err)
		}
		steps++
		if !r.OK {
			t.Errorf("%s: %s", r.Step, r.Detail)
		}
	}
	if err != nil {
		t.Errorf("ctyun.js: %v", err)
	}
	if steps < 12 {
		t.Errorf("ctyun.js reported %d steps, want 12", steps)
	}
	// Without the account setting, AWS's refusal.
	plain := startServer(t, t.TempDir())
	cmd = exec.CommandContext(ctx, "node", "-e", `
const AWS = require("aws-sdk");
new AWS.STS({accessKeyId: process.env.ROOT_KEY_ID, secretAccessKey: process.env.ROOT_SECRET, endpoint: process.env.GATEHOUSE_URL, region: "ctyun", maxRetries: 0})
  .assumeRole({RoleArn: "arn:aws:iam:::role/any", RoleSessionName: "s1"}).promise()
  .then(() => console.log("allowed"), (e) => console.log(e.code + ": " + e.message));`)
	cmd.Dir = jsV2Dir
	cmd.Env = jsEnv(t, "GATEHOUSE_URL="+plain.URL, "ROOT_KEY_ID="+rootKeyID, "ROOT_SECRET="+rootSecret)
	got, err := cmd.Output()
	if err != nil || strings.TrimSpace(string(got)) != "AccessDenied: Roles may not be assumed by root accounts." {
		t.Fatalf("root AssumeRole without the setting: %q %v", got, err)
	}
}
