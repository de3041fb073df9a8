package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAccountTablesAndQuotas(t *testing.T) {
	file := filepath.Join(t.TempDir(), "g.toml")
	os.WriteFile(file, []byte(`
signing-regions = "eu-west-1, ctyun"
sts-principal-rate = 2.5

[accounts.111122223333]
root-may-assume-role = true
sts-account-rate = 1000
sts-principal-burst = 7

[accounts.444455556666]
sts-principal-rate = 0
`), 0o600)
	c, err := Load([]string{"--config", file, "--sts-account-burst", "20"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.SigningRegions, "|") != "eu-west-1|ctyun" {
		t.Fatalf("signing regions %q", c.SigningRegions)
	}
	if !c.Account("111122223333").RootMayAssumeRole || c.Account("444455556666").RootMayAssumeRole || c.Account("999999999999").RootMayAssumeRole {
		t.Fatalf("root-may-assume-role: %+v", c.Accounts)
	}
	for _, tc := range []struct {
		id     string
		pr, ar float64
		pb, ab int
	}{
		{"111122223333", 2.5, 1000, 7, 20},
		{"444455556666", 0, 500, 100, 20},
		{"999999999999", 2.5, 500, 100, 20},
	} {
		pr, pb, ar, ab := c.STSQuota(tc.id)
		if pr != tc.pr || pb != tc.pb || ar != tc.ar || ab != tc.ab {
			t.Errorf("%s: quota %v %v %v %v, want %v %v %v %v", tc.id, pr, pb, ar, ab, tc.pr, tc.pb, tc.ar, tc.ab)
		}
	}
	// Defaults: any region, 50/100 per principal, 500/1000 per account.
	d, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(d.SigningRegions, ",") != "*" || d.STSPrincipalRate != 50 || d.STSPrincipalBurst != 100 || d.STSAccountRate != 500 || d.STSAccountBurst != 1000 {
		t.Fatalf("defaults: %v %v %v %v %v", d.SigningRegions, d.STSPrincipalRate, d.STSPrincipalBurst, d.STSAccountRate, d.STSAccountBurst)
	}
}

func TestAccountTableProblems(t *testing.T) {
	file := filepath.Join(t.TempDir(), "g.toml")
	os.WriteFile(file, []byte(`
[accounts.12345]
root-may-assume-role = true

[accounts.111122223333]
root-may-assume-role = "yes"
sts-principal-rate = -1
sts-account-burst = 1.5
colour = "blue"
`), 0o600)
	_, err := Load([]string{"--config", file, "--signing-regions", "Bad Region", "--sts-account-rate", "fast"}, env(nil))
	if err == nil {
		t.Fatal("bad account tables accepted")
	}
	for _, want := range []string{`"12345" is not a 12-digit account id`, "root-may-assume-role: not true or false", "sts-principal-rate: not a non-negative number",
		"sts-account-burst: not a positive integer", "colour: unknown key", "--signing-regions", "--sts-account-rate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%s", want, err)
		}
	}
}
