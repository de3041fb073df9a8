package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/keyring"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// cfgFor is a copy of cfg on another data directory.
func cfgFor(cfg *config.Config, dir string) *config.Config {
	c := *cfg
	c.DataDir = dir
	return &c
}

// stoppedDir returns the configuration of a data directory a test server
// created and then stopped.
func stoppedDir(t *testing.T) *config.Config {
	t.Helper()
	env := testenv.New(t)
	env.Close()
	return cfgFor(env.Cfg, env.DataDir)
}

// tree describes every file and directory under dir (name, size, mode,
// modification time), after setting all their times an hour back, so that
// any write in between shows.
func tree(t *testing.T, dir string, age bool) string {
	t.Helper()
	var b strings.Builder
	old := time.Now().Add(-time.Hour)
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(paths) - 1; i >= 0; i-- { // children before their directory
		p := paths[i]
		if age {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
		info, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d %v %d\n", p, info.Size(), info.Mode(), info.ModTime().UnixNano())
	}
	return b.String()
}

// refusedBeforeWriting runs open and expects it to fail with want, leaving
// dir exactly as it was.
func refusedBeforeWriting(t *testing.T, dir string, want error, open func() error) error {
	t.Helper()
	before := tree(t, dir, true)
	err := open()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
	if after := tree(t, dir, false); after != before {
		t.Fatalf("refused, but the data directory changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	return err
}

func startServer(ctx context.Context, cfg *config.Config) error {
	s, err := server.New(ctx, cfg, server.Options{})
	if err == nil {
		s.Close()
	}
	return err
}

func openAdmin(ctx context.Context, cfg *config.Config) error {
	a, err := server.OpenAdmin(ctx, cfg)
	if err == nil {
		a.Close()
	}
	return err
}

// TestSecondServerIsRefusedAndOperatorCommandsStillWork: a data directory
// serves one server; a second one is refused with the holder's pid, while
// the operator commands work next to the running server.
func TestSecondServerIsRefusedAndOperatorCommandsStillWork(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	_, err := server.New(ctx, cfgFor(env.Cfg, env.DataDir), server.Options{})
	if !errors.Is(err, server.ErrInUse) {
		t.Fatalf("second server: %v, want ErrInUse", err)
	}
	want := fmt.Sprintf("data directory %s is in use by another gatehouse server (pid %d)", env.DataDir, os.Getpid())
	if err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}

	admin, err := server.OpenAdmin(ctx, env.Cfg)
	if err != nil {
		t.Fatalf("an operator command next to a running server: %v", err)
	}
	defer admin.Close()
	if _, err := admin.CreateAccount(ctx, "", "partner"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RotateTokenKeys(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.SweepBlobs(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Backup(ctx, filepath.Join(t.TempDir(), "b"), server.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.STS.GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("the server after the operator commands: %v", err)
	}
	// Stopped, the directory serves again.
	env.Restart()
	if _, err := env.STS.GetCallerIdentity(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// TestOperatorCommandsRefuseAMissingDataDir: a mistyped --data-dir is
// refused, with the directory named and how to create one, instead of
// becoming a new store; --init (InitAdmin) creates one.
func TestOperatorCommandsRefuseAMissingDataDir(t *testing.T) {
	ctx := context.Background()
	base := stoppedDir(t)
	missing := filepath.Join(t.TempDir(), "typo")
	err := openAdmin(ctx, cfgFor(base, missing))
	if !errors.Is(err, server.ErrNoDataDir) || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "--init") ||
		!strings.Contains(err.Error(), "gatehouse serve") {
		t.Fatalf("missing directory: %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the refused directory was created: %v", err)
	}
	empty := t.TempDir()
	refusedBeforeWriting(t, empty, server.ErrNoStore, func() error { return openAdmin(ctx, cfgFor(base, empty)) })
	// An empty store file (a crash before the first commit) is no store:
	// refused by the operator commands, created by a server.
	os.WriteFile(filepath.Join(empty, server.StoreFile), nil, 0o600)
	refusedBeforeWriting(t, empty, server.ErrNoStore, func() error { return openAdmin(ctx, cfgFor(base, empty)) })
	if err := startServer(ctx, cfgFor(base, empty)); err != nil {
		t.Fatalf("a server on a directory with an empty store file: %v", err)
	}

	// --init creates the directory, with no account yet; the first server
	// start then creates the default one.
	cfg := cfgFor(base, missing)
	admin, err := server.InitAdmin(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := admin.ListAccounts(ctx)
	admin.Close()
	if err != nil || len(accounts) != 0 {
		t.Fatalf("after --init: %v %v", accounts, err)
	}
	for _, name := range []string{server.StoreFile, keyring.MasterKeyFile} {
		if _, err := os.Stat(filepath.Join(missing, name)); err != nil {
			t.Fatalf("--init did not create %s: %v", name, err)
		}
	}
	if err := openAdmin(ctx, cfg); err != nil {
		t.Fatalf("after --init: %v", err)
	}
	env := testenv.New(t, func(c *config.Config) { c.DataDir = missing })
	if out, err := env.STS.GetCallerIdentity(ctx, nil); err != nil || *out.Account != testenv.AccountID {
		t.Fatalf("server on an --init directory: %v", err)
	}
}

// TestMissingMasterKeyIsRefusedBeforeWriting: losing master.key is said
// plainly, and no new key (or anything else) is written.
func TestMissingMasterKeyIsRefusedBeforeWriting(t *testing.T) {
	ctx := context.Background()
	cfg := stoppedDir(t)
	if err := os.Remove(filepath.Join(cfg.DataDir, keyring.MasterKeyFile)); err != nil {
		t.Fatal(err)
	}
	err := refusedBeforeWriting(t, cfg.DataDir, server.ErrMasterKeyMissing, func() error { return startServer(ctx, cfg) })
	for _, want := range []string{cfg.DataDir, keyring.MasterKeyFile, "GATEHOUSE_MASTER_KEY", "session-token keys", "secret access keys"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	refusedBeforeWriting(t, cfg.DataDir, server.ErrMasterKeyMissing, func() error { return openAdmin(ctx, cfg) })
}

// TestWrongMasterKeyIsRefusedBeforeWriting: another key, from the file or
// the setting, is refused by the store's check value before anything is
// written; the right key from the setting works.
func TestWrongMasterKeyIsRefusedBeforeWriting(t *testing.T) {
	ctx := context.Background()
	cfg := stoppedDir(t)
	keyPath := filepath.Join(cfg.DataDir, keyring.MasterKeyFile)
	right, err := keyring.ReadMasterKeyFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	other := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, keyring.MasterKeySize))
	os.WriteFile(keyPath, []byte(other+"\n"), 0o600)
	err = refusedBeforeWriting(t, cfg.DataDir, server.ErrMasterKeyMismatch, func() error { return startServer(ctx, cfg) })
	for _, want := range []string{keyPath, cfg.DataDir, "GATEHOUSE_MASTER_KEY", "session-token keys", "Nothing was written"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), other) {
		t.Fatal("the message shows the key")
	}
	refusedBeforeWriting(t, cfg.DataDir, server.ErrMasterKeyMismatch, func() error { return openAdmin(ctx, cfg) })

	withSetting := *cfg
	withSetting.MasterKey = other
	refusedBeforeWriting(t, cfg.DataDir, server.ErrMasterKeyMismatch, func() error { return startServer(ctx, &withSetting) })
	withSetting.MasterKey = base64.StdEncoding.EncodeToString(right)
	if err := startServer(ctx, &withSetting); err != nil {
		t.Fatalf("the right key from the setting: %v", err)
	}
}

// TestDataDirOfAnEarlierVersionGetsACheckValue: a store without a check
// value (written before there was one) is still checked, by its sealed
// token keys; opened with the right key it gets its check value and
// default account.
func TestDataDirOfAnEarlierVersionGetsACheckValue(t *testing.T) {
	ctx := context.Background()
	cfg := stoppedDir(t)
	dbPath := filepath.Join(cfg.DataDir, server.StoreFile)
	installation := func() *store.Installation {
		st, err := sqlite.OpenReadOnly(dbPath, sqlite.Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var in *store.Installation
		if err := st.View(ctx, func(tx store.Tx) error {
			var err error
			in, err = tx.GetInstallation(ctx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return in
	}
	if in := installation(); in.MasterKeyCheck == nil || in.DefaultAccount != testenv.AccountID {
		t.Fatalf("a new data directory's installation: %+v", in)
	}
	st, err := sqlite.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.PutInstallation(ctx, &store.Installation{}) }); err != nil {
		t.Fatal(err)
	}
	st.Close()

	wrong := *cfg
	wrong.MasterKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, keyring.MasterKeySize))
	err = refusedBeforeWriting(t, cfg.DataDir, server.ErrMasterKeyMismatch, func() error { return startServer(ctx, &wrong) })
	if !strings.Contains(err.Error(), "session-token key") {
		t.Fatalf("message: %v", err)
	}
	if err := startServer(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if in := installation(); in.MasterKeyCheck == nil || in.DefaultAccount != testenv.AccountID {
		t.Fatalf("installation after the first open: %+v", in)
	}
	refusedBeforeWriting(t, cfg.DataDir, server.ErrMasterKeyMismatch, func() error { return startServer(ctx, &wrong) })
}

// TestAccountIDMustMatchTheDataDir: account-id names the default account
// of a new directory; given for one set up with another, it is refused —
// even when it names another account of the directory.
func TestAccountIDMustMatchTheDataDir(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	partner, _ := env.CreateAccount("partner")
	env.Close()
	cfg := cfgFor(env.Cfg, env.DataDir)
	for _, id := range []string{"999999999999", partner} {
		c := *cfg
		c.AccountID = id
		err := refusedBeforeWriting(t, cfg.DataDir, server.ErrAccountMismatch, func() error { return startServer(ctx, &c) })
		for _, want := range []string{cfg.DataDir, testenv.AccountID, id, "--account-id"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message lacks %q: %v", want, err)
			}
		}
	}
	c := *cfg
	c.AccountID = ""
	if err := startServer(ctx, &c); err != nil {
		t.Fatalf("without account-id: %v", err)
	}
	if err := startServer(ctx, cfg); err != nil {
		t.Fatalf("with the directory's own account id: %v", err)
	}
	// The operator commands do not check it (they create no default account).
	c.AccountID = "999999999999"
	if err := openAdmin(ctx, &c); err != nil {
		t.Fatal(err)
	}
}
