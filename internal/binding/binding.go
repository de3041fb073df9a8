// Package binding ties the IAM users and roles that a saved resource-based
// policy (a role trust policy, a bucket policy) names as principals to the
// entities they named when the policy was written, as AWS does: "When you
// save the policy, AWS transforms the ARN to a unique principal ID. This
// helps mitigate the risk of someone escalating their privileges by
// removing and recreating the role or user." Bind resolves a document's
// user and role principals to their unique ids (policy.Bindings, saved
// beside the document and given to policy.CompileBound); Show renders a
// saved document as AWS displays it — the entity's current ARN, or its
// unique id once the entity is gone.
//
// Policies saved before bindings existed have none (nil) and keep matching
// by ARN: binding them on first read could bind a name that already points
// at a re-created entity, which is the very mistake bindings prevent.
// Writing such a policy again binds it.
package binding

import (
	"context"
	"errors"
	"strings"

	"github.com/gatehouse/gatehouse/internal/arn"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// InvalidPrincipalError is a principal that names no existing IAM user or
// role, or an IAM principal ARN of a kind that cannot be a principal. AWS
// answers "Invalid principal in policy" (IAM adds the principal).
type InvalidPrincipalError struct{ Principal string }

func (e *InvalidPrincipalError) Error() string { return "binding: invalid principal " + e.Principal }

// Bind validates the "AWS" principals of d and binds each IAM user and role
// ARN (of any account held by this store) to its entity's unique id. An
// ARN whose entity does not exist, an IAM ARN that names neither a user, a
// role nor an account root, a user or role of an unknown account and a
// bare unique id (AIDA…, AROA…: what Show displays for a deleted entity)
// are refused with *InvalidPrincipalError. Accounts, "*", session ARNs and
// other principal types are left unbound. The result is never nil.
func Bind(ctx context.Context, tx store.Tx, d *policy.Document) (policy.Bindings, error) {
	b := policy.Bindings{}
	for _, pr := range d.AWSPrincipals() {
		if _, done := b[pr]; done {
			continue
		}
		id, err := resolve(ctx, tx, pr)
		if err != nil {
			return nil, err
		}
		if id != "" {
			b[pr] = id
		} else if policy.EntityPrincipal(pr) {
			// CompileBound would match this principal by id: refuse rather
			// than save a principal that names no one.
			return nil, &InvalidPrincipalError{pr}
		}
	}
	return b, nil
}

// resolve returns the unique id of the user or role pr names ("" for
// principals that are not bound).
func resolve(ctx context.Context, tx store.Tx, pr string) (string, error) {
	invalid := &InvalidPrincipalError{pr}
	if isUniqueID(pr) {
		return "", invalid
	}
	if !strings.HasPrefix(pr, "arn:aws:iam::") {
		return "", nil // "*", account ids, sts session ARNs
	}
	a, err := arn.Parse(pr)
	if err != nil || !arn.IsAccountID(a.Account) {
		return "", invalid
	}
	if a.Resource == "root" {
		return "", nil
	}
	kind, _, name := a.IAMResource()
	if kind != "user" && kind != "role" || name == "" {
		return "", invalid
	}
	if _, err := tx.GetAccount(ctx, a.Account); err != nil {
		return "", notFound(err, invalid)
	}
	if kind == "user" {
		u, err := tx.GetUser(ctx, a.Account, name)
		if err != nil {
			return "", notFound(err, invalid)
		}
		if userARN(u) != pr {
			return "", invalid // another path, or the name in another case
		}
		return u.ID, nil
	}
	r, err := tx.GetRole(ctx, a.Account, name)
	if err != nil {
		return "", notFound(err, invalid)
	}
	if roleARN(r) != pr {
		return "", invalid
	}
	return r.ID, nil
}

// notFound turns the store's ErrNotFound into invalid and passes other
// errors on.
func notFound(err error, invalid error) error {
	if errors.Is(err, store.ErrNotFound) {
		return invalid
	}
	return err
}

// isUniqueID reports whether v looks like a user or role unique id.
func isUniqueID(v string) bool {
	return (strings.HasPrefix(v, "AIDA") || strings.HasPrefix(v, "AROA")) && !strings.ContainsAny(v, ":/")
}

// InvalidFederatedError is a "Federated" principal that is neither a
// domain name nor the ARN of an existing identity provider. IAM answers
// "Federated principals must be valid domain names or SAML metadata ARNs".
type InvalidFederatedError struct{ Principal string }

func (e *InvalidFederatedError) Error() string {
	return "binding: invalid federated principal " + e.Principal
}

// CheckFederated validates the "Federated" principals of a trust policy as
// IAM does when the policy is saved: an ARN must name an existing identity
// provider of IAM — an OIDC provider (arn:aws:iam::ACCOUNT:oidc-provider/NAME)
// or a SAML provider (arn:aws:iam::ACCOUNT:saml-provider/NAME, its name
// exactly); any other value must be a domain name (AWS's built-in
// providers, such as accounts.google.com, which this server does not
// serve: they match no caller).
//
// Providers are not bound to an id: AWS gives them none. A trust policy
// names a provider by its ARN; a provider deleted and created again under
// the same ARN is named by the policy again.
func CheckFederated(ctx context.Context, tx store.Tx, d *policy.Document) error {
	for _, pr := range d.FederatedPrincipals() {
		if !strings.HasPrefix(pr, "arn:") {
			if !domainName(pr) {
				return &InvalidFederatedError{pr}
			}
			continue
		}
		a, err := arn.Parse(pr)
		if err != nil || a.Partition != "aws" || a.Service != "iam" || a.Region != "" || !arn.IsAccountID(a.Account) {
			return &InvalidFederatedError{pr}
		}
		switch {
		case strings.HasPrefix(a.Resource, "oidc-provider/"):
			_, err = tx.GetOIDCProvider(ctx, pr)
		case strings.HasPrefix(a.Resource, "saml-provider/"):
			name := strings.TrimPrefix(a.Resource, "saml-provider/")
			var sp *store.SAMLProvider
			if sp, err = tx.GetSAMLProvider(ctx, a.Account, name); err == nil && sp.Name != name {
				err = store.ErrNotFound
			}
		default:
			return &InvalidFederatedError{pr}
		}
		if errors.Is(err, store.ErrNotFound) {
			return &InvalidFederatedError{pr}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// domainName accepts lower-case DNS names with at least two labels.
func domainName(v string) bool {
	if len(v) > 253 || !strings.Contains(v, ".") {
		return false
	}
	for _, label := range strings.Split(v, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Show returns doc as AWS displays a saved policy: each bound principal
// shows the current ARN of its entity (a renamed user shows its new name)
// or, when no entity with the bound id exists any more, the unique id. A
// document without bindings is returned as written.
func Show(ctx context.Context, tx store.Tx, doc string, b policy.Bindings) (string, error) {
	var repl map[string]string
	for pr, id := range b {
		cur, err := current(ctx, tx, pr, id)
		if err != nil {
			return "", err
		}
		if cur != pr {
			if repl == nil {
				repl = map[string]string{}
			}
			repl[pr] = cur
		}
	}
	return policy.ReplacePrincipals(doc, repl), nil
}

// current is what a principal bound to id shows now.
func current(ctx context.Context, tx store.Tx, pr, id string) (string, error) {
	a, err := arn.Parse(pr)
	if err != nil || id == "" {
		return pr, nil
	}
	switch {
	case strings.HasPrefix(id, "AIDA"):
		u, err := tx.GetUserByID(ctx, a.Account, id)
		if errors.Is(err, store.ErrNotFound) {
			return id, nil
		}
		if err != nil {
			return "", err
		}
		return userARN(u), nil
	case strings.HasPrefix(id, "AROA"):
		r, err := tx.GetRoleByID(ctx, a.Account, id)
		if errors.Is(err, store.ErrNotFound) {
			return id, nil
		}
		if err != nil {
			return "", err
		}
		return roleARN(r), nil
	}
	return pr, nil
}

// userARN is a user's ARN (with its path).
func userARN(u *store.User) string { return "arn:aws:iam::" + u.Account + ":user" + u.Path + u.Name }

// roleARN is a role's ARN (with its path).
func roleARN(r *store.Role) string { return "arn:aws:iam::" + r.Account + ":role" + r.Path + r.Name }
