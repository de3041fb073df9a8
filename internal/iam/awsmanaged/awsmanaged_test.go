package awsmanaged

import (
	"encoding/json"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
)

func TestCommonPoliciesPresent(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() < 1000 {
		t.Fatalf("only %d policies", c.Len())
	}
	for _, name := range []string{"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "IAMFullAccess", "IAMReadOnlyAccess", "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess"} {
		p, ok := c.Get("arn:aws:iam::aws:policy/" + name)
		if !ok {
			t.Fatalf("%s missing", name)
		}
		var doc struct{ Version string }
		if err := json.Unmarshal([]byte(p.Document), &doc); err != nil || doc.Version != "2012-10-17" {
			t.Fatalf("%s document: %v %q", name, err, p.Document)
		}
	}
	p, _ := c.Get("arn:aws:iam::aws:policy/AdministratorAccess")
	if p.Document != `{"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}` {
		t.Fatalf("AdministratorAccess = %s", p.Document)
	}
}

// TestEveryPolicyPassesTheGrammar holds the policy grammar to AWS's own
// documents: every AWS managed policy parses and compiles as stored, and
// passes IAM's write-time grammar for identity policies too (a rule that
// refused one of them would refuse what AWS accepts).
func TestEveryPolicyPassesTheGrammar(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range c.List("") {
		n++
		if _, err := policy.ParseAndCompile(p.ARN, p.Document); err != nil {
			t.Errorf("%s does not parse: %v", p.Name, err)
		}
		if _, err := policy.Validate(p.Document, policy.Identity); err != nil {
			t.Errorf("%s refused by the identity grammar: %v", p.Name, err)
		}
	}
	if n != c.Len() || n < 1000 {
		t.Fatalf("checked %d of %d policies", n, c.Len())
	}
}
