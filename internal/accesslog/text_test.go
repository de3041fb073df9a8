package accesslog

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/pipeline"
)

// pieces are the fragments random field values are made of: everything
// slog's quoting rules distinguish.
var pieces = []string{"", "a", "Z9", "-_./:", " ", "=", `"`, `\`, "\n", "\t", "\x00", "\x1f", "\x7f", "é", "日本", "\u00a0",
	"\u2028", "\u200b", "\xff", "\xe2\x82", "😀", "key=value", "arn:aws:iam::111122223333:user/a b"}

func randomString(rng *rand.Rand) string {
	var b strings.Builder
	for n := rng.IntN(4); n > 0; n-- {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

func randomRecord(rng *rand.Rand) *pipeline.Record {
	s := func() string { return randomString(rng) }
	r := &pipeline.Record{RequestID: s(), Service: s(), Operation: s(), Method: s(), Status: rng.IntN(600) - 1, ErrorCode: s(),
		Bucket: s(), Key: s(), BytesIn: rng.Int64N(1 << 40), BytesOut: rng.Int64N(1<<40) - 5, SourceIP: s(), UserAgent: s(),
		Duration: time.Duration(rng.Int64N(int64(time.Hour))),
		Time:     time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(time.FixedZone("z", (rng.IntN(48)-24)*1800))}
	switch rng.IntN(3) {
	case 0:
		r.Principal = &authz.Principal{ARN: s(), AccessKeyID: s()}
	case 1:
		r.Time = time.Time{}
	}
	return r
}

// TestTextMatchesSlog: NewText writes what the slog text handler writes
// for the same record, byte for byte, over records made of every kind of
// character slog's quoting distinguishes.
func TestTextMatchesSlog(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var want, got bytes.Buffer
	viaSlog := New(slog.NewTextHandler(&want, nil))
	direct := NewText(&got, nil)
	for i := 0; i < 20000; i++ {
		r := randomRecord(rng)
		want.Reset()
		got.Reset()
		viaSlog.Record(context.Background(), r)
		direct.Record(context.Background(), r)
		if got.String() != want.String() {
			t.Fatalf("record %+v:\nslog:   %q\ndirect: %q", r, want.String(), got.String())
		}
	}
}

func TestTextLevel(t *testing.T) {
	var buf bytes.Buffer
	level := new(slog.LevelVar)
	level.Set(slog.LevelWarn)
	s := NewText(&buf, level)
	s.Record(context.Background(), &pipeline.Record{RequestID: "r"})
	if buf.Len() != 0 {
		t.Fatalf("written at warn: %q", buf.String())
	}
	level.Set(slog.LevelDebug)
	s.Record(context.Background(), &pipeline.Record{RequestID: "r"})
	if !strings.Contains(buf.String(), "msg=request request_id=r ") {
		t.Fatalf("not written at debug: %q", buf.String())
	}
}

// FuzzTextMatchesSlog is TestTextMatchesSlog on the fuzzer's strings.
func FuzzTextMatchesSlog(f *testing.F) {
	for _, p := range pieces {
		f.Add(p, p+"x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		r := &pipeline.Record{RequestID: a, Key: b, UserAgent: a + b, Bucket: b, Time: time.Unix(1, 0).UTC(),
			Principal: &authz.Principal{ARN: b}}
		var want, got bytes.Buffer
		New(slog.NewTextHandler(&want, nil)).Record(context.Background(), r)
		NewText(&got, nil).Record(context.Background(), r)
		if got.String() != want.String() {
			t.Fatalf("slog %q, direct %q", want.String(), got.String())
		}
	})
}
