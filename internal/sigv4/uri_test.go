package sigv4

import (
	"net/http"
	"net/url"
	"testing"
)

// refURIEncode is SigV4's URI encoding stated byte by byte: unreserved
// characters (and '/' unless encodeSlash) as they are, every other byte as
// %XX in upper-case hex.
func refURIEncode(s string, encodeSlash bool) string {
	var out []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash) {
			out = append(out, c)
			continue
		}
		out = append(out, '%', upperhex[c>>4], upperhex[c&15])
	}
	return string(out)
}

// FuzzURIEncode: uriEncode writes what the byte-by-byte rule gives, with
// and without slashes encoded; and a path plainPath accepts encodes to
// itself, so skipping the second encoding of a non-S3 path changes nothing.
func FuzzURIEncode(f *testing.F) {
	for _, s := range []string{"", "/", "/a/b", "/a b/ü%2F", "key~-_.", "/%", "a+b=c&d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, slash := range []bool{false, true} {
			var b appender
			uriEncode(&b, s, slash)
			if want := refURIEncode(s, slash); string(b.buf) != want {
				t.Fatalf("%q (encodeSlash %v): %q, want %q", s, slash, b.buf, want)
			}
		}
		if plainPath(s) {
			if twice := refURIEncode(refURIEncode(s, false), false); twice != s {
				t.Fatalf("%q: plainPath, but encodes twice to %q", s, twice)
			}
		}
		// The canonical URI of a non-S3 request: double encoding
		// whatever the fast path.
		r := &http.Request{URL: &url.URL{Path: "/" + s}}
		if u, err := url.Parse("http://h/" + url.PathEscape(s)); err == nil {
			r.URL = u
		}
		var got appender
		writeCanonicalURI(&got, r, Check{NoNormalize: true})
		dec, err := url.PathUnescape(r.URL.EscapedPath())
		if err != nil {
			dec = r.URL.EscapedPath()
		}
		if dec == "" {
			return
		}
		if want := refURIEncode(refURIEncode(dec, false), false); string(got.buf) != want {
			t.Fatalf("%q: canonical URI %q, want %q", s, got.buf, want)
		}
	})
}
