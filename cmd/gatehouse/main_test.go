package main

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
)

func TestSplitPositional(t *testing.T) {
	for _, c := range []struct {
		args []string
		pos  string
		rest string
		ok   bool
	}{
		{[]string{"DEST"}, "DEST", "", true},
		{[]string{"DEST", "--data-dir", "d"}, "DEST", "--data-dir d", true},
		{[]string{"--data-dir", "d", "DEST"}, "DEST", "--data-dir d", true},
		{[]string{"--data-dir=d", "DEST"}, "DEST", "--data-dir=d", true},
		{[]string{"--include-master-key", "DEST"}, "DEST", "--include-master-key", true},
		{[]string{"--force", "--master-key-file", "k", "SRC"}, "SRC", "--force --master-key-file k", true},
		{[]string{"--data-dir", "d"}, "", "--data-dir d", false},
		{nil, "", "", false},
	} {
		pos, rest, ok := splitPositional(c.args)
		if pos != c.pos || strings.Join(rest, " ") != c.rest || ok != c.ok {
			t.Errorf("splitPositional(%q) = %q, %q, %v; want %q, %q, %v", c.args, pos, rest, ok, c.pos, c.rest, c.ok)
		}
	}
}

// TestOperatorCommandsOnAMissingDir: the commands refuse a data directory
// that does not exist (exit 1, naming it), and usage errors exit 2.
func TestOperatorCommandsOnAMissingDir(t *testing.T) {
	missing := t.TempDir() + "/nope"
	env := func(string) (string, bool) { return "", false }
	for _, args := range [][]string{
		{"account", "list", "--data-dir", missing},
		{"keys", "rotate", "--data-dir", missing},
		{"blobs", "sweep", "--data-dir", missing},
		{"lifecycle", "run", "--data-dir", missing},
		{"mfa", "enable-root", "--account", "111122223333", "--serial", "arn:aws:iam::111122223333:mfa/root", "--code1", "123456", "--code2", "234567", "--data-dir", missing},
		{"backup", t.TempDir() + "/b", "--data-dir", missing},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut, env); code != 1 || !strings.Contains(errOut.String(), missing+" does not exist") {
			t.Errorf("%v: exit %d, %s", args, code, errOut.String())
		}
	}
	for _, args := range [][]string{{"backup"}, {"restore"}, {"restore", "--force"}, {"account", "list", "extra"}, {"backup", "d", "--init"}, {"lifecycle"}, {"lifecycle", "run", "extra"}, {"mfa"}, {"mfa", "enable"}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut, env); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", args, code, errOut.String())
		}
	}
}

// TestLifecycleRun: the operator command runs a pass on a data directory
// and reports it.
func TestLifecycleRun(t *testing.T) {
	dir := t.TempDir() + "/data"
	env := func(string) (string, bool) { return "", false }
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"account", "list", "--data-dir", dir, "--init"}, &out, &errOut, env); code != 0 {
		t.Fatalf("init: exit %d, %s", code, errOut.String())
	}
	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), []string{"lifecycle", "run", "--data-dir", dir}, &out, &errOut, env); code != 0 {
		t.Fatalf("lifecycle run: exit %d, %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Lifecycle pass over 0 buckets") || !strings.Contains(errOut.String(), "lifecycle pass") {
		t.Fatalf("stdout %q, log %q", out.String(), errOut.String())
	}
}

// TestMigrateRefusals: migrate wants a PostgreSQL target and a data
// directory with a store, and never prints the target's password.
func TestMigrateRefusals(t *testing.T) {
	dir := t.TempDir() + "/data"
	env := func(string) (string, bool) { return "", false }
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"migrate", "--data-dir", dir}, &out, &errOut, env); code != 1 || !strings.Contains(errOut.String(), "--store postgres://") {
		t.Errorf("without --store: exit %d, %s", code, errOut.String())
	}
	errOut.Reset()
	target := "postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=2"
	if code := run(context.Background(), []string{"migrate", "--data-dir", dir, "--store", target}, &out, &errOut, env); code != 1 || !strings.Contains(errOut.String(), "has no store") {
		t.Errorf("missing data dir: exit %d, %s", code, errOut.String())
	}
	if code := run(context.Background(), []string{"account", "list", "--data-dir", dir, "--init"}, &out, &errOut, env); code != 0 {
		t.Fatalf("init: exit %d, %s", code, errOut.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"migrate", "--data-dir", dir, "--store", target}, &out, &errOut, env); code != 1 ||
		strings.Contains(errOut.String(), "s3cret") || !strings.Contains(errOut.String(), "open target") {
		t.Errorf("unreachable target: exit %d, %s", code, errOut.String())
	}
	if code := run(context.Background(), []string{"migrate", "extra"}, &out, &errOut, env); code != 2 {
		t.Errorf("extra argument: exit %d", code)
	}
}

// gc-percent sets the collector's target for serve, unless GOGC is set.
func TestGCPercent(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	none := func(string) (string, bool) { return "", false }
	setGCPercent(&config.Config{GCPercent: 321}, none)
	if got := debug.SetGCPercent(100); got != 321 {
		t.Fatalf("GC percent %d after gc-percent 321", got)
	}
	gogc := func(k string) (string, bool) { return "50", k == "GOGC" }
	setGCPercent(&config.Config{GCPercent: 321}, gogc)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GC percent %d with GOGC set: gc-percent must not override it", got)
	}
}
