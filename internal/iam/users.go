package iam

import (
	"context"
	"errors"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

func userARN(u *store.User) string { return authz.UserARN(u.Account, u.Path, u.Name) }

func toXUser(u *store.User, withDetail bool) xUser {
	x := xUser{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: userARN(u), CreateDate: isoTime(u.CreatedAt)}
	if withDetail {
		if u.PermissionsBoundary != "" {
			x.PermissionsBoundary = &xBoundary{"PermissionsBoundaryPolicy", u.PermissionsBoundary}
		}
		x.Tags = toXTags(u.Tags)
	}
	return x
}

func toXTags(ts []store.Tag) xTags {
	var out xTags
	for _, t := range ts {
		out = append(out, xTag(t))
	}
	return out
}

// getUser loads a user by name or returns AWS's NoSuchEntity.
func getUser(ctx context.Context, tx store.Tx, account, n string) (*store.User, error) {
	u, err := tx.GetUser(ctx, account, n)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuch("user", n)
	}
	return u, err
}

func (s *Service) createUser(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "UserName", 64)
	if err != nil {
		return nil, err
	}
	pth, err := path(p, "Path")
	if err != nil {
		return nil, err
	}
	tg, err := tags(p)
	if err != nil {
		return nil, err
	}
	u := &store.User{Account: c.Account, ID: newID("AIDA"), Name: n, Path: pth, CreatedAt: s.now(), Tags: tg}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if b := p.Get("PermissionsBoundary"); b != "" {
			if err := s.checkBoundary(ctx, tx, c.Account, b); err != nil {
				return err
			}
			u.PermissionsBoundary = b
		}
		if cnt, err := tx.CountUsers(ctx, c.Account); err != nil {
			return err
		} else if cnt >= 5000 {
			return awsapi.QuotaExceeded.Of("UsersPerAccount", 5000)
		}
		err := tx.CreateUser(ctx, u)
		if errors.Is(err, store.ErrExists) {
			return awsapi.EntityExists.Of("User", n)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		User xUser `xml:"User"`
	}{toXUser(u, true)}, nil
}

func (s *Service) getUserOp(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := optName(p, "UserName", 128)
	if err != nil {
		return nil, err
	}
	if n == "" {
		if c.Type == authz.TypeRoot {
			// AWS's shape for the root: the account id as UserId, the root
			// ARN, and the account's creation date.
			var a *store.Account
			if err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
				var err error
				a, err = tx.GetAccount(ctx, c.Account)
				return err
			}); err != nil {
				return nil, err
			}
			return struct {
				User xUser `xml:"User"`
			}{xUser{UserId: c.Account, Arn: c.ARN, CreateDate: isoTime(a.CreatedAt)}}, nil
		}
		if c.UserName == "" {
			return nil, awsapi.UserNameRequired.Of()
		}
		n = c.UserName
	}
	var u *store.User
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		u, err = getUser(ctx, tx, c.Account, n)
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		User xUser `xml:"User"`
	}{toXUser(u, true)}, nil
}

func (s *Service) listUsers(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	after, limit, err := page(p)
	if err != nil {
		return nil, err
	}
	var users []*store.User
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		users, err = tx.ListUsers(ctx, c.Account, store.ListQuery{PathPrefix: p.Get("PathPrefix"), After: after, Limit: limit + 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := struct {
		Users []xUser `xml:"Users>member"`
		xPage
	}{}
	out.Users, out.xPage = pageOf(users, limit, userName, listUser)
	return out, nil
}

func (s *Service) updateUser(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "UserName", 128)
	if err != nil {
		return nil, err
	}
	newName, err := optName(p, "NewUserName", 64)
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
		u, err := getUser(ctx, tx, c.Account, n)
		if err != nil {
			return err
		}
		if newName != "" {
			u.Name = newName
		}
		if newPath != "" {
			u.Path = newPath
		}
		err = tx.UpdateUser(ctx, u)
		if errors.Is(err, store.ErrExists) {
			return awsapi.EntityExists.Of("User", newName)
		}
		return err
	})
}

func (s *Service) deleteUser(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "UserName", 128)
	if err != nil {
		return nil, err
	}
	return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, c.Account, n)
		if err != nil {
			return err
		}
		ref := store.EntityRef{Account: c.Account, Kind: store.KindUser, ID: u.ID}
		keys, err := tx.ListAccessKeys(ctx, c.Account, u.ID)
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
		groups, err := tx.ListGroupsForUser(ctx, c.Account, u.ID, store.ListQuery{Limit: 1})
		if err != nil {
			return err
		}
		if len(keys)+len(inline)+len(attached)+len(groups) > 0 {
			return awsapi.UserDeleteConflict.Of()
		}
		if devices, err := userDevices(ctx, tx, c.Account, u.ID); err != nil {
			return err
		} else if len(devices) > 0 {
			return awsapi.UserHasMFADevice.Of()
		}
		return tx.DeleteUser(ctx, c.Account, u.ID)
	})
}

// Access keys.

func (s *Service) keyOwner(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (userID, userName string, err error) {
	n := p.Get("UserName")
	if n == "" {
		if c.Type == authz.TypeRoot {
			return "", "", nil
		}
		if c.UserName == "" {
			return "", "", awsapi.UserNameRequired.Of()
		}
		n = c.UserName
	}
	if _, err := name(p, "UserName", 128); err != nil && p.Get("UserName") != "" {
		return "", "", err
	}
	u, err := getUser(ctx, tx, c.Account, n)
	if err != nil {
		return "", "", err
	}
	return u.ID, u.Name, nil
}

func (s *Service) createAccessKey(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	id, secret := NewAccessKeyID("AKIA"), NewSecret()
	sealed, err := s.cfg.Sealer.Seal([]byte(secret), []byte(id))
	if err != nil {
		return nil, err
	}
	var out xAccessKey
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		uid, uname, err := s.keyOwner(ctx, tx, c, p)
		if err != nil {
			return err
		}
		existing, err := tx.ListAccessKeys(ctx, c.Account, uid)
		if err != nil {
			return err
		}
		if len(existing) >= 2 {
			return awsapi.QuotaExceeded.Of("AccessKeysPerUser", 2)
		}
		k := &store.AccessKey{ID: id, Account: c.Account, UserID: uid, SecretSealed: sealed, Status: store.KeyActive, CreatedAt: s.now()}
		out = xAccessKey{UserName: uname, AccessKeyId: id, Status: store.KeyActive, SecretAccessKey: secret, CreateDate: isoTime(k.CreatedAt)}
		return tx.CreateAccessKey(ctx, k)
	})
	if err != nil {
		return nil, err
	}
	return struct {
		AccessKey xAccessKey `xml:"AccessKey"`
	}{out}, nil
}

func (s *Service) listAccessKeys(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	out := struct {
		AccessKeyMetadata []xAccessKey `xml:"AccessKeyMetadata>member"`
		xPage
	}{}
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		uid, uname, err := s.keyOwner(ctx, tx, c, p)
		if err != nil {
			return err
		}
		keys, err := tx.ListAccessKeys(ctx, c.Account, uid)
		for _, k := range keys {
			out.AccessKeyMetadata = append(out.AccessKeyMetadata, xAccessKey{UserName: uname, AccessKeyId: k.ID, Status: k.Status, CreateDate: isoTime(k.CreatedAt)})
		}
		return err
	})
	return out, err
}

// ownedKey finds a key of the named (or calling) user.
func (s *Service) ownedKey(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (*store.AccessKey, error) {
	id, err := required(p, "AccessKeyId")
	if err != nil {
		return nil, err
	}
	uid, _, err := s.keyOwner(ctx, tx, c, p)
	if err != nil {
		return nil, err
	}
	k, err := tx.GetAccessKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (k.Account != c.Account || k.UserID != uid)) {
		return nil, awsapi.AccessKeyNotFound.Of(id)
	}
	return k, err
}

func (s *Service) updateAccessKey(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	status := p.Get("Status")
	if status != store.KeyActive && status != store.KeyInactive {
		return nil, awsapi.ValueNotInSet.Of(status, "status", "Active, Inactive, Expired")
	}
	return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		k, err := s.ownedKey(ctx, tx, c, p)
		if err != nil {
			return err
		}
		return tx.UpdateAccessKeyStatus(ctx, k.ID, status)
	})
}

func (s *Service) deleteAccessKey(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		k, err := s.ownedKey(ctx, tx, c, p)
		if err != nil {
			return err
		}
		return tx.DeleteAccessKey(ctx, k.ID)
	})
}

func (s *Service) getAccessKeyLastUsed(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	id, err := required(p, "AccessKeyId")
	if err != nil {
		return nil, err
	}
	type lastUsed struct {
		LastUsedDate string `xml:"LastUsedDate,omitempty"`
		ServiceName  string `xml:"ServiceName"`
		Region       string `xml:"Region"`
	}
	out := struct {
		UserName          string   `xml:"UserName,omitempty"`
		AccessKeyLastUsed lastUsed `xml:"AccessKeyLastUsed"`
	}{}
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		k, err := tx.GetAccessKey(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && k.Account != c.Account) {
			return awsapi.AccessKeyOfOtherAccount.Of()
		}
		if err != nil {
			return err
		}
		if k.UserID != "" {
			if u, err := tx.GetUserByID(ctx, k.Account, k.UserID); err == nil {
				out.UserName = u.Name
			}
		}
		out.AccessKeyLastUsed = lastUsed{ServiceName: "N/A", Region: "N/A"}
		if !k.LastUsedAt.IsZero() {
			out.AccessKeyLastUsed = lastUsed{LastUsedDate: isoTime(k.LastUsedAt), ServiceName: k.LastService, Region: k.LastRegion}
		}
		return nil
	})
	return out, err
}
