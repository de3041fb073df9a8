package awsapi

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

// The table names each code once, every entry has an AWS status, and an
// error built from an entry is found by errors.Is however it is wrapped.
func TestCodeTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range codes {
		if c.name == "" || seen[c.name] {
			t.Errorf("code %q is empty or listed twice", c.name)
		}
		seen[c.name] = true
		if http.StatusText(c.status) == "" || c.status < 300 {
			t.Errorf("%s has status %d", c.name, c.status)
		}
		e := fmt.Errorf("context: %w", c.new("m"))
		if !errors.Is(e, c) || e.(interface{ Unwrap() error }).Unwrap().(*Error).HTTPStatus() != c.status {
			t.Errorf("%s: errors.Is or the status does not follow the table", c.name)
		}
	}
	if errors.Is(ErrNoSuchKey.new("x"), ErrNoSuchBucket) {
		t.Fatal("an error matched another code")
	}
	for name, want := range map[string]int{"NoSuchVersion": 404, "OperationAborted": 409, "RequestEntityTooLarge": 413,
		"MalformedQueryString": 404, "RequestTimeout": 400, "NoSuchKey": 404, "SlowDown": 503, "AccessDenied": 403} {
		found := false
		for _, c := range codes {
			if c.name == name {
				found = true
				if c.status != want {
					t.Errorf("%s: status %d, AWS answers %d", name, c.status, want)
				}
			}
		}
		if !found {
			t.Errorf("%s is missing from the table", name)
		}
	}
}
