package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// gatehouse runs the binary with args and returns its combined output and
// exit code.
func gatehouse(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(gatehouseBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

// TestDataDirGuards: one server per data directory (the second names the
// first's pid), operator commands beside it, a mistyped --data-dir refused
// (and --init), and a lost master key refused without writing a new one.
func TestDataDirGuards(t *testing.T) {
	dataDir := t.TempDir()
	srv := startServer(t, dataDir)

	out, code := gatehouse(t, nil, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir)
	want := fmt.Sprintf("data directory %s is in use by another gatehouse server (pid %d)", dataDir, srv.cmd.Process.Pid)
	if code != 1 || !strings.Contains(out, want) {
		t.Fatalf("second serve: exit %d\n%s\nwant %q", code, out, want)
	}
	for _, args := range [][]string{
		{"account", "list"}, {"account", "create", "--name", "beside"}, {"keys", "rotate"}, {"blobs", "sweep"},
		{"backup", filepath.Join(t.TempDir(), "backup")},
	} {
		if out, code := gatehouse(t, nil, append(args, "--data-dir", dataDir)...); code != 0 {
			t.Fatalf("%v beside a running server: exit %d\n%s", args, code, out)
		}
	}
	aws := newAWSCLI(t, srv.URL)
	aws.must(nil, "sts", "get-caller-identity")

	typo := filepath.Join(t.TempDir(), "typo")
	out, code = gatehouse(t, nil, "account", "list", "--data-dir", typo)
	if code != 1 || !strings.Contains(out, "data directory "+typo+" does not exist") || !strings.Contains(out, "--init") {
		t.Fatalf("account list on a missing directory: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(typo); !os.IsNotExist(err) {
		t.Fatal("the missing directory was created")
	}
	if out, code := gatehouse(t, nil, "account", "list", "--data-dir", typo, "--init"); code != 0 {
		t.Fatalf("--init: exit %d\n%s", code, out)
	}
	if out, code := gatehouse(t, nil, "account", "list", "--data-dir", typo); code != 0 {
		t.Fatalf("after --init: exit %d\n%s", code, out)
	}

	srv.stop()
	if err := os.Rename(filepath.Join(dataDir, "master.key"), filepath.Join(t.TempDir(), "master.key")); err != nil {
		t.Fatal(err)
	}
	out, code = gatehouse(t, nil, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--account-id", accountID)
	if code != 1 || !strings.Contains(out, "master key is missing") || !strings.Contains(out, "GATEHOUSE_MASTER_KEY") {
		t.Fatalf("serve without its master key: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "master.key")); !os.IsNotExist(err) {
		t.Fatal("a new master key was written for an existing store")
	}
}

// TestBackupRestoreCLI backs up a serving directory with the binary,
// restores it into a new one with the master key file, serves that, and
// reads the object back with the aws CLI.
func TestBackupRestoreCLI(t *testing.T) {
	dataDir := t.TempDir()
	srv := startServer(t, dataDir)
	aws := newAWSCLI(t, srv.URL)
	aws.must(nil, "s3", "mb", "s3://backed-up")
	src := filepath.Join(t.TempDir(), "hello.txt")
	os.WriteFile(src, []byte("hello from before the backup\n"), 0o600)
	aws.must(nil, "s3", "cp", src, "s3://backed-up/hello.txt")
	// A versioned bucket: the backup carries noncurrent versions too.
	aws.must(nil, "s3", "mb", "s3://backed-up-versions")
	aws.must(nil, "s3api", "put-bucket-versioning", "--bucket", "backed-up-versions", "--versioning-configuration", "Status=Enabled")
	var first struct{ VersionId string }
	aws.must(&first, "s3api", "put-object", "--bucket", "backed-up-versions", "--key", "v.txt", "--body", src)
	os.WriteFile(src, []byte("the newer version\n"), 0o600)
	aws.must(nil, "s3api", "put-object", "--bucket", "backed-up-versions", "--key", "v.txt", "--body", src)

	backupDir := filepath.Join(t.TempDir(), "backup")
	out, code := gatehouse(t, nil, "backup", backupDir, "--data-dir", dataDir)
	if code != 0 || !regexp.MustCompile(`Backed up 1 accounts, 2 buckets, 2 objects`).MatchString(out) || !strings.Contains(out, "does not include the master key") {
		t.Fatalf("backup: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(backupDir, "manifest.json")); err != nil {
		t.Fatal(err)
	}
	srv.stop()

	restored := filepath.Join(t.TempDir(), "restored")
	out, code = gatehouse(t, nil, "restore", backupDir, "--data-dir", restored)
	if code != 1 || !strings.Contains(out, "--master-key-file") {
		t.Fatalf("restore without a key: exit %d\n%s", code, out)
	}
	out, code = gatehouse(t, nil, "restore", backupDir, "--data-dir", restored, "--master-key-file", filepath.Join(dataDir, "master.key"))
	if code != 0 || !strings.Contains(out, "Restored") {
		t.Fatalf("restore: exit %d\n%s", code, out)
	}
	out, code = gatehouse(t, nil, "restore", "--data-dir", restored, "--master-key-file", filepath.Join(dataDir, "master.key"), backupDir)
	if code != 1 || !strings.Contains(out, "is not empty") {
		t.Fatalf("restore into a data directory: exit %d\n%s", code, out)
	}
	srv2 := startServer(t, restored)
	aws.setURL(srv2.URL)
	got := filepath.Join(t.TempDir(), "got.txt")
	aws.must(nil, "s3", "cp", "s3://backed-up/hello.txt", got)
	if b, _ := os.ReadFile(got); string(b) != "hello from before the backup\n" {
		t.Fatalf("restored object: %q", b)
	}
	var versions struct{ Versions []struct{ VersionId string } }
	aws.must(&versions, "s3api", "list-object-versions", "--bucket", "backed-up-versions")
	if len(versions.Versions) != 2 || versions.Versions[1].VersionId != first.VersionId {
		t.Fatalf("restored versions: %+v, the first was %s", versions, first.VersionId)
	}
	aws.must(nil, "s3api", "get-object", "--bucket", "backed-up-versions", "--key", "v.txt", "--version-id", first.VersionId, got)
	if b, _ := os.ReadFile(got); string(b) != "hello from before the backup\n" {
		t.Fatalf("restored noncurrent version: %q", b)
	}
}
