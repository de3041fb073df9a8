package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The compatibility suite: every client (the aws CLI, boto3, aws-sdk-go-v2,
// the AWS SDK for JavaScript v3) is driven through the same features, and
// each test records what it proved here. TestMain writes the results to
// test-artifacts/compat.json and as a table to test-artifacts/clients.md;
// docs/clients.md carries that table between its markers and the suite
// fails when they differ (GATEHOUSE_UPDATE_DOCS=1 rewrites the doc).

// Features, in table order.
const (
	featAssumeRole = "AssumeRole, then S3 with the temporary credentials"
	featProvider   = "SDK's own assume-role credentials, refreshed before expiry"
	featUpload     = "64 MiB upload, the client's default path"
	featPresign    = "Presigned URLs (GET and PUT)"
	featEndpoint   = "Endpoint configuration"
)

var features = []string{featAssumeRole, featProvider, featUpload, featPresign, featEndpoint}

// Clients, in table order.
const (
	clientCLI = "aws CLI v1"
	clientPy  = "boto3"
	clientGo  = "aws-sdk-go-v2"
	clientJS  = "AWS SDK for JavaScript v3 (Node)"
)

var clients = []string{clientCLI, clientPy, clientGo, clientJS}

type compatResult struct {
	Client  string `json:"client"`
	Feature string `json:"feature"`
	OK      bool   `json:"ok"`
	Detail  string `json:"detail"` // how the client did it, or why it failed
}

// compat collects results across the tests of one `go test` run.
type compatLog struct {
	mu      sync.Mutex
	results map[[2]string]compatResult
}

var compat = &compatLog{results: map[[2]string]compatResult{}}

// record notes one client × feature result; a failure also fails the test.
func record(t *testing.T, client, feature string, ok bool, detail string) {
	t.Helper()
	compat.mu.Lock()
	compat.results[[2]string{client, feature}] = compatResult{client, feature, ok, detail}
	compat.mu.Unlock()
	if !ok {
		t.Errorf("%s: %s: %s", client, feature, detail)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if err := writeCompat(); err != nil {
		fmt.Fprintln(os.Stderr, "compatibility table:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

const (
	tableBegin = "<!-- compat-table:begin (written by test/e2e from the suite's results) -->"
	tableEnd   = "<!-- compat-table:end -->"
)

// writeCompat saves the results and checks docs/clients.md against them
// when every cell was measured.
func writeCompat() error {
	compat.mu.Lock()
	defer compat.mu.Unlock()
	if len(compat.results) == 0 {
		return nil
	}
	var list []compatResult
	for _, r := range compat.results {
		list = append(list, r)
	}
	sort.Slice(list, func(i, j int) bool {
		return list[i].Client+list[i].Feature < list[j].Client+list[j].Feature
	})
	dir := filepath.Join("..", "..", "test-artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	raw, _ := json.MarshalIndent(list, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "compat.json"), raw, 0o644); err != nil {
		return err
	}
	table := renderTable()
	if err := os.WriteFile(filepath.Join(dir, "clients.md"), []byte(table), 0o644); err != nil {
		return err
	}
	if len(compat.results) < len(clients)*len(features) {
		return nil // a partial run (go test -run …) says nothing about the doc
	}
	docPath := filepath.Join("..", "..", "docs", "clients.md")
	doc, err := os.ReadFile(docPath)
	if err != nil {
		return err
	}
	text := string(doc)
	i, j := strings.Index(text, tableBegin), strings.Index(text, tableEnd)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no table markers", docPath)
	}
	current := text[i+len(tableBegin) : j]
	if strings.TrimSpace(current) == strings.TrimSpace(table) {
		return nil
	}
	if os.Getenv("GATEHOUSE_UPDATE_DOCS") == "1" {
		return os.WriteFile(docPath, []byte(text[:i+len(tableBegin)]+"\n"+table+text[j:]), 0o644)
	}
	return fmt.Errorf("docs/clients.md's table differs from this run's results (test-artifacts/clients.md); rerun with GATEHOUSE_UPDATE_DOCS=1")
}

// renderTable is the client × feature table with one footnote per cell.
func renderTable() string {
	var b strings.Builder
	b.WriteString("| feature |")
	for _, c := range clients {
		b.WriteString(" " + c + " |")
	}
	b.WriteString("\n|---|")
	for range clients {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	var notes []string
	for _, f := range features {
		b.WriteString("| " + f + " |")
		for _, c := range clients {
			r, ok := compat.results[[2]string{c, f}]
			switch {
			case !ok:
				b.WriteString(" not run |")
			case r.OK:
				notes = append(notes, r.Detail)
				fmt.Fprintf(&b, " yes [%d] |", len(notes))
			default:
				notes = append(notes, r.Detail)
				fmt.Fprintf(&b, " **no** [%d] |", len(notes))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	for i, n := range notes {
		fmt.Fprintf(&b, "%d. %s\n", i+1, n)
	}
	return b.String()
}
