package e2e

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// fence is one fenced code block of a Markdown page.
type fence struct {
	lang string // the word after the opening ```: "bash", "sh", "console", ...
	body string // the lines between the fences, each ending in "\n"
}

// fences returns the page's fenced code blocks (``` at the start of a line),
// in order.
func fences(page string) []fence {
	var out []fence
	var cur *fence
	for _, line := range strings.Split(page, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &fence{lang: strings.TrimSpace(strings.TrimPrefix(line, "```"))}
		case cur != nil && line == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		}
	}
	return out
}

// shellSession joins the page's bash blocks, in order, into one script that
// stops at the first failing command and traces what it runs. It returns
// the script and how many blocks it holds.
func shellSession(page string) (string, int) {
	var script strings.Builder
	script.WriteString("set -euo pipefail\nset -x\n")
	n := 0
	for _, f := range fences(page) {
		if f.lang == "bash" {
			script.WriteString(f.body)
			n++
		}
	}
	return script.String(), n
}

// runSession runs script with bash in dir (the work tree a reader pastes it
// in), with a private HOME and TMPDIR, at most five minutes. name says which
// page the script came from.
func runSession(t *testing.T, name, script, dir string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = dir
	// HOME takes what the aws CLI caches (~/.aws/cli/cache); TMPDIR what
	// mktemp makes. Both are outside dir, as they are for a reader.
	cmd.Env = append(cleanAWSEnv(), append([]string{"HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir()}, env...)...)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s failed: %v\n%s", name, err, tail(string(out), 6000))
	}
	return string(out)
}

// checkWorkTree fails the test when dir holds anything besides the named
// entries: a session pasted into a checkout must leave no files in it (its
// secrets and scratch files belong in a temporary directory).
func checkWorkTree(t *testing.T, name, dir string, allowed ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		if !slices.Contains(allowed, e.Name()) {
			left = append(left, e.Name())
		}
	}
	if len(left) > 0 {
		t.Errorf("%s left files in the directory it ran in (write them under a mktemp -d directory): %s", name, strings.Join(left, ", "))
	}
}
