package sigv2

// The vectors in testdata/botocore_vectors.json were produced once by a small
// python3 script (not committed) run against the installed botocore 1.43.11
// and awscli 1.45.11:
//
//   - botocore.auth.time was replaced by a stub whose time() returns
//     1767225600 (2026-01-01T00:00:00Z, "signed_at"), so every Expires is
//     that plus the ExpiresIn asked for;
//   - HmacV1QueryAuth.sign_string and .get_signature were wrapped to record
//     the exact string to sign, the auth_path and the request headers at
//     signing time;
//   - boto3.client("s3", Config(signature_version="s3", s3={"addressing_style":
//     "path"}), endpoint_url="http://127.0.0.1:9000", fixed keys)
//     .generate_presigned_url(...) was called for: get_object (plain); a key
//     with spaces, unicode, + = ( ) ! ' * ~; get_object with
//     ResponseContentDisposition (non-ASCII), ResponseContentType,
//     ResponseCacheControl and VersionId; put_object with ContentType;
//     put_object with ContentMD5, ACL and Metadata; upload_part;
//     get_object_acl; list_objects_v2; get_object with temporary credentials
//     (a session token containing / + =); and get_object through
//     endpoint_url "http://s3.example.test:9000" with addressing_style
//     "virtual";
//   - `aws s3 presign "s3://my-bucket/cli/Key With Spaces+Plus.txt"
//     --endpoint-url http://127.0.0.1:9000 --expires-in 7200` was run
//     in-process through awscli.clidriver with temporary credentials in the
//     environment.
//
// Each vector stores the URL, the method, the headers the HTTP client must
// send itself (the Content-Type / Content-MD5 botocore signed), the access
// key, secret and session token, Expires, botocore's auth_path and its
// string to sign.

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

type vector struct {
	Name              string            `json:"name"`
	Description       string            `json:"description"`
	Method            string            `json:"method"`
	URL               string            `json:"url"`
	Headers           map[string]string `json:"headers"`
	VirtualHostBucket string            `json:"virtual_host_bucket"`
	AccessKeyID       string            `json:"access_key_id"`
	Secret            string            `json:"secret"`
	SessionToken      string            `json:"session_token"`
	Expires           int64             `json:"expires"`
	AuthPath          string            `json:"auth_path"`
	StringToSign      string            `json:"string_to_sign"`
}

type vectorFile struct {
	Generator string   `json:"generator"`
	SignedAt  int64    `json:"signed_at"`
	Vectors   []vector `json:"vectors"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	b, err := os.ReadFile("testdata/botocore_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) < 10 || f.SignedAt == 0 {
		t.Fatalf("testdata looks truncated: %d vectors", len(f.Vectors))
	}
	return f
}

// request rebuilds the request the way the server would receive it.
func (v vector) request(method, rawURL string) *http.Request {
	r := httptest.NewRequest(method, rawURL, nil)
	for k, val := range v.Headers {
		r.Header.Set(k, val)
	}
	return r
}

// resourceFor derives the canonical resource the way the S3 handler would:
// the bucket from the Host (virtual-hosted) or the first path segment.
func resourceFor(r *http.Request, vhostBucket string) string {
	p := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	if vhostBucket != "" {
		return Resource(vhostBucket, p)
	}
	bucket, key, _ := strings.Cut(p, "/")
	return Resource(bucket, key)
}

// check parses and verifies r as the server would, looking the secret up by
// access key (an unknown key gets some other secret).
func (v vector) check(r *http.Request, vhostBucket string, now time.Time) error {
	a, err := Parse(r)
	if err != nil {
		return err
	}
	secret := "secret-of-" + a.AccessKeyID
	if a.AccessKeyID == v.AccessKeyID {
		secret = v.Secret
	}
	return Verify(r, a, secret, resourceFor(r, vhostBucket), now)
}

func wantErr(t *testing.T, what string, got, want error) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("%s: got %v, want success", what, got)
		}
		return
	}
	if !errors.Is(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func TestBotocoreVectors(t *testing.T) {
	f := loadVectors(t)
	signedAt := time.Unix(f.SignedAt, 0)
	for _, v := range f.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			r := v.request(v.Method, v.URL)
			wirePath, _, _ := strings.Cut(r.RequestURI, "?")
			if i := strings.Index(wirePath, "://"); i >= 0 { // absolute-form target
				rest := wirePath[i+3:]
				wirePath = rest[strings.IndexByte(rest, '/'):]
			}
			if got := r.URL.EscapedPath(); got != wirePath {
				t.Errorf("EscapedPath %q differs from the wire path %q", got, wirePath)
			}
			a, err := Parse(r)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if a.AccessKeyID != v.AccessKeyID || a.SessionToken != v.SessionToken || a.Expires.Unix() != v.Expires {
				t.Errorf("Parse = %+v, want key %q token %q expires %d", a, v.AccessKeyID, v.SessionToken, v.Expires)
			}
			if sig, err := base64.StdEncoding.DecodeString(a.Signature); err != nil || len(sig) != sha1.Size {
				t.Errorf("Signature %q is not base64 of 20 bytes", a.Signature)
			}
			res := resourceFor(r, v.VirtualHostBucket)
			if res != v.AuthPath {
				t.Errorf("resource %q, botocore's auth_path %q", res, v.AuthPath)
			}
			if got := StringToSign(r, a, res); got != v.StringToSign {
				t.Errorf("StringToSign mismatch\n got: %q\nwant: %q", got, v.StringToSign)
			}
			for _, now := range []time.Time{signedAt, signedAt.AddDate(-1, 0, 0), time.Unix(v.Expires, 0)} {
				if err := Verify(r, a, v.Secret, res, now); err != nil {
					t.Errorf("Verify at %v: %v", now.UTC(), err)
				}
			}
			wantErr(t, "just after Expires", Verify(r, a, v.Secret, res, time.Unix(v.Expires, 1)), ErrExpired)
			wantErr(t, "a year after Expires", Verify(r, a, v.Secret, res, time.Unix(v.Expires, 0).AddDate(1, 0, 0)), ErrExpired)

			// Wrong secret: mismatch, and the error carries the string to sign.
			err = Verify(r, a, v.Secret+"x", res, signedAt)
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrMismatch) || e.StringToSign != v.StringToSign {
				t.Errorf("wrong secret: got %#v", err)
			} else if strings.Contains(e.Error(), v.Secret) || strings.Contains(e.StringToSign, v.Secret) {
				t.Errorf("error leaks the secret: %v", e)
			}
			wantErr(t, "empty secret", Verify(r, a, "", res, signedAt), ErrMismatch)

			mutations(t, v, signedAt)
		})
	}
}

// Query parameters the vectors use, by whether the signature covers them.
var (
	signedParams = map[string]bool{
		"AWSAccessKeyId": true, "Signature": true, "Expires": true,
		"x-amz-security-token": true, "x-amz-acl": true, "x-amz-meta-color": true, "x-amz-meta-reviewed-by": true,
		"response-content-disposition": true, "response-content-type": true, "response-cache-control": true,
		"versionId": true, "partNumber": true, "uploadId": true, "acl": true,
	}
	// botocore signs neither its content-type / content-md5 query copies
	// (the headers are signed) nor list parameters; neither does S3.
	unsignedParams = map[string]bool{
		"content-type": true, "content-md5": true,
		"list-type": true, "prefix": true, "max-keys": true, "encoding-type": true,
	}
)

func mutations(t *testing.T, v vector, now time.Time) {
	t.Helper()
	base, rawQuery, _ := strings.Cut(v.URL, "?")
	parts := strings.Split(rawQuery, "&")
	withQuery := func(ps []string) string { return base + "?" + strings.Join(ps, "&") }
	run := func(what string, r *http.Request, vhost string, want error) {
		t.Helper()
		wantErr(t, what, v.check(r, vhost, now), want)
	}
	run("unmodified", v.request(v.Method, v.URL), v.VirtualHostBucket, nil)

	for i, p := range parts {
		name, _, _ := strings.Cut(p, "=")
		signed := signedParams[name]
		if !signed && !unsignedParams[name] {
			t.Fatalf("vector has unclassified query parameter %q", name)
		}
		// Changed value.
		changed := append([]string(nil), parts...)
		switch {
		case name == "Signature":
			k, val, _ := strings.Cut(p, "=")
			flip := "A"
			if val[0] == 'A' {
				flip = "B"
			}
			changed[i] = k + "=" + flip + val[1:]
		case strings.Contains(p, "="):
			changed[i] = p + "0"
		default:
			changed[i] = p + "=0"
		}
		var want error
		if signed {
			want = ErrMismatch
		}
		run("changed "+name, v.request(v.Method, withQuery(changed)), v.VirtualHostBucket, want)

		// Removed.
		removed := append(append([]string(nil), parts[:i]...), parts[i+1:]...)
		switch {
		case name == "AWSAccessKeyId" || name == "Signature" || name == "Expires":
			want = ErrIncomplete
		case signed:
			want = ErrMismatch
		default:
			want = nil
		}
		run("removed "+name, v.request(v.Method, withQuery(removed)), v.VirtualHostBucket, want)

		// Repeated.
		if name == "AWSAccessKeyId" || name == "Signature" || name == "Expires" || name == "x-amz-security-token" {
			run("repeated "+name, v.request(v.Method, withQuery(append(parts[:len(parts):len(parts)], p))), v.VirtualHostBucket, ErrIncomplete)
		}
	}

	// Added query parameters.
	added := func(extra string, want error) {
		t.Helper()
		run("added "+extra, v.request(v.Method, v.URL+"&"+extra), v.VirtualHostBucket, want)
	}
	added("x-amz-acl=public-read-write", ErrMismatch)
	added("X-Amz-Meta-Owner=eve", ErrMismatch)
	added("versionId=other", ErrMismatch)
	added("response-content-type=text%2Fhtml", ErrMismatch)
	added("response%2Dcontent-type=text%2Fhtml", ErrMismatch) // encoded name, decoded by handlers
	added("tagging", ErrMismatch)
	added("prefix=unsigned", nil)
	if v.SessionToken == "" {
		added("x-amz-security-token=stolen", ErrMismatch)
	} else {
		added("X-Amz-Security-Token=other", ErrIncomplete)
	}

	// Method.
	for _, m := range []string{"GET", "HEAD", "PUT", "POST", "DELETE", strings.ToLower(v.Method)} {
		if m != v.Method {
			run("method "+m, v.request(m, v.URL), v.VirtualHostBucket, ErrMismatch)
		}
	}

	// Path.
	u, _ := url.Parse(v.URL)
	path := u.EscapedPath()
	pathURL := func(p string) string { return base[:len(base)-len(path)] + p + "?" + rawQuery }
	run("path +x", v.request(v.Method, pathURL(path+"x")), v.VirtualHostBucket, ErrMismatch)
	if bucketOnly := v.VirtualHostBucket == "" && strings.Count(path, "/") == 1; bucketOnly {
		// "/my-bucket" and "/my-bucket/" are the same request: both sign "/my-bucket/".
		run("path trailing /", v.request(v.Method, pathURL(path+"/")), "", nil)
	} else {
		run("path trailing /", v.request(v.Method, pathURL(path+"/")), v.VirtualHostBucket, ErrMismatch)
	}
	// The path is signed literally, escapes included.
	if strings.Contains(path, "%2B") {
		run("path %2B sent as +", v.request(v.Method, pathURL(strings.ReplaceAll(path, "%2B", "+"))), v.VirtualHostBucket, ErrMismatch)
	}
	if strings.Contains(path, "%C3") {
		run("path escape in lower case", v.request(v.Method, pathURL(strings.Replace(path, "%C3", "%c3", 1))), v.VirtualHostBucket, ErrMismatch)
	}
	if strings.Contains(path, "~") {
		run("path ~ escaped", v.request(v.Method, pathURL(strings.Replace(path, "~", "%7E", 1))), v.VirtualHostBucket, ErrMismatch)
	}
	if v.VirtualHostBucket != "" {
		run("other host bucket", v.request(v.Method, v.URL), "other-bucket", ErrMismatch)
	} else {
		run("other bucket", v.request(v.Method, pathURL(strings.Replace(path, "/my-bucket", "/my-bucket2", 1))), "", ErrMismatch)
	}

	// Headers.
	hdr := func(what string, edit func(http.Header), want error) {
		t.Helper()
		r := v.request(v.Method, v.URL)
		edit(r.Header)
		run(what, r, v.VirtualHostBucket, want)
	}
	hdr("added x-amz-meta header", func(h http.Header) { h.Set("X-Amz-Meta-Evil", "1") }, ErrMismatch)
	hdr("added x-amz-acl header", func(h http.Header) { h.Set("x-amz-acl", "public-read") }, ErrMismatch)
	hdr("unsigned header", func(h http.Header) { h.Set("Range", "bytes=0-1"); h.Set("Date", "Thu, 01 Jan 2026 00:00:00 GMT") }, nil)
	hdr("padded Content-Type", func(h http.Header) {
		if ct := h.Get("Content-Type"); ct != "" {
			h.Set("Content-Type", "  "+ct+"\t")
		}
	}, nil)
	if ct := v.Headers["Content-Type"]; ct != "" {
		hdr("Content-Type removed (only the query copy left)", func(h http.Header) { h.Del("Content-Type") }, ErrMismatch)
		hdr("Content-Type changed", func(h http.Header) { h.Set("Content-Type", "text/html") }, ErrMismatch)
	} else {
		hdr("Content-Type added", func(h http.Header) { h.Set("Content-Type", "text/html") }, ErrMismatch)
	}
	if md5 := v.Headers["Content-MD5"]; md5 != "" {
		hdr("Content-MD5 removed", func(h http.Header) { h.Del("Content-MD5") }, ErrMismatch)
		hdr("Content-MD5 changed", func(h http.Header) { h.Set("Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww==") }, ErrMismatch)
	} else {
		hdr("Content-MD5 added", func(h http.Header) { h.Set("Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww==") }, ErrMismatch)
	}
}

// TestAWSDocumentationExample checks the query-string example of the S3
// SigV2 documentation (RESTAuthentication, "Query string request
// authentication"), signed by AWS for the bucket then called johnsmith.
func TestAWSDocumentationExample(t *testing.T) {
	r := httptest.NewRequest("GET", "http://johnsmith.s3.amazonaws.com/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620", nil)
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	res := Resource("johnsmith", strings.TrimPrefix(r.URL.EscapedPath(), "/"))
	if got, want := StringToSign(r, a, res), "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg"; got != want {
		t.Errorf("StringToSign %q, want %q", got, want)
	}
	now := time.Date(2007, 3, 27, 19, 0, 0, 0, time.UTC)
	if err := Verify(r, a, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", res, now); err != nil {
		t.Errorf("Verify: %v", err)
	}
	wantErr(t, "now", Verify(r, a, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", res, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), ErrExpired)
}

func TestResource(t *testing.T) {
	for _, c := range []struct{ bucket, key, want string }{
		{"b", "k", "/b/k"},
		{"b", "a%20b/c", "/b/a%20b/c"},
		{"b", "", "/b/"},
		{"", "", "/"},
	} {
		if got := Resource(c.bucket, c.key); got != c.want {
			t.Errorf("Resource(%q, %q) = %q, want %q", c.bucket, c.key, got, c.want)
		}
	}
}

// TestStringToSignCanonicalization pins the merging and ordering rules
// (botocore's canonical_custom_headers and canonical_resource).
func TestStringToSignCanonicalization(t *testing.T) {
	r := httptest.NewRequest("PUT", "/b/k?versionId=v%201&acl&uploads=&x-amz-meta-a=1&X-Amz-Meta-B=three&response-expires=Thu%2C%2001&foo=bar&partNumber=2&partNumber=1&Versionid=no", nil)
	r.Header.Set("Content-Type", " text/plain ")
	r.Header.Set("Content-MD5", "abc==")
	r.Header.Add("X-Amz-Meta-B", " two ")
	r.Header.Set("x-amz-date", "x")
	r.Header.Set("Date", "ignored")
	a := &Auth{AccessKeyID: "k", Signature: "s", Expires: time.Unix(42, 0)}
	want := "PUT\nabc==\ntext/plain\n42\n" +
		"x-amz-date:x\nx-amz-meta-a:1\nx-amz-meta-b:two,three\n" +
		"/b/k?acl&partNumber=2&partNumber=1&response-expires=Thu, 01&uploads=&versionId=v 1"
	if got := StringToSign(r, a, "/b/k"); got != want {
		t.Errorf("StringToSign\n got: %q\nwant: %q", got, want)
	}
	// Sub-resources with the same name keep their request order (Python's
	// sort is stable), also past the sizes sort.Slice handles stably.
	var q, wantRes []string
	for i := 40; i > 0; i-- {
		name := []string{"versionId", "acl", "uploadId"}[i%3]
		q = append(q, name+"="+strconv.Itoa(i))
	}
	for _, name := range []string{"acl", "uploadId", "versionId"} {
		for _, p := range q {
			if strings.HasPrefix(p, name+"=") {
				wantRes = append(wantRes, p)
			}
		}
	}
	r3 := httptest.NewRequest("GET", "/b/k?"+strings.Join(q, "&"), nil)
	if got, want := StringToSign(r3, a, "/b/k"), "GET\n\n\n42\n/b/k?"+strings.Join(wantRes, "&"); got != want {
		t.Errorf("StringToSign with repeated sub-resources\n got: %q\nwant: %q", got, want)
	}
	// Hand-built headers with non-canonical keys are read too.
	r2 := &http.Request{Method: "GET", URL: &url.URL{Path: "/b/k"}, Header: http.Header{"content-type": {"a/b"}, "x-amz-meta-z": {"1"}, "X-Amz-Meta-Z": {"0"}}}
	if got, want := StringToSign(r2, a, "/b/k"), "GET\n\na/b\n42\nx-amz-meta-z:0,1\n/b/k"; got != want {
		t.Errorf("StringToSign hand-built\n got: %q\nwant: %q", got, want)
	}
}

func sign(secret, sts string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(sts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestParse(t *testing.T) {
	req := func(q string, h ...string) *http.Request {
		r := httptest.NewRequest("GET", "/b/k?"+q, nil)
		for i := 0; i+1 < len(h); i += 2 {
			r.Header.Add(h[i], h[i+1])
		}
		return r
	}
	const ok = "AWSAccessKeyId=AK&Signature=c2ln&Expires=100"
	for _, c := range []struct {
		name string
		r    *http.Request
		want error
	}{
		{"no query", req(""), ErrNotSigned},
		{"sigv4 only", req("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00"), ErrNotSigned},
		{"expires only", req("Expires=100"), ErrNotSigned},
		{"malformed, not signed", req("a=%zz"), ErrNotSigned},
		{"ok", req(ok), nil},
		{"no key", req("Signature=c2ln&Expires=100"), ErrIncomplete},
		{"no signature", req("AWSAccessKeyId=AK&Expires=100"), ErrIncomplete},
		{"no expires", req("AWSAccessKeyId=AK&Signature=c2ln"), ErrIncomplete},
		{"empty key", req("AWSAccessKeyId=&Signature=c2ln&Expires=100"), ErrIncomplete},
		{"empty signature", req("AWSAccessKeyId=AK&Signature&Expires=100"), ErrIncomplete},
		{"empty expires", req("AWSAccessKeyId=AK&Signature=c2ln&Expires="), ErrIncomplete},
		{"expires not integer", req("AWSAccessKeyId=AK&Signature=c2ln&Expires=soon"), ErrIncomplete},
		{"expires fraction", req("AWSAccessKeyId=AK&Signature=c2ln&Expires=1.5"), ErrIncomplete},
		{"expires negative", req("AWSAccessKeyId=AK&Signature=c2ln&Expires=-1"), ErrIncomplete},
		{"expires plus", req("AWSAccessKeyId=AK&Signature=c2ln&Expires=%2B1"), ErrIncomplete},
		{"expires overflow", req("AWSAccessKeyId=AK&Signature=c2ln&Expires=99999999999999999999"), ErrIncomplete},
		{"expires after 9999", req("AWSAccessKeyId=AK&Signature=c2ln&Expires=253402300800"), ErrIncomplete},
		{"expires 9999", req("AWSAccessKeyId=AK&Signature=c2ln&Expires=253402300799"), nil},
		{"duplicate key", req(ok + "&AWSAccessKeyId=AK2"), ErrIncomplete},
		{"duplicate expires", req(ok + "&Expires=100"), ErrIncomplete},
		{"malformed escape", req(ok + "&x=%zz"), ErrIncomplete},
		{"empty token", req(ok + "&x-amz-security-token="), ErrIncomplete},
		{"token twice", req(ok + "&x-amz-security-token=a&X-AMZ-SECURITY-TOKEN=b"), ErrIncomplete},
		{"token query and header", req(ok+"&x-amz-security-token=a", "X-Amz-Security-Token", "a"), ErrIncomplete},
		{"token header twice", req(ok, "X-Amz-Security-Token", "a", "X-Amz-Security-Token", "b"), ErrIncomplete},
		{"token in header", req(ok, "X-Amz-Security-Token", " tok "), nil},
		{"lower-case names are not SigV2", req("awsaccesskeyid=AK&signature=c2ln&expires=100"), ErrNotSigned},
	} {
		a, err := Parse(c.r)
		if c.want == nil {
			if err != nil || a == nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !errors.Is(err, c.want) || a != nil {
			t.Errorf("%s: got (%v, %v), want %v", c.name, a, err, c.want)
		}
	}

	a, err := Parse(req("Signature=ab+c/d%3D&AWSAccessKeyId=AK%2F1&Expires=0000000100&x-amz-security-token=t%2Bk%20", "X-Other", "1"))
	if err != nil {
		t.Fatal(err)
	}
	// An unencoded '+' arrives as a space and is read back as '+'.
	want := Auth{AccessKeyID: "AK/1", Signature: "ab+c/d=", SessionToken: "t+k", Expires: time.Unix(100, 0).UTC()}
	if *a != want {
		t.Errorf("Parse = %+v, want %+v", *a, want)
	}
	a, _ = Parse(req(ok, "X-Amz-Security-Token", " tok "))
	if a.SessionToken != "tok" {
		t.Errorf("header token %q", a.SessionToken)
	}
}

// TestSessionTokenSigned: the token Parse returns is exactly what is signed,
// whether it travelled in the query (botocore) or as a header.
func TestSessionTokenSigned(t *testing.T) {
	const secret = "s3cr3t"
	for _, c := range []struct {
		name, query, header string
	}{
		{"query", "&x-amz-security-token=TOK%2B%2F%3D", ""},
		{"header", "", "TOK+/="},
	} {
		r := httptest.NewRequest("GET", "/b/k?AWSAccessKeyId=ASIA&Signature=x&Expires=200"+c.query, nil)
		if c.header != "" {
			r.Header.Set("X-Amz-Security-Token", c.header)
		}
		a, err := Parse(r)
		if err != nil {
			t.Fatal(err)
		}
		sts := StringToSign(r, a, "/b/k")
		if want := "GET\n\n\n200\nx-amz-security-token:TOK+/=\n/b/k"; sts != want || a.SessionToken != "TOK+/=" {
			t.Errorf("%s: token %q, sts %q", c.name, a.SessionToken, sts)
		}
		a.Signature = sign(secret, sts)
		if err := Verify(r, a, secret, "/b/k", time.Unix(200, 0)); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		a.SessionToken = "" // the signature does not depend on the field, only on the request
		if err := Verify(r, a, secret, "/b/k", time.Unix(200, 0)); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestVerifyGuards(t *testing.T) {
	r := httptest.NewRequest("GET", "/b/k?AWSAccessKeyId=AK&Signature=x&Expires=100", nil)
	wantErr(t, "nil auth", Verify(r, nil, "s", "/b/k", time.Unix(0, 0)), ErrNotSigned)
	wantErr(t, "zero auth", Verify(r, &Auth{}, "s", "/b/k", time.Unix(0, 0)), ErrIncomplete)
	wantErr(t, "zero Expires", Verify(r, &Auth{AccessKeyID: "AK", Signature: "x"}, "s", "/b/k", time.Unix(0, 0)), ErrExpired)

	// A signature made with an empty key never verifies.
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	a.Signature = sign("", StringToSign(r, a, "/b/k"))
	wantErr(t, "empty secret", Verify(r, a, "", "/b/k", time.Unix(0, 0)), ErrMismatch)
	a.Signature = sign("k", StringToSign(r, a, "/b/k"))
	wantErr(t, "good", Verify(r, a, "k", "/b/k", time.Unix(0, 0)), nil)
	wantErr(t, "other resource", Verify(r, a, "k", "/b/k2", time.Unix(0, 0)), ErrMismatch)
	a.Signature = a.Signature[:len(a.Signature)-1]
	wantErr(t, "truncated signature", Verify(r, a, "k", "/b/k", time.Unix(0, 0)), ErrMismatch)

	e := &Error{Err: ErrExpired, Detail: "Request has expired"}
	if e.Error() != "sigv2: request has expired: Request has expired" || !errors.Is(e, ErrExpired) {
		t.Errorf("Error() = %q", e.Error())
	}
	if (&Error{Err: ErrMismatch}).Error() != ErrMismatch.Error() {
		t.Error("Error() without detail")
	}
}

func FuzzParse(f *testing.F) {
	for _, v := range loadVectors(f).Vectors {
		_, q, _ := strings.Cut(v.URL, "?")
		f.Add(v.Method, q, "")
	}
	f.Add("GET", "AWSAccessKeyId=a&Signature=b&Expires=1&x-amz-security-token=t", "t")
	f.Add("PUT", "AWSAccessKeyId=%&Signature=&Expires=99999999999999999999", "\x00")
	f.Add("", "acl&acl=&=&&x-amz-=%20&Signature=+&AWSAccessKeyId=+&Expires=9", " ")
	f.Fuzz(func(t *testing.T, method, rawQuery, token string) {
		r := &http.Request{Method: method, URL: &url.URL{Path: "/b/k", RawQuery: rawQuery}, Header: http.Header{}}
		if token != "" {
			r.Header["X-Amz-Security-Token"] = []string{token}
		}
		a, err := Parse(r)
		if err != nil {
			if a != nil || !(errors.Is(err, ErrNotSigned) || errors.Is(err, ErrIncomplete)) {
				t.Fatalf("Parse = (%v, %v)", a, err)
			}
			return
		}
		if a.AccessKeyID == "" || a.Signature == "" {
			t.Fatalf("Parse accepted %+v", a)
		}
		sts := StringToSign(r, a, "/b/k")
		if !strings.HasPrefix(sts, method+"\n") || !strings.Contains(sts, "\n"+strconv.FormatInt(a.Expires.Unix(), 10)+"\n") {
			t.Fatalf("StringToSign %q", sts)
		}
		if a.SessionToken != "" && !strings.Contains(sts, "x-amz-security-token:"+a.SessionToken+"\n") {
			t.Fatalf("token %q is not what is signed: %q", a.SessionToken, sts)
		}
		if err := Verify(r, a, "secret", "/b/k", a.Expires); !errors.Is(err, ErrMismatch) {
			t.Fatalf("Verify of a forged signature: %v", err)
		}
		if err := Verify(r, a, "secret", "/b/k", a.Expires.Add(time.Second)); !errors.Is(err, ErrExpired) {
			t.Fatalf("Verify after expiry: %v", err)
		}
	})
}
