package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name, doc string
		kind      Kind
		want      string // "" = valid
	}{
		{"identity ok", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, Identity, ""},
		{"statement object", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b"}}`, Identity, ""},
		{"not json", `{`, Identity, "Syntax errors in policy."},
		{"unknown top element", `{"Version":"2012-10-17","Statement":[],"Foo":1}`, Identity, "Syntax errors in policy."},
		{"bad version", `{"Version":"2020-01-01","Statement":[]}`, Identity, "The policy failed legacy parsing"},
		{"bad effect", `{"Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}`, Identity, "Syntax errors in policy."},
		{"no action", `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, Identity, "Policy statement must contain actions."},
		{"no resource", `{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}`, Identity, "Policy statement must contain resources."},
		{"no vendor", `{"Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`, Identity, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"bad resource", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}]}`, Identity, `Resource bucket must be in ARN format or "*".`},
		{"principal in identity", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, Identity, "Policy document should not specify a principal."},
		{"dup sid", `{"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, Identity, "Statement IDs (SID) in a single policy must be unique."},
		{"bad sid", `{"Statement":[{"Sid":"a-b","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, Identity, "Statement IDs (SID) must be alpha-numeric."},
		{"bad operator", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqual":{"a:b":"c"}}}]}`, Identity, "Invalid Condition type : StringEqual"},
		{"condition forms", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*",1,true]},"Null":{"x:y":"true"}}}]}`, Identity, ""},
		{"trust ok", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`, Trust, ""},
		{"trust with resource", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Resource":"*"}]}`, Trust, "Has prohibited field Resource"},
		{"trust without principal", `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, Trust, "AssumeRole policy must contain a principal."},
		{"trust other action", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}`, Trust, "AssumeRole policy may only specify STS AssumeRole actions."},
		{"bad principal key", `{"Statement":[{"Effect":"Allow","Principal":{"Aws":"x"},"Action":"sts:AssumeRole"}]}`, Trust, "Invalid principal in policy"},
		{"bucket policy", `{"Statement":[{"Sid":"public-read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, Resource, ""},
	}
	for _, c := range cases {
		_, err := Validate(c.doc, c.kind)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrMalformed) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func TestNonWhitespaceLen(t *testing.T) {
	if n := NonWhitespaceLen("{ \"a b\" :\n\t1 }"); n != 9 {
		t.Fatalf("NonWhitespaceLen = %d, want 9", n)
	}
	if n := NonWhitespaceLen(`{"a\" b":1}`); n != 11 {
		t.Fatalf("escaped quote: %d", n)
	}
}

func TestCheckCharset(t *testing.T) {
	if !CheckCharset("{\"a\":\t\"é\"}\n") || CheckCharset("{\"a\":\"€\"}") || CheckCharset("\x01") {
		t.Fatal("charset")
	}
}

func FuzzValidate(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":{"AWS":["1"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":1}}}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		for _, k := range []Kind{Identity, Resource, Trust, Session} {
			d, err := Validate(doc, k)
			if err == nil && d == nil {
				t.Fatal("nil document without error")
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error not wrapping ErrMalformed: %v", err)
			}
		}
	})
}
