package iam

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

func (s *Service) listEntitiesForPolicy(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	arn, err := required(p, "PolicyArn")
	if err != nil {
		return nil, err
	}
	filter := p.Get("EntityFilter")
	usageFilter := p.Get("PolicyUsageFilter")
	type xGroupRef struct {
		GroupName string `xml:"GroupName"`
		GroupId   string `xml:"GroupId"`
	}
	type xUserRef struct {
		UserName string `xml:"UserName"`
		UserId   string `xml:"UserId"`
	}
	type xRoleRef struct {
		RoleName string `xml:"RoleName"`
		RoleId   string `xml:"RoleId"`
	}
	out := struct {
		PolicyGroups []xGroupRef `xml:"PolicyGroups>member"`
		PolicyUsers  []xUserRef  `xml:"PolicyUsers>member"`
		PolicyRoles  []xRoleRef  `xml:"PolicyRoles>member"`
		xPage
	}{}
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		if _, err := s.findPolicy(ctx, tx, c.Account, arn); err != nil {
			return err
		}
		var ents []store.EntityRef
		if usageFilter != "PermissionsBoundary" {
			attached, err := tx.ListPolicyAttachments(ctx, c.Account, arn)
			if err != nil {
				return err
			}
			ents = append(ents, attached...)
		}
		if usageFilter != "PermissionsPolicy" {
			usage, err := boundaryUsage(ctx, tx, c.Account)
			if err != nil {
				return err
			}
			for _, e := range usage[arn] {
				dup := false
				for _, x := range ents {
					dup = dup || x == e
				}
				if !dup {
					ents = append(ents, e)
				}
			}
		}
		for _, e := range ents {
			switch e.Kind {
			case store.KindUser:
				if u, err := tx.GetUserByID(ctx, c.Account, e.ID); err == nil && (filter == "" || filter == "User") {
					out.PolicyUsers = append(out.PolicyUsers, xUserRef{u.Name, u.ID})
				}
			case store.KindGroup:
				if g, err := tx.GetGroupByID(ctx, c.Account, e.ID); err == nil && (filter == "" || filter == "Group") {
					out.PolicyGroups = append(out.PolicyGroups, xGroupRef{g.Name, g.ID})
				}
			case store.KindRole:
				if r, err := tx.GetRoleByID(ctx, c.Account, e.ID); err == nil && (filter == "" || filter == "Role") {
					out.PolicyRoles = append(out.PolicyRoles, xRoleRef{r.Name, r.ID})
				}
			}
		}
		return nil
	})
	return out, err
}

type xInlineDetail struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type xUserDetail struct {
	Path                    string          `xml:"Path"`
	UserName                string          `xml:"UserName"`
	UserId                  string          `xml:"UserId"`
	Arn                     string          `xml:"Arn"`
	CreateDate              string          `xml:"CreateDate"`
	UserPolicyList          []xInlineDetail `xml:"UserPolicyList>member"`
	GroupList               []string        `xml:"GroupList>member"`
	AttachedManagedPolicies []xAttached     `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary     *xBoundary      `xml:"PermissionsBoundary,omitempty"`
	Tags                    xTags           `xml:"Tags,omitempty"`
}

type xGroupDetail struct {
	Path                    string          `xml:"Path"`
	GroupName               string          `xml:"GroupName"`
	GroupId                 string          `xml:"GroupId"`
	Arn                     string          `xml:"Arn"`
	CreateDate              string          `xml:"CreateDate"`
	GroupPolicyList         []xInlineDetail `xml:"GroupPolicyList>member"`
	AttachedManagedPolicies []xAttached     `xml:"AttachedManagedPolicies>member"`
}

type xRoleDetail struct {
	Path                     string          `xml:"Path"`
	RoleName                 string          `xml:"RoleName"`
	RoleId                   string          `xml:"RoleId"`
	Arn                      string          `xml:"Arn"`
	CreateDate               string          `xml:"CreateDate"`
	AssumeRolePolicyDocument string          `xml:"AssumeRolePolicyDocument"`
	RolePolicyList           []xInlineDetail `xml:"RolePolicyList>member"`
	AttachedManagedPolicies  []xAttached     `xml:"AttachedManagedPolicies>member"`
	PermissionsBoundary      *xBoundary      `xml:"PermissionsBoundary,omitempty"`
	Tags                     xTags           `xml:"Tags,omitempty"`
}

type xPolicyDetail struct {
	xPolicy
	PolicyVersionList []xPolicyVersion `xml:"PolicyVersionList>member"`
}

func inlineDetails(ctx context.Context, tx store.Tx, ref store.EntityRef) ([]xInlineDetail, []xAttached, error) {
	inline, err := tx.ListInlinePolicies(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	var in []xInlineDetail
	for _, ip := range inline {
		in = append(in, xInlineDetail{ip.Name, encodeDoc(ip.Document)})
	}
	arns, err := tx.ListAttachedPolicies(ctx, ref)
	var att []xAttached
	for _, a := range arns {
		att = append(att, xAttached{PolicyName: a[strings.LastIndex(a, "/")+1:], PolicyArn: a})
	}
	return in, att, err
}

// getAccountAuthorizationDetails returns every user, group, role and local
// policy of the account with their policies (one page; MaxItems bounds each
// list).
func (s *Service) getAccountAuthorizationDetails(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	want := map[string]bool{}
	for i := 1; ; i++ {
		v := p.Get("Filter.member." + itoa(i))
		if v == "" {
			break
		}
		want[v] = true
	}
	all := len(want) == 0
	out := struct {
		UserDetailList  []xUserDetail   `xml:"UserDetailList>member"`
		GroupDetailList []xGroupDetail  `xml:"GroupDetailList>member"`
		RoleDetailList  []xRoleDetail   `xml:"RoleDetailList>member"`
		Policies        []xPolicyDetail `xml:"Policies>member"`
		xPage
	}{}
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		if all || want["User"] {
			users, err := tx.ListUsers(ctx, c.Account, store.ListQuery{})
			if err != nil {
				return err
			}
			for _, u := range users {
				in, att, err := inlineDetails(ctx, tx, store.EntityRef{Account: c.Account, Kind: store.KindUser, ID: u.ID})
				if err != nil {
					return err
				}
				d := xUserDetail{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: userARN(u), CreateDate: isoTime(u.CreatedAt),
					UserPolicyList: in, AttachedManagedPolicies: att, Tags: toXTags(u.Tags)}
				if u.PermissionsBoundary != "" {
					d.PermissionsBoundary = &xBoundary{"PermissionsBoundaryPolicy", u.PermissionsBoundary}
				}
				groups, err := tx.ListGroupsForUser(ctx, c.Account, u.ID, store.ListQuery{})
				if err != nil {
					return err
				}
				for _, g := range groups {
					d.GroupList = append(d.GroupList, g.Name)
				}
				out.UserDetailList = append(out.UserDetailList, d)
			}
		}
		if all || want["Group"] {
			groups, err := tx.ListGroups(ctx, c.Account, store.ListQuery{})
			if err != nil {
				return err
			}
			for _, g := range groups {
				in, att, err := inlineDetails(ctx, tx, store.EntityRef{Account: c.Account, Kind: store.KindGroup, ID: g.ID})
				if err != nil {
					return err
				}
				out.GroupDetailList = append(out.GroupDetailList, xGroupDetail{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: groupARN(g),
					CreateDate: isoTime(g.CreatedAt), GroupPolicyList: in, AttachedManagedPolicies: att})
			}
		}
		if all || want["Role"] {
			roles, err := tx.ListRoles(ctx, c.Account, store.ListQuery{})
			if err != nil {
				return err
			}
			for _, r := range roles {
				in, att, err := inlineDetails(ctx, tx, store.EntityRef{Account: c.Account, Kind: store.KindRole, ID: r.ID})
				if err != nil {
					return err
				}
				if r, err = shownRole(ctx, tx, r); err != nil {
					return err
				}
				d := xRoleDetail{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: roleARN(r), CreateDate: isoTime(r.CreatedAt),
					AssumeRolePolicyDocument: encodeDoc(r.AssumeRolePolicy), RolePolicyList: in, AttachedManagedPolicies: att, Tags: toXTags(r.Tags)}
				if r.PermissionsBoundary != "" {
					d.PermissionsBoundary = &xBoundary{"PermissionsBoundaryPolicy", r.PermissionsBoundary}
				}
				out.RoleDetailList = append(out.RoleDetailList, d)
			}
		}
		if all || want["LocalManagedPolicy"] {
			policies, err := tx.ListPolicies(ctx, c.Account, store.ListQuery{})
			if err != nil {
				return err
			}
			for _, mp := range policies {
				x, err := s.toXPolicy(ctx, tx, c.Account, mp)
				if err != nil {
					return err
				}
				x.Tags = nil
				d := xPolicyDetail{xPolicy: x}
				versions, err := tx.ListPolicyVersions(ctx, mp.ARN)
				if err != nil {
					return err
				}
				for _, v := range versions {
					d.PolicyVersionList = append(d.PolicyVersionList, xPolicyVersion{Document: encodeDoc(v.Document), VersionId: v.VersionID,
						IsDefaultVersion: v.VersionID == mp.DefaultVersionID, CreateDate: isoTime(v.CreatedAt)})
				}
				out.Policies = append(out.Policies, d)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// One page over the four lists taken in order; the marker is the
	// position reached.
	after, limit, err := page(p)
	if err != nil {
		return nil, err
	}
	offset := 0
	if after != "" {
		if offset, err = strconv.Atoi(after); err != nil || offset < 0 {
			return nil, awsapi.InvalidMarker.Of()
		}
	}
	taken, pos := 0, 0
	out.UserDetailList = takeRange(out.UserDetailList, offset, limit, &pos, &taken)
	out.GroupDetailList = takeRange(out.GroupDetailList, offset, limit, &pos, &taken)
	out.RoleDetailList = takeRange(out.RoleDetailList, offset, limit, &pos, &taken)
	out.Policies = takeRange(out.Policies, offset, limit, &pos, &taken)
	if pos > offset+taken {
		out.IsTruncated, out.Marker = true, marker(strconv.Itoa(offset+taken))
	}
	return out, err
}

// getAccountSummary answers with every key AWS's GetAccountSummary returns
// (the AWS CLI's example output), usage counted from the store and quotas
// as Gatehouse enforces them or, for what Gatehouse does not model
// (instance profiles, server and signing certificates), as AWS's defaults.
// AccountPasswordPresent, a valid key AWS leaves out of that output, is not
// sent: the root has no password here.
func (s *Service) getAccountSummary(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	type entry struct {
		Key   string `xml:"key"`
		Value int    `xml:"value"`
	}
	var users, groups, roles, policies, mfaDevices, mfaInUse, rootMFA, providers, attachments, rootKeys int
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if users, err = tx.CountUsers(ctx, c.Account); err != nil {
			return err
		}
		if groups, err = tx.CountGroups(ctx, c.Account); err != nil {
			return err
		}
		if roles, err = tx.CountRoles(ctx, c.Account); err != nil {
			return err
		}
		if policies, err = tx.CountPolicies(ctx, c.Account); err != nil {
			return err
		}
		devices, err := tx.ListMFADevices(ctx, c.Account)
		if err != nil {
			return err
		}
		for _, d := range devices {
			mfaDevices++
			if d.UserID != "" {
				mfaInUse++
			}
			if d.UserID == store.MFARootUser {
				rootMFA = 1
			}
		}
		if providers, err = tx.CountSAMLProviders(ctx, c.Account); err != nil {
			return err
		}
		oidc, err := tx.ListOIDCProviders(ctx, c.Account)
		if err != nil {
			return err
		}
		providers += len(oidc)
		keys, err := tx.ListAccessKeys(ctx, c.Account, "")
		if err != nil {
			return err
		}
		rootKeys = len(keys)
		attachments, err = countAttachments(ctx, tx, c.Account)
		return err
	})
	if err != nil {
		return nil, err
	}
	present := func(n int) int { return min(n, 1) }
	return struct {
		SummaryMap []entry `xml:"SummaryMap>entry"`
	}{[]entry{
		{"Users", users}, {"UsersQuota", 5000}, {"Groups", groups}, {"GroupsQuota", 300}, {"Roles", roles}, {"RolesQuota", 1000},
		{"Policies", policies}, {"PoliciesQuota", 1500}, {"PolicySizeQuota", 6144}, {"VersionsPerPolicyQuota", 5},
		// Each attachment of a managed policy puts its default version in use.
		{"PolicyVersionsInUse", attachments}, {"PolicyVersionsInUseQuota", 10000},
		{"UserPolicySizeQuota", 2048}, {"GroupPolicySizeQuota", 5120}, {"RolePolicySizeQuota", 10240}, {"AssumeRolePolicySizeQuota", 2048},
		{"GroupsPerUserQuota", 10}, {"AttachedPoliciesPerUserQuota", 10}, {"AttachedPoliciesPerRoleQuota", 10},
		{"AttachedPoliciesPerGroupQuota", 10}, {"AccessKeysPerUserQuota", 2}, {"SigningCertificatesPerUserQuota", 2},
		{"InstanceProfiles", 0}, {"InstanceProfilesQuota", 1000}, {"ServerCertificates", 0}, {"ServerCertificatesQuota", 20},
		{"Providers", providers},
		// The root has no signing certificate here; its access keys are
		// the account's.
		{"MFADevices", mfaDevices}, {"MFADevicesInUse", mfaInUse}, {"AccountMFAEnabled", rootMFA},
		{"AccountAccessKeysPresent", present(rootKeys)}, {"AccountSigningCertificatesPresent", 0},
		// Session tokens of the global STS endpoint are AWS's v1 tokens
		// unless the account asks for v2.
		{"GlobalEndpointTokenVersion", 1},
	}}, nil
}

// countAttachments counts the managed policies attached to the account's
// users, groups and roles.
func countAttachments(ctx context.Context, tx store.Tx, account string) (int, error) {
	var refs []store.EntityRef
	users, err := tx.ListUsers(ctx, account, store.ListQuery{})
	if err != nil {
		return 0, err
	}
	for _, u := range users {
		refs = append(refs, store.EntityRef{Account: account, Kind: store.KindUser, ID: u.ID})
	}
	groups, err := tx.ListGroups(ctx, account, store.ListQuery{})
	if err != nil {
		return 0, err
	}
	for _, g := range groups {
		refs = append(refs, store.EntityRef{Account: account, Kind: store.KindGroup, ID: g.ID})
	}
	roles, err := tx.ListRoles(ctx, account, store.ListQuery{})
	if err != nil {
		return 0, err
	}
	for _, r := range roles {
		refs = append(refs, store.EntityRef{Account: account, Kind: store.KindRole, ID: r.ID})
	}
	n := 0
	for _, ref := range refs {
		arns, err := tx.ListAttachedPolicies(ctx, ref)
		if err != nil {
			return 0, err
		}
		n += len(arns)
	}
	return n, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// takeRange keeps the items of list whose overall position (counted across
// several lists by pos) is in [offset, offset+limit); taken counts the kept
// items. pos ends past every item seen, so pos > offset+taken means more
// items follow the page.
func takeRange[T any](list []T, offset, limit int, pos, taken *int) []T {
	var out []T
	for _, it := range list {
		if *pos >= offset && *taken < limit {
			out = append(out, it)
			*taken++
		}
		*pos++
	}
	return out
}
