package audit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// trailBuilder writes events across several files, as rotation leaves them.
type trailBuilder struct {
	t     *testing.T
	dir   string
	files [][]byte
	at    time.Time
	n     int
}

func newTrail(t *testing.T) *trailBuilder {
	return &trailBuilder{t: t, dir: t.TempDir(), files: [][]byte{nil}, at: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
}

// rotate starts the next file.
func (b *trailBuilder) rotate() { b.files = append(b.files, nil) }

// add appends an event one minute after the previous one.
func (b *trailBuilder) add(e *Event) *Event {
	b.n++
	b.at = b.at.Add(time.Minute)
	e.EventVersion, e.EventTime, e.EventID, e.EventType = EventVersion, b.at.Format(TimeFormat), fmt.Sprintf("ev-%d", b.n), "AwsApiCall"
	if e.EventSource == "" {
		e.EventSource = "sts.amazonaws.com"
	}
	i := len(b.files) - 1
	b.files[i] = append(e.AppendJSON(b.files[i]), '\n')
	return e
}

func (b *trailBuilder) write() string {
	for i, f := range b.files {
		name := fmt.Sprintf("audit-20260501T1200%02dZ-%06d.jsonl", i, i+1)
		if err := os.WriteFile(filepath.Join(b.dir, name), f, 0o600); err != nil {
			b.t.Fatal(err)
		}
	}
	return b.dir
}

func user(name, key string) UserIdentity {
	return UserIdentity{Type: TypeIAMUser, PrincipalID: "AIDA" + strings.ToUpper(name), ARN: "arn:aws:iam::111122223333:user/" + name,
		AccountID: "111122223333", AccessKeyID: key, UserName: name}
}

func session(role, name, key string) UserIdentity {
	return UserIdentity{Type: TypeAssumedRole, PrincipalID: "AROA" + strings.ToUpper(role) + ":" + name,
		ARN: "arn:aws:sts::111122223333:assumed-role/" + role + "/" + name, AccountID: "111122223333", AccessKeyID: key,
		SessionContext: &SessionContext{SessionIssuer: SessionIssuer{Type: "Role", ARN: "arn:aws:iam::111122223333:role/" + role, UserName: role}}}
}

func assume(by UserIdentity, role, name, issued string) *Event {
	return &Event{UserIdentity: by, EventName: "AssumeRole", RequestParameters: map[string]any{"roleArn": "arn:aws:iam::111122223333:role/" + role},
		ResponseElements: map[string]any{"credentials": map[string]any{"accessKeyId": issued},
			"assumedRoleUser": map[string]any{"arn": "arn:aws:sts::111122223333:assumed-role/" + role + "/" + name}}}
}

func call(by UserIdentity, source, name, code string) *Event {
	return &Event{UserIdentity: by, EventSource: source + ".amazonaws.com", EventName: name, ErrorCode: code}
}

func search(t *testing.T, dir string, q Query) (string, *Result) {
	t.Helper()
	var got []string
	res, err := Search(dir, q, func(e *Event) error { got = append(got, e.EventID); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(got, " "), res
}

// A chain of sessions over rotated files: alice → role A → role B → role
// C. Each session is followed back to alice; alice is followed forward
// through every session; the others' calls are never selected.
func TestSearchFollowsSessions(t *testing.T) {
	b := newTrail(t)
	alice, bob := user("alice", "AKIAALICE"), user("bob", "AKIABOB")
	sa, sb, sc := session("A", "a", "ASIAAAAAAAAAAAAAAAAA"), session("B", "b", "ASIABBBBBBBBBBBBBBBB"), session("C", "c", "ASIACCCCCCCCCCCCCCCC")
	b.add(call(bob, "iam", "ListUsers", ""))                 // ev-1
	b.add(assume(alice, "A", "a", "ASIAAAAAAAAAAAAAAAAA"))   // ev-2
	b.add(call(sa, "s3", "ListBuckets", ""))                 // ev-3
	b.rotate()                                               //
	b.add(assume(bob, "A", "other", "ASIAOTHERXXXXXXXXXXX")) // ev-4
	b.add(assume(sa, "B", "b", "ASIABBBBBBBBBBBBBBBB"))      // ev-5
	b.add(call(sb, "iam", "GetUser", "AccessDenied"))        // ev-6
	b.rotate()                                               //
	b.add(assume(sb, "C", "c", "ASIACCCCCCCCCCCCCCCC"))      // ev-7
	b.add(call(sc, "s3", "GetObject", ""))                   // ev-8
	b.add(call(alice, "iam", "ListRoles", ""))               // ev-9
	b.add(call(session("A", "other", "ASIAOTHERXXXXXXXXXXX"), "s3", "GetObject", ""))
	dir := b.write()

	got, res := search(t, dir, Query{Principal: "ASIACCCCCCCCCCCCCCCC"})
	if got != "ev-2 ev-5 ev-7 ev-8" || len(res.Chain) != 3 || res.Chain[0].EventID != "ev-7" || res.Chain[2].EventID != "ev-2" {
		t.Fatalf("session C: %s (chain %d)", got, len(res.Chain))
	}
	var desc bytes.Buffer
	DescribeChain(&desc, res.Chain)
	if !strings.Contains(desc.String(), "session ASIACCCCCCCCCCCCCCCC (arn:aws:sts::111122223333:assumed-role/C/c) issued by AssumeRole") ||
		!strings.Contains(desc.String(), "to arn:aws:iam::111122223333:user/alice") {
		t.Fatalf("chain description:\n%s", desc.String())
	}
	got, _ = search(t, dir, Query{Principal: "arn:aws:sts::111122223333:assumed-role/B/b"})
	if got != "ev-2 ev-5 ev-6 ev-7" {
		t.Fatalf("session B by ARN: %s", got)
	}
	got, _ = search(t, dir, Query{Principal: "alice", Follow: true})
	if got != "ev-2 ev-3 ev-5 ev-6 ev-7 ev-8 ev-9" {
		t.Fatalf("alice with her sessions: %s", got)
	}
	got, _ = search(t, dir, Query{Principal: "arn:aws:iam::111122223333:user/alice"})
	if got != "ev-2 ev-9" {
		t.Fatalf("alice alone: %s", got)
	}
	got, _ = search(t, dir, Query{Principal: "arn:aws:iam::111122223333:role/A"})
	if got != "ev-3 ev-5 ev-10" {
		t.Fatalf("every session of role A: %s", got)
	}
}

func TestSearchFilters(t *testing.T) {
	b := newTrail(t)
	alice := user("alice", "AKIAALICE")
	b.add(call(alice, "iam", "CreateUser", ""))
	e := call(alice, "s3", "GetObject", "AccessDenied")
	e.Resources = []Resource{{ARN: "arn:aws:s3:::photos/cat.jpg", Type: "AWS::S3::Object"}}
	b.add(e)
	b.add(call(alice, "s3", "GetBucketPolicy", ""))
	e = call(alice, "s3", "PutObject", "")
	e.RequestParameters = map[string]any{"bucketName": "photos", "key": "dog.jpg"}
	e.RecipientAccountID = "222233334444"
	b.add(e)
	b.add(call(alice, "sts", "GetObject", "")) // a GetObject of another service
	dir := b.write()
	for _, tc := range []struct {
		q    Query
		want string
	}{
		{Query{Action: "s3:GetObject"}, "ev-2"},
		{Query{Action: "GetObject"}, "ev-2 ev-5"},
		{Query{Action: "s3:Get*"}, "ev-2 ev-3"},
		{Query{Action: "S3:getobject"}, "ev-2"},
		{Query{Resource: "photos"}, "ev-2 ev-4"},
		{Query{Resource: "dog.jpg"}, "ev-4"},
		{Query{Errors: true}, "ev-2"},
		{Query{Account: "222233334444"}, "ev-4"},
		{Query{Since: time.Date(2026, 5, 1, 12, 2, 0, 0, time.UTC), Until: time.Date(2026, 5, 1, 12, 4, 0, 0, time.UTC)}, "ev-2 ev-3"},
		{Query{Limit: 2}, "ev-1 ev-2"},
		{Query{Principal: "AKIAALICE", Action: "iam:*"}, "ev-1"},
		{Query{Principal: "nobody"}, ""},
	} {
		if got, _ := search(t, dir, tc.q); got != tc.want {
			t.Errorf("%+v: got %q want %q", tc.q, got, tc.want)
		}
	}
}

// Lines that are not events (damage, a torn line being written) are
// skipped and counted; a directory without a trail is an error.
func TestSearchSkipsDamage(t *testing.T) {
	b := newTrail(t)
	b.add(call(user("a", "AKIAA"), "iam", "ListUsers", ""))
	b.files[0] = append(b.files[0], "not json\n{\"x\":1}\n"...)
	b.add(call(user("a", "AKIAA"), "iam", "ListRoles", ""))
	b.files[0] = append(b.files[0], `{"eventVersion":"1.11","eventName":"Torn`...)
	dir := b.write()
	got, res := search(t, dir, Query{})
	if got != "ev-1 ev-2" || res.Skipped != 2 {
		t.Fatalf("got %q, skipped %d", got, res.Skipped)
	}
	if _, err := Search(t.TempDir(), Query{}, func(*Event) error { return nil }); !errors.Is(err, ErrNoTrail) {
		t.Fatalf("empty dir: %v", err)
	}
	stop := errors.New("stop here")
	if _, err := Search(dir, Query{}, func(*Event) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("emit error: %v", err)
	}
}

func TestTable(t *testing.T) {
	var out bytes.Buffer
	tb := NewTable(&out)
	tb.Add(&Event{EventTime: "2026-05-01T12:00:00Z", EventSource: "s3.amazonaws.com", EventName: "GetObject", RecipientAccountID: "111122223333",
		UserIdentity: UserIdentity{Type: TypeAWSAccount, AccountID: AnonymousAccount}, ErrorCode: "AccessDenied",
		RequestParameters: map[string]any{"bucketName": "b", "key": "k\tx"}, SourceIPAddress: "10.0.0.1"})
	tb.Add(&Event{EventTime: "2026-05-01T12:01:00Z", EventSource: "sts.amazonaws.com", EventName: "AssumeRole",
		UserIdentity: session("R", "s", "ASIAX"), Resources: []Resource{{ARN: "arn:aws:iam::1:role/R"}}})
	tb.Flush()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "TIME") || !strings.Contains(lines[1], "s3:GetObject") ||
		!strings.Contains(lines[1], "anonymous") || !strings.Contains(lines[1], "b/k x") || !strings.Contains(lines[1], "AccessDenied") ||
		!strings.Contains(lines[2], "arn:aws:sts::111122223333:assumed-role/R/s (ASIAX)") || !strings.Contains(lines[2], " OK ") {
		t.Fatalf("table:\n%s", out.String())
	}
}

// The table and the chain are printed on an operator's terminal, and a
// client chooses much of what they show (an S3 key, an unknown Action):
// no control character, escape sequence or bidirectional override from
// an event reaches the output.
func TestTableWritesNoControlCharacters(t *testing.T) {
	hostile := []string{"\x1b[2J\x1b[1;1H", "\x1b]0;pwned\x07", "\x9b31m", "a\u202eexe.txt", "\x7f\x00\r\n\t\v\f\b", "\xff\xfe"}
	var out bytes.Buffer
	tb := NewTable(&out)
	for _, h := range hostile {
		issued := &Event{EventTime: "2026-05-01T12:00:00Z" + h, EventSource: "sts.amazonaws.com" + h, EventName: "AssumeRole" + h,
			UserIdentity: UserIdentity{Type: TypeIAMUser, ARN: "arn:aws:iam::1:user/u" + h, AccessKeyID: "AKIA" + h},
			ResponseElements: map[string]any{"credentials": map[string]any{"accessKeyId": "ASIA" + h},
				"assumedRoleUser": map[string]any{"arn": "arn:aws:sts::1:assumed-role/r/s" + h}},
			ErrorCode: "Denied" + h, SourceIPAddress: "10.0.0.1" + h, RecipientAccountID: "1" + h,
			Resources: []Resource{{ARN: "arn:aws:s3:::b/" + h}}}
		if err := tb.Add(issued); err != nil {
			t.Fatal(err)
		}
		if err := tb.Add(&Event{EventSource: "s3.amazonaws.com", EventName: h, RequestParameters: map[string]any{"bucketName": "b", "key": h},
			UserIdentity: UserIdentity{Type: TypeWebIdentityUser, PrincipalID: h}}); err != nil {
			t.Fatal(err)
		}
		if err := DescribeChain(&out, []*Event{issued, issued}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	for i, r := range out.String() {
		if r == '\n' {
			continue
		}
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f ||
			r == 0x061c || r == utf8.RuneError {
			t.Fatalf("control character %U at %d in:\n%q", r, i, out.String())
		}
	}
	if !strings.Contains(out.String(), `\x1b[2J`) || !strings.Contains(out.String(), `\u202e`) {
		t.Fatalf("hostile bytes are not shown escaped:\n%s", out.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if want := 4*len(hostile) + 1; len(lines) != want {
		t.Fatalf("%d lines, want %d (one per row and chain step, and the header):\n%s", len(lines), want, out.String())
	}
}

// A line too long to be an event is skipped and counted as such, like
// any other line that is not an event.
func TestSearchCountsOverlongLines(t *testing.T) {
	b := newTrail(t)
	b.add(call(user("a", "AKIAA"), "iam", "ListUsers", ""))
	b.files[0] = append(b.files[0], bytes.Repeat([]byte("x"), maxLine+1)...)
	b.files[0] = append(b.files[0], '\n')
	b.add(call(user("a", "AKIAA"), "iam", "ListRoles", ""))
	got, res := search(t, b.write(), Query{})
	if got != "ev-1 ev-2" || res.Skipped != 1 {
		t.Fatalf("got %q, skipped %d", got, res.Skipped)
	}
}
