package sigv2

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The header vector and the form vector were produced with botocore 1.43.11
// (HmacV1Auth.add_auth with _get_date stubbed to "Thu, 01 Jan 2026 00:00:00
// GMT", and HmacV1PostAuth.add_auth), for the key pair below.
const (
	vecAKID   = "AKIDEXAMPLE"
	vecSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

func headerVector() *http.Request {
	r := httptest.NewRequest(http.MethodPut, "http://127.0.0.1:9000/my-bucket/dir/Key%20With%20Spaces.txt?tagging", nil)
	r.Header.Set("Content-Type", "text/plain")
	r.Header.Set("x-amz-meta-Color", " blue ")
	r.Header.Set("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")
	r.Header.Set("Date", "Thu, 01 Jan 2026 00:00:00 GMT")
	r.Header.Set("Authorization", "AWS AKIDEXAMPLE:T96lBZegN1WWm/zOVWcyHc1he7Q=")
	return r
}

var vecTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestHeaderBotocoreVector(t *testing.T) {
	r := headerVector()
	a, err := ParseHeader(r)
	if err != nil {
		t.Fatal(err)
	}
	if a.AccessKeyID != vecAKID || !a.Time.Equal(vecTime) || a.SessionToken != "" {
		t.Fatalf("parsed %+v", a)
	}
	resource := Resource("my-bucket", "dir/Key%20With%20Spaces.txt")
	want := "PUT\n1B2M2Y8AsgTpgAmY7PhCfg==\ntext/plain\nThu, 01 Jan 2026 00:00:00 GMT\nx-amz-meta-color:blue\n/my-bucket/dir/Key%20With%20Spaces.txt?tagging"
	if got := HeaderStringToSign(r, resource); got != want {
		t.Fatalf("string to sign\n%q\nwant\n%q", got, want)
	}
	if err := VerifyHeader(r, a, vecSecret, resource, vecTime.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// Another secret, a changed header, another resource: no match, with
	// the string to sign in the error.
	var e *Error
	if err := VerifyHeader(r, a, vecSecret+"x", resource, vecTime); !errors.As(err, &e) || !errors.Is(err, ErrMismatch) || e.StringToSign != want {
		t.Fatalf("wrong secret: %v", err)
	}
	r.Header.Set("x-amz-meta-color", "red")
	if err := VerifyHeader(r, a, vecSecret, resource, vecTime); !errors.Is(err, ErrMismatch) {
		t.Fatalf("changed header: %v", err)
	}
	r = headerVector()
	if err := VerifyHeader(r, a, vecSecret, Resource("my-bucket", "other"), vecTime); !errors.Is(err, ErrMismatch) {
		t.Fatalf("other resource: %v", err)
	}
	if err := VerifyHeader(r, a, "", resource, vecTime); !errors.Is(err, ErrMismatch) {
		t.Fatalf("empty secret: %v", err)
	}
}

func TestHeaderSkewAndDate(t *testing.T) {
	r := headerVector()
	a, err := ParseHeader(r)
	if err != nil {
		t.Fatal(err)
	}
	resource := Resource("my-bucket", "dir/Key%20With%20Spaces.txt")
	for _, now := range []time.Time{vecTime.Add(MaxSkew + time.Second), vecTime.Add(-MaxSkew - time.Second)} {
		var se *SkewError
		if err := VerifyHeader(r, a, vecSecret, resource, now); !errors.As(err, &se) || !errors.Is(err, ErrSkew) ||
			!se.RequestTime.Equal(vecTime) || !se.ServerTime.Equal(now) {
			t.Fatalf("skew at %v: %v", now, err)
		}
	}
	// x-amz-date is the request time, and empties the Date line.
	r.Header.Set("x-amz-date", "20260101T001000Z")
	if a, err = ParseHeader(r); err != nil || !a.Time.Equal(vecTime.Add(10*time.Minute)) {
		t.Fatalf("x-amz-date: %+v %v", a, err)
	}
	if sts := HeaderStringToSign(r, resource); !strings.HasPrefix(sts, "PUT\n1B2M2Y8AsgTpgAmY7PhCfg==\ntext/plain\n\nx-amz-date:20260101T001000Z\n") {
		t.Fatalf("with x-amz-date: %q", sts)
	}
	r.Header.Del("x-amz-date")
	r.Header.Del("Date")
	if _, err := ParseHeader(r); !errors.Is(err, ErrNoDate) {
		t.Fatalf("no date: %v", err)
	}
	r.Header.Set("Date", "yesterday")
	if _, err := ParseHeader(r); !errors.Is(err, ErrNoDate) {
		t.Fatalf("bad date: %v", err)
	}
}

func TestParseHeaderForms(t *testing.T) {
	for auth, want := range map[string]error{
		"":                         ErrNotSigned,
		"AWS4-HMAC-SHA256 x":       ErrNotSigned,
		"AWS AKID":                 ErrIncomplete,
		"AWS :sig":                 ErrIncomplete,
		"AWS AKID:":                ErrIncomplete,
		"AWS AKIDEXAMPLE:c2lnbg==": nil,
	} {
		r := headerVector()
		r.Header.Set("Authorization", auth)
		if _, err := ParseHeader(r); !errors.Is(err, want) && !(want == nil && err == nil) {
			t.Errorf("%q: %v, want %v", auth, err, want)
		}
	}
	r := headerVector()
	r.Header.Add("X-Amz-Security-Token", "a")
	r.Header.Add("X-Amz-Security-Token", "b")
	if _, err := ParseHeader(r); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("two tokens: %v", err)
	}
	r.Header.Set("X-Amz-Security-Token", "tok")
	if a, err := ParseHeader(r); err != nil || a.SessionToken != "tok" {
		t.Fatalf("token: %+v %v", a, err)
	}
}

func TestVerifyPostBotocoreVector(t *testing.T) {
	policy := "eyJleHBpcmF0aW9uIjogIjIwMjYtMDEtMDFUMDE6MDA6MDBaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAibXktYnVja2V0In1dfQ=="
	if err := VerifyPost(vecSecret, policy, "uipT05vhvtGs/XDgQba+XSPE9JE="); err != nil {
		t.Fatal(err)
	}
	if err := VerifyPost(vecSecret, policy+"x", "uipT05vhvtGs/XDgQba+XSPE9JE="); !errors.Is(err, ErrMismatch) {
		t.Fatalf("changed policy: %v", err)
	}
}
