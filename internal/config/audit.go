package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Audit sink names (audit-sinks).
const (
	AuditSinkFile    = "file"
	AuditSinkStdout  = "stdout"
	AuditSinkWebhook = "webhook"
	AuditSinkSyslog  = "syslog"
)

var auditSinkNames = []string{AuditSinkFile, AuditSinkStdout, AuditSinkWebhook, AuditSinkSyslog}

// AuditConfig configures the audit trail (docs/audit.md).
type AuditConfig struct {
	Enabled bool     // record every request as a CloudTrail event
	Sinks   []string // where events go: file, stdout, webhook, syslog
	// Dir holds the trail's JSON-lines files ("" = DATA_DIR/audit).
	Dir string
	// FileMaxSize and FileMaxAge start a new file; FileRetention deletes
	// files whose last event is older (0 keeps every file).
	FileMaxSize   int64
	FileMaxAge    time.Duration
	FileRetention time.Duration
	// DataEvents records S3 object-level calls (CloudTrail's data events).
	DataEvents bool
	// Buffer is how many events wait for the sinks at most; BackPressure
	// makes requests wait for room instead of dropping (and counting)
	// events when it is full.
	Buffer       int
	BackPressure bool
	// WebhookURL receives batches of events as HTTP POSTs (a secret: it
	// may carry a token).
	WebhookURL     string
	WebhookTimeout time.Duration
	WebhookRetries int
	// Syslog is the RFC 5424 collector: udp://HOST:PORT or tcp://HOST:PORT.
	Syslog string
}

// parseBool reads a boolean setting.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "on", "yes", "1":
		return true, nil
	case "false", "off", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("not true or false: %q", v)
}

// boolean is a setting holding true or false (parseBool).
func boolean(key, env, def, usage string, p func(*Config) *bool) Setting {
	return Setting{Key: key, Env: env, Default: def, Usage: usage,
		set: func(c *Config, v string) error {
			b, err := parseBool(v)
			if err != nil {
				return err
			}
			*p(c) = b
			return nil
		},
		get: func(c *Config) string { return strconv.FormatBool(*p(c)) },
	}
}

// parseRetention reads a duration that may be 0 and may use a d (days)
// suffix: 90d, 2160h, 0.
func parseRetention(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "0" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 100*365 {
			return 0, fmt.Errorf("not a number of days (e.g. 90d): %q", v)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("not a duration (e.g. 90d, 720h or 0): %q", v)
	}
	return d, nil
}

func formatRetention(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

// auditSettings are the audit trail's settings, in documentation order.
func auditSettings() []Setting {
	a := func(c *Config) *AuditConfig { return &c.Audit }
	return []Setting{
		boolean("audit", "GATEHOUSE_AUDIT", "true", "record every request as a CloudTrail-format event (docs/audit.md)", func(c *Config) *bool { return &a(c).Enabled }),
		{
			Key: "audit-sinks", Env: "GATEHOUSE_AUDIT_SINKS", Default: AuditSinkFile,
			Usage: "where audit events go, comma-separated: file, stdout, webhook, syslog",
			set: func(c *Config, v string) error {
				var sinks []string
				for _, s := range strings.Split(v, ",") {
					s = strings.TrimSpace(s)
					if s == "" {
						continue
					}
					if !slices.Contains(auditSinkNames, s) {
						return fmt.Errorf("unknown sink %q (file, stdout, webhook, syslog)", s)
					}
					if !slices.Contains(sinks, s) {
						sinks = append(sinks, s)
					}
				}
				a(c).Sinks = sinks
				return nil
			},
			get: func(c *Config) string { return strings.Join(a(c).Sinks, ",") },
		},
		{
			Key: "audit-dir", Env: "GATEHOUSE_AUDIT_DIR", Default: "",
			Usage: "directory of the audit trail's JSON-lines files (empty: DATA_DIR/audit)",
			set:   func(c *Config, v string) error { a(c).Dir = v; return nil },
			get:   func(c *Config) string { return a(c).Dir },
		},
		{
			Key: "audit-file-max-size", Env: "GATEHOUSE_AUDIT_FILE_MAX_SIZE", Default: "100MiB",
			Usage: "an audit file that reaches this size is closed and a new one started",
			set: func(c *Config, v string) error {
				n, err := parseSize(v)
				if err != nil || n < 4<<10 {
					return fmt.Errorf("not a size of at least 4KiB (e.g. 100MiB): %q", v)
				}
				a(c).FileMaxSize = n
				return nil
			},
			get: func(c *Config) string { return formatSize(a(c).FileMaxSize) },
		},
		duration("audit-file-max-age", "GATEHOUSE_AUDIT_FILE_MAX_AGE", "24h", "an audit file older than this is closed and a new one started at the next event", func(c *Config) *time.Duration { return &a(c).FileMaxAge }),
		{
			Key: "audit-file-retention", Env: "GATEHOUSE_AUDIT_FILE_RETENTION", Default: "90d",
			Usage: "audit files whose last event is older than this are deleted (e.g. 90d, 720h; 0 keeps every file)",
			set: func(c *Config, v string) error {
				d, err := parseRetention(v)
				if err != nil {
					return err
				}
				a(c).FileRetention = d
				return nil
			},
			get: func(c *Config) string { return formatRetention(a(c).FileRetention) },
		},
		boolean("audit-data-events", "GATEHOUSE_AUDIT_DATA_EVENTS", "true", "record S3 object-level calls (CloudTrail's data events: GetObject, PutObject, ListObjects, ...)", func(c *Config) *bool { return &a(c).DataEvents }),
		count("audit-buffer", "GATEHOUSE_AUDIT_BUFFER", "8192", "audit events waiting for the sinks at most; when full, events are dropped and counted (or requests wait, with audit-backpressure)", func(c *Config) *int { return &a(c).Buffer }),
		boolean("audit-backpressure", "GATEHOUSE_AUDIT_BACKPRESSURE", "false", "when the audit buffer is full, requests wait for room instead of their events being dropped", func(c *Config) *bool { return &a(c).BackPressure }),
		{
			Key: "audit-webhook-url", Env: "GATEHOUSE_AUDIT_WEBHOOK_URL", Default: "", Secret: true,
			Usage: "http(s) URL receiving batches of audit events as JSON POSTs ({\"Records\":[...]}), for audit-sinks webhook",
			set:   func(c *Config, v string) error { a(c).WebhookURL = v; return nil },
			get:   func(c *Config) string { return a(c).WebhookURL },
		},
		duration("audit-webhook-timeout", "GATEHOUSE_AUDIT_WEBHOOK_TIMEOUT", "5s", "how long one webhook POST may take", func(c *Config) *time.Duration { return &a(c).WebhookTimeout }),
		{
			Key: "audit-webhook-retries", Env: "GATEHOUSE_AUDIT_WEBHOOK_RETRIES", Default: "3",
			Usage: "how many times a failed webhook POST is retried (with backoff) before its batch is counted as lost",
			set: func(c *Config, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n > 20 {
					return fmt.Errorf("not a number from 0 to 20: %q", v)
				}
				a(c).WebhookRetries = n
				return nil
			},
			get: func(c *Config) string { return strconv.Itoa(a(c).WebhookRetries) },
		},
		{
			Key: "audit-syslog", Env: "GATEHOUSE_AUDIT_SYSLOG", Default: "",
			Usage: "syslog collector for audit-sinks syslog (RFC 5424): udp://HOST:PORT or tcp://HOST:PORT",
			set:   func(c *Config, v string) error { a(c).Syslog = v; return nil },
			get:   func(c *Config) string { return a(c).Syslog },
		},
	}
}

// validate returns every problem with the audit settings.
func (a *AuditConfig) validate() []error {
	var p []error
	if !a.Enabled {
		return nil
	}
	if len(a.Sinks) == 0 {
		p = append(p, errors.New("audit-sinks: name at least one sink, or set audit to false"))
	}
	webhook, syslog := slices.Contains(a.Sinks, AuditSinkWebhook), slices.Contains(a.Sinks, AuditSinkSyslog)
	switch {
	case webhook && a.WebhookURL == "":
		p = append(p, errors.New("audit-sinks names webhook but GATEHOUSE_AUDIT_WEBHOOK_URL is not set"))
	case !webhook && a.WebhookURL != "":
		p = append(p, errors.New("GATEHOUSE_AUDIT_WEBHOOK_URL is set but audit-sinks does not name webhook"))
	case webhook:
		// The URL may carry a token: never echo it.
		if u, err := url.Parse(a.WebhookURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p = append(p, errors.New("GATEHOUSE_AUDIT_WEBHOOK_URL: not an http:// or https:// URL"))
		}
	}
	switch {
	case syslog && a.Syslog == "":
		p = append(p, errors.New("audit-sinks names syslog but audit-syslog is not set"))
	case !syslog && a.Syslog != "":
		p = append(p, errors.New("audit-syslog is set but audit-sinks does not name syslog"))
	case syslog:
		if u, err := url.Parse(a.Syslog); err != nil || (u.Scheme != "udp" && u.Scheme != "tcp") || u.Host == "" || u.Port() == "" {
			p = append(p, fmt.Errorf("audit-syslog: %q is not udp://HOST:PORT or tcp://HOST:PORT", a.Syslog))
		}
	}
	return p
}
