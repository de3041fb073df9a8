package iam

import (
	"context"
	"net/url"
	"testing"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Every action of the table resolves to exactly one check of its own
// iam: action on a non-empty resource, and has a handler: an action cannot
// be registered without what the pipeline needs to authorize it.
func TestEveryActionDeclaresItsCheck(t *testing.T) {
	s := New(Config{Store: nil})
	caller := &authz.Principal{Type: authz.TypeUser, Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/me"}
	p := url.Values{"PolicyArn": {"arn:aws:iam::111122223333:policy/p"}, "SerialNumber": {"arn:aws:iam::111122223333:mfa/d"},
		"OpenIDConnectProviderArn": {"arn:aws:iam::111122223333:oidc-provider/idp.example.com"},
		"SAMLProviderArn":          {"arn:aws:iam::111122223333:saml-provider/p"}}
	for name, o := range s.ops {
		if o.target == nil || o.handle == nil {
			t.Errorf("%s: no target or no handler", name)
			continue
		}
		res, err := o.target.arn(context.Background(), emptyTx{}, caller, p)
		if err != nil || res == "" {
			t.Errorf("%s: resource %q, %v", name, res, err)
		}
	}
	if len(s.ops) < 80 {
		t.Fatalf("only %d actions", len(s.ops))
	}
}

// emptyTx holds no entities.
type emptyTx struct{ store.Tx }

func (emptyTx) GetUser(context.Context, string, string) (*store.User, error) {
	return nil, store.ErrNotFound
}
func (emptyTx) GetRole(context.Context, string, string) (*store.Role, error) {
	return nil, store.ErrNotFound
}
func (emptyTx) GetGroup(context.Context, string, string) (*store.Group, error) {
	return nil, store.ErrNotFound
}
