package awsapi

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestAppendElementEscapes(t *testing.T) {
	got := string(AppendElement(nil, "A", `x<y>&"z'`+"\t\n"))
	var v struct {
		A string `xml:"A"`
	}
	if err := xml.Unmarshal([]byte("<r>"+got+"</r>"), &v); err != nil || v.A != `x<y>&"z'`+"\t\n" {
		t.Fatalf("%s → %q (%v)", got, v.A, err)
	}
	if got := string(AppendElement(nil, "B", "plain+/=")); got != "<B>plain+/=</B>" {
		t.Fatalf("plain: %s", got)
	}
}

type fast struct{}

func (fast) AppendXML(dst []byte) []byte { return AppendElement(dst, "X", "1") }

func TestWriteQueryResponseShapes(t *testing.T) {
	w := httptest.NewRecorder()
	WriteQueryResponse(w, nil, STSNamespace, "GetThing", fast{}, "req-1")
	body := w.Body.String()
	want := `<GetThingResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetThingResult><X>1</X></GetThingResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetThingResponse>`
	if !strings.HasSuffix(body, want) || w.Header().Get("x-amz-request-id") != "req-1" || w.Header().Get("x-amzn-RequestId") != "req-1" {
		t.Fatalf("fast path:\n%s", body)
	}
	w = httptest.NewRecorder()
	WriteQueryResponse(w, nil, IAMNamespace, "DeleteUser", nil, "req-2")
	if !strings.Contains(w.Body.String(), `<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata>`) {
		t.Fatalf("no-result shape: %s", w.Body.String())
	}
	// A reused buffer: what it held before is not part of the answer, and
	// results without XMLAppender go through encoding/xml.
	w = httptest.NewRecorder()
	scratch := []byte("stale bytes of an earlier answer")
	type reflected struct{ Name string }
	got := WriteQueryResponse(w, scratch, IAMNamespace, "GetThing", reflected{Name: "a<b"}, "req-5")
	want = xml.Header + `<GetThingResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetThingResult><Name>a&lt;b</Name></GetThingResult><ResponseMetadata><RequestId>req-5</RequestId></ResponseMetadata></GetThingResponse>`
	if w.Body.String() != want || string(got) != want || w.Header().Get("Content-Length") != strconv.Itoa(len(want)) {
		t.Fatalf("reused buffer:\n%s\nreturned:\n%s", w.Body.String(), got)
	}
	// The same with the appender: the answer starts at the buffer's
	// start, whatever it held.
	w = httptest.NewRecorder()
	got = WriteQueryResponse(w, []byte(strings.Repeat("stale ", 500)), STSNamespace, "GetThing", fast{}, "req-6")
	want = xml.Header + `<GetThingResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetThingResult><X>1</X></GetThingResult><ResponseMetadata><RequestId>req-6</RequestId></ResponseMetadata></GetThingResponse>`
	if w.Body.String() != want || string(got) != want {
		t.Fatalf("reused buffer, appender:\n%s", w.Body.String())
	}
	// The headers' values share one array: adding to one header must not
	// change the next.
	h := w.Header()
	h.Add("Content-Type", "x")
	h.Add("X-Amzn-Requestid", "y")
	if h.Get("Content-Length") != strconv.Itoa(len(want)) || h.Get("X-Amz-Request-Id") != "req-6" || len(h["Content-Length"]) != 1 || len(h["X-Amz-Request-Id"]) != 1 {
		t.Fatalf("headers after Add: %v", h)
	}
	w = httptest.NewRecorder()
	WriteQueryError(w, IAMNamespace, EntityNotFound.Of("user", "x"), "req-3")
	if w.Code != 404 || !strings.Contains(w.Body.String(), "<Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name x cannot be found.</Message></Error><RequestId>req-3</RequestId>") {
		t.Fatalf("error shape: %d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	WriteQueryError(w, STSNamespace, AsError(errString("disk on fire: secret=xyz"), ErrInternalFailure), "req-4")
	if w.Code != 500 || strings.Contains(w.Body.String(), "secret") || !strings.Contains(w.Body.String(), "<Type>Receiver</Type>") {
		t.Fatalf("internal errors must not leak: %s", w.Body.String())
	}
}

type errString string

func (e errString) Error() string { return string(e) }

var escapeCases = []string{
	"", "plain+/=", `x<y>&"z'` + "\t\n\r", "caf\u00e9 \u20ac \U0001F600", "\x00\x01\x1f\x7f",
	"bad \xff\xfe utf-8", "\ufffd valid replacement", "\ud7ff\ue000\ufffe", "a\xed\xa0\x80b",
	"AWgg_y3AQxcnTLRNKaAog-1NLc6R-IAuNPjw0eO3ou_fT7RafhZ4kO1YYiWm9LN29O5l6psr35ul3LrDf8XLiz1ZISaDQ",
}

// TestAppendEscapedMatchesEscapeText: appendEscaped writes what
// xml.EscapeText writes, for the specials, control characters, invalid
// UTF-8 and characters XML forbids.
func TestAppendEscapedMatchesEscapeText(t *testing.T) {
	for _, c := range escapeCases {
		checkEscaped(t, c)
	}
}

func checkEscaped(t *testing.T, s string) {
	t.Helper()
	var want strings.Builder
	if err := xml.EscapeText(&want, []byte(s)); err != nil {
		t.Fatal(err)
	}
	if got := string(appendEscaped([]byte("prefix"), s)); got != "prefix"+want.String() {
		t.Fatalf("%q: appendEscaped %q, xml.EscapeText %q", s, got[len("prefix"):], want.String())
	}
}

func FuzzAppendEscaped(f *testing.F) {
	for _, c := range escapeCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) { checkEscaped(t, s) })
}

// escapeSink keeps the benchmark's output alive.
var escapeSink []byte

func BenchmarkAppendEscaped(b *testing.B) {
	// Session tokens' worth of random base64url, a different one each
	// time, as on a live server: with one string repeated, the branch
	// predictor learns its bytes and hides the cost of data-dependent
	// branches.
	tokens := make([]string, 1024)
	for i := range tokens {
		raw := make([]byte, 240)
		_, _ = rand.Read(raw)
		tokens[i] = base64.RawURLEncoding.EncodeToString(raw)
	}
	buf := make([]byte, 0, 512)
	b.SetBytes(int64(len(tokens[0])))
	i := 0
	for b.Loop() {
		buf = appendEscaped(buf[:0], tokens[i%len(tokens)])
		i++
	}
	escapeSink = buf
}
