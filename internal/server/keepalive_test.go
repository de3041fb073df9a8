package server_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestQueryKeepsConnection: a Query request whose form body the server
// read (and closed) leaves its connection open for the next one: signed
// STS calls in turn on one raw connection — with a Content-Length body, a
// chunked body, Expect: 100-continue, and a query string beside the body —
// each answered in full, none with Connection: close.
func TestQueryKeepsConnection(t *testing.T) {
	env := testenv.New(t)
	root := aws.Credentials{AccessKeyID: testenv.RootAccessKey, SecretAccessKey: testenv.RootSecretKey}
	const body = "Action=GetCallerIdentity&Version=2011-06-15"
	c := dial(t, env)
	br := bufio.NewReader(c)
	for _, v := range []struct {
		name string
		req  func() *http.Request
	}{
		{"content-length", func() *http.Request { return signedSTS(t, env, root, body) }},
		{"chunked", func() *http.Request {
			r, err := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			r.ContentLength, r.TransferEncoding = -1, []string{"chunked"}
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			sum := sha256.Sum256([]byte(body))
			if err := v4.NewSigner().SignHTTP(context.Background(), root, r, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			return r
		}},
		{"100-continue", func() *http.Request {
			r := signedSTS(t, env, root, body)
			r.Header.Set("Expect", "100-continue")
			return r
		}},
		{"query string and body", func() *http.Request {
			return signedSTSQuery(t, env, root, "Version=2011-06-15", "Action=GetCallerIdentity")
		}},
		{"content-length again", func() *http.Request { return signedSTS(t, env, root, body) }},
	} {
		req := v.req()
		if err := req.Write(c); err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		resp, err := http.ReadResponse(br, req)
		for err == nil && resp.StatusCode == http.StatusContinue {
			resp, err = http.ReadResponse(br, req)
		}
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !strings.Contains(string(b), "<GetCallerIdentityResult>") {
			t.Fatalf("%s: %d %s (%v)", v.name, resp.StatusCode, b, err)
		}
		if resp.Close {
			t.Fatalf("%s: the server closes the connection", v.name)
		}
	}
}
