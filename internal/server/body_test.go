package server

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/awsapi"
)

// oneByteReader returns its bytes one Read at a time, as a slow client does.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

func TestReadBoundedChargesOnlyWhatArrives(t *testing.T) {
	b := &budget{max: 1 << 20}
	var taken int64
	reserve := func(n int64) error {
		if !b.take(n) {
			return errQueryBusy()
		}
		taken += n
		return nil
	}
	// Within the allowance: nothing is charged, whatever the length claims.
	got, err := readBounded(strings.NewReader("Action=ListUsers"), maxQueryBody, reserve)
	if err != nil || string(got) != "Action=ListUsers" || taken != 0 {
		t.Fatalf("small body: %q %v, charged %d", got, err, taken)
	}
	// 100 KiB, one byte at a time: charged for the capacity past the
	// allowance it needed, no more than twice what arrived.
	body := strings.Repeat("x", 100<<10)
	got, err = readBounded(oneByteReader{strings.NewReader(body)}, -1, reserve)
	if err != nil || string(got) != body {
		t.Fatalf("100 KiB body: %d bytes, %v", len(got), err)
	}
	if taken == 0 || taken > 2*int64(len(body)) || b.used != taken {
		t.Fatalf("charged %d (budget used %d) for %d bytes", taken, b.used, len(body))
	}
	// A second body that needs more than is left is refused.
	_, err = readBounded(strings.NewReader(strings.Repeat("y", 900<<10)), -1, reserve)
	var ae *awsapi.Error
	if !errors.As(err, &ae) || ae.Code != "ServiceUnavailable" || ae.HTTPStatus() != http.StatusServiceUnavailable {
		t.Fatalf("over budget: %v", err)
	}
	b.give(taken)
	if b.used != 0 {
		t.Fatalf("budget after release: %d", b.used)
	}
}

func TestReadBoundedLimit(t *testing.T) {
	none := func(int64) error { return nil }
	exact := strings.Repeat("z", maxQueryBody)
	if got, err := readBounded(strings.NewReader(exact), -1, none); err != nil || len(got) != maxQueryBody {
		t.Fatalf("1 MiB body: %d bytes, %v", len(got), err)
	}
	if _, err := readBounded(strings.NewReader(exact+"!"), -1, none); !errors.Is(err, errBodyTooLarge) {
		t.Fatalf("1 MiB + 1: %v", err)
	}
	// A declared length over the limit is refused before anything is read.
	if _, err := readBounded(failingReader{}, maxQueryBody+1, none); !errors.Is(err, errBodyTooLarge) {
		t.Fatalf("declared 1 MiB + 1: %v", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("read") }

func TestReadBodyKeepsResult(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=GetUser&UserName=a"))
	first, err := readBody(r)
	if err != nil {
		t.Fatal(err)
	}
	second, err := readBody(r)
	if err != nil || &first[0] != &second[0] {
		t.Fatal("the second read did not return the kept bytes")
	}
	if again, _ := io.ReadAll(r.Body); string(again) != "Action=GetUser&UserName=a" {
		t.Fatalf("later reader sees %q", again)
	}
	r = httptest.NewRequest(http.MethodPost, "/", failingReader{})
	if _, err := readBody(r); err == nil {
		t.Fatal("no error")
	}
	if _, err := readBody(r); err == nil || err.Error() != "read" {
		t.Fatalf("the error is not kept: %v", err)
	}
}

func TestFormValue(t *testing.T) {
	for _, tc := range []struct{ form, want string }{
		{"Action=AssumeRoleWithWebIdentity&Version=2011-06-15", "AssumeRoleWithWebIdentity"},
		{"Version=2011-06-15&Action=GetCallerIdentity", "GetCallerIdentity"},
		{"%41ction=Get%55ser", "GetUser"},
		{"Action", ""},
		{"Actions=x&Action=y", "y"},
		{"a=%zz&Action=ListUsers", "ListUsers"},
		{"Action=%zz", ""},
		{"", ""},
	} {
		if got := formValue([]byte(tc.form), "Action"); got != tc.want {
			t.Errorf("formValue(%q) = %q, want %q", tc.form, got, tc.want)
		}
	}
}

func TestUnsignedRequests(t *testing.T) {
	req := func(method, target string, h ...string) *http.Request {
		r := httptest.NewRequest(method, target, nil)
		for i := 0; i < len(h); i += 2 {
			r.Header.Set(h[i], h[i+1])
		}
		return r
	}
	for _, tc := range []struct {
		r    *http.Request
		want bool
	}{
		{req("GET", "/bucket/key"), true},
		{req("POST", "/", "Content-Type", "application/x-www-form-urlencoded"), true},
		{req("GET", "/bucket/key", "Authorization", "AWS4-HMAC-SHA256 Credential=x"), false},
		{req("GET", "/bucket/key?X-Amz-Credential=x&X-Amz-Signature=y"), false},
		{req("GET", "/bucket/key?AWSAccessKeyId=x&Signature=y&Expires=1"), false},
		// Form uploads are signed inside the body, whatever their headers.
		{req("POST", "/bucket", "Content-Type", "multipart/form-data; boundary=x", "Authorization", "AWS4-HMAC-SHA256 Credential=x"), true},
	} {
		if got := unsigned(tc.r); got != tc.want {
			t.Errorf("%s %s %v: unsigned = %v", tc.r.Method, tc.r.URL, tc.r.Header, got)
		}
	}
}
