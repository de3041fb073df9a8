package policy

import "testing"

// A federation caller — of AssumeRoleWithWebIdentity or AssumeRoleWithSAML —
// is named in a trust policy by its provider, as "Federated"; nothing else
// names it but "*", not even its provider's account.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-federated-web-identity
func TestFederatedPrincipals(t *testing.T) {
	for _, kind := range []struct{ typ, prov, other, action string }{
		{PrincipalWebIdentity, "arn:aws:iam::111122223333:oidc-provider/idp.example.com:8443/realms/a",
			"arn:aws:iam::111122223333:oidc-provider/evil.example.com", "sts:AssumeRoleWithWebIdentity"},
		{PrincipalSAMLUser, "arn:aws:iam::111122223333:saml-provider/corp",
			"arn:aws:iam::111122223333:saml-provider/evil", "sts:AssumeRoleWithSAML"},
	} {
		prov, other, action := kind.prov, kind.other, kind.action
		who := func(p string) Principal { return Principal{Type: kind.typ, Account: "111122223333", Federated: p} }
		trust := func(stmts string) *Policy {
			return MustCompile("trust", `{"Version":"2012-10-17","Statement":[`+stmts+`]}`)
		}
		allow := `{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"Action":"` + action + `",
			"Condition":{"StringLike":{"idp:sub":"system:serviceaccount:prod:*"}}}`
		sub := func(v string) map[string][]string { return map[string][]string{"idp:sub": {v}} }
		for name, tc := range map[string]struct {
			policy *Policy
			who    Principal
			action string
			keys   map[string][]string
			want   Effect
		}{
			"the provider, condition met":       {trust(allow), who(prov), action, sub("system:serviceaccount:prod:app"), Allow},
			"the provider, condition not met":   {trust(allow), who(prov), action, sub("system:serviceaccount:dev:app"), ImplicitDeny},
			"another provider":                  {trust(allow), who(other), action, sub("system:serviceaccount:prod:app"), ImplicitDeny},
			"another action":                    {trust(allow), who(prov), "sts:AssumeRole", sub("system:serviceaccount:prod:app"), ImplicitDeny},
			"an IAM user with the provider ARN": {trust(allow), Principal{Type: PrincipalUser, Account: "111122223333", ARN: prov}, action, sub("system:serviceaccount:prod:app"), ImplicitDeny},
			"an account principal":              {trust(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:*"}`), who(prov), action, nil, ImplicitDeny},
			"an account principal's Deny":       {trust(allow + `,{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"sts:*"}`), who(prov), action, sub("system:serviceaccount:prod:app"), Allow},
			"star":                              {trust(`{"Effect":"Allow","Principal":"*","Action":"` + action + `"}`), who(prov), action, nil, Allow},
			"a Deny naming the provider":        {trust(allow + `,{"Effect":"Deny","Principal":{"Federated":"` + prov + `"},"Action":"sts:*"}`), who(prov), action, sub("system:serviceaccount:prod:app"), ExplicitDeny},
			"NotPrincipal spares the provider":  {trust(allow + `,{"Effect":"Deny","NotPrincipal":{"Federated":"` + prov + `"},"Action":"sts:*"}`), who(prov), action, sub("system:serviceaccount:prod:app"), Allow},
			"NotPrincipal denies the others":    {trust(`{"Effect":"Allow","Principal":"*","Action":"sts:*"},{"Effect":"Deny","NotPrincipal":{"Federated":"` + prov + `"},"Action":"sts:*"}`), who(other), action, nil, ExplicitDeny},
		} {
			d := Evaluate(&Input{Resource: tc.policy, ResourceAccount: "111122223333", Trust: true},
				&Request{Principal: tc.who, Action: tc.action, Resource: "arn:aws:iam::111122223333:role/r", Keys: tc.keys})
			if d.Effect != tc.want {
				t.Errorf("%s, %s: %v, want %v", kind.typ, name, d.Effect, tc.want)
			}
		}
	}
}
