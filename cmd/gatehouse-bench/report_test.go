package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportPairsRepetitions: the report gives the medians' ratio and the
// ratio repetition by repetition (the i-th run of each target paired),
// with the median of those.
func TestReportPairsRepetitions(t *testing.T) {
	lines := []string{
		`{"workload":"sts-assume-role","label":"ceiling","req_per_s":100}`,
		`{"workload":"sts-assume-role","label":"gatehouse","req_per_s":95}`,
		`{"workload":"sts-assume-role","label":"ceiling","req_per_s":200}`,
		`{"workload":"sts-assume-role","label":"gatehouse","req_per_s":170}`,
		`{"workload":"sts-assume-role","label":"ceiling","req_per_s":120}`,
		`{"workload":"sts-assume-role","label":"gatehouse","req_per_s":114}`,
		`{"workload":"s3-get-large","label":"gatehouse","mib_per_s":10}`, // no baseline: no pairs
	}
	path := filepath.Join(t.TempDir(), "results.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := report([]string{path}, &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	// Medians 114 and 120: 0.95. Pairs 0.95, 0.85, 0.95: median 0.95.
	for _, want := range []string{"0.95", "sts-assume-role, gatehouse ÷ ceiling: median 0.95 over 3 (0.95, 0.85, 0.95)"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "s3-get-large, gatehouse ÷") {
		t.Errorf("pairs without a baseline:\n%s", got)
	}
}
