package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestSlowBodyDoesNotOutliveItsToken: a request's time is read once its
// body is in, not when it starts. A client holding a session that is about
// to expire starts a signed call, then sends its body slowly (every byte
// restarts the body timeout, so a body can take far longer than the
// session has left); by the time the body is complete the session has
// expired, and the call must be refused as AWS refuses it — not run on the
// strength of the time its headers arrived.
func TestSlowBodyDoesNotOutliveItsToken(t *testing.T) {
	env := testenv.New(t)
	out, err := env.STS.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	sess := aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken}
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	signed := signedSTSQuery(t, env, sess, "", body)

	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(env.URL, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	// The headers, asking to be told when the server starts reading the
	// body: Go's server answers 100 Continue at the handler's first read.
	var head strings.Builder
	fmt.Fprintf(&head, "POST / HTTP/1.1\r\nHost: %s\r\n", signed.URL.Host)
	for k, vs := range signed.Header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(&head, "Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", len(body))
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	if interim, err := http.ReadResponse(br, nil); err != nil || interim.StatusCode != http.StatusContinue {
		t.Fatalf("interim answer: %v, %v", interim, err)
	}
	// The handler is reading the body. Half of it, then the session
	// expires, then the rest.
	if _, err := io.WriteString(conn, body[:5]); err != nil {
		t.Fatal(err)
	}
	env.Advance(2 * time.Hour)
	if _, err := io.WriteString(conn, body[5:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, signed)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "<Code>ExpiredToken</Code>") {
		t.Fatalf("a call whose body ended after its session: %d %s", resp.StatusCode, b)
	}
}

// TestWallClockRecord: with no clock injected (as `gatehouse serve` runs),
// one wall-clock reading starts a request's record and its duration; the
// record's time lies within the call, and its duration within the call's.
func TestWallClockRecord(t *testing.T) {
	env := testenv.NewWith(t, func(o *server.Options) { o.Now = nil })
	before := time.Now()
	if _, err := env.STS.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	rec := env.Records.Find(func(r *pipeline.Record) bool { return r.Operation == "GetCallerIdentity" })
	if rec == nil {
		t.Fatal("no record of the call")
	}
	if rec.Time.Before(before) || rec.Time.After(after) || rec.Duration < 0 || rec.Duration > after.Sub(before) {
		t.Fatalf("record time %v (call from %v to %v), duration %v", rec.Time, before, after, rec.Duration)
	}
}
