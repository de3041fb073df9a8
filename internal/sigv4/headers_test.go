package sigv4

import (
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
