// Command gatehouse serves AWS IAM, STS and S3 on one endpoint.
//
//	gatehouse serve [flags]                 run the server (gatehouse serve --help lists the flags)
//	gatehouse account create --name NAME    add an account to the data dir and print its root keys
//	gatehouse account list                  list the accounts in the data dir
//	gatehouse keys rotate                   start a new session-token key
//	gatehouse blobs sweep                   delete object bytes no object refers to
//	gatehouse lifecycle run                 run one pass of the S3 lifecycle rules now
//	gatehouse backup DEST                   back up the data dir while it serves
//	gatehouse restore SRC --data-dir DIR    restore a backup into a new data dir
//	gatehouse migrate --store postgres://…  move a stopped data dir into a cluster's stores
//	gatehouse audit [flags]                 query the audit trail (gatehouse audit --help)
//	gatehouse version                       print the version, VCS revision and build time
//
// main only parses the command line; internal/server builds everything.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

const usage = `gatehouse: AWS IAM, STS and S3 on one endpoint

Usage:
  gatehouse serve [flags]                 run the server
  gatehouse account create --name NAME    add an account and print its root access key
  gatehouse account list                  list accounts
  gatehouse keys rotate                   start a new session-token key (older tokens stay valid)
  gatehouse blobs sweep [--grace 1h]      delete object bytes no object refers to (crash leftovers)
  gatehouse lifecycle run                 run one pass of the buckets' lifecycle rules now
  gatehouse mfa enable-root --account ID --serial ARN --code1 C1 --code2 C2
                                          give an account's root a virtual MFA device (MFA Delete)
  gatehouse backup DEST [--include-master-key]
                                          back up the store and object bytes (online) into DEST
  gatehouse restore SRC --data-dir DIR [--force] [--master-key-file FILE]
                                          restore a backup into a new or empty data directory
  gatehouse migrate --data-dir DIR --store postgres://... [--blob s3://...]
                                          copy a stopped node's store (and object bytes) into an empty
                                          PostgreSQL database (and an S3-compatible store): see docs/cluster.md
  gatehouse audit [--principal P] ...     query the audit trail (gatehouse audit --help)
  gatehouse version                       print the version, VCS revision and build time

The account, keys, blobs and backup commands work on an existing data directory
(--data-dir, GATEHOUSE_DATA_DIR or the config file), also while a server runs on it;
--init lets account, keys and blobs create a missing one. Only one server may run
on a data directory. See docs/operations.md for backups and the master key.
Run "gatehouse serve --help" for the server's flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		if wantsHelp(args[1:]) {
			fmt.Fprintln(stdout, "Usage: gatehouse serve [flags]\n\nFlags (precedence: flag > environment > config file > default):")
			config.Usage(stdout)
			return 0
		}
		cfg, err := config.Load(args[1:], env)
		if err != nil {
			fmt.Fprintf(stderr, "gatehouse: configuration problems:\n%v\n", err)
			return 2
		}
		setGCPercent(cfg, env)
		if err := server.Run(ctx, cfg, server.Options{Stdout: stdout, Stderr: stderr, Version: currentVersion().Version}); err != nil {
			fmt.Fprintf(stderr, "gatehouse: %v\n", err)
			return 1
		}
		return 0
	case "account":
		return account(ctx, args[1:], stdout, stderr, env)
	case "keys":
		return keys(ctx, args[1:], stdout, stderr, env)
	case "blobs":
		return blobs(ctx, args[1:], stdout, stderr, env)
	case "lifecycle":
		return lifecycleCmd(ctx, args[1:], stdout, stderr, env)
	case "mfa":
		return mfaCmd(ctx, args[1:], stdout, stderr, env)
	case "backup":
		return backupCmd(ctx, args[1:], stdout, stderr, env)
	case "restore":
		return restoreCmd(ctx, args[1:], stdout, stderr, env)
	case "migrate":
		return migrateCmd(ctx, args[1:], stdout, stderr, env)
	case "audit":
		return auditCommand(args[1:], stdout, stderr, env, time.Now)
	case "version", "--version", "-v":
		fmt.Fprint(stdout, currentVersion())
		return 0
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "gatehouse: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			return true
		}
	}
	return false
}

func account(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	if len(args) == 0 || (args[0] != "create" && args[0] != "list") {
		fmt.Fprint(stderr, "Usage: gatehouse account create --name NAME [--id 123456789012] [--data-dir DIR] [--init]\n       gatehouse account list [--data-dir DIR] [--init]\n")
		return 2
	}
	fs := flag.NewFlagSet("gatehouse account "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "account name (create)")
	id := fs.String("id", "", "12-digit account id (create; empty: generated)")
	admin, code := openAdmin(ctx, fs, args[1:], stderr, env)
	if admin == nil {
		return code
	}
	defer admin.Close()
	switch args[0] {
	case "create":
		if *name == "" {
			fmt.Fprintln(stderr, "gatehouse account create: --name is required")
			return 2
		}
		creds, err := admin.CreateAccount(ctx, *id, *name)
		if errors.Is(err, server.ErrAccountExists) {
			fmt.Fprintf(stderr, "gatehouse: account %s already exists\n", *id)
			return 1
		}
		if err != nil {
			fmt.Fprintf(stderr, "gatehouse: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Created account %s (%s).\nRoot credentials (shown once; keep them safe):\n  aws_access_key_id     = %s\n  aws_secret_access_key = %s\n",
			creds.AccountID, creds.AccountName, creds.AccessKeyID, creds.SecretAccessKey)
		return 0
	default:
		accounts, err := admin.ListAccounts(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "gatehouse: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%-14s %-24s %s\n", "ACCOUNT", "NAME", "CREATED")
		for _, a := range accounts {
			fmt.Fprintf(stdout, "%-14s %-24s %s\n", a.ID, a.Name, a.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"))
		}
		return 0
	}
}

func keys(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprint(stderr, "Usage: gatehouse keys rotate [--data-dir DIR] [--init]\n")
		return 2
	}
	fs := flag.NewFlagSet("gatehouse keys rotate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	admin, code := openAdmin(ctx, fs, args[1:], stderr, env)
	if admin == nil {
		return code
	}
	defer admin.Close()
	id, err := admin.RotateTokenKeys(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "New session-token key %d is active; tokens sealed under earlier keys stay valid until they expire.\n", id)
	return 0
}

func blobs(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	if len(args) == 0 || args[0] != "sweep" {
		fmt.Fprint(stderr, "Usage: gatehouse blobs sweep [--grace 1h] [--data-dir DIR] [--init]\n")
		return 2
	}
	fs := flag.NewFlagSet("gatehouse blobs sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	grace := fs.Duration("grace", time.Hour, "leave unreferenced blobs younger than this (uploads in flight)")
	admin, code := openAdmin(ctx, fs, args[1:], stderr, env)
	if admin == nil {
		return code
	}
	defer admin.Close()
	res, err := admin.SweepBlobs(ctx, *grace)
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Deleted %d unreferenced blobs and %d leftovers of interrupted uploads (temp files; upstream multipart uploads with --blob s3://).\n", res.Blobs, res.Temp)
	return 0
}

func lifecycleCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprint(stderr, "Usage: gatehouse lifecycle run [--data-dir DIR]\n")
		return 2
	}
	fs := flag.NewFlagSet("gatehouse lifecycle run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	admin, code := openAdminWith(ctx, fs, args[1:], stderr, env, nil)
	if admin == nil {
		return code
	}
	defer admin.Close()
	res, err := admin.RunLifecycle(ctx, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Lifecycle pass over %d buckets: %d objects expired, %d noncurrent versions and %d delete markers removed, %d uploads aborted, %d errors (bytes are left to the blob sweeper).\n",
		res.Buckets, res.Expired, res.Versions, res.Markers, res.Uploads, res.Errors)
	if res.Errors > 0 {
		return 1
	}
	return 0
}

// mfaCmd is `gatehouse mfa enable-root`: the operator, who holds the data
// directory, gives an account's root a virtual MFA device created with
// CreateVirtualMFADevice. AWS assigns the root's device only in its
// console; no API call does it here either, so that stolen root access
// keys cannot add a device and then pass MFA Delete.
func mfaCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	const use = "Usage: gatehouse mfa enable-root --account ID --serial ARN --code1 CODE --code2 CODE [--data-dir DIR]\n"
	if len(args) == 0 || args[0] != "enable-root" {
		fmt.Fprint(stderr, use)
		return 2
	}
	fs := flag.NewFlagSet("gatehouse mfa enable-root", flag.ContinueOnError)
	fs.SetOutput(stderr)
	acct := fs.String("account", "", "the account whose root gets the device")
	serial := fs.String("serial", "", "the virtual MFA device's serial number (ARN)")
	code1 := fs.String("code1", "", "a code of the device")
	code2 := fs.String("code2", "", "the device's next code")
	admin, code := openAdminWith(ctx, fs, args[1:], stderr, env, nil)
	if admin == nil {
		return code
	}
	defer admin.Close()
	if *acct == "" || *serial == "" || *code1 == "" || *code2 == "" {
		fmt.Fprint(stderr, use)
		return 2
	}
	if err := admin.EnableRootMFADevice(ctx, *acct, *serial, *code1, *code2); err != nil {
		fmt.Fprintf(stderr, "gatehouse: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "The root of account %s now has MFA device %s.\n", *acct, *serial)
	return 0
}

// openAdmin parses an operator command's flags (plus --data-dir, --config
// and --init) and opens the data directory they name.
func openAdmin(ctx context.Context, fs *flag.FlagSet, args []string, stderr io.Writer, env func(string) (string, bool)) (*server.Admin, int) {
	initDir := fs.Bool("init", false, "create the data directory (an empty store and a master key) when it does not exist")
	return openAdminWith(ctx, fs, args, stderr, env, initDir)
}

// openAdminWith opens the data directory named by the flags, creating it
// when initDir is set and true.
func openAdminWith(ctx context.Context, fs *flag.FlagSet, args []string, stderr io.Writer, env func(string) (string, bool), initDir *bool) (*server.Admin, int) {
	cfg, code := loadOperatorConfig(fs, args, stderr, env)
	if cfg == nil {
		return nil, code
	}
	open := server.OpenAdmin
	if initDir != nil && *initDir {
		open = server.InitAdmin
	}
	admin, err := open(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse: %v\n", err)
		return nil, 1
	}
	return admin, 0
}

// loadOperatorConfig adds --data-dir and --config to fs, parses args and
// loads the configuration they name. The flags of fs named in pass are
// settings too: when given, they are passed on to the configuration.
func loadOperatorConfig(fs *flag.FlagSet, args []string, stderr io.Writer, env func(string) (string, bool), pass ...string) (*config.Config, int) {
	dataDir := fs.String("data-dir", "", "data directory (default: as for serve)")
	cfgFile := fs.String("config", "", "TOML configuration file")
	if err := fs.Parse(args); err != nil {
		return nil, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gatehouse: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return nil, 2
	}
	var loadArgs []string
	if *cfgFile != "" {
		loadArgs = append(loadArgs, "--config", *cfgFile)
	}
	if *dataDir != "" {
		loadArgs = append(loadArgs, "--data-dir", *dataDir)
	}
	for _, name := range pass {
		if v := fs.Lookup(name).Value.String(); v != "" {
			loadArgs = append(loadArgs, "--"+name, v)
		}
	}
	cfg, err := config.Load(loadArgs, env)
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse: configuration problems:\n%v\n", err)
		return nil, 2
	}
	return cfg, 0
}

// splitPositional takes the one positional argument of a command that may
// come before or after its flags.
func splitPositional(args []string) (string, []string, bool) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:], true
	}
	if n := len(args); n > 0 && !strings.HasPrefix(args[n-1], "-") && (n < 2 || !needsValue(args[n-2])) {
		return args[n-1], args[:n-1], true
	}
	return "", args, false
}

// needsValue reports whether a flag given as its own argument takes the
// next one as its value (the string flags of backup and restore).
func needsValue(arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if strings.Contains(name, "=") {
		return false
	}
	switch name {
	case "data-dir", "config", "master-key-file":
		return true
	}
	return false
}

func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	const use = "Usage: gatehouse backup DEST [--include-master-key] [--data-dir DIR] [--config FILE]\n"
	dest, rest, ok := splitPositional(args)
	if !ok || wantsHelp(args) {
		fmt.Fprint(stderr, use)
		return 2
	}
	fs := flag.NewFlagSet("gatehouse backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	withKey := fs.Bool("include-master-key", false, "also write the master key into the backup (whoever has the backup can then open every secret in it)")
	admin, code := openAdminWith(ctx, fs, rest, stderr, env, nil)
	if admin == nil {
		return code
	}
	defer admin.Close()
	m, err := admin.Backup(ctx, dest, server.BackupOptions{IncludeMasterKey: *withKey, Version: version})
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse: backup failed: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Backed up %d accounts, %d buckets, %d objects and %d multipart uploads (%d blobs, %d bytes) to %s.\n",
		m.Counts["accounts"], m.Counts["buckets"], m.Counts["objects"], m.Counts["uploads"], m.Blobs, m.BlobBytes, dest)
	if m.MasterKey != nil {
		fmt.Fprintln(stdout, "The backup includes the master key: keep it as safe as the data directory itself.")
	} else {
		fmt.Fprintln(stdout, "The backup does not include the master key: keep master.key (or GATEHOUSE_MASTER_KEY) safe and apart; restore needs it.")
	}
	return 0
}

func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	const use = "Usage: gatehouse restore SRC --data-dir DIR [--force] [--master-key-file FILE] [--config FILE]\n"
	src, rest, ok := splitPositional(args)
	if !ok || wantsHelp(args) {
		fmt.Fprint(stderr, use)
		return 2
	}
	fs := flag.NewFlagSet("gatehouse restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	force := fs.Bool("force", false, "replace the store, object bytes and keys of a data directory that is not empty")
	keyFile := fs.String("master-key-file", "", "the master key file of the data directory that was backed up (when the backup has none)")
	cfg, code := loadOperatorConfig(fs, rest, stderr, env)
	if cfg == nil {
		return code
	}
	m, err := server.Restore(ctx, cfg, src, server.RestoreOptions{Force: *force, MasterKeyFile: *keyFile})
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse: restore failed: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Restored the backup of %s (%d accounts, %d buckets, %d objects, %d blobs) into %s.\nStart it with: gatehouse serve --data-dir %s\n",
		m.CreatedAt.Format(time.RFC3339), m.Counts["accounts"], m.Counts["buckets"], m.Counts["objects"], m.Blobs, cfg.DataDir, cfg.DataDir)
	return 0
}

func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	const use = "Usage: gatehouse migrate --data-dir DIR --store postgres://... [--blob s3://BUCKET/PREFIX?...] [--workers N] [--config FILE]\n"
	if wantsHelp(args) {
		fmt.Fprint(stderr, use)
		return 2
	}
	fs := flag.NewFlagSet("gatehouse migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String("store", "", "the target: an empty PostgreSQL database (postgres://…; keep the password in PGPASSWORD or ~/.pgpass)")
	fs.String("blob", "", "where the object bytes go: s3://BUCKET/PREFIX?endpoint=… (empty: the rows only)")
	workers := fs.Int("workers", 4, "blobs copied at once")
	cfg, code := loadOperatorConfig(fs, args, stderr, env, "store", "blob")
	if cfg == nil {
		return code
	}
	sum, err := server.Migrate(ctx, cfg, server.MigrateOptions{Progress: stdout, Workers: *workers})
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse: migrate failed: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Migrated %d tables (%d rows) and %d blobs (%d bytes; %d copied now, %d already there) in %s.\n",
		sum.Tables, sum.TotalRows, sum.Blobs, sum.Bytes, sum.Copied, sum.Skipped, sum.Duration.Round(time.Millisecond))
	if cfg.Blob == "" && sum.Blobs > 0 {
		fmt.Fprintf(stdout, "The object bytes (%d blobs) stayed in %s: without --blob the cluster's nodes cannot serve them.\n", sum.Blobs, cfg.DataDir)
	}
	fmt.Fprintf(stdout, "Start the nodes with --store (and --blob) as given here and GATEHOUSE_MASTER_KEY set to this data directory's master key (the contents of its master.key).\n")
	return 0
}

// setGCPercent sets the collector's target to the configuration's
// gc-percent, unless the environment sets GOGC (which the runtime has
// read).
func setGCPercent(cfg *config.Config, env func(string) (string, bool)) {
	if _, set := env("GOGC"); !set {
		debug.SetGCPercent(cfg.GCPercent)
	}
}
