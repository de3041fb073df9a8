package iam

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

var versionPattern = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)

// localPolicy loads a customer managed policy for modification; AWS
// managed policies cannot be modified.
func (s *Service) localPolicy(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (*store.ManagedPolicy, error) {
	arn, err := required(p, "PolicyArn")
	if err != nil {
		return nil, err
	}
	rp, err := s.findPolicy(ctx, tx, c.Account, arn)
	if err != nil {
		return nil, err
	}
	if rp.aws {
		return nil, awsapi.AWSManagedPolicyReadOnly.Of(arn)
	}
	return rp.local, nil
}

func versionParam(p url.Values) (string, error) {
	v, err := required(p, "VersionId")
	if err != nil {
		return "", err
	}
	if !versionPattern.MatchString(v) {
		return "", awsapi.ValueNotMatching.Of(v, "versionId", `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	}
	return v, nil
}

func (s *Service) createPolicyVersion(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	doc, err := managedDoc(p)
	if err != nil {
		return nil, err
	}
	setDefault := strings.EqualFold(p.Get("SetAsDefault"), "true")
	var out xPolicyVersion
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		mp, err := s.localPolicy(ctx, tx, c, p)
		if err != nil {
			return err
		}
		versions, err := tx.ListPolicyVersions(ctx, mp.ARN)
		if err != nil {
			return err
		}
		if len(versions) >= 5 {
			return awsapi.PolicyVersionsExceeded.Of()
		}
		now := s.now()
		v := &store.PolicyVersion{PolicyARN: mp.ARN, VersionID: "v" + strconv.Itoa(mp.NextVersion), Document: doc, CreatedAt: now}
		if err := tx.CreatePolicyVersion(ctx, v); err != nil {
			return err
		}
		mp.NextVersion++
		mp.UpdatedAt = now
		if setDefault {
			mp.DefaultVersionID = v.VersionID
		}
		out = xPolicyVersion{VersionId: v.VersionID, IsDefaultVersion: mp.DefaultVersionID == v.VersionID, CreateDate: isoTime(now)}
		return tx.UpdatePolicy(ctx, mp)
	})
	if err != nil {
		return nil, err
	}
	return struct {
		PolicyVersion xPolicyVersion `xml:"PolicyVersion"`
	}{out}, nil
}

func (s *Service) listPolicyVersions(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	arn, err := required(p, "PolicyArn")
	if err != nil {
		return nil, err
	}
	out := struct {
		Versions []xPolicyVersion `xml:"Versions>member"`
		xPage
	}{}
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		rp, err := s.findPolicy(ctx, tx, c.Account, arn)
		if err != nil {
			return err
		}
		if rp.aws {
			m, _ := s.cfg.Managed.Get(arn)
			out.Versions = []xPolicyVersion{{VersionId: m.DefaultVersionID, IsDefaultVersion: true, CreateDate: isoTime(m.UpdatedAt)}}
			return nil
		}
		versions, err := tx.ListPolicyVersions(ctx, arn)
		if err != nil {
			return err
		}
		// Newest first; the marker is the position reached.
		var all []xPolicyVersion
		for _, v := range versions {
			all = append(all, xPolicyVersion{VersionId: v.VersionID, IsDefaultVersion: v.VersionID == rp.local.DefaultVersionID, CreateDate: isoTime(v.CreatedAt)})
		}
		out.Versions, out.xPage, err = pageSlice(all, p, func(x xPolicyVersion) string { return versionKey(x.VersionId) })
		return err
	})
	return out, err
}

func (s *Service) deletePolicyVersion(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	vid, err := versionParam(p)
	if err != nil {
		return nil, err
	}
	return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		mp, err := s.localPolicy(ctx, tx, c, p)
		if err != nil {
			return err
		}
		if vid == mp.DefaultVersionID {
			return awsapi.DefaultVersionDeleteConflict.Of()
		}
		if err := tx.DeletePolicyVersion(ctx, mp.ARN, vid); errors.Is(err, store.ErrNotFound) {
			return awsapi.PolicyVersionNotFound.Of(mp.ARN, vid)
		} else if err != nil {
			return err
		}
		mp.UpdatedAt = s.now()
		return tx.UpdatePolicy(ctx, mp)
	})
}

func (s *Service) setDefaultPolicyVersion(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	vid, err := versionParam(p)
	if err != nil {
		return nil, err
	}
	return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		mp, err := s.localPolicy(ctx, tx, c, p)
		if err != nil {
			return err
		}
		if _, err := tx.GetPolicyVersion(ctx, mp.ARN, vid); errors.Is(err, store.ErrNotFound) {
			return awsapi.PolicyVersionNotFound.Of(mp.ARN, vid)
		} else if err != nil {
			return err
		}
		mp.DefaultVersionID, mp.UpdatedAt = vid, s.now()
		return tx.UpdatePolicy(ctx, mp)
	})
}

// listPolicies lists local and/or AWS managed policies in name order.
func (s *Service) listPolicies(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	after, limit, err := page(p)
	if err != nil {
		return nil, err
	}
	scope := p.Get("Scope")
	if scope == "" {
		scope = "All"
	}
	if scope != "All" && scope != "AWS" && scope != "Local" {
		return nil, awsapi.ValueNotInSet.Of(scope, "scope", "All, AWS, Local")
	}
	onlyAttached := strings.EqualFold(p.Get("OnlyAttached"), "true")
	usageFilter := p.Get("PolicyUsageFilter")
	if usageFilter != "" && usageFilter != "PermissionsPolicy" && usageFilter != "PermissionsBoundary" {
		return nil, awsapi.ValueNotInSet.Of(usageFilter, "policyUsageFilter", "PermissionsPolicy, PermissionsBoundary")
	}
	prefix := p.Get("PathPrefix")
	out := struct {
		Policies []xPolicy `xml:"Policies>member"`
		xPage
	}{}
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		usage, err := boundaryUsage(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		var all []xPolicy
		if scope != "AWS" {
			local, err := tx.ListPolicies(ctx, c.Account, store.ListQuery{PathPrefix: prefix})
			if err != nil {
				return err
			}
			for _, mp := range local {
				x, err := s.toXPolicy(ctx, tx, c.Account, mp)
				if err != nil {
					return err
				}
				x.Tags = nil
				all = append(all, x)
			}
		}
		if scope != "Local" {
			for _, m := range s.cfg.Managed.List(prefix) {
				n := 0
				if onlyAttached || usageFilter == "PermissionsPolicy" {
					ents, err := tx.ListPolicyAttachments(ctx, c.Account, m.ARN)
					if err != nil {
						return err
					}
					n = len(ents)
				}
				all = append(all, xPolicy{PolicyName: m.Name, PolicyId: awsPolicyID(m.Name), Arn: m.ARN, Path: m.Path,
					DefaultVersionId: m.DefaultVersionID, AttachmentCount: n, PermissionsBoundaryUsageCount: len(usage[m.ARN]),
					IsAttachable: true, CreateDate: isoTime(m.CreatedAt), UpdateDate: isoTime(m.UpdatedAt)})
			}
		}
		sortPolicies(all)
		for _, x := range all {
			// OnlyAttached: attached as a permissions policy or used as a
			// boundary; PolicyUsageFilter narrows to one of the two uses.
			used := x.AttachmentCount > 0 || x.PermissionsBoundaryUsageCount > 0
			switch usageFilter {
			case "PermissionsPolicy":
				used = x.AttachmentCount > 0
			case "PermissionsBoundary":
				used = x.PermissionsBoundaryUsageCount > 0
			}
			if (onlyAttached || usageFilter != "") && !used {
				continue
			}
			if after != "" && strings.ToLower(x.PolicyName) <= after {
				continue
			}
			if len(out.Policies) == limit {
				out.IsTruncated, out.Marker = true, marker(out.Policies[limit-1].PolicyName)
				break
			}
			out.Policies = append(out.Policies, x)
		}
		return nil
	})
	return out, err
}

// versionKey orders versions newest first as strings: v5 before v4 before … v1.
func versionKey(id string) string {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "v"))
	return fmt.Sprintf("%010d", 1<<31-n)
}
