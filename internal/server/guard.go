package server

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
)

// This file keeps one client from holding the server's descriptors and
// memory: request bodies and response writes must make progress within a
// timeout, requests that nobody signed are capped, and the memory IAM and STS
// bodies take before their signature can be checked comes from one budget.
// (Connections are capped at the listener, listener.go.)

// requestTimeout is S3's answer to a request body that stopped arriving.
// Both front ends pass *awsapi.Error through, so it reaches the client in
// the protocol's shape.
func requestTimeout() *awsapi.Error {
	return awsapi.RequestTimedOut.Of()
}

// errQueryBusy is the Query protocol's answer when the body budget is spent.
func errQueryBusy() *awsapi.Error {
	return awsapi.QueryBusy.Of()
}

// writeSlice is the most a response Write hands to the connection under
// one deadline, so that a large write by a handler is judged by progress
// (write-timeout per slice), not by its total size. It is as large as a
// decrypted batch of an object's chunks (1 MiB): on loopback, 128 KiB
// slices cost a hot 256 MiB GET a fifth of its throughput (2,480 against
// 3,075 MiB/s), and a client still has to take only 1 MiB per
// write-timeout (17 KB/s at the default 60 s).
const writeSlice = 1 << 20

// guard is one request's protections: its timed body (nil when it has
// none), its timed response writer and the budget it draws on.
type guard struct {
	w    *timedWriter
	body *timedBody
	// One allocation for all of a request's protections: w and body point
	// into these.
	writer  timedWriter
	timed   timedBody
	request http.Request
}

// guardRequest wraps r's body and w for timeouts; the handler gets a copy
// of r with the timed body, while net/http keeps seeing its own body in r
// (it decides from its type how to finish an unread body). done must run
// when the handler has returned.
func (s *Server) guardRequest(w http.ResponseWriter, r *http.Request) (*guard, http.ResponseWriter, *http.Request) {
	ctl := http.NewResponseController(w)
	g := &guard{}
	if r.Body != nil && r.Body != http.NoBody {
		g.timed = timedBody{body: r.Body, ctl: ctl, header: w.Header(), timeout: s.cfg.BodyTimeout, now: s.netNow,
			length: r.ContentLength, budget: s.queryBodies}
		g.body = &g.timed
		g.request = *r
		g.request.Body = g.body
		r = &g.request
	}
	g.writer = timedWriter{ResponseWriter: w, ctl: ctl, body: g.body, timeout: s.cfg.WriteTimeout, now: s.netNow}
	g.w = &g.writer
	return g, g.w, r
}

// done runs after the handler: the final flush of the buffered response
// gets a full write window; a body the handler left unread gets a read
// deadline, which bounds net/http's reading of the rest (up to 256 KiB,
// after the response, which timedWriter sent with Connection: close) that
// lets a client still sending read the answer; the request's budget is
// returned.
func (g *guard) done(now time.Time) {
	g.w.extend(now)
	if b := g.body; b != nil {
		if !b.ended.Load() {
			_ = b.ctl.SetReadDeadline(now.Add(b.timeout))
		}
		b.release()
	}
}

// timedBody is a request body whose every Read must make progress within
// timeout: before a Read the connection's read deadline moves on when less
// than timeout is left (see rearm), so an upload of any length goes
// through while bytes keep arriving and a silent client fails with
// RequestTimeout. Once the body has ended the deadline is left alone:
// net/http then reads the connection in the background (to notice a
// client going away) and must not see a stale deadline.
type timedBody struct {
	body    io.ReadCloser
	ctl     *http.ResponseController
	header  http.Header // the response's
	timeout time.Duration
	now     func() time.Time
	length  int64 // Content-Length, -1 when unknown

	n     atomic.Int64 // bytes read
	ended atomic.Bool  // EOF or an error: the read deadline is no longer ours
	err   error        // sticky RequestTimeout
	until time.Time    // the read deadline this request set (zero: none yet)

	budget   *budget
	reserved int64 // taken from budget by this request
}

func (b *timedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if !b.ended.Load() {
		if now := b.now(); rearm(b.until, now, b.timeout) {
			b.until = now.Add(rearmedWindow(b.timeout))
			_ = b.ctl.SetReadDeadline(b.until)
		}
	}
	n, err := b.body.Read(p)
	b.n.Add(int64(n))
	if err != nil {
		b.ended.Store(true)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// What is left of the body cannot be told from the next
			// request: the connection closes after the answer.
			b.header.Set("Connection", "close")
			b.err = requestTimeout()
			return n, b.err
		}
	}
	return n, err
}

func (b *timedBody) Close() error { return b.body.Close() }

// complete reports whether the whole body has been read.
func (b *timedBody) complete() bool {
	return b.ended.Load() || (b.length >= 0 && b.n.Load() >= b.length)
}

// reserve takes n bytes of the server's Query body budget for this
// request, or fails with 503 ServiceUnavailable.
func (b *timedBody) reserve(n int64) error {
	if b.budget == nil {
		return nil
	}
	if !b.budget.take(n) {
		return errQueryBusy()
	}
	b.reserved += n
	return nil
}

func (b *timedBody) release() {
	if b.budget != nil && b.reserved > 0 {
		b.budget.give(b.reserved)
		b.reserved = 0
	}
}

// timedWriter extends the connection's write deadline before every slice
// of a Write (when less than timeout is left: see rearm), so a download of
// any length goes through while the client keeps reading and a client that
// stopped reading is dropped after timeout (up to a quarter more). A
// response sent before the request body was read asks for the connection
// to close, rather than let net/http wait for the rest of a body that may
// never come.
type timedWriter struct {
	http.ResponseWriter
	ctl         *http.ResponseController
	body        *timedBody // nil when the request has none
	timeout     time.Duration
	now         func() time.Time
	wroteHeader bool
	status      int       // the final status sent (0: none yet)
	written     int64     // body bytes handed to the connection
	until       time.Time // the write deadline this request set (zero: none yet)
}

func (w *timedWriter) WriteHeader(code int) {
	if !w.wroteHeader && code >= 200 {
		w.wroteHeader, w.status = true, code
		if w.body != nil && !w.body.complete() {
			w.Header().Set("Connection", "close")
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *timedWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	written := 0
	for len(p) > 0 {
		k := min(len(p), writeSlice)
		w.extend(w.now())
		m, err := w.ResponseWriter.Write(p[:k])
		written += m
		w.written += int64(m)
		if err != nil {
			return written, err
		}
		p = p[k:]
	}
	return written, nil
}

// Flush sends what is buffered, under a fresh write deadline.
func (w *timedWriter) Flush() {
	w.extend(w.now())
	_ = w.ctl.Flush()
}

// extend moves the write deadline when rearm says so.
func (w *timedWriter) extend(now time.Time) {
	if rearm(w.until, now, w.timeout) {
		w.until = now.Add(rearmedWindow(w.timeout))
		_ = w.ctl.SetWriteDeadline(w.until)
	}
}

// rearm reports whether a deadline this request set at until should move
// (to now+rearmedWindow(timeout)): always when it has set none (the
// connection's deadline is a previous request's), otherwise once less than
// the timeout is left. Every read and write so has at least the timeout to
// make progress and a stalled client is cut off within 5/4 of it, while a
// run of small reads or writes moves the deadline once rather than at
// every call (each move updates a runtime timer: measurable on every IAM
// and STS call).
func rearm(until, now time.Time, timeout time.Duration) bool {
	return until.IsZero() || until.Sub(now) < timeout
}

// rearmedWindow is how far ahead rearm's deadlines are set: a quarter more
// than the timeout, the slack that lets later calls skip the move.
func rearmedWindow(timeout time.Duration) time.Duration { return timeout + timeout/4 }

// Unwrap lets http.ResponseController reach the connection.
func (w *timedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// budget is a count of bytes shared by concurrent requests.
type budget struct {
	mu   sync.Mutex
	used int64
	max  int64
}

func (b *budget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.max {
		return false
	}
	b.used += n
	return true
}

func (b *budget) give(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
}

// unsigned reports whether a request carries no signature in its headers
// or query string: anonymous requests, unsigned STS calls, and browser
// form uploads (POST multipart/form-data), whose signature is inside the
// body whatever headers they send.
func unsigned(r *http.Request) bool {
	if r.Method == http.MethodPost && strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Type"))), "multipart/form-data") {
		return true
	}
	if r.Header.Get("Authorization") != "" {
		return false
	}
	q := r.URL.RawQuery
	return !strings.Contains(q, "X-Amz-Credential=") && !strings.Contains(q, "AWSAccessKeyId=")
}

// slots is a counting semaphore that never waits.
type slots chan struct{}

func (s slots) tryAcquire() bool {
	select {
	case s <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s slots) release() { <-s }

// rejectBusy answers a request over the unsigned cap at once, in its
// protocol's shape, without reading its body.
func (s *Server) rejectBusy(w http.ResponseWriter, r *http.Request, rec *pipeline.Record) {
	var e *awsapi.Error
	if svc, ok := queryShape(r); ok {
		e, rec.Service = errQueryBusy(), svc
		awsapi.WriteQueryError(w, queryServices[svc].namespace, e, rec.RequestID)
	} else {
		e, rec.Service = awsapi.S3Busy.Of(), serviceS3
		awsapi.WriteS3Error(w, r, e, rec.RequestID)
	}
	rec.ErrorCode, rec.ErrorMessage = e.Code, e.Message
}

// queryShape decides from the request line and headers alone (the body is
// not read) whether an unsigned request is a Query call, and for which
// service: an Action in the query string names it; a form POST to / is an
// STS call, the only service that takes unsigned calls.
func queryShape(r *http.Request) (string, bool) {
	if r.URL.Path != "/" && r.URL.Path != "" {
		return "", false
	}
	if action := r.URL.Query().Get("Action"); action != "" {
		if stsActions[action] {
			return serviceSTS, true
		}
		return serviceIAM, true
	}
	if r.Method == http.MethodPost && isForm(r) {
		return serviceSTS, true
	}
	return "", false
}
