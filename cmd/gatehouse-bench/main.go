// Command gatehouse-bench is the load tool for Gatehouse and any other
// S3/STS endpoint (MinIO and others), and the ceiling they are compared with.
//
//	gatehouse-bench run --endpoint URL --workload NAME [flags]   load an endpoint, print one line per run
//	gatehouse-bench setup --endpoint URL [flags]                 prepare an endpoint (idempotent) and exit
//	gatehouse-bench setup --seed-db PATH --keys N                add list/ object records to a stopped server's store
//	gatehouse-bench setup --seed-db PATH --versions N            add vers/ version records (1,000 a key) to it
//	gatehouse-bench ceiling --listen 127.0.0.1:PORT --dir DIR    serve the yardstick: S3 and STS with no auth or policy work
//	gatehouse-bench report FILE.jsonl...                          table of medians per workload and target (--label), with ratios, and the ratios repetition by repetition
//
// The contract: every request the tool sends is signed afresh with SigV4
// (aws-sdk-go-v2's signer on hand-built net/http requests, one shared
// keep-alive transport), except AssumeRoleWithWebIdentity, which AWS defines
// as unsigned and which carries a freshly minted RS256 ID token instead.
// A run loads one workload (see `gatehouse-bench run --help` for the list)
// with N workers for a duration and reports requests/s, MiB/s, exact
// latency percentiles over all requests (p50/p90/p99/p999), errors with up
// to 3 samples, the client's CPU seconds and, given --pid, the server's peak
// VmRSS sampled every 50 ms and its VmHWM; with --json the same as one JSON
// object per line. Secrets are never printed. The exit status is 1 when the
// run could not start (setup failed, workload unsupported by the endpoint)
// and 2 when it ran with errors.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

const usage = `usage:
  gatehouse-bench run --endpoint URL --workload NAME [flags]   (run --help for the flags and workloads)
  gatehouse-bench setup --endpoint URL [flags]
  gatehouse-bench ceiling --listen 127.0.0.1:PORT --dir DIR
  gatehouse-bench report FILE.jsonl...   (medians per workload and --label; ratios to labels ceiling and minio, also repetition by repetition)
`

func realMain(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "run":
		var o *options
		if o, err = parseRun("run", args[1:], stderr, env); err == nil {
			var res *result
			if res, err = run(ctx, o, stderr); err == nil {
				if o.json {
					err = writeJSON(stdout, res)
				} else {
					writeHuman(stdout, res)
				}
				if err == nil && res.Errors > 0 {
					return 2
				}
			}
		}
	case "setup":
		var o *options
		if o, err = parseRun("setup", args[1:], stderr, env); err == nil {
			err = setupOnly(ctx, o, stdout)
		}
	case "ceiling":
		err = ceilingMain(ctx, args[1:], stderr)
	case "report":
		err = report(args[1:], stdout)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if errors.Is(err, errHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "gatehouse-bench:", err)
		return 1
	}
	return 0
}

// errHelp: --help was asked for and printed.
var errHelp = errors.New("help")

// parseSize reads 4096, 4KiB, 16MiB, 1GiB (also K, M, G, KB, MB, GB as
// binary units: this is a load tool, not a disk label).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suf) {
			t, mult = strings.TrimSuffix(t, u.suf), u.m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// sizeFlag is a flag.Value for sizes.
type sizeFlag struct{ n *int64 }

func (f sizeFlag) String() string {
	if f.n == nil || *f.n == 0 {
		return ""
	}
	return formatSize(*f.n)
}

func (f sizeFlag) Set(s string) error {
	n, err := parseSize(s)
	if err == nil {
		*f.n = n
	}
	return err
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return strconv.FormatInt(n, 10)
}
