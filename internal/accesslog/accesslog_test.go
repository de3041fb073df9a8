package accesslog

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/pipeline"
)

func TestLine(t *testing.T) {
	var buf bytes.Buffer
	s := New(slog.NewTextHandler(&buf, nil))
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s.Record(context.Background(), &pipeline.Record{
		RequestID: "req-1", Service: "s3", Operation: "PutObject", Time: at, Method: "PUT",
		Principal: &authz.Principal{ARN: "arn:aws:sts::111122223333:assumed-role/r/s", AccessKeyID: "ASIAEXAMPLE"},
		Bucket:    "b", Key: "a key\nlevel=ERROR msg=forged", Status: 200, BytesIn: 4096, BytesOut: 0,
		Duration: 1500 * time.Microsecond, SourceIP: "10.0.0.7", UserAgent: "aws-cli/2",
		Path:         "/b/a%20key",
		Params:       url.Values{"X-Amz-Signature": {"deadbeef"}, "X-Amz-Security-Token": {"tokentoken"}},
		ErrorMessage: "The request signature we calculated does not match: deadbeef",
	})
	line := buf.String()
	if strings.Count(line, "\n") != 1 {
		t.Fatalf("not one line: %q", line)
	}
	for _, want := range []string{"time=2026-03-01T12:00:00.000Z", "level=INFO", "msg=request", "request_id=req-1", "service=s3",
		"action=PutObject", "method=PUT", "status=200", `error=""`, "principal=arn:aws:sts::111122223333:assumed-role/r/s",
		"access_key_id=ASIAEXAMPLE", "bucket=b", `key="a key\nlevel=ERROR msg=forged"`, "bytes_in=4096", "bytes_out=0",
		"duration_ms=1.5", "client=10.0.0.7", "user_agent=aws-cli/2"} {
		if !strings.Contains(line, want) {
			t.Errorf("no %s in %s", want, line)
		}
	}
	for _, secret := range []string{"deadbeef", "tokentoken", "a%20key"} {
		if strings.Contains(line, secret) {
			t.Errorf("%q logged: %s", secret, line)
		}
	}
}

func TestAnonymousAndDisabled(t *testing.T) {
	var buf bytes.Buffer
	s := New(slog.NewTextHandler(&buf, nil))
	s.Record(context.Background(), &pipeline.Record{RequestID: "r", Service: "iam", Status: 403, ErrorCode: "MissingAuthenticationToken"})
	if !strings.Contains(buf.String(), `principal="" access_key_id=""`) || !strings.Contains(buf.String(), "error=MissingAuthenticationToken") {
		t.Fatalf("unauthenticated line: %s", buf.String())
	}
	buf.Reset()
	s = New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s.Record(context.Background(), &pipeline.Record{RequestID: "r"})
	if buf.Len() != 0 {
		t.Fatalf("logged below the handler's level: %s", buf.String())
	}
}
