package e2e

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestAccountCreateWhileServing adds an account with `gatehouse account
// create` on the data dir of a running server; the printed root key works
// at once and names the new account.
func TestAccountCreateWhileServing(t *testing.T) {
	dataDir := t.TempDir()
	srv := startServer(t, dataDir)
	aws := newAWSCLI(t, srv.URL)

	out, err := exec.Command(gatehouseBinary(t), "account", "create", "--name", "partner", "--data-dir", dataDir).CombinedOutput()
	if err != nil {
		t.Fatalf("account create: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?s)Created account (\d{12}) \(partner\).*aws_access_key_id\s+= (AKIA\w{16}).*aws_secret_access_key = (\S{40})`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("unexpected output:\n%s", out)
	}
	partner, key, secret := m[1], m[2], m[3]
	if partner == accountID {
		t.Fatal("new account reused the default id")
	}
	aws.appendFile("credentials", "[partner]\naws_access_key_id = "+key+"\naws_secret_access_key = "+secret+"\n")
	var ident struct{ Arn, Account string }
	aws.must(&ident, "sts", "get-caller-identity", "--profile", "partner")
	if ident.Account != partner || ident.Arn != "arn:aws:iam::"+partner+":root" {
		t.Fatalf("partner identity: %+v", ident)
	}
	// Each account's IAM is its own: the partner sees no users of the default account.
	aws.must(nil, "iam", "create-user", "--user-name", "only-in-default")
	var users struct{ Users []struct{ UserName string } }
	aws.must(&users, "iam", "list-users", "--profile", "partner")
	if len(users.Users) != 0 {
		t.Fatalf("partner sees %+v", users.Users)
	}

	list, err := exec.Command(gatehouseBinary(t), "account", "list", "--data-dir", dataDir).CombinedOutput()
	if err != nil || !strings.Contains(string(list), partner) || !strings.Contains(string(list), accountID) {
		t.Fatalf("account list: %v\n%s", err, list)
	}
	// Bad input is reported, not half-done.
	if out, err := exec.Command(gatehouseBinary(t), "account", "create", "--data-dir", dataDir).CombinedOutput(); err == nil {
		t.Fatalf("account create without --name succeeded:\n%s", out)
	}
	if out, err := exec.Command(gatehouseBinary(t), "serve", "--listen", "nonsense", "--region", "Bad Region", "--data-dir", dataDir).CombinedOutput(); err == nil ||
		!strings.Contains(string(out), "listen:") || !strings.Contains(string(out), "region:") {
		t.Fatalf("serve with two bad settings must report both:\n%s", out)
	}
}
