package iam

import (
	"context"
	"errors"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

func groupARN(g *store.Group) string { return "arn:aws:iam::" + g.Account + ":group" + g.Path + g.Name }

func toXGroup(g *store.Group) xGroup {
	return xGroup{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: groupARN(g), CreateDate: isoTime(g.CreatedAt)}
}

func getGroup(ctx context.Context, tx store.Tx, account, n string) (*store.Group, error) {
	g, err := tx.GetGroup(ctx, account, n)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuch("group", n)
	}
	return g, err
}

func (s *Service) createGroup(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "GroupName", 128)
	if err != nil {
		return nil, err
	}
	pth, err := path(p, "Path")
	if err != nil {
		return nil, err
	}
	g := &store.Group{Account: c.Account, ID: newID("AGPA"), Name: n, Path: pth, CreatedAt: s.now()}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if cnt, err := tx.CountGroups(ctx, c.Account); err != nil {
			return err
		} else if cnt >= 300 {
			return awsapi.QuotaExceeded.Of("GroupsPerAccount", 300)
		}
		err := tx.CreateGroup(ctx, g)
		if errors.Is(err, store.ErrExists) {
			return awsapi.EntityExists.Of("Group", n)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Group xGroup `xml:"Group"`
	}{toXGroup(g)}, nil
}

func (s *Service) getGroupOp(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "GroupName", 128)
	if err != nil {
		return nil, err
	}
	after, limit, err := page(p)
	if err != nil {
		return nil, err
	}
	out := struct {
		Group xGroup  `xml:"Group"`
		Users []xUser `xml:"Users>member"`
		xPage
	}{}
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		g, err := getGroup(ctx, tx, c.Account, n)
		if err != nil {
			return err
		}
		out.Group = toXGroup(g)
		users, err := tx.ListGroupMembers(ctx, c.Account, g.ID, store.ListQuery{After: after, Limit: limit + 1})
		out.Users, out.xPage = pageOf(users, limit, userName, listUser)
		return err
	})
	return out, err
}

func (s *Service) listGroups(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	after, limit, err := page(p)
	if err != nil {
		return nil, err
	}
	out := struct {
		Groups []xGroup `xml:"Groups>member"`
		xPage
	}{}
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		var groups []*store.Group
		var err error
		if p.Has("UserName") { // ListGroupsForUser
			u, err := getUser(ctx, tx, c.Account, p.Get("UserName"))
			if err != nil {
				return err
			}
			groups, err = tx.ListGroupsForUser(ctx, c.Account, u.ID, store.ListQuery{After: after, Limit: limit + 1})
			if err != nil {
				return err
			}
		} else if groups, err = tx.ListGroups(ctx, c.Account, store.ListQuery{PathPrefix: p.Get("PathPrefix"), After: after, Limit: limit + 1}); err != nil {
			return err
		}
		out.Groups, out.xPage = pageOf(groups, limit, groupName, toXGroup)
		return nil
	})
	return out, err
}

func (s *Service) updateGroup(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "GroupName", 128)
	if err != nil {
		return nil, err
	}
	newName, err := optName(p, "NewGroupName", 128)
	if err != nil {
		return nil, err
	}
	var newPath string
	if p.Has("NewPath") {
		if newPath, err = path(p, "NewPath"); err != nil {
			return nil, err
		}
	}
	return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		g, err := getGroup(ctx, tx, c.Account, n)
		if err != nil {
			return err
		}
		if newName != "" {
			g.Name = newName
		}
		if newPath != "" {
			g.Path = newPath
		}
		err = tx.UpdateGroup(ctx, g)
		if errors.Is(err, store.ErrExists) {
			return awsapi.EntityExists.Of("Group", newName)
		}
		return err
	})
}

func (s *Service) deleteGroup(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "GroupName", 128)
	if err != nil {
		return nil, err
	}
	return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		g, err := getGroup(ctx, tx, c.Account, n)
		if err != nil {
			return err
		}
		ref := store.EntityRef{Account: c.Account, Kind: store.KindGroup, ID: g.ID}
		members, err := tx.ListGroupMembers(ctx, c.Account, g.ID, store.ListQuery{Limit: 1})
		if err != nil {
			return err
		}
		inline, err := tx.ListInlinePolicies(ctx, ref)
		if err != nil {
			return err
		}
		attached, err := tx.ListAttachedPolicies(ctx, ref)
		if err != nil {
			return err
		}
		if len(members)+len(inline)+len(attached) > 0 {
			return awsapi.GroupDeleteConflict.Of()
		}
		return tx.DeleteGroup(ctx, c.Account, g.ID)
	})
}

func (s *Service) membership(add bool) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		gn, err := name(p, "GroupName", 128)
		if err != nil {
			return nil, err
		}
		un, err := name(p, "UserName", 128)
		if err != nil {
			return nil, err
		}
		return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			g, err := getGroup(ctx, tx, c.Account, gn)
			if err != nil {
				return err
			}
			u, err := getUser(ctx, tx, c.Account, un)
			if err != nil {
				return err
			}
			if !add {
				if err := tx.RemoveUserFromGroup(ctx, c.Account, g.ID, u.ID); errors.Is(err, store.ErrNotFound) {
					return awsapi.UserNotInGroup.Of(un, gn)
				} else {
					return err
				}
			}
			groups, err := tx.ListGroupsForUser(ctx, c.Account, u.ID, store.ListQuery{})
			if err != nil {
				return err
			}
			for _, x := range groups {
				if x.ID == g.ID {
					return nil
				}
			}
			if len(groups) >= 10 {
				return awsapi.QuotaExceeded.Of("GroupsPerUser", 10)
			}
			return tx.AddUserToGroup(ctx, c.Account, g.ID, u.ID)
		})
	}
}
