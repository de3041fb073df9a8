package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadme runs the README's first session as a newcomer pastes it: every
// bash block, in order, in one shell, in the directory where plain
// `gatehouse serve` (the README's first command: random account id,
// generated root key, ./gatehouse-data) runs. Only the address changes (the
// test's server listens on a free port, not 8700), and `go run
// ./cmd/gatehouse` is the built binary. The session must leave nothing in
// that directory besides the server's gatehouse-data.
func TestReadme(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(raw)

	// The README starts with the two commands a newcomer needs: run the
	// server, run the tests.
	fs := fences(page)
	if len(fs) < 2 || fs[0] != (fence{"sh", "go run ./cmd/gatehouse serve\n"}) || fs[1] != (fence{"sh", "./scripts/test\n"}) {
		t.Fatalf("README.md must start with the blocks `go run ./cmd/gatehouse serve` and `./scripts/test`; its first blocks are %q", fs[:min(2, len(fs))])
	}

	script, blocks := shellSession(page)
	if blocks < 8 {
		t.Fatalf("README.md has %d bash blocks", blocks)
	}
	const readmeURL, goRun = "http://127.0.0.1:8700", "go run ./cmd/gatehouse"
	for _, s := range []string{readmeURL, goRun} {
		if !strings.Contains(script, s) {
			t.Fatalf("README.md's session no longer mentions %q; update this test", s)
		}
	}

	work := t.TempDir()
	srv := launchServer(t, filepath.Join(work, "gatehouse-data"), work, []string{"serve", "--listen", "127.0.0.1:0", "--shutdown-timeout", "5s"})
	script = strings.ReplaceAll(script, readmeURL, srv.URL)
	script = strings.ReplaceAll(script, goRun, gatehouseBinary(t))
	out := runSession(t, "README.md", script, work)

	// The session found the generated account rather than assuming one.
	m := regexp.MustCompile(`(?m)^account ([0-9]{12})$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("README.md's session printed no account id:\n%s", tail(out, 3000))
	}
	if !strings.Contains(out, `"Arn": "arn:aws:sts::`+m[1]+`:assumed-role/s3-read-only/botocore-session-`) {
		t.Errorf("the reader profile did not assume s3-read-only in account %s:\n%s", m[1], tail(out, 3000))
	}
	if !strings.Contains(out, "denied, as expected") || !strings.Contains(out, "AccessDenied") {
		t.Errorf("the reader profile's upload was not denied:\n%s", tail(out, 3000))
	}
	if !regexp.MustCompile(`(?m)^<h1>Hello from Gatehouse</h1>$`).MatchString(out) { // the trace's lines start with "+ "
		t.Errorf("the anonymous GET did not return the page:\n%s", tail(out, 3000))
	}
	checkWorkTree(t, "README.md", work, "gatehouse-data")
	t.Logf("%d blocks ran:\n%s", blocks, tail(out, 3000))
}
