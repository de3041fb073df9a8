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
	// One seed per class of byte that is not plain, so the seeds alone
	// catch plainPath accepting any of them.
	for _, s := range []string{"", "/", "/a/b", "/a b/ü%2F", "key~-_.", "/%", "a+b=c&d", "/a b", "/a+b", "/é", "/a%20b", "/\x00", "/\xff", "/a=b", "/a;b", "/a:b", "/A~z.0-_"} {
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
		dec, err := url.PathUnescape(r.URL.EscapedPath())
		if err != nil {
			dec = r.URL.EscapedPath()
		}
		if dec == "" {
			return
		}
		for _, c := range []Check{{}, {NoNormalize: true}, {SingleEncode: true}, {NoNormalize: true, SingleEncode: true}, {S3: true}} {
			var got appender
			writeCanonicalURI(&got, r, c)
			p := dec
			if !c.NoNormalize && !c.S3 {
				p = normalizePath(p)
			}
			want := refURIEncode(p, false)
			if !c.SingleEncode && !c.S3 {
				want = refURIEncode(want, false)
			}
			if string(got.buf) != want {
				t.Fatalf("%q %+v: canonical URI %q, want %q", s, c, got.buf, want)
			}
		}
	})
}

// TestCanonicalURIDoubleEncoded: known answers for the canonical path of
// services other than S3, which AWS encodes twice (the aws-c-auth vectors
// all encode once).
func TestCanonicalURIDoubleEncoded(t *testing.T) {
	for raw, want := range map[string]string{
		"/":             "/",
		"/a/b":          "/a/b",
		"/a%20b":        "/a%2520b",
		"/%C3%BC":       "/%25C3%25BC",
		"/a+b":          "/a%252Bb",
		"/x/./y//z/../": "/x/y/",
	} {
		u, err := url.Parse("http://h" + raw)
		if err != nil {
			t.Fatal(err)
		}
		var got appender
		writeCanonicalURI(&got, &http.Request{URL: u}, Check{})
		if string(got.buf) != want {
			t.Errorf("%s: canonical URI %q, want %q", raw, got.buf, want)
		}
	}
}
