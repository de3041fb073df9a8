package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func TestVersionFromBuildInfo(t *testing.T) {
	vcs := func(rev, tm, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "-trimpath", Value: "true"}, {Key: "GOARCH", Value: "arm64"}, {Key: "GOOS", Value: "darwin"},
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: tm}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name           string
		stamped, built string
		info           *debug.BuildInfo
		ok             bool
		want           string
	}{{
		name:    "release build: stamped version and time, clean tree",
		stamped: "v1.2.0", built: "2025-03-04T05:06:07Z",
		info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/gatehouse/gatehouse", Version: "v0.0.0-20250304050607-0123456789ab"},
			Settings: vcs(rev, "2025-03-04T05:00:00Z", "false")},
		ok: true,
		want: "gatehouse v1.2.0\nrevision:  " + rev + "\ncommitted: 2025-03-04T05:00:00Z\nbuilt:     2025-03-04T05:06:07Z\n" +
			"go:        go1.26.8 darwin/arm64\n",
	}, {
		name: "go build in a modified checkout: module version from the VCS, modified",
		info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.1.0+dirty"}, Settings: vcs(rev, "2025-01-01T00:00:00Z", "true")},
		ok:   true,
		want: "gatehouse v1.1.0+dirty\nrevision:  " + rev + " (modified: the work tree had uncommitted changes)\n" +
			"committed: 2025-01-01T00:00:00Z\ngo:        go1.26.8 darwin/arm64\n",
	}, {
		name: "go run or go test: no VCS information, (devel)",
		info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
		ok:   true,
		want: "gatehouse dev\nrevision:  unknown (built without VCS information)\ngo:        go1.26.8\n",
	}, {
		name:    "no build info at all, stamped version still wins",
		stamped: "v2.0.0",
		want:    "gatehouse v2.0.0\nrevision:  unknown (built without VCS information)\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := readVersion(tc.stamped, tc.built, tc.info, tc.ok).String()
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestVersionCommand: `gatehouse version` (and --version) print this test
// binary's version; go test records no VCS information.
func TestVersionCommand(t *testing.T) {
	for _, arg := range []string{"version", "--version"} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{arg}, &stdout, &stderr, func(string) (string, bool) { return "", false }); code != 0 {
			t.Fatalf("%s: exit %d, stderr %q", arg, code, stderr.String())
		}
		if want := "gatehouse dev\nrevision:  unknown (built without VCS information)\n"; !strings.HasPrefix(stdout.String(), want) {
			t.Errorf("%s printed %q, want it to start with %q", arg, stdout.String(), want)
		}
	}
}

// TestVersionOfGitBuild builds the real binary with `go build` in a fresh git
// repository holding this module's sources (a git worktree or a tarball
// would give Go no VCS information to record) and checks that `version`
// prints the commit's revision and time, the -X stamps, and a later
// uncommitted change as "modified".
func TestVersionOfGitBuild(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: ", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	repo := t.TempDir()
	copyModuleSources(ctx, t, repo)

	env := append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "GOWORK=off",
		"GIT_AUTHOR_DATE=2024-05-06T07:08:09Z", "GIT_COMMITTER_DATE=2024-05-06T07:08:09Z")
	sh := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = repo
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	sh("git", "init", "--quiet")
	sh("git", "add", "--all")
	sh("git", "-c", "user.name=Gatehouse Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false",
		"commit", "--quiet", "--message", "version test")
	rev := strings.TrimSpace(sh("git", "rev-parse", "HEAD"))
	bin := filepath.Join(t.TempDir(), "gatehouse")

	// A release-style build: the machine's GOFLAGS may say -buildvcs=false,
	// which the flag overrides.
	sh("go", "build", "-buildvcs=true", "-ldflags", "-X main.version=v9.8.7-test -X main.buildTime=2024-05-06T08:00:00Z",
		"-o", bin, "./cmd/gatehouse")
	got := sh(bin, "version")
	want := "gatehouse v9.8.7-test\nrevision:  " + rev + "\ncommitted: 2024-05-06T07:08:09Z\nbuilt:     2024-05-06T08:00:00Z\ngo:        "
	if !strings.HasPrefix(got, want) {
		t.Fatalf("version of a clean build printed:\n%s\nwant it to start with:\n%s", got, want)
	}

	// An unstamped build of a changed tree: Go's own version of the module
	// (a pseudo-version for an untagged commit, marked +dirty) and "modified".
	if err := os.WriteFile(filepath.Join(repo, "CHANGED"), []byte("uncommitted\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sh("go", "build", "-buildvcs=true", "-o", bin, "./cmd/gatehouse")
	got = sh(bin, "version")
	wantRE := regexp.MustCompile(`^gatehouse v0\.0\.0-20240506070809-` + rev[:12] + `\+dirty\nrevision:  ` + rev +
		` \(modified: the work tree had uncommitted changes\)\ncommitted: 2024-05-06T07:08:09Z\ngo:        go[0-9.]+ [a-z0-9]+/[a-z0-9]+\n$`)
	if !wantRE.MatchString(got) {
		t.Fatalf("version of a modified build printed:\n%s\nwant it to match %s", got, wantRE)
	}
}

// copyModuleSources copies go.mod, go.sum and every file of this module that
// building cmd/gatehouse reads (Go files and embedded files, as go list
// reports them) into dir.
func copyModuleSources(ctx context.Context, t *testing.T, dir string) {
	t.Helper()
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-json=ImportPath,Dir,Module,GoFiles,SFiles,EmbedFiles", "./cmd/gatehouse")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	files := []string{"go.mod", "go.sum"}
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p struct {
			Dir                         string
			Module                      *struct{ Path string }
			GoFiles, SFiles, EmbedFiles []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Module == nil || p.Module.Path != "github.com/gatehouse/gatehouse" {
			continue // standard library or a dependency, read from GOROOT or the module cache
		}
		rel, err := filepath.Rel(root, p.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range append(append(p.GoFiles, p.SFiles...), p.EmbedFiles...) {
			files = append(files, filepath.Join(rel, f))
		}
	}
	if len(files) < 50 {
		t.Fatalf("go list named only %d files to build cmd/gatehouse from", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
