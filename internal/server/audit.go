package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/pipeline"
)

// AuditDir is the directory of the audit trail's files in the data dir
// (unless audit-dir names another).
const AuditDir = "audit"

// openAudit builds the audit trail the configuration asks for (nil when
// it is turned off).
func (s *Server) openAudit(stdout io.Writer) (*audit.Logger, error) {
	c := s.cfg.Audit
	if !c.Enabled {
		return nil, nil
	}
	var sinks []audit.Sink
	var shippers []audit.Sink
	for _, name := range c.Sinks {
		switch name {
		case config.AuditSinkFile:
			dir := c.Dir
			if dir == "" {
				dir = filepath.Join(s.cfg.DataDir, AuditDir)
			}
			f, err := audit.OpenFileSink(audit.FileConfig{Dir: dir, MaxSize: c.FileMaxSize, MaxAge: c.FileMaxAge,
				Retention: c.FileRetention, Now: s.now})
			if err != nil {
				closeSinks(sinks)
				return nil, fmt.Errorf("audit trail: %w", err)
			}
			sinks = append(sinks, f)
		case config.AuditSinkStdout:
			sinks = append(sinks, audit.NewWriterSink(stdout))
		case config.AuditSinkWebhook:
			shippers = append(shippers, audit.NewWebhookSink(audit.WebhookConfig{URL: c.WebhookURL, Timeout: c.WebhookTimeout,
				Retries: c.WebhookRetries}))
		case config.AuditSinkSyslog:
			sl, err := audit.NewSyslogSink(audit.SyslogConfig{Address: c.Syslog, Now: s.now})
			if err != nil {
				closeSinks(sinks)
				return nil, fmt.Errorf("audit trail: %w", err)
			}
			shippers = append(shippers, sl)
		}
	}
	return audit.New(audit.Options{Region: s.cfg.Region, Sinks: sinks, Shippers: shippers, Buffer: c.Buffer,
		BackPressure: c.BackPressure, DataEvents: c.DataEvents, Log: s.log}), nil
}

func closeSinks(sinks []audit.Sink) {
	for _, s := range sinks {
		_ = s.Close(context.Background())
	}
}

// closeAudit flushes the audit trail's buffer and closes its sinks
// (bounded by the shutdown timeout).
func (s *Server) closeAudit() {
	if s.audit == nil {
		return
	}
	timeout := s.cfg.ShutdownTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := s.audit.Close(ctx); err != nil {
		s.log.Error("audit trail: closing", "err", err)
	}
	s.audit = nil
}

// AuditStats reports the audit trail's buffer: events waiting to be
// written and events lost (buffer full, or a sink failed for good). Both
// are 0 when the trail is off.
func (s *Server) AuditStats() (depth, dropped uint64) {
	if s.audit == nil {
		return 0, 0
	}
	return s.audit.Stats()
}

// withAudit puts the audit trail in front of sink.
func withAudit(a *audit.Logger, sink pipeline.Sink) pipeline.Sink {
	if a == nil {
		return sink
	}
	if _, discard := sink.(pipeline.Discard); discard {
		return a
	}
	return pipeline.Tee{a, sink}
}

// maxClaimedKey bounds the access key id a record keeps from a request
// (AWS's are 16 to 128 characters).
const maxClaimedKey = 128

// claimedAccessKey is the access key id a request's signature names —
// SigV4 header or presigned URL, SigV2 header or presigned URL — without
// checking anything; "" when there is none or it is not a plausible key id.
func claimedAccessKey(r *http.Request) string {
	var id string
	if h := r.Header.Get("Authorization"); h != "" {
		if i := strings.Index(h, "Credential="); i >= 0 {
			id, _, _ = strings.Cut(h[i+len("Credential="):], "/")
		} else if rest, ok := strings.CutPrefix(h, "AWS "); ok {
			id, _, _ = strings.Cut(rest, ":")
		}
	} else if q := r.URL.RawQuery; strings.Contains(q, "X-Amz-Credential=") || strings.Contains(q, "AWSAccessKeyId=") {
		v := r.URL.Query()
		if c := v.Get("X-Amz-Credential"); c != "" {
			id, _, _ = strings.Cut(c, "/")
		} else {
			id = v.Get("AWSAccessKeyId")
		}
	}
	if len(id) == 0 || len(id) > maxClaimedKey {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	return id
}
