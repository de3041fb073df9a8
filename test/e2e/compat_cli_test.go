package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCLICompat covers the aws CLI's own assume-role provider and every
// way of pointing it at Gatehouse.
func TestCLICompat(t *testing.T) {
	srv := startServer(t, t.TempDir())
	aws := newAWSCLI(t, srv.URL)
	aws.must(nil, "iam", "create-user", "--user-name", "cli-user")
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	aws.must(&key, "iam", "create-access-key", "--user-name", "cli-user")
	role := "arn:aws:iam::" + accountID + ":role/cli-s3"
	aws.must(nil, "iam", "put-user-policy", "--user-name", "cli-user", "--policy-name", "assume", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+role+`"}]}`)
	aws.must(nil, "iam", "create-role", "--role-name", "cli-s3", "--assume-role-policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+accountID+`:user/cli-user"},"Action":"sts:AssumeRole"}]}`)
	aws.must(nil, "iam", "attach-role-policy", "--role-name", "cli-s3", "--policy-arn", "arn:aws:iam::aws:policy/AmazonS3FullAccess")
	aws.must(nil, "s3", "mb", "s3://cli-compat")
	aws.appendFile("credentials", "[cli-user]\naws_access_key_id = "+key.AccessKey.AccessKeyId+"\naws_secret_access_key = "+key.AccessKey.SecretAccessKey+"\n")
	aws.appendFile("config", "[profile cli-role]\nrole_arn = "+role+"\nsource_profile = cli-user\nduration_seconds = 900\n")

	// The CLI caches assumed-role credentials in ~/.aws/cli/cache and
	// refreshes them within 15 minutes of expiry: with a 900-second session
	// every later command fetches new ones.
	cached := func() string {
		files, _ := filepath.Glob(filepath.Join(aws.home, ".aws", "cli", "cache", "*.json"))
		if len(files) != 1 {
			return ""
		}
		var c struct{ Credentials struct{ AccessKeyId string } }
		raw, _ := os.ReadFile(files[0])
		json.Unmarshal(raw, &c)
		return c.Credentials.AccessKeyId
	}
	var ident struct{ Arn string }
	aws.must(&ident, "sts", "get-caller-identity", "--profile", "cli-role")
	first := cached()
	time.Sleep(time.Second)
	aws.must(nil, "s3", "ls", "s3://cli-compat", "--profile", "cli-role")
	second := cached()
	refreshed := strings.Contains(ident.Arn, ":assumed-role/cli-s3/") && strings.HasPrefix(first, "ASIA") && strings.HasPrefix(second, "ASIA") && first != second
	record(t, clientCLI, featProvider, refreshed, "a profile with role_arn + source_profile (duration_seconds = 900): the CLI replaced its cached credentials inside botocore's 15-minute refresh window, and the command succeeded")

	// Endpoint configuration.
	var styles []string
	try := func(style string, env []string, args ...string) {
		t.Helper()
		if o, e, ok := aws.runBare(env, append(args, "sts", "get-caller-identity")...); !ok {
			t.Errorf("%s: %s%s", style, o, e)
			return
		}
		if o, e, ok := aws.runBare(env, append(args, "s3", "ls")...); !ok {
			t.Errorf("%s: %s%s", style, o, e)
			return
		}
		styles = append(styles, style)
	}
	try("--endpoint-url", []string{"AWS_ENDPOINT_URL="}, "--endpoint-url", srv.URL)
	try("AWS_ENDPOINT_URL", nil)
	try("AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_STS", []string{"AWS_ENDPOINT_URL=", "AWS_ENDPOINT_URL_S3=" + srv.URL, "AWS_ENDPOINT_URL_STS=" + srv.URL})
	cfg := filepath.Join(t.TempDir(), "config")
	os.WriteFile(cfg, []byte("[default]\nregion = us-east-1\nendpoint_url = "+srv.URL+"\n"), 0o600)
	try("endpoint_url in the config file", []string{"AWS_ENDPOINT_URL=", "AWS_CONFIG_FILE=" + cfg})
	record(t, clientCLI, featEndpoint, len(styles) == 4, "all of: "+strings.Join(styles, ", ")+"; profiles with role_arn need one of the last three (the CLI's own STS call ignores --endpoint-url)")
}
