package audit

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/pipeline"
)

// walkKeys calls fn with every object key of a decoded JSON value.
func walkKeys(v any, fn func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			fn(k)
			walkKeys(x, fn)
		}
	case []any:
		for _, x := range v {
			walkKeys(x, fn)
		}
	}
}

// FuzzRequestParameters: whatever form a client sends (untrusted), the
// event built from it is valid JSON whose parameters hold no secret name
// and stay within the limits.
func FuzzRequestParameters(f *testing.F) {
	for _, s := range []string{
		"Action=AssumeRole&RoleArn=arn&Tags.member.1.Key=a&Tags.member.1.Value=b&TokenCode=123456",
		"Tags.member.1=x&Tags.member.1.Key=y&Tags=z", "A.member.1.B.member.2.C=1&A.member.1.B.member.1.C=0",
		"X.member.1000.Y=1&X.member.1001.Y=2&X.member.-1=3", "a.b.c.d.e.f.g.h.i.j=deep", "%ff=%fe&Password=hunter2",
		"PolicyArns.member.1.arn=p&PolicyArns.member.1.Secret=s", "DurationSeconds=abc&SetAsDefault=maybe",
	} {
		f.Add(s, "s3key", false)
	}
	c := &Converter{Region: "us-east-1"}
	f.Fuzz(func(t *testing.T, form, key string, s3 bool) {
		v, err := url.ParseQuery(form)
		if err != nil {
			return
		}
		r := &pipeline.Record{Service: "iam", Operation: "CreateUser", Params: v, Time: time.Unix(0, 0), Principal: authz.Anonymous()}
		if s3 {
			r.Service, r.Bucket, r.Key = "s3", "bucket", key
		}
		// An error message that echoes the request (key stands for what
		// the message says around it).
		r.ErrorCode, r.ErrorMessage = "ValidationError", key+form+key
		if u, err := url.QueryUnescape(form); err == nil {
			r.ErrorMessage += u
		}
		sameEvents(t, &Converter{Region: "us-east-1", NewID: func() string { return "id" }}, r)
		for _, e := range c.Events(r) {
			line := e.AppendJSON(nil)
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				t.Fatalf("invalid JSON %q: %v", line, err)
			}
			walkKeys(m["requestParameters"], func(k string) {
				if Secret(k) {
					t.Fatalf("secret parameter %q in %s", k, line)
				}
			})
			for k, vs := range v {
				for _, x := range vs {
					// "***" is what a masked value becomes.
					if Secret(k) && len(x) >= minEchoed && !strings.Contains(x, "*") && strings.Contains(e.ErrorMessage, x) {
						t.Fatalf("errorMessage %q holds %s's value %q", e.ErrorMessage, k, x)
					}
				}
			}
			if n := strings.Count(string(line), `"`); n > 8*(maxParams+100) {
				t.Fatalf("event too large: %d strings", n/2)
			}
		}
	})
}

// FuzzDecodeEvent: a line of a trail file (which may be damaged or forged)
// never panics the reader, and an event it accepts encodes to valid JSON
// that decodes to the same event.
func FuzzDecodeEvent(f *testing.F) {
	c := &Converter{Region: "us-east-1"}
	e := c.Events(&pipeline.Record{Service: "sts", Operation: "AssumeRole", Params: url.Values{"RoleArn": {"r"}}})[0]
	f.Add(string(e.AppendJSON(nil)))
	f.Add(`{"eventVersion":"1.11","eventName":"x","requestParameters":{"a":[1,{"b":null}]},"resources":[{"ARN":"a"}]}`)
	f.Add(`{"eventVersion":"1.11","eventSource":"s3.amazonaws.com","userIdentity":{"sessionContext":{"sessionIssuer":{}}}}`)
	f.Add(`{"eventVersion":1}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, line string) {
		e, err := DecodeEvent([]byte(line))
		if err != nil {
			return
		}
		out := e.AppendJSON(nil)
		back, err := DecodeEvent(out)
		if err != nil {
			t.Fatalf("re-encoded event does not decode: %v\n%s", err, out)
		}
		if again := back.AppendJSON(nil); string(again) != string(out) {
			t.Fatalf("encoding is not stable:\n%s\n%s", out, again)
		}
		_ = e.Time()
		_ = e.IssuedAccessKey()
		_ = Caller(e)
	})
}

// FuzzAppendString: any string becomes a JSON string that decodes to what
// encoding/json's does.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\x00\u2028\xff", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want string
		if err := json.Unmarshal(appendString(nil, s), &got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		b, _ := json.Marshal(s)
		json.Unmarshal(b, &want)
		if got != want {
			t.Fatalf("%q: got %q want %q", s, got, want)
		}
	})
}

// FuzzReadLines: the trail's files are read line by line whatever they
// hold (damage, a forged file, a line longer than any event): the reader
// hands over exactly the complete lines, an over-long one as nil, and
// holds back an unterminated last line — read in any buffer size.
func FuzzReadLines(f *testing.F) {
	f.Add([]byte("{\"a\":1}\n\nshort\nunterminated"), uint8(0), uint8(0))
	f.Add(bytes.Repeat([]byte("x\n"), 40), uint8(3), uint8(7))
	f.Add(append(bytes.Repeat([]byte("y"), 100), '\n', 'z', '\n'), uint8(1), uint8(40))
	f.Fuzz(func(t *testing.T, data []byte, size, extra uint8) {
		bufSize := 16 + int(size)%48 // bufio's least is 16
		limit := bufSize + int(extra)
		var want [][]byte
		rest := data
		for {
			i := bytes.IndexByte(rest, '\n')
			if i < 0 {
				break
			}
			if i+1 > limit {
				want = append(want, nil)
			} else {
				want = append(want, rest[:i])
			}
			rest = rest[i+1:]
		}
		var got [][]byte
		err := readLinesSize(bytes.NewReader(data), bufSize, limit, func(l []byte) error {
			if l != nil {
				l = bytes.Clone(l)
			}
			got = append(got, l)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d lines, want %d", len(got), len(want))
		}
		for i := range want {
			if (got[i] == nil) != (want[i] == nil) || !bytes.Equal(got[i], want[i]) {
				t.Fatalf("line %d: %q, want %q", i, got[i], want[i])
			}
		}
	})
}

// FuzzAppendScalar: appendScalar writes what appendValue writes of scalar's
// boxed value.
func FuzzAppendScalar(f *testing.F) {
	for _, c := range [][2]string{{"DurationSeconds", "900"}, {"DurationSeconds", "9x"}, {"SetAsDefault", "true"},
		{"SetAsDefault", "maybe"}, {"RoleArn", "arn:aws:iam::1:role/r\"<\u2028"}, {"MaxItems", "-7"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		if got, want := string(appendScalar(nil, name, value)), string(appendValue(nil, scalar(name, value))); got != want {
			t.Fatalf("%q=%q: appendScalar %s, appendValue(scalar) %s", name, value, got, want)
		}
	})
}
