package iam

import (
	"context"
	"errors"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/store"
)

// operations is the action table: for each IAM action, how to find the
// resource it is authorized on and its handler. Resources are resolved
// against the store, so an ARN carries the entity's real path (a Deny on
// arn:aws:iam::A:user/admins/* covers user boss at /admins/ whatever path
// the request names).
func (s *Service) operations() map[string]op {
	user := entity{kind: "user", param: "UserName"}
	role := entity{kind: "role", param: "RoleName"}
	group := entity{kind: "group", param: "GroupName"}
	policyARN := param("PolicyArn")
	newPolicy := entity{kind: "policy", param: "PolicyName"}
	star := param("")
	// A virtual MFA device's serial number is its ARN.
	serial := param("SerialNumber")
	self := entity{kind: "user", param: "UserName", self: true}
	newMFA := entity{kind: "mfa", param: "VirtualMFADeviceName"}
	// An OIDC provider's ARN is a parameter; a new one's comes from its Url.
	provider := param("OpenIDConnectProviderArn")
	newProvider := providerURL{}
	newSAML := entity{kind: "saml-provider", param: "Name"}
	samlARN := param("SAMLProviderArn")
	return map[string]op{
		"CreateUser":           {user, s.createUser},
		"GetUser":              {self, s.getUserOp},
		"ListUsers":            {star, s.listUsers},
		"UpdateUser":           {user, s.updateUser},
		"DeleteUser":           {user, s.deleteUser},
		"CreateAccessKey":      {self, s.createAccessKey},
		"ListAccessKeys":       {self, s.listAccessKeys},
		"UpdateAccessKey":      {self, s.updateAccessKey},
		"DeleteAccessKey":      {self, s.deleteAccessKey},
		"GetAccessKeyLastUsed": {star, s.getAccessKeyLastUsed},

		"CreateRole":             {role, s.createRole},
		"GetRole":                {role, s.getRoleOp},
		"ListRoles":              {star, s.listRoles},
		"UpdateRole":             {role, s.updateRole},
		"UpdateAssumeRolePolicy": {role, s.updateAssumeRolePolicy},
		"DeleteRole":             {role, s.deleteRole},

		"CreatePolicy":     {newPolicy, s.createPolicy},
		"GetPolicy":        {policyARN, s.getPolicyOp},
		"GetPolicyVersion": {policyARN, s.getPolicyVersion},
		"DeletePolicy":     {policyARN, s.deletePolicy},

		"AttachUserPolicy":          {user, s.attach(userKind)},
		"AttachRolePolicy":          {role, s.attach(roleKind)},
		"AttachGroupPolicy":         {group, s.attach(groupKind)},
		"DetachUserPolicy":          {user, s.detach(userKind)},
		"DetachRolePolicy":          {role, s.detach(roleKind)},
		"DetachGroupPolicy":         {group, s.detach(groupKind)},
		"ListAttachedUserPolicies":  {user, s.listAttached(userKind)},
		"ListAttachedRolePolicies":  {role, s.listAttached(roleKind)},
		"ListAttachedGroupPolicies": {group, s.listAttached(groupKind)},
		"PutUserPolicy":             {user, s.putInline(userKind)},
		"PutRolePolicy":             {role, s.putInline(roleKind)},
		"PutGroupPolicy":            {group, s.putInline(groupKind)},
		"GetUserPolicy":             {user, s.getInline(userKind)},
		"GetRolePolicy":             {role, s.getInline(roleKind)},
		"GetGroupPolicy":            {group, s.getInline(groupKind)},
		"ListUserPolicies":          {user, s.listInline(userKind)},
		"ListRolePolicies":          {role, s.listInline(roleKind)},
		"ListGroupPolicies":         {group, s.listInline(groupKind)},
		"DeleteUserPolicy":          {user, s.deleteInline(userKind)},
		"DeleteRolePolicy":          {role, s.deleteInline(roleKind)},
		"DeleteGroupPolicy":         {group, s.deleteInline(groupKind)},

		"CreateGroup":         {group, s.createGroup},
		"GetGroup":            {group, s.getGroupOp},
		"ListGroups":          {star, s.listGroups},
		"ListGroupsForUser":   {user, s.listGroups},
		"UpdateGroup":         {group, s.updateGroup},
		"DeleteGroup":         {group, s.deleteGroup},
		"AddUserToGroup":      {group, s.membership(true)},
		"RemoveUserFromGroup": {group, s.membership(false)},

		"CreatePolicyVersion":     {policyARN, s.createPolicyVersion},
		"ListPolicyVersions":      {policyARN, s.listPolicyVersions},
		"DeletePolicyVersion":     {policyARN, s.deletePolicyVersion},
		"SetDefaultPolicyVersion": {policyARN, s.setDefaultPolicyVersion},
		"ListPolicies":            {star, s.listPolicies},
		"ListEntitiesForPolicy":   {policyARN, s.listEntitiesForPolicy},

		"TagUser":        {user, s.tagEntity(s.userTags())},
		"UntagUser":      {user, s.untagEntity(s.userTags())},
		"ListUserTags":   {user, s.listEntityTags(s.userTags())},
		"TagRole":        {role, s.tagEntity(s.roleTags())},
		"UntagRole":      {role, s.untagEntity(s.roleTags())},
		"ListRoleTags":   {role, s.listEntityTags(s.roleTags())},
		"TagPolicy":      {policyARN, s.tagEntity(s.policyTags())},
		"UntagPolicy":    {policyARN, s.untagEntity(s.policyTags())},
		"ListPolicyTags": {policyARN, s.listEntityTags(s.policyTags())},

		"PutUserPermissionsBoundary":    {user, s.putBoundary(userKind)},
		"DeleteUserPermissionsBoundary": {user, s.deleteBoundary(userKind)},
		"PutRolePermissionsBoundary":    {role, s.putBoundary(roleKind)},
		"DeleteRolePermissionsBoundary": {role, s.deleteBoundary(roleKind)},
		"UpdateRoleDescription":         {role, s.updateRoleDescription},

		"CreateVirtualMFADevice": {newMFA, s.createVirtualMFADevice},
		"DeleteVirtualMFADevice": {serial, s.deleteVirtualMFADevice},
		"ListVirtualMFADevices":  {star, s.listVirtualMFADevices},
		"EnableMFADevice":        {user, s.enableMFADevice},
		"ResyncMFADevice":        {user, s.resyncMFADevice},
		"DeactivateMFADevice":    {self, s.deactivateMFADevice},
		"ListMFADevices":         {self, s.listMFADevices},
		"GetMFADevice":           {self, s.getMFADevice},
		"TagMFADevice":           {serial, s.tagEntity(s.mfaDeviceTags())},
		"UntagMFADevice":         {serial, s.untagEntity(s.mfaDeviceTags())},
		"ListMFADeviceTags":      {serial, s.listEntityTags(s.mfaDeviceTags())},

		"CreateOpenIDConnectProvider":             {newProvider, s.createOIDCProvider},
		"GetOpenIDConnectProvider":                {provider, s.getOIDCProviderOp},
		"ListOpenIDConnectProviders":              {star, s.listOIDCProviders},
		"DeleteOpenIDConnectProvider":             {provider, s.deleteOIDCProvider},
		"UpdateOpenIDConnectProviderThumbprint":   {provider, s.updateOIDCThumbprints},
		"AddClientIDToOpenIDConnectProvider":      {provider, s.addOIDCClientID},
		"RemoveClientIDFromOpenIDConnectProvider": {provider, s.removeOIDCClientID},
		"TagOpenIDConnectProvider":                {provider, s.tagEntity(s.oidcProviderTags())},
		"UntagOpenIDConnectProvider":              {provider, s.untagEntity(s.oidcProviderTags())},
		"ListOpenIDConnectProviderTags":           {provider, s.listEntityTags(s.oidcProviderTags())},

		"CreateSAMLProvider":   {newSAML, s.createSAMLProvider},
		"GetSAMLProvider":      {samlARN, s.getSAMLProviderOp},
		"ListSAMLProviders":    {star, s.listSAMLProviders},
		"UpdateSAMLProvider":   {samlARN, s.updateSAMLProvider},
		"DeleteSAMLProvider":   {samlARN, s.deleteSAMLProvider},
		"TagSAMLProvider":      {samlARN, s.tagEntity(s.samlProviderTags())},
		"UntagSAMLProvider":    {samlARN, s.untagEntity(s.samlProviderTags())},
		"ListSAMLProviderTags": {samlARN, s.listEntityTags(s.samlProviderTags())},

		"GetAccountAuthorizationDetails": {star, s.getAccountAuthorizationDetails},
		"GetAccountSummary":              {star, s.getAccountSummary},
	}
}

// target finds the ARN an action is authorized on.
type target interface {
	arn(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (string, error)
}

// param: the ARN is a request parameter ("" = the action's resource is "*").
type param string

func (n param) arn(_ context.Context, _ store.Tx, _ *authz.Principal, p url.Values) (string, error) {
	if n == "" {
		return "*", nil
	}
	return p.Get(string(n)), nil
}

// entity: a user, role, group, policy or MFA device of the caller's account
// named by a parameter. An existing user, role or group is read for its
// real path and name; a new or missing one is named with the Path
// parameter (default "/"). self: without the parameter, the caller itself.
type entity struct {
	kind, param string
	self        bool
}

func (e entity) arn(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (string, error) {
	name := p.Get(e.param)
	if name == "" && e.self {
		return c.ARN, nil
	}
	path := p.Get("Path")
	if path == "" {
		path = "/"
	}
	if name != "" {
		var err error
		switch e.kind {
		case "user":
			var u *store.User
			if u, err = tx.GetUser(ctx, c.Account, name); err == nil {
				path, name = u.Path, u.Name
			}
		case "role":
			var r *store.Role
			if r, err = tx.GetRole(ctx, c.Account, name); err == nil {
				path, name = r.Path, r.Name
			}
		case "group":
			var g *store.Group
			if g, err = tx.GetGroup(ctx, c.Account, name); err == nil {
				path, name = g.Path, g.Name
			}
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	return "arn:aws:iam::" + c.Account + ":" + e.kind + path + name, nil
}
