package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// logBuffer is a concurrency-safe log destination.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// requestLines parses the JSON log's access-log lines.
func requestLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if m["msg"] == "request" {
			out = append(out, m)
		}
	}
	return out
}

// TestAccessLog captures a session's log: one line per request with its
// fields, and no secret — not the secret keys the responses carried, not
// the session token or the signatures the requests carried.
func TestAccessLog(t *testing.T) {
	var logs logBuffer
	env := testenv.NewWith(t, func(o *server.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	ctx := context.Background()
	if _, err := env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	key, err := env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	bob := env.Credentials(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, "")
	sess, err := env.STSClient(bob).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	c := sess.Credentials
	s3c := env.S3Client(env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
	if _, err := env.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logged")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logged"), Key: aws.String("dir/a b.txt"), Body: strings.NewReader("0123456789")}); err != nil {
		t.Fatal(err)
	}
	// A presigned GET: the signature and the session token are in the
	// query string.
	pre, err := s3.NewPresignClient(s3c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logged"), Key: aws.String("dir/a b.txt")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := env.HTTP().Get(pre.URL)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("presigned GET: %d", resp.StatusCode)
	}
	presigned, _ := url.Parse(pre.URL)
	// A denied call.
	if _, err := env.IAMClient(bob).ListUsers(ctx, &iam.ListUsersInput{}); apiCode(err) != "AccessDenied" {
		t.Fatalf("bob ListUsers: %v", err)
	}
	waitRecords(t, env, 8)

	log := logs.String()
	lines := requestLines(t, log)
	recs := env.Records.All()
	if len(lines) != len(recs) {
		t.Fatalf("%d access-log lines for %d requests:\n%s", len(lines), len(recs), log)
	}
	byID := map[string]map[string]any{}
	for _, l := range lines {
		id, _ := l["request_id"].(string)
		if byID[id] != nil || id == "" {
			t.Fatalf("request id %q logged twice or empty:\n%s", id, log)
		}
		byID[id] = l
	}
	for _, r := range recs {
		if byID[r.RequestID] == nil {
			t.Errorf("no line for request %s (%s)", r.RequestID, r.Operation)
		}
	}
	// The presigned GET's line, field by field.
	var get map[string]any
	for _, l := range lines {
		if l["action"] == "GetObject" {
			get = l
		}
	}
	want := map[string]any{"level": "INFO", "service": "s3", "action": "GetObject", "method": "GET", "status": 200.0, "error": "",
		"principal": "arn:aws:iam::" + testenv.AccountID + ":user/bob", "access_key_id": *c.AccessKeyId, "bucket": "logged",
		"key": "dir/a b.txt", "bytes_in": 0.0, "bytes_out": 10.0, "client": "127.0.0.1", "user_agent": "Go-http-client/1.1"}
	for k, v := range want {
		if get[k] != v {
			t.Errorf("GetObject line: %s = %#v, want %#v", k, get[k], v)
		}
	}
	if d, ok := get["duration_ms"].(float64); !ok || d < 0 {
		t.Errorf("GetObject line: duration_ms %#v", get["duration_ms"])
	}
	if _, ok := get["time"].(string); !ok {
		t.Errorf("GetObject line: no time")
	}
	for _, l := range lines {
		if l["action"] == "ListUsers" && (l["status"] != 403.0 || l["error"] != "AccessDenied" || l["service"] != "iam") {
			t.Errorf("denied ListUsers line: %v", l)
		}
		if l["action"] == "GetSessionToken" && (l["service"] != "sts" || l["status"] != 200.0) {
			t.Errorf("GetSessionToken line: %v", l)
		}
	}

	// No secret, in any line of the log.
	secrets := map[string]string{
		"root secret key":     testenv.RootSecretKey,
		"user secret key":     *key.AccessKey.SecretAccessKey,
		"session secret key":  *c.SecretAccessKey,
		"session token":       *c.SessionToken,
		"presigned signature": presigned.Query().Get("X-Amz-Signature"),
	}
	for what, s := range secrets {
		if s == "" {
			t.Fatalf("test setup: no %s", what)
		}
		if strings.Contains(log, s) || strings.Contains(log, url.QueryEscape(s)) {
			t.Errorf("the log carries the %s", what)
		}
	}
	for _, word := range []string{"X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Credential", "Authorization", "Signature="} {
		if strings.Contains(log, word) {
			t.Errorf("the log mentions %s", word)
		}
	}
}

// TestAccessLogOff: access-log = false writes no request line.
func TestAccessLogOff(t *testing.T) {
	var logs logBuffer
	env := testenv.NewWith(t, func(o *server.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}, func(c *config.Config) { c.AccessLog = false })
	if _, err := env.STS.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	waitRecords(t, env, 1)
	if lines := requestLines(t, logs.String()); len(lines) != 0 {
		t.Fatalf("access log off, yet: %v", lines)
	}
	if !strings.Contains(logs.String(), "gatehouse listening") {
		t.Fatalf("the log is not captured: %s", logs.String())
	}
}
