package awsmanaged

import (
	"encoding/json"
	"testing"
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
