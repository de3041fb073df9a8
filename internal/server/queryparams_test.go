package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

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
		return roundTrip(t, env, signedSTSQuery(t, env, root, query, body))
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
