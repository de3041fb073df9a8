package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8700" || c.DataDir != "./gatehouse-data" || c.Region != "us-east-1" ||
		c.ShutdownTimeout != 30*time.Second || c.AccountName != "default" {
		t.Fatalf("defaults: %+v", c)
	}
	if c.ReadHeaderTimeout != 10*time.Second || c.IdleTimeout != 60*time.Second || c.BodyTimeout != 20*time.Second ||
		c.WriteTimeout != 60*time.Second || c.MaxConnections != 4096 || c.MaxUnsignedRequests != 256 || c.QueryBodyMemory != 64<<20 {
		t.Fatalf("limit defaults: %+v", c)
	}
}

func TestLimitSettings(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "g.toml")
	os.WriteFile(file, []byte("max-connections = 100\nbody-timeout = \"2s\"\nquery-body-memory = \"8MiB\"\n"), 0o600)
	c, err := Load([]string{"--config", file, "--max-unsigned-requests", "7"}, env(map[string]string{"GATEHOUSE_WRITE_TIMEOUT": "90s"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxConnections != 100 || c.BodyTimeout != 2*time.Second || c.QueryBodyMemory != 8<<20 || c.MaxUnsignedRequests != 7 || c.WriteTimeout != 90*time.Second {
		t.Fatalf("limits: %+v", c)
	}
	for _, tc := range []struct {
		in   string
		want int64
	}{{"1048576", 1 << 20}, {"1024KiB", 1 << 20}, {"2GiB", 2 << 30}, {"3B", 3}} {
		if n, err := parseSize(tc.in); err != nil || n != tc.want {
			t.Errorf("parseSize(%q) = %d, %v", tc.in, n, err)
		}
	}
	if formatSize(64<<20) != "64MiB" || formatSize(1536) != "1536B" {
		t.Errorf("formatSize: %s %s", formatSize(64<<20), formatSize(1536))
	}
}

func TestPrecedenceFileEnvFlags(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "g.toml")
	os.WriteFile(file, []byte("listen = \"127.0.0.1:1111\"\nregion = \"eu-west-1\"\ndata-dir = \"/from/file\"\n"), 0o600)
	c, err := Load([]string{"--config", file, "--data-dir", "/from/flag"},
		env(map[string]string{"GATEHOUSE_REGION": "ap-south-1", "GATEHOUSE_DATA_DIR": "/from/env"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:1111" {
		t.Errorf("listen from file: %q", c.Listen)
	}
	if c.Region != "ap-south-1" {
		t.Errorf("env should override file: %q", c.Region)
	}
	if c.DataDir != "/from/flag" {
		t.Errorf("flag should override env: %q", c.DataDir)
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "g.toml")
	os.WriteFile(file, []byte("bogus = \"x\"\n"), 0o600)
	_, err := Load([]string{"--config", file, "--listen", "nonsense", "--account-id", "12", "--tls-cert", "/no/such/file",
		"--log-level", "loud", "--shutdown-timeout", "soon",
		"--body-timeout", "0s", "--max-connections", "-1", "--max-unsigned-requests", "many", "--query-body-memory", "1KiB"},
		env(map[string]string{"GATEHOUSE_REGION": "Not A Region", "GATEHOUSE_ROOT_ACCESS_KEY_ID": "AKIAONLYHALF0000000"}))
	if err == nil {
		t.Fatal("expected errors")
	}
	msg := err.Error()
	for _, want := range []string{`unknown key "bogus"`, "listen:", "account-id:", "tls-cert and tls-key", "tls-cert:",
		"log-level:", "--shutdown-timeout", "region:", "must be set together",
		"--body-timeout", "--max-connections", "--max-unsigned-requests", "--query-body-memory"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

func TestSecretsAreNotFlagsAndNeverEchoed(t *testing.T) {
	if _, err := Load([]string{"--master-key", "x"}, env(nil)); err == nil {
		t.Fatal("secrets must not be accepted as flags")
	}
	secret := "0123456789012345678901234567890123456789012"
	_, err := Load(nil, env(map[string]string{"GATEHOUSE_ROOT_ACCESS_KEY_ID": "AKIA0123456789ABCDEF", "GATEHOUSE_ROOT_SECRET_ACCESS_KEY": secret}))
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("bad secret must be reported without its value: %v", err)
	}
}

// TestConfigurationDoc keeps docs/configuration.md true: every setting's
// flag, environment variable and default is in its table.
func TestConfigurationDoc(t *testing.T) {
	raw, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, s := range Settings() {
		row := ""
		for _, line := range strings.Split(doc, "\n") {
			if strings.HasPrefix(line, "|") && strings.Contains(line, "`"+s.Env+"`") {
				row = line
			}
		}
		if row == "" {
			t.Errorf("docs/configuration.md has no row for %s", s.Env)
			continue
		}
		if !s.Secret && !strings.Contains(row, "`--"+s.Key+"`") {
			t.Errorf("row of %s does not name --%s", s.Env, s.Key)
		}
		if !strings.Contains(row, "`"+s.Key+"`") {
			t.Errorf("row of %s does not name the TOML key %s", s.Env, s.Key)
		}
		if s.Default != "" && !strings.Contains(row, "`"+s.Default+"`") {
			t.Errorf("row of %s does not give the default %q", s.Env, s.Default)
		}
	}
}

func TestBlobSetting(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil || c.Blob != "" {
		t.Fatalf("default blob: %q, %v", c.Blob, err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "g.toml")
	os.WriteFile(file, []byte("blob = \"s3://from-file/p\"\n"), 0o600)
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--config", file}, nil, "s3://from-file/p"},
		{[]string{"--config", file}, map[string]string{"GATEHOUSE_BLOB": "s3://from-env"}, "s3://from-env"},
		{[]string{"--config", file, "--blob", "s3://from-flag/x?endpoint=http://127.0.0.1:9000"}, map[string]string{"GATEHOUSE_BLOB": "s3://from-env"}, "s3://from-flag/x?endpoint=http://127.0.0.1:9000"},
	} {
		c, err := Load(tc.args, env(tc.env))
		if err != nil || c.Blob != tc.want {
			t.Errorf("Load(%v): blob %q, %v; want %q", tc.args, c.Blob, err, tc.want)
		}
	}
	for _, bad := range []string{"/var/lib/blobs", "s3://Bad_Bucket", "s3://b/p?endpoint=ftp://x", "s3://KEY:verysecret@bucket"} {
		_, err := Load([]string{"--blob", bad}, env(nil))
		if err == nil {
			t.Errorf("--blob %q accepted", bad)
		} else if strings.Contains(err.Error(), "verysecret") {
			t.Errorf("--blob error echoes a secret: %v", err)
		}
	}
}
