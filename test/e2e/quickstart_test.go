package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// TestQuickstart runs every bash block of docs/quickstart.md, in order, in
// one shell, against a fresh server: the page is true or this fails. The
// session runs in an empty directory standing for the reader's checkout, and
// must leave nothing in it (its keys, MFA seed and scratch files go to a
// temporary directory).
func TestQuickstart(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "quickstart.md"))
	if err != nil {
		t.Fatal(err)
	}
	script, blocks := shellSession(string(raw))
	if blocks < 10 {
		t.Fatalf("docs/quickstart.md has %d bash blocks", blocks)
	}
	dataDir := t.TempDir()
	srv := startServer(t, dataDir)
	work := t.TempDir()
	out := runSession(t, "docs/quickstart.md", script, work,
		"GATEHOUSE_URL="+srv.URL, "GATEHOUSE_DATA="+dataDir, "GATEHOUSE="+gatehouseBinary(t))
	checkWorkTree(t, "docs/quickstart.md", work)
	t.Logf("%d blocks ran:\n%s", blocks, tail(out, 3000))
}
