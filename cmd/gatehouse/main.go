// Command gatehouse serves AWS IAM, STS and S3 on one endpoint.
//
//	gatehouse serve [flags]                 run the server (gatehouse serve --help lists the flags)
//	gatehouse account create --name NAME    add an account to the data dir and print its root keys
//	gatehouse account list                  list the accounts in the data dir
//	gatehouse keys rotate                   start a new session-token key
//	gatehouse blobs sweep                   delete object bytes no object refers to
//	gatehouse audit [flags]                 query the audit trail (gatehouse audit --help)
//	gatehouse version                       print the version
//
// main only parses the command line; internal/server builds everything.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

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
  gatehouse audit [--principal P] ...     query the audit trail (gatehouse audit --help)
  gatehouse version                       print the version

The account and keys commands work on the data directory (--data-dir, GATEHOUSE_DATA_DIR
or the config file), also while a server runs on it.
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
		if err := server.Run(ctx, cfg, server.Options{Stdout: stdout, Stderr: stderr, Version: version}); err != nil {
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
	case "audit":
		return auditCommand(args[1:], stdout, stderr, env, time.Now)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "gatehouse %s\n", version)
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
		fmt.Fprint(stderr, "Usage: gatehouse account create --name NAME [--id 123456789012] [--data-dir DIR]\n       gatehouse account list [--data-dir DIR]\n")
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
		fmt.Fprint(stderr, "Usage: gatehouse keys rotate [--data-dir DIR]\n")
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
		fmt.Fprint(stderr, "Usage: gatehouse blobs sweep [--grace 1h] [--data-dir DIR]\n")
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
	fmt.Fprintf(stdout, "Deleted %d unreferenced blobs and %d temp files of interrupted uploads.\n", res.Blobs, res.Temp)
	return 0
}

// openAdmin parses an operator command's flags (plus --data-dir and
// --config) and opens the data directory they name.
func openAdmin(ctx context.Context, fs *flag.FlagSet, args []string, stderr io.Writer, env func(string) (string, bool)) (*server.Admin, int) {
	dataDir := fs.String("data-dir", "", "data directory (default: as for serve)")
	cfgFile := fs.String("config", "", "TOML configuration file")
	if err := fs.Parse(args); err != nil {
		return nil, 2
	}
	var loadArgs []string
	if *cfgFile != "" {
		loadArgs = append(loadArgs, "--config", *cfgFile)
	}
	if *dataDir != "" {
		loadArgs = append(loadArgs, "--data-dir", *dataDir)
	}
	cfg, err := config.Load(loadArgs, env)
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse: configuration problems:\n%v\n", err)
		return nil, 2
	}
	admin, err := server.OpenAdmin(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse: %v\n", err)
		return nil, 1
	}
	return admin, 0
}
