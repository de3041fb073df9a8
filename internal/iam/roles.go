package iam

import (
	"context"
	"errors"
	"net/url"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/binding"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

func roleARN(r *store.Role) string { return "arn:aws:iam::" + r.Account + ":role" + r.Path + r.Name }

// roleShape is how much of a role a response shows.
type roleShape int

const (
	roleListed  roleShape = iota // ListRoles: no boundary, tags or last use
	roleCreated                  // CreateRole: the boundary and tags it was given
	roleFull                     // GetRole, UpdateRoleDescription: everything
)

func toXRole(r *store.Role, shape roleShape) xRole {
	x := xRole{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: roleARN(r), CreateDate: isoTime(r.CreatedAt),
		AssumeRolePolicyDocument: encodeDoc(r.AssumeRolePolicy), Description: r.Description, MaxSessionDuration: r.MaxSessionDuration}
	if shape >= roleCreated {
		if r.PermissionsBoundary != "" {
			x.PermissionsBoundary = &xBoundary{"PermissionsBoundaryPolicy", r.PermissionsBoundary}
		}
		x.Tags = toXTags(r.Tags)
	}
	if shape == roleFull {
		x.RoleLastUsed = &xRoleLastUsed{LastUsedDate: isoTime(r.LastUsedAt), Region: r.LastUsedRegion}
	}
	return x
}

func getRole(ctx context.Context, tx store.Tx, account, n string) (*store.Role, error) {
	r, err := tx.GetRole(ctx, account, n)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuch("role", n)
	}
	return r, err
}

// trustPolicy validates a trust policy — grammar, size, and that the users
// and roles it names exist — and binds those users and roles to their
// unique ids (saved as Role.TrustPrincipals).
func (s *Service) trustPolicy(ctx context.Context, tx store.Tx, p url.Values, param string) (string, policy.Bindings, error) {
	doc, d, err := document(p, param, policy.Trust)
	if err != nil {
		return "", nil, err
	}
	if policy.NonWhitespaceLen(doc) > 2048 {
		return "", nil, awsapi.QuotaExceeded.Of("ACLSizePerRole", 2048)
	}
	b, err := binding.Bind(ctx, tx, d)
	var ip *binding.InvalidPrincipalError
	if errors.As(err, &ip) {
		return "", nil, awsapi.TrustPrincipalInvalid.Of(ip.Principal)
	}
	if err != nil {
		return "", nil, err
	}
	err = binding.CheckFederated(ctx, tx, d)
	var fp *binding.InvalidFederatedError
	if errors.As(err, &fp) {
		return "", nil, awsapi.FederatedPrincipalInvalid.Of()
	}
	if err != nil {
		return "", nil, err
	}
	return doc, b, nil
}

// shownRole is r as readers see it: its trust policy shows each bound
// principal by its entity's current ARN, or by unique id once the entity
// is gone (binding.Show). r itself is not changed.
func shownRole(ctx context.Context, tx store.Tx, r *store.Role) (*store.Role, error) {
	doc, err := binding.Show(ctx, tx, r.AssumeRolePolicy, r.TrustPrincipals)
	if err != nil || doc == r.AssumeRolePolicy {
		return r, err
	}
	c := *r
	c.AssumeRolePolicy = doc
	return &c, nil
}

func maxSession(p url.Values, def int) (int, error) {
	v := p.Get("MaxSessionDuration")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 3600 || n > 43200 {
		return 0, awsapi.ValueOutOfRange.Of(v, "maxSessionDuration", 3600, 43200)
	}
	return n, nil
}

func (s *Service) createRole(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	pth, err := path(p, "Path")
	if err != nil {
		return nil, err
	}
	msd, err := maxSession(p, 3600)
	if err != nil {
		return nil, err
	}
	desc := p.Get("Description")
	if len([]rune(desc)) > 1000 {
		return nil, awsapi.ValueTooLong.Of(desc, "description", 1000)
	}
	tg, err := tags(p)
	if err != nil {
		return nil, err
	}
	r := &store.Role{Account: c.Account, ID: newID("AROA"), Name: n, Path: pth, CreatedAt: s.now(), Description: desc, MaxSessionDuration: msd, Tags: tg}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		doc, b, err := s.trustPolicy(ctx, tx, p, "AssumeRolePolicyDocument")
		if err != nil {
			return err
		}
		r.AssumeRolePolicy, r.TrustPrincipals = doc, b
		if b := p.Get("PermissionsBoundary"); b != "" {
			if err := s.checkBoundary(ctx, tx, c.Account, b); err != nil {
				return err
			}
			r.PermissionsBoundary = b
		}
		if cnt, err := tx.CountRoles(ctx, c.Account); err != nil {
			return err
		} else if cnt >= 1000 {
			return awsapi.QuotaExceeded.Of("RolesPerAccount", 1000)
		}
		err = tx.CreateRole(ctx, r)
		if errors.Is(err, store.ErrExists) {
			return awsapi.EntityExists.Of("Role", n)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Role xRole `xml:"Role"`
	}{toXRole(r, roleCreated)}, nil
}

func (s *Service) getRoleOp(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	var r *store.Role
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		if r, err = getRole(ctx, tx, c.Account, n); err != nil {
			return err
		}
		r, err = shownRole(ctx, tx, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Role xRole `xml:"Role"`
	}{toXRole(r, roleFull)}, nil
}

func (s *Service) listRoles(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	after, limit, err := page(p)
	if err != nil {
		return nil, err
	}
	var roles []*store.Role
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		if roles, err = tx.ListRoles(ctx, c.Account, store.ListQuery{PathPrefix: p.Get("PathPrefix"), After: after, Limit: limit + 1}); err != nil {
			return err
		}
		for i, r := range roles {
			if roles[i], err = shownRole(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := struct {
		Roles []xRole `xml:"Roles>member"`
		xPage
	}{}
	out.Roles, out.xPage = pageOf(roles, limit, roleName, listRole)
	return out, nil
}

func (s *Service) updateRole(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, err := getRole(ctx, tx, c.Account, n)
		if err != nil {
			return err
		}
		if p.Has("Description") {
			r.Description = p.Get("Description")
		}
		if r.MaxSessionDuration, err = maxSession(p, r.MaxSessionDuration); err != nil {
			return err
		}
		return tx.UpdateRole(ctx, r)
	})
	return struct{}{}, err
}

func (s *Service) updateAssumeRolePolicy(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, err := getRole(ctx, tx, c.Account, n)
		if err != nil {
			return err
		}
		if r.AssumeRolePolicy, r.TrustPrincipals, err = s.trustPolicy(ctx, tx, p, "PolicyDocument"); err != nil {
			return err
		}
		return tx.UpdateRole(ctx, r)
	})
}

func (s *Service) deleteRole(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		r, err := getRole(ctx, tx, c.Account, n)
		if err != nil {
			return err
		}
		ref := store.EntityRef{Account: c.Account, Kind: store.KindRole, ID: r.ID}
		inline, err := tx.ListInlinePolicies(ctx, ref)
		if err != nil {
			return err
		}
		attached, err := tx.ListAttachedPolicies(ctx, ref)
		if err != nil {
			return err
		}
		if len(inline)+len(attached) > 0 {
			return awsapi.RoleDeleteConflict.Of()
		}
		return tx.DeleteRole(ctx, c.Account, r.ID)
	})
}
