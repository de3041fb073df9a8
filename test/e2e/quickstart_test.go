package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestQuickstart runs every bash block of docs/quickstart.md, in order, in
// one shell, against a fresh server: the page is true or this fails.
func TestQuickstart(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "quickstart.md"))
	if err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	script.WriteString("set -euo pipefail\nset -x\n")
	in := false
	blocks := 0
	for _, line := range strings.Split(string(raw), "\n") {
		switch {
		case !in && line == "```bash":
			in = true
			blocks++
		case in && line == "```":
			in = false
		case in:
			script.WriteString(line + "\n")
		}
	}
	if blocks < 10 {
		t.Fatalf("docs/quickstart.md has %d bash blocks", blocks)
	}
	dataDir := t.TempDir()
	srv := startServer(t, dataDir)
	work := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir = work
	cmd.Env = append(cleanAWSEnv(), "HOME="+work, "GATEHOUSE_URL="+srv.URL, "GATEHOUSE_DATA="+dataDir, "GATEHOUSE="+gatehouseBinary(t))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docs/quickstart.md failed: %v\n%s", err, tail(string(out), 6000))
	}
	t.Logf("%d blocks ran:\n%s", blocks, tail(string(out), 3000))
}
