// Package accesslog writes one structured log line per request: a
// pipeline.Sink over the request's Record, writing to a log/slog handler
// at info level with the message "request".
//
// A line carries the request id, service, action (operation), HTTP method,
// status, AWS error code, principal ARN and access key id, bucket and key,
// bytes in and out, duration, client address and user agent — and nothing
// else from the request: no query string or path (a presigned URL's
// X-Amz-Signature and X-Amz-Security-Token travel there), no headers (the
// Authorization header), no parameters (IAM and STS bodies carry
// passwords, policies and session tokens), no error message. Access key
// ids are not secret (AWS's CloudTrail records them). Values the client
// chose (key, user agent) are quoted by the handler, so they cannot forge
// a line.
//
// The server writes the lines itself (NewText), in the format of its
// slog text log, through a Writer: one goroutine that writes whatever has
// queued up in one system call, so that a busy server pays neither slog's
// general formatting nor one write per request. Given a logger of its
// caller's instead, it logs through that logger's handler (New).
//
// The line's time is the request's arrival (Record.Time, from the
// server's clock). The access log is separate from the audit trail: it is
// meant for operators reading logs, may be turned off, and follows the
// server's log level (nothing is written when info is disabled).
package accesslog

import (
	"context"
	"io"
	"log/slog"
	"sync"

	"github.com/gatehouse/gatehouse/internal/pipeline"
)

// Message is every access-log line's message.
const Message = "request"

// Sink logs each record it is given: through a slog.Handler (New), or
// formatted as slog's text handler would and written to a writer
// (NewText).
type Sink struct {
	h slog.Handler

	w     io.Writer
	level slog.Leveler
	bufs  sync.Pool // of *[]byte
}

var _ pipeline.Sink = (*Sink)(nil)

// New returns a Sink writing to h.
func New(h slog.Handler) *Sink {
	return &Sink{h: h}
}

// Record writes r's line (when info is enabled).
func (s *Sink) Record(ctx context.Context, r *pipeline.Record) {
	if s.w != nil {
		s.text(r)
		return
	}
	if !s.h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	line := slog.NewRecord(r.Time, slog.LevelInfo, Message, 0)
	var principal, akid string
	if p := r.Principal; p != nil {
		principal, akid = p.ARN, p.AccessKeyID
	}
	attrs := [...]slog.Attr{
		slog.String("request_id", r.RequestID),
		slog.String("service", r.Service),
		slog.String("action", r.Operation),
		slog.String("method", r.Method),
		slog.Int("status", r.Status),
		slog.String("error", r.ErrorCode),
		slog.String("principal", principal),
		slog.String("access_key_id", akid),
		slog.String("bucket", r.Bucket),
		slog.String("key", r.Key),
		slog.Int64("bytes_in", r.BytesIn),
		slog.Int64("bytes_out", r.BytesOut),
		slog.Float64("duration_ms", durationMS(r.Duration)),
		slog.String("client", r.SourceIP),
		slog.String("user_agent", r.UserAgent),
	}
	line.AddAttrs(attrs[:]...)
	// A handler's error (its writer failed) has nowhere better to go.
	_ = s.h.Handle(ctx, line)
}
