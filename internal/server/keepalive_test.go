package server_test

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestQueryKeepsConnection: a Query request whose form body the server
// read (and closed) leaves its connection open for the next one: three
// signed STS calls in turn on one raw connection, each answered in full,
// none with Connection: close.
func TestQueryKeepsConnection(t *testing.T) {
	env := testenv.New(t)
	root := aws.Credentials{AccessKeyID: testenv.RootAccessKey, SecretAccessKey: testenv.RootSecretKey}
	c := dial(t, env)
	br := bufio.NewReader(c)
	for i := range 3 {
		req := signedSTS(t, env, root, "Action=GetCallerIdentity&Version=2011-06-15")
		if err := req.Write(c); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !strings.Contains(string(b), "<GetCallerIdentityResult>") {
			t.Fatalf("call %d: %d %s (%v)", i, resp.StatusCode, b, err)
		}
		if resp.Close {
			t.Fatalf("call %d: the server closes the connection", i)
		}
	}
}
