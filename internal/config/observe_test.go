package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestObservabilitySettings(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.AdminListen != "" || !c.AccessLog {
		t.Fatalf("defaults: admin-listen %q, access-log %v", c.AdminListen, c.AccessLog)
	}
	file := filepath.Join(t.TempDir(), "g.toml")
	os.WriteFile(file, []byte("admin-listen = \"127.0.0.1:9100\"\naccess-log = false\n"), 0o600)
	if c, err = Load([]string{"--config", file}, env(nil)); err != nil || c.AdminListen != "127.0.0.1:9100" || c.AccessLog {
		t.Fatalf("file: %+v %v", c, err)
	}
	if c, err = Load([]string{"--config", file}, env(map[string]string{"GATEHOUSE_ACCESS_LOG": "true", "GATEHOUSE_ADMIN_LISTEN": ":9200"})); err != nil ||
		c.AdminListen != ":9200" || !c.AccessLog {
		t.Fatalf("env: %+v %v", c, err)
	}
	if c, err = Load([]string{"--admin-listen", "0.0.0.0:9300", "--access-log=false"}, env(nil)); err != nil || c.AdminListen != "0.0.0.0:9300" || c.AccessLog {
		t.Fatalf("flags: %+v %v", c, err)
	}
	_, err = Load([]string{"--admin-listen", "9100", "--access-log", "maybe"}, env(nil))
	if err == nil || !strings.Contains(err.Error(), "admin-listen") || !strings.Contains(err.Error(), "--access-log") {
		t.Fatalf("bad values: %v", err)
	}
}
