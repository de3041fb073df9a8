package iam

import (
	"context"
	"net/url"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

func sortPolicies(list []xPolicy) {
	sort.SliceStable(list, func(i, j int) bool { return strings.ToLower(list[i].PolicyName) < strings.ToLower(list[j].PolicyName) })
}

// tagOps are Tag/Untag/List for one entity kind, over load/save functions.
type tagTarget struct {
	load func(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (get func() []store.Tag, set func([]store.Tag) error, err error)
}

func (s *Service) userTags() tagTarget {
	return tagTarget{func(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (func() []store.Tag, func([]store.Tag) error, error) {
		n, err := name(p, "UserName", 128)
		if err != nil {
			return nil, nil, err
		}
		u, err := getUser(ctx, tx, c.Account, n)
		if err != nil {
			return nil, nil, err
		}
		return func() []store.Tag { return u.Tags }, func(t []store.Tag) error { u.Tags = t; return tx.UpdateUser(ctx, u) }, nil
	}}
}

func (s *Service) roleTags() tagTarget {
	return tagTarget{func(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (func() []store.Tag, func([]store.Tag) error, error) {
		n, err := name(p, "RoleName", 64)
		if err != nil {
			return nil, nil, err
		}
		r, err := getRole(ctx, tx, c.Account, n)
		if err != nil {
			return nil, nil, err
		}
		return func() []store.Tag { return r.Tags }, func(t []store.Tag) error { r.Tags = t; return tx.UpdateRole(ctx, r) }, nil
	}}
}

func (s *Service) policyTags() tagTarget {
	return tagTarget{func(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (func() []store.Tag, func([]store.Tag) error, error) {
		mp, err := s.localPolicy(ctx, tx, c, p)
		if err != nil {
			return nil, nil, err
		}
		return func() []store.Tag { return mp.Tags }, func(t []store.Tag) error { mp.Tags = t; return tx.UpdatePolicy(ctx, mp) }, nil
	}}
}

func (s *Service) tagEntity(t tagTarget) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		add, err := tags(p)
		if err != nil {
			return nil, err
		}
		if len(add) == 0 {
			return nil, awsapi.ValueNull.Of("tags")
		}
		return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			get, set, err := t.load(ctx, tx, c, p)
			if err != nil {
				return err
			}
			merged, err := mergeTags(get(), add)
			if err != nil {
				return err
			}
			return set(merged)
		})
	}
}

func (s *Service) untagEntity(t tagTarget) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		keys, err := tagKeys(p)
		if err != nil {
			return nil, err
		}
		return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			get, set, err := t.load(ctx, tx, c, p)
			if err != nil {
				return err
			}
			return set(removeTags(get(), keys))
		})
	}
}

func (s *Service) listEntityTags(t tagTarget) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		out := struct {
			Tags []xTag `xml:"Tags>member"`
			xPage
		}{}
		err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
			get, _, err := t.load(ctx, tx, c, p)
			if err != nil {
				return err
			}
			tags := toXTags(get())
			sort.SliceStable(tags, func(i, j int) bool { return strings.ToLower(tags[i].Key) < strings.ToLower(tags[j].Key) })
			out.Tags, out.xPage, err = pageSlice(tags, p, func(x xTag) string { return x.Key })
			return err
		})
		return out, err
	}
}

// Permission boundaries.

func (s *Service) putBoundary(k entityKind) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		arn, err := required(p, "PermissionsBoundary")
		if err != nil {
			return nil, err
		}
		return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			if err := s.checkBoundary(ctx, tx, c.Account, arn); err != nil {
				return err
			}
			return s.setBoundary(ctx, tx, c, k, p, arn)
		})
	}
}

func (s *Service) deleteBoundary(k entityKind) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error { return s.setBoundary(ctx, tx, c, k, p, "") })
	}
}

func (s *Service) setBoundary(ctx context.Context, tx store.Tx, c *authz.Principal, k entityKind, p url.Values, arn string) error {
	n, err := name(p, k.param, 64)
	if err != nil {
		return err
	}
	if k.kind == store.KindUser {
		u, err := getUser(ctx, tx, c.Account, n)
		if err != nil {
			return err
		}
		u.PermissionsBoundary = arn
		return tx.UpdateUser(ctx, u)
	}
	r, err := getRole(ctx, tx, c.Account, n)
	if err != nil {
		return err
	}
	r.PermissionsBoundary = arn
	return tx.UpdateRole(ctx, r)
}

func (s *Service) updateRoleDescription(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	desc, err := required(p, "Description")
	if err != nil {
		return nil, err
	}
	var r *store.Role
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if r, err = getRole(ctx, tx, c.Account, n); err != nil {
			return err
		}
		r.Description = desc
		if err := tx.UpdateRole(ctx, r); err != nil {
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
