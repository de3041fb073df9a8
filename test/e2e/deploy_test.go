package e2e

import (
	"bufio"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The test machines have the docker client but no engine, and systemd's
// tools but no systemd running, so neither the image nor the unit can be
// run here. These tests check what can be checked without them: the image's
// build stage, done outside Docker from exactly the build context
// .dockerignore lets through, and the unit file, through systemd's own
// verifier and its offline security analysis.

// TestDockerfileBuildStage runs the Dockerfile's `go build` line in a copy
// of the build context (go.mod, go.sum, cmd/, internal/ without tests or
// testdata), checks the binary is static and reports the version it was
// given, and serves with the image's ENV and CMD.
func TestDockerfileBuildStage(t *testing.T) {
	df := readRepoFile(t, "Dockerfile")
	ignore := strings.Split(readRepoFile(t, ".dockerignore"), "\n")

	// The golang image's Go must be the one go.mod asks for.
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(readRepoFile(t, "go.mod"))
	arg := regexp.MustCompile(`(?m)^ARG GO_VERSION=(\S+)$`).FindStringSubmatch(df)
	if goLine == nil || arg == nil || goLine[1] != arg[1] {
		t.Fatalf("Dockerfile GO_VERSION %v, go.mod go line %v", arg, goLine)
	}

	ctx := t.TempDir()
	copied := copyBuildContext(t, "../..", ctx, ignore)
	for _, want := range []string{"go.mod", "go.sum", "cmd/gatehouse/main.go", "internal/server/server.go"} {
		if !copied[want] {
			t.Fatalf("the build context lacks %s", want)
		}
	}
	for name := range copied {
		if strings.HasSuffix(name, "_test.go") || strings.Contains(name, "/testdata/") || strings.HasPrefix(name, "gatehouse-data") ||
			name == "README.md" || strings.HasPrefix(name, "test/") {
			t.Fatalf("the build context holds %s", name)
		}
	}

	// The RUN line that builds the binary, continuation lines joined.
	run := regexp.MustCompile(`(?s)CGO_ENABLED=0 GOOS=\$TARGETOS GOARCH=\$TARGETARCH \\\s*(go build .*?)\s*\\\s*&&`).FindStringSubmatch(df)
	if run == nil {
		t.Fatal("no go build line in the Dockerfile")
	}
	build := regexp.MustCompile(`\\\n\s*`).ReplaceAllString(run[1], "")
	out := filepath.Join(t.TempDir(), "out")
	build = strings.ReplaceAll(build, "/out/", out+"/")
	cmd := exec.Command("sh", "-c", build)
	cmd.Dir = ctx
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH,
		"VERSION=v9.8.7-test", "BUILD_TIME=2026-11-29T00:00:00Z")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", build, err, b)
	}
	bin := filepath.Join(out, "gatehouse")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("the image's binary is not static: it has a %v program header", p.Type)
		}
	}
	f.Close()
	v, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(v), "v9.8.7-test") || !strings.Contains(string(v), "2026-11-29T00:00:00Z") {
		t.Fatalf("version: %v\n%s", err, v)
	}

	// ENV and CMD as the image has them; the listen address on loopback.
	env := []string{}
	for _, m := range regexp.MustCompile(`(GATEHOUSE_[A-Z_]+)=(\S+)`).FindAllStringSubmatch(df, -1) {
		val := m[2]
		switch m[1] {
		case "GATEHOUSE_LISTEN":
			val = "127.0.0.1:0"
		case "GATEHOUSE_DATA_DIR":
			val = filepath.Join(t.TempDir(), "var-lib-gatehouse")
			if err := os.Mkdir(val, 0o700); err != nil { // the image's /out/data
				t.Fatal(err)
			}
		}
		env = append(env, m[1]+"="+val)
	}
	if len(env) != 2 {
		t.Fatalf("the Dockerfile's ENV: %v", env)
	}
	cmdLine := regexp.MustCompile(`(?m)^CMD \["(\w+)"\]$`).FindStringSubmatch(df)
	if cmdLine == nil {
		t.Fatal("no CMD in the Dockerfile")
	}
	srv := exec.Command(bin, cmdLine[1])
	srv.Env = append(cleanAWSEnv(), env...)
	stderr, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, stderr)
		close(lines)
	}()
	deadline := time.After(30 * time.Second)
	var log strings.Builder
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the image's command exited:\n%s", log.String())
			}
			log.WriteString(line + "\n")
			if listenLine.MatchString(line) {
				if !strings.Contains(log.String(), "root") {
					t.Fatalf("the first start did not print the root key's id:\n%s", log.String())
				}
				return
			}
		case <-deadline:
			t.Fatalf("the image's command did not listen within 30s:\n%s", log.String())
		}
	}
}

// TestSystemdUnit checks deploy/gatehouse.service with systemd-analyze:
// verify finds nothing to say (an unknown or misspelt setting is reported
// there), and the offline security analysis rates the sandbox at most 2.0
// ("OK"; docs/deployment.md gives the figure).
func TestSystemdUnit(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Fatal("systemd-analyze (Debian package systemd) is required: ", err)
	}
	unit := readRepoFile(t, "deploy/gatehouse.service")
	if !strings.Contains(unit, "ExecStart=/usr/local/bin/gatehouse serve") {
		t.Fatal("the unit's ExecStart changed; update this test")
	}
	dir := t.TempDir()
	// verify checks that ExecStart's binary exists and is executable.
	path := filepath.Join(dir, "unit.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/local/bin/gatehouse", gatehouseBinary(t))), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("systemd-analyze", "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) != 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err = exec.Command("systemd-analyze", "security", "--offline=true", path).CombinedOutput()
	m := regexp.MustCompile(`Overall exposure level for unit.service: ([0-9.]+) (\w+)`).FindStringSubmatch(string(out))
	if err != nil || m == nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	if level, _ := strconv.ParseFloat(m[1], 64); level > 2.0 {
		t.Fatalf("the unit's exposure level is %s %s, more than 2.0", m[1], m[2])
	}
}

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../..", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// copyBuildContext copies the files of src that .dockerignore's rules let
// into a build context to dst and returns their slash paths. It knows the
// rule forms that file uses: `*`, `!name`, `!dir/`, `**/*.suffix` globs and
// `**/dir/`; the last matching rule decides, as in Docker.
func copyBuildContext(t *testing.T, src, dst string, rules []string) map[string]bool {
	t.Helper()
	matches := func(rule, name string) bool {
		rule = strings.TrimSuffix(rule, "/")
		if rule == "*" {
			return true
		}
		if rest, ok := strings.CutPrefix(rule, "**/"); ok {
			parts := strings.Split(name, "/")
			for i := range parts {
				if ok, _ := filepath.Match(rest, parts[i]); ok {
					return true
				}
			}
			return false
		}
		return name == rule || strings.HasPrefix(name, rule+"/")
	}
	included := func(name string) bool {
		in := true
		for _, r := range rules {
			r = strings.TrimSpace(r)
			if r == "" || strings.HasPrefix(r, "#") {
				continue
			}
			neg := strings.HasPrefix(r, "!")
			if matches(strings.TrimPrefix(r, "!"), name) {
				in = neg
			}
		}
		return in
	}
	copied := map[string]bool{}
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" || rel == "node_modules" || strings.HasSuffix(rel, "/node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !included(rel) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		copied[rel] = true
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return copied
}
