package server_test

import (
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

// TestQueryStringBeforeForm: when a Query request carries parameters both
// in its query string and in its form body, the query string's value of a
// parameter comes first (url.Values.Get returns it), as it always has —
// for the action, and for any other parameter.
func TestQueryStringBeforeForm(t *testing.T) {
	env := testenv.New(t)
	root := aws.Credentials{AccessKeyID: testenv.RootAccessKey, SecretAccessKey: testenv.RootSecretKey}
	post := func(query, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, env.URL+"/?"+query, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), root, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		res, err := env.HTTP().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// The query string names GetCallerIdentity, the body AssumeRole.
	code, body := post("Action=GetCallerIdentity&Version=2011-06-15", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::"+testenv.AccountID+":role/none&RoleSessionName=s")
	if code != http.StatusOK || !strings.Contains(body, "<GetCallerIdentityResponse") {
		t.Fatalf("query string's action: %d %s", code, body)
	}
	// A parameter in both: the query string's value is the one read (an
	// invalid Version there fails the call though the body's is valid).
	code, body = post("Version=1999-01-01", "Action=GetCallerIdentity&Version=2011-06-15")
	if code != http.StatusBadRequest || !strings.Contains(body, "1999-01-01") {
		t.Fatalf("query string's version: %d %s", code, body)
	}
	// And the other way round: a valid Version in the query string wins
	// over an invalid one in the body.
	code, body = post("Version=2011-06-15", "Action=GetCallerIdentity&Version=1999-01-01")
	if code != http.StatusOK || !strings.Contains(body, "<GetCallerIdentityResponse") {
		t.Fatalf("query string's valid version: %d %s", code, body)
	}
}
