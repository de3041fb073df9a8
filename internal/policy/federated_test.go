package policy

import "testing"

// A web-identity caller (AssumeRoleWithWebIdentity) is named in a trust
// policy by its provider, as "Federated"; nothing else names it but "*".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-federated-web-identity
func TestFederatedPrincipals(t *testing.T) {
	const prov = "arn:aws:iam::111122223333:oidc-provider/idp.example.com:8443/realms/a"
	const other = "arn:aws:iam::111122223333:oidc-provider/evil.example.com"
	web := func(p string) Principal { return Principal{Type: PrincipalWebIdentity, Federated: p} }
	trust := func(stmts string) *Policy {
		return MustCompile("trust", `{"Version":"2012-10-17","Statement":[`+stmts+`]}`)
	}
	allow := `{"Effect":"Allow","Principal":{"Federated":"` + prov + `"},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringLike":{"idp.example.com:8443/realms/a:sub":"system:serviceaccount:prod:*"}}}`
	sub := func(v string) map[string][]string {
		return map[string][]string{"idp.example.com:8443/realms/a:sub": {v}}
	}
	for name, tc := range map[string]struct {
		policy *Policy
		who    Principal
		action string
		keys   map[string][]string
		want   Effect
	}{
		"the provider, condition met":       {trust(allow), web(prov), "sts:AssumeRoleWithWebIdentity", sub("system:serviceaccount:prod:app"), Allow},
		"the provider, condition not met":   {trust(allow), web(prov), "sts:AssumeRoleWithWebIdentity", sub("system:serviceaccount:dev:app"), ImplicitDeny},
		"another provider":                  {trust(allow), web(other), "sts:AssumeRoleWithWebIdentity", sub("system:serviceaccount:prod:app"), ImplicitDeny},
		"another action":                    {trust(allow), web(prov), "sts:AssumeRole", sub("system:serviceaccount:prod:app"), ImplicitDeny},
		"an IAM user with the provider ARN": {trust(allow), Principal{Type: PrincipalUser, Account: "111122223333", ARN: prov}, "sts:AssumeRoleWithWebIdentity", sub("system:serviceaccount:prod:app"), ImplicitDeny},
		"an account principal":              {trust(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:*"}`), web(prov), "sts:AssumeRoleWithWebIdentity", nil, ImplicitDeny},
		"star":                              {trust(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity"}`), web(prov), "sts:AssumeRoleWithWebIdentity", nil, Allow},
		"a Deny naming the provider":        {trust(allow + `,{"Effect":"Deny","Principal":{"Federated":"` + prov + `"},"Action":"sts:*"}`), web(prov), "sts:AssumeRoleWithWebIdentity", sub("system:serviceaccount:prod:app"), ExplicitDeny},
		"NotPrincipal spares the provider":  {trust(allow + `,{"Effect":"Deny","NotPrincipal":{"Federated":"` + prov + `"},"Action":"sts:*"}`), web(prov), "sts:AssumeRoleWithWebIdentity", sub("system:serviceaccount:prod:app"), Allow},
		"NotPrincipal denies the others":    {trust(`{"Effect":"Allow","Principal":"*","Action":"sts:*"},{"Effect":"Deny","NotPrincipal":{"Federated":"` + prov + `"},"Action":"sts:*"}`), web(other), "sts:AssumeRoleWithWebIdentity", nil, ExplicitDeny},
	} {
		d := Evaluate(&Input{Resource: tc.policy, ResourceAccount: "111122223333", Trust: true},
			&Request{Principal: tc.who, Action: tc.action, Resource: "arn:aws:iam::111122223333:role/r", Keys: tc.keys})
		if d.Effect != tc.want {
			t.Errorf("%s: %v, want %v", name, d.Effect, tc.want)
		}
	}
}
