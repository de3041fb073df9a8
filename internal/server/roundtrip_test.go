package server_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// roundTrip sends req to the test server and returns the status and body.
func roundTrip(t *testing.T, env *testenv.Env, req *http.Request) (int, string) {
	t.Helper()
	resp, err := env.HTTP().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// get is an unsigned GET of url.
func get(t *testing.T, env *testenv.Env, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return roundTrip(t, env, req)
}
