package iam

import (
	"net/url"

	"github.com/gatehouse/gatehouse/internal/authz"
)

// operations is the action table: for each IAM action, the resource it is
// authorized on and its handler.
func (s *Service) operations() map[string]op {
	acct := func(c *authz.Principal) string { return "arn:aws:iam::" + c.Account + ":" }
	named := func(kind, param string) func(*authz.Principal, url.Values) string {
		return func(c *authz.Principal, p url.Values) string {
			pth := p.Get("Path")
			if pth == "" {
				pth = "/"
			}
			return acct(c) + kind + pth + p.Get(param)
		}
	}
	user := named("user", "UserName")
	role := named("role", "RoleName")
	group := named("group", "GroupName")
	policyARN := func(c *authz.Principal, p url.Values) string { return p.Get("PolicyArn") }
	newPolicy := named("policy", "PolicyName")
	star := func(*authz.Principal, url.Values) string { return "*" }
	// A virtual MFA device's serial number is its ARN.
	serial := func(c *authz.Principal, p url.Values) string { return p.Get("SerialNumber") }
	self := func(c *authz.Principal, p url.Values) string {
		if p.Get("UserName") == "" {
			return c.ARN
		}
		return user(c, p)
	}
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

		"CreateVirtualMFADevice": {named("mfa", "VirtualMFADeviceName"), s.createVirtualMFADevice},
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

		"GetAccountAuthorizationDetails": {star, s.getAccountAuthorizationDetails},
		"GetAccountSummary":              {star, s.getAccountSummary},
	}
}
