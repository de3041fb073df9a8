package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
)

const auditUsage = `Usage: gatehouse audit [flags]

Reads the audit trail's files (rotated ones included) and prints the events
that match every flag given, oldest first.

  --principal P   a user, role or root ARN, an access key id, a principal id,
                  an IAM user name, or a role ARN (every session of the role).
                  A role session (its ARN or ASIA key id) is followed back to
                  whoever assumed it: the AssumeRole events that issued its
                  credentials are shown with the session's calls.
  --follow        with --principal, also what the sessions it assumed did
  --action A      an event name, optionally with its service: AssumeRole,
                  s3:GetObject, iam:Create* (* matches anything)
  --resource R    a resource ARN, bucket, key or parameter containing R
  --account ID    one account's trail (the events it receives)
  --since T       from T: RFC 3339 (2026-05-01T12:00:00Z), a date
  --until T       (2026-05-01) or an age (90m, 12h, 7d); until T is exclusive
  --errors        failed requests only
  --limit N       at most N events
  --output F      table (default) or json (CloudTrail events, one per line)
  --dir DIR       the trail's directory (default: audit-dir, or DATA_DIR/audit)
  --data-dir DIR, --config FILE   as for serve
`

// auditCommand is `gatehouse audit`: flags to an audit.Query, and the
// results as a table or JSON lines.
func auditCommand(args []string, stdout, stderr io.Writer, env func(string) (string, bool), now func() time.Time) int {
	if wantsHelp(args) {
		fmt.Fprint(stdout, auditUsage)
		return 0
	}
	fs := flag.NewFlagSet("gatehouse audit", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var q audit.Query
	fs.StringVar(&q.Principal, "principal", "", "")
	fs.BoolVar(&q.Follow, "follow", false, "")
	fs.StringVar(&q.Action, "action", "", "")
	fs.StringVar(&q.Resource, "resource", "", "")
	fs.StringVar(&q.Account, "account", "", "")
	fs.BoolVar(&q.Errors, "errors", false, "")
	fs.IntVar(&q.Limit, "limit", 0, "")
	since := fs.String("since", "", "")
	until := fs.String("until", "", "")
	output := fs.String("output", "table", "")
	dir := fs.String("dir", "", "")
	dataDir := fs.String("data-dir", "", "")
	cfgFile := fs.String("config", "", "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		if err == nil {
			err = fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
		}
		fmt.Fprintf(stderr, "gatehouse audit: %v\n\n%s", err, auditUsage)
		return 2
	}
	var problems []error
	var err error
	if q.Since, err = parseWhen(*since, now()); err != nil {
		problems = append(problems, fmt.Errorf("--since: %w", err))
	}
	if q.Until, err = parseWhen(*until, now()); err != nil {
		problems = append(problems, fmt.Errorf("--until: %w", err))
	}
	if *output != "table" && *output != "json" {
		problems = append(problems, fmt.Errorf("--output: %q is not table or json", *output))
	}
	if q.Follow && q.Principal == "" {
		problems = append(problems, errors.New("--follow needs --principal"))
	}
	if q.Limit < 0 {
		problems = append(problems, errors.New("--limit: must not be negative"))
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "gatehouse audit: %v\n", errors.Join(problems...))
		return 2
	}
	if *dir == "" {
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
			return 2
		}
		*dir = cfg.Audit.Dir
		if *dir == "" {
			*dir = filepath.Join(cfg.DataDir, server.AuditDir)
		}
	}

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	var emit func(*audit.Event) error
	var table *audit.Table
	if *output == "json" {
		var line []byte
		emit = func(e *audit.Event) error {
			line = append(e.AppendJSON(line[:0]), '\n')
			_, err := out.Write(line)
			return err
		}
	} else {
		table = audit.NewTable(out)
		emit = table.Add
	}
	res, err := audit.Search(*dir, q, emit)
	if err != nil {
		out.Flush()
		fmt.Fprintf(stderr, "gatehouse audit: %v\n", err)
		return 1
	}
	if table != nil {
		if len(res.Chain) > 0 {
			audit.DescribeChain(out, res.Chain)
			fmt.Fprintln(out)
		}
		if err := table.Flush(); err != nil {
			fmt.Fprintf(stderr, "gatehouse audit: %v\n", err)
			return 1
		}
	}
	if q.Principal != "" && audit.IsSession(q.Principal) && len(res.Chain) == 0 {
		fmt.Fprintf(stderr, "gatehouse audit: no AssumeRole event in the trail issued %s (expired from the trail, or not a session)\n", q.Principal)
	}
	if res.Skipped > 0 {
		fmt.Fprintf(stderr, "gatehouse audit: skipped %d lines that are not events\n", res.Skipped)
	}
	if res.Matched == 0 {
		fmt.Fprintln(stderr, "gatehouse audit: no event matches")
	}
	return 0
}

// parseWhen reads a point in time: RFC 3339, a date (midnight UTC), or an
// age before now (90m, 12h, 7d). "" is no bound.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 && n < 100000 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (2026-05-01T12:00:00Z, 2026-05-01) or an age (90m, 12h, 7d)", s)
}
