package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestAuditCommand: `gatehouse audit` over a server's trail — a session
// followed back to the user who assumed it, filters, JSON lines, and
// flag errors.
func TestAuditCommand(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	acct := testenv.AccountID
	roleARN := "arn:aws:iam::" + acct + ":role/reader"
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(env.IAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	must(env.IAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + roleARN + `"}]}`)}))
	must(env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/alice"},"Action":"sts:AssumeRole"}]}`)}))
	key, err := env.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	alice := env.Credentials(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, "")
	out, err := env.STSClient(alice).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("work")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	sess := env.Credentials(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	if _, err := env.S3Client(sess).ListBuckets(ctx, &s3.ListBucketsInput{}); err == nil {
		t.Fatal("the session may list buckets?")
	}
	env.Records.Find(func(r *pipeline.Record) bool { return r.Operation == "ListBuckets" })
	env.Close()

	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := auditCommand(append([]string{"--data-dir", env.DataDir}, args...), &stdout, &stderr, func(string) (string, bool) { return "", false },
			func() time.Time { return time.Now() })
		return code, stdout.String(), stderr.String()
	}
	code, stdout, stderr := run("--principal", *c.AccessKeyId)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) != 5 || !strings.Contains(lines[0], "session "+*c.AccessKeyId+" ("+*out.AssumedRoleUser.Arn+") issued by AssumeRole") ||
		!strings.Contains(lines[0], "to arn:aws:iam::"+acct+":user/alice") || !strings.HasPrefix(lines[2], "TIME") ||
		!strings.Contains(lines[3], "sts:AssumeRole") || !strings.Contains(lines[4], "s3:ListBuckets") || !strings.Contains(lines[4], "AccessDenied") {
		t.Fatalf("session query (%d):\n%s\n%s", code, stdout, stderr)
	}

	code, stdout, _ = run("--errors", "--output", "json")
	var denied []*audit.Event
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		e, err := audit.DecodeEvent([]byte(l))
		if err != nil {
			t.Fatalf("not an event: %s", l)
		}
		denied = append(denied, e)
	}
	if code != 0 || len(denied) != 1 || denied[0].EventName != "ListBuckets" || denied[0].UserIdentity.AccessKeyID != *c.AccessKeyId {
		t.Fatalf("errors as JSON (%d): %s", code, stdout)
	}

	code, stdout, _ = run("--action", "iam:Create*", "--since", "1h")
	if code != 0 || strings.Count(stdout, "iam:Create") != 3 {
		t.Fatalf("IAM creations: %s", stdout)
	}
	code, stdout, stderr = run("--resource", "no-such-thing")
	if code != 0 || stdout != "" || !strings.Contains(stderr, "no event matches") {
		t.Fatalf("no match: %q %q", stdout, stderr)
	}
	code, _, stderr = run("--until", "2000-01-01")
	if code != 0 || !strings.Contains(stderr, "no event matches") {
		t.Fatalf("before the trail: %q", stderr)
	}
	for _, bad := range [][]string{{"--since", "yesterday"}, {"--output", "xml"}, {"--follow"}, {"stray"}, {"--limit", "-1"}} {
		if code, _, stderr := run(bad...); code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, %q", bad, code, stderr)
		}
	}
	var errOut bytes.Buffer
	if code := auditCommand([]string{"--dir", t.TempDir()}, &bytes.Buffer{}, &errOut, nil, time.Now); code != 1 || !strings.Contains(errOut.String(), "no trail files") {
		t.Errorf("empty dir: exit %d %q", code, errOut.String())
	}
	var help bytes.Buffer
	if code := run0(t, []string{"audit", "--help"}, &help); code != 0 || !strings.Contains(help.String(), "--principal") {
		t.Errorf("help: %d %s", code, help.String())
	}
}

func run0(t *testing.T, args []string, stdout *bytes.Buffer) int {
	t.Helper()
	return run(context.Background(), args, stdout, &bytes.Buffer{}, func(string) (string, bool) { return "", false })
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                     {},
		"2026-05-01T08:00:00Z": time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC),
		"2026-05-01":           time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC),
		"90m":                  now.Add(-90 * time.Minute),
		"7d":                   now.Add(-7 * 24 * time.Hour),
	} {
		got, err := parseWhen(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"tomorrow", "-5m", "5x"} {
		if _, err := parseWhen(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
