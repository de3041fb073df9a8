package policy

import (
	"strings"
	"testing"
)

func TestReplacePrincipals(t *testing.T) {
	const bob = "arn:aws:iam::111122223333:user/bob"
	repl := map[string]string{bob: "AIDABOB0000000000001"}
	for _, c := range []struct{ name, in, want string }{
		{"principal string",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + bob + `"},"Action":"sts:AssumeRole"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"AIDABOB0000000000001"},"Action":"sts:AssumeRole"}]}`},
		{"list, layout kept, other values kept",
			"{\n  \"Statement\": {\n    \"Effect\": \"Deny\",\n    \"NotPrincipal\": {\"AWS\": [ \"arn:aws:iam::111122223333:root\" , \"" + bob + "\" ]},\n" +
				"    \"Action\": \"s3:*\", \"Resource\": \"*\",\n    \"Condition\": {\"ArnEquals\": {\"aws:PrincipalArn\": \"" + bob + "\"}}\n  }\n}",
			"{\n  \"Statement\": {\n    \"Effect\": \"Deny\",\n    \"NotPrincipal\": {\"AWS\": [ \"arn:aws:iam::111122223333:root\" , \"AIDABOB0000000000001\" ]},\n" +
				"    \"Action\": \"s3:*\", \"Resource\": \"*\",\n    \"Condition\": {\"ArnEquals\": {\"aws:PrincipalArn\": \"" + bob + "\"}}\n  }\n}"},
		{"escaped slash in the ARN",
			`{"Statement":[{"Principal":{"AWS":["arn:aws:iam::111122223333:user\/bob"]},"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
			`{"Statement":[{"Principal":{"AWS":["AIDABOB0000000000001"]},"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
		{"not under AWS",
			`{"Statement":[{"Principal":{"Service":"` + bob + `"},"Effect":"Allow","Action":"s3:*","Resource":"` + bob + `"}]}`,
			`{"Statement":[{"Principal":{"Service":"` + bob + `"},"Effect":"Allow","Action":"s3:*","Resource":"` + bob + `"}]}`},
		{"several statements and empty objects",
			`{"Id":"x","Statement":[{"Sid":"a","Condition":{},"Principal":{"AWS":"*"}},{"Principal":{"AWS":["` + bob + `","` + bob + `"]}}]}`,
			`{"Id":"x","Statement":[{"Sid":"a","Condition":{},"Principal":{"AWS":"*"}},{"Principal":{"AWS":["AIDABOB0000000000001","AIDABOB0000000000001"]}}]}`},
		{"malformed document unchanged", `{"Statement":[{"Principal":{"AWS":"` + bob + `"}`, `{"Statement":[{"Principal":{"AWS":"` + bob + `"}`},
	} {
		if got := ReplacePrincipals(c.in, repl); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	if got := ReplacePrincipals(`{"Statement":[]}`, nil); got != `{"Statement":[]}` {
		t.Errorf("no replacements changed the document: %s", got)
	}
}

func TestEntityPrincipal(t *testing.T) {
	for v, want := range map[string]bool{
		"arn:aws:iam::111122223333:user/bob":                    true,
		"arn:aws:iam::111122223333:user/path/bob":               true,
		"arn:aws:iam::111122223333:role/app/reader":             true,
		"arn:aws:iam::111122223333:root":                        false,
		"111122223333":                                          false,
		"*":                                                     false,
		"arn:aws:sts::111122223333:assumed-role/reader/s1":      false,
		"arn:aws:iam::111122223333:group/admins":                false,
		"AIDABOB0000000000001":                                  false,
		"arn:aws:iam::11112222333:user/bob":                     false,
		"arn:aws:iam:us-east-1:111122223333:user/bob":           false,
		"arn:aws-cn:iam::111122223333:user/bob":                 false,
		"arn:aws:iam::111122223333:federated-user/x":            false,
		"arn:aws:sts::111122223333:federated-user/x":            false,
		"arn:aws:iam::111122223333:oidc-provider/example.com":   false,
		"arn:aws:iam::111122223333:saml-provider/x":             false,
		"arn:aws:iam::111122223333:instance-profile/x":          false,
		"arn:aws:iam::111122223333:mfa/x":                       false,
		"arn:aws:iam::111122223333:policy/x":                    false,
		"arn:aws:iam::111122223333:server-certificate/x":        false,
		"arn:aws:iam::111122223333:role/aws-service-role/x.com": true,
	} {
		if got := EntityPrincipal(v); got != want {
			t.Errorf("EntityPrincipal(%q) = %v, want %v", v, got, want)
		}
	}
}

// FuzzReplacePrincipals: replacing every "AWS" principal of a valid
// document changes exactly those values.
func FuzzReplacePrincipals(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/bob","111122223333"]},"Action":"s3:*","Resource":"*"}]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r","Service":"x"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"AWS":"a"}}}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		d, err := Parse(doc)
		if err != nil {
			return
		}
		repl := map[string]string{}
		for _, v := range d.AWSPrincipals() {
			repl[v] = "R" + v
		}
		out := ReplacePrincipals(doc, repl)
		d2, err := Parse(out)
		if err != nil {
			t.Fatalf("result does not parse: %v\n%s", err, out)
		}
		want := d.AWSPrincipals()
		got := d2.AWSPrincipals()
		if len(got) != len(want) {
			t.Fatalf("principals %q, want %q replaced", got, want)
		}
		for i := range d.Statements {
			s, s2 := d.Statements[i], d2.Statements[i]
			for _, pair := range [][2]map[string][]string{{s.Principal, s2.Principal}, {s.NotPrincipal, s2.NotPrincipal}} {
				for typ, vals := range pair[0] {
					for j, v := range vals {
						w := v
						if typ == "AWS" && !s.AnyPrincipal {
							w = "R" + v
						}
						if pair[1][typ][j] != w {
							t.Fatalf("%s %q became %q, want %q", typ, v, pair[1][typ][j], w)
						}
					}
				}
			}
			if strings.Join(s.Action, ",") != strings.Join(s2.Action, ",") || strings.Join(s.Resource, ",") != strings.Join(s2.Resource, ",") {
				t.Fatalf("statement %d changed beyond its principals", i)
			}
		}
	})
}
