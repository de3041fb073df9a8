package server_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestExpectContinueEmptyBody: a request with "Expect: 100-continue" and
// an empty body gets "100 Continue" before its final answer, and the
// connection serves the next request. botocore waits for the interim
// answer; without it, it read the final response in its place and then
// waited out its read timeout on the connection's next request.
func TestExpectContinueEmptyBody(t *testing.T) {
	env := testenv.New(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second)) // a bound for a broken server, not a measurement
	br := bufio.NewReader(conn)
	read := func() *http.Response {
		t.Helper()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	host := strings.TrimPrefix(env.URL, "http://")
	io.WriteString(conn, "PUT /some-bucket/empty HTTP/1.1\r\nHost: "+host+"\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n")
	if r := read(); r.StatusCode != http.StatusContinue {
		t.Fatalf("first answer %d, want 100 Continue", r.StatusCode)
	}
	if r := read(); r.StatusCode != http.StatusNotFound || r.Header.Get("x-amz-request-id") == "" {
		t.Fatalf("final answer %d %v, want S3's 404 NoSuchBucket", r.StatusCode, r.Header)
	}
	// The next request on the connection, without Expect: nothing
	// interim.
	io.WriteString(conn, "GET /some-bucket/empty HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
	if r := read(); r.StatusCode != http.StatusNotFound {
		t.Fatalf("next request on the connection: %d", r.StatusCode)
	}
}
