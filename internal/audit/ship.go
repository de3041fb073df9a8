package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"
)

// ErrShipFailed is the error of a batch a shipper could not deliver after
// its retries.
var ErrShipFailed = errors.New("audit: delivery failed")

// WebhookConfig configures a WebhookSink.
type WebhookConfig struct {
	URL string
	// Timeout bounds one POST (0: 5 s).
	Timeout time.Duration
	// Retries is how many times a failed POST is retried (negative: none).
	Retries int
	// Backoff is the wait before retry n (1, 2, …); nil: 500 ms × 2^(n-1),
	// at most 30 s.
	Backoff func(n int) time.Duration
	// Client sends the POSTs (nil: a client with its own transport that
	// follows no redirect).
	Client *http.Client
}

// WebhookSink POSTs each batch of events to a URL as CloudTrail's log file
// shape, {"Records":[…]}, with Content-Type application/json. A POST that
// fails (a network error, or any status but 2xx, redirects included) is
// retried with backoff;
// after the retries the batch is lost and Write says so. Errors never
// include the URL, which may carry a token.
type WebhookSink struct {
	cfg    WebhookConfig
	client *http.Client
}

var _ Sink = (*WebhookSink)(nil)

// NewWebhookSink returns a webhook sink.
func NewWebhookSink(cfg WebhookConfig) *WebhookSink {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Backoff == nil {
		cfg.Backoff = func(n int) time.Duration {
			return min(500*time.Millisecond<<(n-1), 30*time.Second)
		}
	}
	c := cfg.Client
	if c == nil {
		c = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConns: 2, IdleConnTimeout: time.Minute},
			// A redirect is a failure: following it would send the events
			// elsewhere, and the URL (its token) as the Referer.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &WebhookSink{cfg: cfg, client: c}
}

// Write POSTs the batch, retrying as configured.
func (s *WebhookSink) Write(ctx context.Context, lines []byte, _ int) error {
	body := records(lines)
	var last error
	for attempt := 0; attempt <= max(s.cfg.Retries, 0); attempt++ {
		if attempt > 0 {
			t := time.NewTimer(s.cfg.Backoff(attempt))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("%w: webhook: %v", ErrShipFailed, ctx.Err())
			}
		}
		if last = s.post(ctx, body); last == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: webhook, after %d attempts: %v", ErrShipFailed, max(s.cfg.Retries, 0)+1, last)
}

// post sends one POST; its error names the failure without the URL.
func (s *WebhookSink) post(ctx context.Context, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("invalid webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL
		}
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// Close releases idle connections.
func (s *WebhookSink) Close(context.Context) error {
	s.client.CloseIdleConnections()
	return nil
}

// records wraps JSON lines as {"Records":[line,line,…]}.
func records(lines []byte) []byte {
	out := make([]byte, 0, len(lines)+16)
	out = append(out, `{"Records":[`...)
	first := true
	for len(lines) > 0 {
		line := lines
		if i := bytes.IndexByte(lines, '\n'); i >= 0 {
			line, lines = lines[:i], lines[i+1:]
		} else {
			lines = nil
		}
		if len(line) == 0 {
			continue
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(out, line...)
	}
	return append(out, "]}"...)
}

// SyslogConfig configures a SyslogSink.
type SyslogConfig struct {
	// Address is udp://HOST:PORT or tcp://HOST:PORT.
	Address string
	// Timeout bounds a connection attempt and each write (0: 5 s).
	Timeout time.Duration
	// Retries is how many times a failed TCP send is retried on a new
	// connection (0: 2).
	Retries int
	// Hostname is the HOSTNAME field (empty: os.Hostname).
	Hostname string
	Now      func() time.Time
}

// Syslog message constants: facility 13 ("log audit"), severity 6
// (informational), as RFC 5424 numbers them.
const (
	syslogPriority = 13*8 + 6
	syslogApp      = "gatehouse"
	// maxUDPMessage is the largest message sent over UDP; larger events
	// are not sent that way (use TCP) and count as failed.
	maxUDPMessage = 65000
)

// SyslogSink sends each event as one RFC 5424 message, its MSG the event's
// JSON: over UDP one datagram per event, over TCP with octet-counting
// framing (RFC 6587). TCP sends are retried on a new connection.
type SyslogSink struct {
	cfg     SyslogConfig
	network string
	addr    string
	host    string
	pid     string

	mu   sync.Mutex
	conn net.Conn
	// dial connects (tests replace it).
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

var _ Sink = (*SyslogSink)(nil)

// NewSyslogSink returns a syslog sink; it connects at the first write.
func NewSyslogSink(cfg SyslogConfig) (*SyslogSink, error) {
	u, err := url.Parse(cfg.Address)
	if err != nil || (u.Scheme != "udp" && u.Scheme != "tcp") || u.Host == "" {
		return nil, fmt.Errorf("syslog address %q: want udp://HOST:PORT or tcp://HOST:PORT", cfg.Address)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Retries <= 0 {
		cfg.Retries = 2
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	host := cfg.Hostname
	if host == "" {
		host, _ = os.Hostname()
	}
	if host == "" {
		host = "-"
	}
	d := &net.Dialer{Timeout: cfg.Timeout}
	return &SyslogSink{cfg: cfg, network: u.Scheme, addr: u.Host, host: printable(host, 255), pid: strconv.Itoa(os.Getpid()),
		dial: d.DialContext}, nil
}

// Write sends every event of the batch. When the collector cannot be
// reached (no connection after the retries), the rest of the batch fails
// at once: a batch costs at most Retries+1 connection attempts more than
// its events' sends, each bounded by the timeout.
func (s *SyslogSink) Write(ctx context.Context, lines []byte, _ int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var msg []byte
	var errs int
	unreachable := false
	for len(lines) > 0 {
		line := lines
		if i := bytes.IndexByte(lines, '\n'); i >= 0 {
			line, lines = lines[:i], lines[i+1:]
		} else {
			lines = nil
		}
		if len(line) == 0 {
			continue
		}
		if unreachable {
			errs++
			continue
		}
		msg = s.message(msg[:0], line)
		if err := s.send(ctx, msg); err != nil {
			errs++
			// Not connected after the retries (or cancelled): the
			// collector is unreachable for this batch.
			unreachable = s.conn == nil && !errors.Is(err, errTooLarge) || ctx.Err() != nil
		}
	}
	if errs > 0 {
		return fmt.Errorf("%w: syslog: %d events not sent", ErrShipFailed, errs)
	}
	return nil
}

// message builds "<PRI>1 TIMESTAMP HOSTNAME APP PROCID MSGID - MSG".
func (s *SyslogSink) message(dst, event []byte) []byte {
	dst = append(dst, '<')
	dst = strconv.AppendInt(dst, syslogPriority, 10)
	dst = append(dst, ">1 "...)
	dst = s.cfg.Now().UTC().AppendFormat(dst, "2006-01-02T15:04:05.000000Z07:00")
	dst = append(dst, ' ')
	dst = append(dst, s.host...)
	dst = append(dst, ' ')
	dst = append(dst, syslogApp...)
	dst = append(dst, ' ')
	dst = append(dst, s.pid...)
	dst = append(dst, " audit - "...)
	return append(dst, event...)
}

// errTooLarge refuses an event too large for a UDP datagram.
var errTooLarge = errors.New("event too large for UDP")

// send delivers one message, (re)connecting as needed.
func (s *SyslogSink) send(ctx context.Context, msg []byte) error {
	if s.network == "udp" && len(msg) > maxUDPMessage {
		return errTooLarge
	}
	var last error
	for attempt := 0; attempt <= s.cfg.Retries; attempt++ {
		if s.conn == nil {
			c, err := s.dial(ctx, s.network, s.addr)
			if err != nil {
				last = err
				continue
			}
			s.conn = c
		}
		_ = s.conn.SetWriteDeadline(time.Now().Add(s.cfg.Timeout))
		var err error
		if s.network == "tcp" {
			frame := strconv.AppendInt(make([]byte, 0, len(msg)+8), int64(len(msg)), 10)
			frame = append(frame, ' ')
			_, err = s.conn.Write(append(frame, msg...))
		} else {
			_, err = s.conn.Write(msg)
		}
		if err == nil {
			return nil
		}
		last = err
		s.conn.Close()
		s.conn = nil
		if s.network == "udp" {
			break
		}
	}
	return last
}

// Close closes the connection.
func (s *SyslogSink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		err := s.conn.Close()
		s.conn = nil
		return err
	}
	return nil
}

// printable keeps s's printable ASCII (RFC 5424 header fields), at most n.
func printable(s string, n int) string {
	b := make([]byte, 0, min(len(s), n))
	for i := 0; i < len(s) && len(b) < n; i++ {
		if s[i] > 32 && s[i] < 127 {
			b = append(b, s[i])
		}
	}
	if len(b) == 0 {
		return "-"
	}
	return string(b)
}
