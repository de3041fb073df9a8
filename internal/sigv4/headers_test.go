package sigv4

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
	"testing"
)

// FuzzCanonicalKey: canonicalKey writes what textproto.CanonicalMIMEHeaderKey
// returns, for every name it takes.
func FuzzCanonicalKey(f *testing.F) {
	for _, s := range []string{"host", "x-amz-date", "content-type", "x-amz-meta-a_b", "X-AMZ-DATE", "-x", "a--b", "bad name", "ünï"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		var buf [64]byte
		key, ok := canonicalKey(&buf, name)
		if !ok {
			return
		}
		if want := textproto.CanonicalMIMEHeaderKey(name); string(key) != want {
			t.Fatalf("%q: canonicalKey %q, CanonicalMIMEHeaderKey %q", name, key, want)
		}
	})
}

// TestHeaderValues: a signed header is found under its canonical key and,
// failing that, under any key equal to it but for case.
func TestHeaderValues(t *testing.T) {
	h := http.Header{}
	h.Set("X-Amz-Date", "20261130T000000Z")
	h["x-odd_Key"] = []string{"odd"} // not canonical: found by the walk
	h.Set(strings.Repeat("a", 70), "long")
	for name, want := range map[string][]string{
		"x-amz-date": {"20261130T000000Z"}, "x-odd_key": {"odd"}, strings.Repeat("a", 70): {"long"}, "missing": nil,
	} {
		if got := headerValues(h, name); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", name, got, want)
		}
	}
}

// FuzzWriteTrimmed: writeTrimmed writes a header value as SigV4's
// canonical form has it — outer white space trimmed, each inner run of
// spaces, tabs and line breaks squeezed to one space — compared with a
// byte-by-byte statement of that rule.
func FuzzWriteTrimmed(f *testing.F) {
	for _, s := range []string{"", "a", "  a  b\t\tc \r\n d  ", "\t", "x y", "  \v a \f b \u00a0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		var want []byte
		space := false
		for _, c := range []byte(strings.TrimSpace(v)) {
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				space = true
				continue
			}
			if space {
				want = append(want, ' ')
				space = false
			}
			want = append(want, c)
		}
		var b appender
		writeTrimmed(&b, v)
		if string(b.buf) != string(want) {
			t.Fatalf("%q: writeTrimmed %q, want %q", v, b.buf, want)
		}
	})
}

// FuzzIsHex64: isHex64 accepts exactly 64 lower-case hex digits.
func FuzzIsHex64(f *testing.F) {
	for _, s := range []string{strings.Repeat("0a", 32), strings.Repeat("0A", 32), strings.Repeat("f", 63), strings.Repeat("f", 63) + "g", strings.Repeat("9", 64)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := len(s) == 64
		for i := 0; i < len(s); i++ {
			if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				want = false
			}
		}
		if got := isHex64(s); got != want {
			t.Fatalf("%q: isHex64 %v, want %v", s, got, want)
		}
	})
}

var hexSink bool

// BenchmarkIsHex64 checks 4,096 fresh random signatures in turn, as a live
// server sees them: with one signature repeated, the branch predictor
// learns it and hides the cost of branching on each character.
func BenchmarkIsHex64(b *testing.B) {
	sigs := make([]string, 4096)
	for i := range sigs {
		var raw [32]byte
		_, _ = rand.Read(raw[:])
		sigs[i] = hex.EncodeToString(raw[:])
	}
	i := 0
	for b.Loop() {
		hexSink = isHex64(sigs[i%len(sigs)])
		i++
	}
}
