package iam

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/arn"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// resolvedPolicy is a customer or AWS managed policy.
type resolvedPolicy struct {
	local *store.ManagedPolicy
	aws   bool
	name  string
	arn   string
}

func (s *Service) findPolicy(ctx context.Context, tx store.Tx, account, policyArn string) (*resolvedPolicy, error) {
	a, err := arn.Parse(policyArn)
	if err != nil || a.Partition != "aws" || a.Service != "iam" {
		return nil, awsapi.PolicyARNInvalid.Of(policyArn)
	}
	noSuch := awsapi.PolicyNotFound.Of(policyArn)
	if typ, _, _ := a.IAMResource(); typ != "policy" || a.Region != "" {
		return nil, noSuch
	}
	if a.Account == "aws" {
		if m, ok := s.cfg.Managed.Get(policyArn); ok {
			return &resolvedPolicy{aws: true, name: m.Name, arn: policyArn}, nil
		}
		return nil, noSuch
	}
	if a.Account != account {
		return nil, noSuch
	}
	p, err := tx.GetPolicy(ctx, policyArn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuch
	}
	if err != nil {
		return nil, err
	}
	return &resolvedPolicy{local: p, name: p.Name, arn: policyArn}, nil
}

func (s *Service) checkBoundary(ctx context.Context, tx store.Tx, account, arn string) error {
	_, err := s.findPolicy(ctx, tx, account, arn)
	return err
}

func (s *Service) toXPolicy(ctx context.Context, tx store.Tx, account string, p *store.ManagedPolicy) (xPolicy, error) {
	ents, err := tx.ListPolicyAttachments(ctx, account, p.ARN)
	if err != nil {
		return xPolicy{}, err
	}
	usage, err := boundaryUsage(ctx, tx, account)
	return xPolicy{PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersionID,
		AttachmentCount: len(ents), PermissionsBoundaryUsageCount: len(usage[p.ARN]), IsAttachable: true, Description: p.Description,
		CreateDate: isoTime(p.CreatedAt), UpdateDate: isoTime(p.UpdatedAt), Tags: toXTags(p.Tags)}, err
}

// boundaryUsage maps each policy ARN used as a permissions boundary in the
// account to the users and roles using it.
func boundaryUsage(ctx context.Context, tx store.Tx, account string) (map[string][]store.EntityRef, error) {
	out := map[string][]store.EntityRef{}
	users, err := tx.ListUsers(ctx, account, store.ListQuery{})
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.PermissionsBoundary != "" {
			out[u.PermissionsBoundary] = append(out[u.PermissionsBoundary], store.EntityRef{Account: account, Kind: store.KindUser, ID: u.ID})
		}
	}
	roles, err := tx.ListRoles(ctx, account, store.ListQuery{})
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		if r.PermissionsBoundary != "" {
			out[r.PermissionsBoundary] = append(out[r.PermissionsBoundary], store.EntityRef{Account: account, Kind: store.KindRole, ID: r.ID})
		}
	}
	return out, nil
}

func managedDoc(p url.Values) (string, error) {
	doc, _, err := document(p, "PolicyDocument", policy.Identity)
	if err != nil {
		return "", err
	}
	if policy.NonWhitespaceLen(doc) > 6144 {
		return "", awsapi.QuotaExceeded.Of("PolicySize", 6144)
	}
	return doc, nil
}

func (s *Service) createPolicy(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	pth := p.Get("Path")
	if pth == "" {
		pth = "/"
	}
	if !policyPathRe.MatchString(pth) {
		return nil, awsapi.ValueNotMatching.Of(pth, "path", `((/[A-Za-z0-9\.,\+@=_-]+)*)/`)
	}
	doc, err := managedDoc(p)
	if err != nil {
		return nil, err
	}
	tg, err := tags(p)
	if err != nil {
		return nil, err
	}
	now := s.now()
	mp := &store.ManagedPolicy{Account: c.Account, ID: newID("ANPA"), ARN: "arn:aws:iam::" + c.Account + ":policy" + pth + n, Name: n, Path: pth,
		Description: p.Get("Description"), DefaultVersionID: "v1", NextVersion: 2, CreatedAt: now, UpdatedAt: now, Tags: tg}
	var out xPolicy
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if cnt, err := tx.CountPolicies(ctx, c.Account); err != nil {
			return err
		} else if cnt >= 1500 {
			return awsapi.QuotaExceeded.Of("PoliciesPerAccount", 1500)
		}
		err := tx.CreatePolicy(ctx, mp, &store.PolicyVersion{PolicyARN: mp.ARN, VersionID: "v1", Document: doc, CreatedAt: now})
		if errors.Is(err, store.ErrExists) {
			return awsapi.PolicyExists.Of(n)
		}
		if err != nil {
			return err
		}
		out, err = s.toXPolicy(ctx, tx, c.Account, mp)
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Policy xPolicy `xml:"Policy"`
	}{out}, nil
}

func (s *Service) getPolicyOp(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	arn, err := required(p, "PolicyArn")
	if err != nil {
		return nil, err
	}
	var out xPolicy
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		rp, err := s.findPolicy(ctx, tx, c.Account, arn)
		if err != nil {
			return err
		}
		if rp.aws {
			m, _ := s.cfg.Managed.Get(arn)
			ents, err := tx.ListPolicyAttachments(ctx, c.Account, arn)
			if err != nil {
				return err
			}
			usage, err := boundaryUsage(ctx, tx, c.Account)
			out = xPolicy{PolicyName: m.Name, PolicyId: awsPolicyID(m.Name), Arn: m.ARN, Path: m.Path,
				DefaultVersionId: m.DefaultVersionID, AttachmentCount: len(ents), PermissionsBoundaryUsageCount: len(usage[arn]), IsAttachable: true,
				CreateDate: isoTime(m.CreatedAt), UpdateDate: isoTime(m.UpdatedAt)}
			return err
		}
		out, err = s.toXPolicy(ctx, tx, c.Account, rp.local)
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		Policy xPolicy `xml:"Policy"`
	}{out}, nil
}

func (s *Service) getPolicyVersion(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	arn, err := required(p, "PolicyArn")
	if err != nil {
		return nil, err
	}
	vid, err := required(p, "VersionId")
	if err != nil {
		return nil, err
	}
	var out xPolicyVersion
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		rp, err := s.findPolicy(ctx, tx, c.Account, arn)
		if err != nil {
			return err
		}
		if rp.aws {
			m, _ := s.cfg.Managed.Get(arn)
			if vid != m.DefaultVersionID {
				return awsapi.PolicyVersionNotFound.Of(arn, vid)
			}
			out = xPolicyVersion{Document: encodeDoc(m.Document), VersionId: vid, IsDefaultVersion: true, CreateDate: isoTime(m.UpdatedAt)}
			return nil
		}
		v, err := tx.GetPolicyVersion(ctx, arn, vid)
		if errors.Is(err, store.ErrNotFound) {
			return awsapi.PolicyVersionNotFound.Of(arn, vid)
		}
		if err != nil {
			return err
		}
		out = xPolicyVersion{Document: encodeDoc(v.Document), VersionId: v.VersionID, IsDefaultVersion: v.VersionID == rp.local.DefaultVersionID, CreateDate: isoTime(v.CreatedAt)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct {
		PolicyVersion xPolicyVersion `xml:"PolicyVersion"`
	}{out}, nil
}

func (s *Service) deletePolicy(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	arn, err := required(p, "PolicyArn")
	if err != nil {
		return nil, err
	}
	return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		rp, err := s.findPolicy(ctx, tx, c.Account, arn)
		if err != nil {
			return err
		}
		if rp.aws {
			return awsapi.AWSManagedPolicyUndeletable.Of(arn)
		}
		ents, err := tx.ListPolicyAttachments(ctx, c.Account, arn)
		if err != nil {
			return err
		}
		versions, err := tx.ListPolicyVersions(ctx, arn)
		if err != nil {
			return err
		}
		if len(ents) > 0 || len(versions) > 1 {
			return awsapi.PolicyDeleteConflict.Of()
		}
		return tx.DeletePolicy(ctx, arn)
	})
}

// Attachments and inline policies, for users, groups and roles.

type entityKind struct {
	kind     store.EntityKind
	param    string // UserName, GroupName, RoleName
	label    string // user, group, role
	maxName  int
	inlineMB int // aggregate inline size limit
}

var (
	userKind  = entityKind{store.KindUser, "UserName", "user", 128, 2048}
	groupKind = entityKind{store.KindGroup, "GroupName", "group", 128, 5120}
	roleKind  = entityKind{store.KindRole, "RoleName", "role", 64, 10240}
)

func (s *Service) entity(ctx context.Context, tx store.Tx, account string, k entityKind, p url.Values) (store.EntityRef, string, error) {
	n, err := name(p, k.param, k.maxName)
	if err != nil {
		return store.EntityRef{}, "", err
	}
	ref := store.EntityRef{Account: account, Kind: k.kind}
	switch k.kind {
	case store.KindUser:
		u, err := getUser(ctx, tx, account, n)
		if err != nil {
			return ref, "", err
		}
		ref.ID, n = u.ID, u.Name
	case store.KindRole:
		r, err := getRole(ctx, tx, account, n)
		if err != nil {
			return ref, "", err
		}
		ref.ID, n = r.ID, r.Name
	case store.KindGroup:
		g, err := tx.GetGroup(ctx, account, n)
		if errors.Is(err, store.ErrNotFound) {
			return ref, "", noSuch("group", n)
		}
		if err != nil {
			return ref, "", err
		}
		ref.ID, n = g.ID, g.Name
	}
	return ref, n, nil
}

func (s *Service) attach(k entityKind) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		arn, err := required(p, "PolicyArn")
		if err != nil {
			return nil, err
		}
		return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			ref, _, err := s.entity(ctx, tx, c.Account, k, p)
			if err != nil {
				return err
			}
			if _, err := s.findPolicy(ctx, tx, c.Account, arn); err != nil {
				return err
			}
			att, err := tx.ListAttachedPolicies(ctx, ref)
			if err != nil {
				return err
			}
			for _, a := range att {
				if a == arn {
					return nil
				}
			}
			if len(att) >= 10 {
				return awsapi.QuotaExceeded.Of("PoliciesPer"+strings.ToUpper(k.label[:1])+k.label[1:], 10)
			}
			return tx.AttachPolicy(ctx, ref, arn)
		})
	}
}

func (s *Service) detach(k entityKind) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		arn, err := required(p, "PolicyArn")
		if err != nil {
			return nil, err
		}
		return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			ref, _, err := s.entity(ctx, tx, c.Account, k, p)
			if err != nil {
				return err
			}
			if err := tx.DetachPolicy(ctx, ref, arn); errors.Is(err, store.ErrNotFound) {
				return awsapi.PolicyNotAttached.Of(arn)
			} else {
				return err
			}
		})
	}
}

func (s *Service) listAttached(k entityKind) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		out := struct {
			AttachedPolicies []xAttached `xml:"AttachedPolicies>member"`
			xPage
		}{}
		err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
			ref, _, err := s.entity(ctx, tx, c.Account, k, p)
			if err != nil {
				return err
			}
			arns, err := tx.ListAttachedPolicies(ctx, ref)
			if err != nil {
				return err
			}
			prefix := p.Get("PathPrefix")
			var all []xAttached
			for _, a := range arns {
				if prefix != "" && !strings.HasPrefix(policyPath(a), prefix) {
					continue
				}
				all = append(all, xAttached{PolicyName: a[strings.LastIndex(a, "/")+1:], PolicyArn: a})
			}
			sort.Slice(all, func(i, j int) bool { return strings.ToLower(all[i].PolicyName) < strings.ToLower(all[j].PolicyName) })
			out.AttachedPolicies, out.xPage, err = pageSlice(all, p, func(x xAttached) string { return x.PolicyName })
			return err
		})
		return out, err
	}
}

// policyPath is the path of a managed policy ARN (arn:aws:iam::A:policy/PATH/NAME → /PATH/).
func policyPath(policyArn string) string {
	a, err := arn.Parse(policyArn)
	if err != nil {
		return "/"
	}
	if typ, path, _ := a.IAMResource(); typ == "policy" {
		return path
	}
	return "/"
}

func (s *Service) putInline(k entityKind) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		pn, err := name(p, "PolicyName", 128)
		if err != nil {
			return nil, err
		}
		doc, _, err := document(p, "PolicyDocument", policy.Identity)
		if err != nil {
			return nil, err
		}
		return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			ref, en, err := s.entity(ctx, tx, c.Account, k, p)
			if err != nil {
				return err
			}
			existing, err := tx.ListInlinePolicies(ctx, ref)
			if err != nil {
				return err
			}
			total := policy.NonWhitespaceLen(doc)
			for _, e := range existing {
				if e.Name != pn {
					total += policy.NonWhitespaceLen(e.Document)
				}
			}
			if total > k.inlineMB {
				return awsapi.InlinePoliciesTooLarge.Of(k.inlineMB, k.label, en)
			}
			return tx.PutInlinePolicy(ctx, &store.InlinePolicy{Owner: ref, Name: pn, Document: doc})
		})
	}
}

func (s *Service) getInline(k entityKind) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		pn, err := name(p, "PolicyName", 128)
		if err != nil {
			return nil, err
		}
		var en, doc string
		err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
			var ref store.EntityRef
			ref, en, err = s.entity(ctx, tx, c.Account, k, p)
			if err != nil {
				return err
			}
			ip, err := tx.GetInlinePolicy(ctx, ref, pn)
			if errors.Is(err, store.ErrNotFound) {
				return awsapi.InlinePolicyNotFound.Of(k.label, pn)
			}
			if err == nil {
				doc = ip.Document
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		type result struct {
			UserName       string `xml:"UserName,omitempty"`
			GroupName      string `xml:"GroupName,omitempty"`
			RoleName       string `xml:"RoleName,omitempty"`
			PolicyName     string `xml:"PolicyName"`
			PolicyDocument string `xml:"PolicyDocument"`
		}
		r := result{PolicyName: pn, PolicyDocument: encodeDoc(doc)}
		switch k.kind {
		case store.KindUser:
			r.UserName = en
		case store.KindGroup:
			r.GroupName = en
		default:
			r.RoleName = en
		}
		return r, nil
	}
}

func (s *Service) listInline(k entityKind) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		out := struct {
			PolicyNames []string `xml:"PolicyNames>member"`
			xPage
		}{}
		err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
			ref, _, err := s.entity(ctx, tx, c.Account, k, p)
			if err != nil {
				return err
			}
			list, err := tx.ListInlinePolicies(ctx, ref)
			if err != nil {
				return err
			}
			var names []string
			for _, ip := range list {
				names = append(names, ip.Name)
			}
			sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
			out.PolicyNames, out.xPage, err = pageSlice(names, p, func(n string) string { return n })
			return err
		})
		return out, err
	}
}

func (s *Service) deleteInline(k entityKind) handler {
	return func(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
		pn, err := name(p, "PolicyName", 128)
		if err != nil {
			return nil, err
		}
		return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			ref, _, err := s.entity(ctx, tx, c.Account, k, p)
			if err != nil {
				return err
			}
			if err := tx.DeleteInlinePolicy(ctx, ref, pn); errors.Is(err, store.ErrNotFound) {
				return awsapi.InlinePolicyNotFound.Of(k.label, pn)
			} else {
				return err
			}
		})
	}
}

// awsPolicyID derives a stable ANPA… id for an AWS managed policy from its
// name (AWS's own ids are not published with the documents).
func awsPolicyID(name string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * 1099511628211
	}
	id := make([]byte, 0, 21)
	id = append(id, "ANPA"...)
	for i := 0; i < 17; i++ {
		id = append(id, alphabet[h%32])
		h = h/32 ^ uint64(i+1)*0x9E3779B97F4A7C15
	}
	return string(id)
}
