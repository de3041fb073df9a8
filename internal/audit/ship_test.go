package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func twoLines() []byte {
	c := &Converter{Region: "us-east-1"}
	var b []byte
	for i := 0; i < 2; i++ {
		b = append(c.Events(record(i))[0].AppendJSON(b), '\n')
	}
	return b
}

func TestWebhookPostsRecordsWithRetries(t *testing.T) {
	var calls atomic.Int32
	var mu sync.Mutex
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.URL.Query().Get("token") != "s3cr3t-token" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
	}))
	defer srv.Close()
	s := NewWebhookSink(WebhookConfig{URL: srv.URL + "/hook?token=s3cr3t-token", Retries: 3, Backoff: func(int) time.Duration { return 0 }})
	defer s.Close(ctx)
	if err := s.Write(ctx, twoLines(), 2); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 || len(bodies) != 1 {
		t.Fatalf("%d POSTs, %d accepted", calls.Load(), len(bodies))
	}
	var got struct{ Records []Event }
	if err := json.Unmarshal(bodies[0], &got); err != nil || len(got.Records) != 2 || got.Records[1].RequestID != "req-1" {
		t.Fatalf("body %s: %v", bodies[0], err)
	}

	// Retries run out: the batch is lost, and the error names neither the
	// URL nor its token.
	calls.Store(-100)
	err := s.Write(ctx, twoLines(), 2)
	if !errors.Is(err, ErrShipFailed) || strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("error: %v", err)
	}
	if calls.Load() != -96 {
		t.Fatalf("%d attempts, want 4", calls.Load()+100)
	}
}

// A collector that does not answer is given up on after the timeout.
func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	s := NewWebhookSink(WebhookConfig{URL: srv.URL + "?token=s3cr3t", Timeout: 50 * time.Millisecond, Retries: -1})
	start := time.Now()
	err := s.Write(ctx, twoLines(), 2)
	if !errors.Is(err, ErrShipFailed) || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("error: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	s.Close(ctx)
}

var rfc5424 = regexp.MustCompile(`^<110>1 \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z test-host gatehouse \d+ audit - (\{.*\})$`)

func TestSyslogUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	s, err := NewSyslogSink(SyslogConfig{Address: "udp://" + pc.LocalAddr().String(), Hostname: "test-host"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.Write(ctx, twoLines(), 2); err != nil {
		t.Fatal(err)
	}
	pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 70000)
	for i := 0; i < 2; i++ {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		m := rfc5424.FindSubmatch(buf[:n])
		if m == nil {
			t.Fatalf("not RFC 5424: %s", buf[:n])
		}
		if e, err := DecodeEvent(m[1]); err != nil || e.RequestID != "req-"+strconv.Itoa(i) {
			t.Fatalf("message %d: %v %s", i, err, m[1])
		}
	}
	// An event too large for a datagram is not sent, and said so.
	huge := append([]byte(`{"x":"`+strings.Repeat("y", maxUDPMessage)+`"}`), '\n')
	if err := s.Write(ctx, huge, 1); !errors.Is(err, ErrShipFailed) {
		t.Fatalf("huge event: %v", err)
	}
}

func TestSyslogTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	msgs := make(chan string, 1000)
	conns := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
			go func() {
				r := bufio.NewReader(c)
				for {
					// Octet counting: LEN SP MSG.
					lenText, err := r.ReadString(' ')
					if err != nil {
						return
					}
					n, err := strconv.Atoi(strings.TrimSpace(lenText))
					if err != nil || n > 1<<20 {
						msgs <- "bad frame " + lenText
						return
					}
					msg := make([]byte, n)
					if _, err := io.ReadFull(r, msg); err != nil {
						return
					}
					msgs <- string(msg)
				}
			}()
		}
	}()
	s, err := NewSyslogSink(SyslogConfig{Address: "tcp://" + l.Addr().String(), Hostname: "test-host"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.Write(ctx, twoLines(), 2); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(10 * time.Second)
	next := func() string {
		select {
		case m := <-msgs:
			return m
		case <-timeout:
			t.Fatal("no message")
		}
		return ""
	}
	for i := 0; i < 2; i++ {
		m := rfc5424.FindStringSubmatch(next())
		if m == nil {
			t.Fatal("not an RFC 5424 message")
		}
		if e, err := DecodeEvent([]byte(m[1])); err != nil || e.RequestID != "req-"+strconv.Itoa(i) {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	// The collector drops the connection: a later write reconnects (the
	// first write after a drop may vanish into the dead socket, as TCP
	// syslog does).
	(<-conns).Close()
	one := twoLines()
	one = one[:strings.IndexByte(string(one), '\n')+1]
	for reconnected := false; !reconnected; {
		s.Write(ctx, one, 1)
		select {
		case <-conns:
			reconnected = true
		case <-timeout:
			t.Fatal("never reconnected")
		default:
		}
	}
	if !rfc5424.MatchString(next()) {
		t.Fatal("not an RFC 5424 message after reconnecting")
	}
	if _, err := NewSyslogSink(SyslogConfig{Address: "http://x:1"}); err == nil {
		t.Fatal("http syslog address accepted")
	}
}

// A collector that cannot be reached fails the rest of the batch at once:
// every event costs no more connection attempts (each bounded by the
// timeout) — a batch of 256 events to a blackholed address would
// otherwise take 256 × 3 timeouts, and the shipper's queue would never
// drain.
func TestSyslogUnreachableFailsTheBatchFast(t *testing.T) {
	s, err := NewSyslogSink(SyslogConfig{Address: "tcp://127.0.0.1:9", Hostname: "h"})
	if err != nil {
		t.Fatal(err)
	}
	var dials atomic.Int32
	s.dial = func(context.Context, string, string) (net.Conn, error) {
		dials.Add(1)
		return nil, errors.New("i/o timeout")
	}
	var lines []byte
	for i := 0; i < 50; i++ {
		lines = append(lines, `{"eventVersion":"1.11","eventName":"X"}`+"\n"...)
	}
	err = s.Write(ctx, lines, 50)
	if !errors.Is(err, ErrShipFailed) || !strings.Contains(err.Error(), "50 events not sent") {
		t.Fatalf("Write = %v", err)
	}
	if n := dials.Load(); n > 3 {
		t.Fatalf("%d connection attempts for one batch to an unreachable collector", n)
	}
	// The next batch tries again.
	if err := s.Write(ctx, lines[:40], 1); err == nil || dials.Load() == 3 {
		t.Fatalf("the next batch did not try to connect: %v", err)
	}
}

// A webhook that redirects is a failure, not followed: following it would
// send the events to another host, and with them the webhook's URL —
// token included — as the Referer.
func TestWebhookFollowsNoRedirect(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/collect", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	s := NewWebhookSink(WebhookConfig{URL: srv.URL + "/hook?token=s3cr3t-token", Retries: -1})
	defer s.Close(ctx)
	if err := s.Write(ctx, twoLines(), 2); !errors.Is(err, ErrShipFailed) || !strings.Contains(err.Error(), "status 307") {
		t.Fatalf("a redirecting webhook: %v", err)
	}
	if elsewhere.Load() != 0 {
		t.Fatal("the events followed the redirect")
	}
}
