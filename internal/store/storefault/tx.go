// The methods below were written from the store.Tx interface by a one-off
// script and are kept by hand: each counts the call, may fail or pause it,
// and otherwise delegates to the wrapped Tx with the same arguments.

package storefault

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// tx is a store.Tx whose every method goes through Store.call.
type tx struct {
	inner store.Tx
	s     *Store
}

var _ store.Tx = (*tx)(nil)

// Accounts

func (ft *tx) CreateAccount(ctx context.Context, a *store.Account) error {
	return ft.s.call(ctx, "CreateAccount", func() error { return ft.inner.CreateAccount(ctx, a) })
}

func (ft *tx) GetAccount(ctx context.Context, id string) (r *store.Account, err error) {
	err = ft.s.call(ctx, "GetAccount", func() error {
		var e error
		r, e = ft.inner.GetAccount(ctx, id)
		return e
	})
	return r, err
}

func (ft *tx) ListAccounts(ctx context.Context) (r []*store.Account, err error) {
	err = ft.s.call(ctx, "ListAccounts", func() error {
		var e error
		r, e = ft.inner.ListAccounts(ctx)
		return e
	})
	return r, err
}

// Users

func (ft *tx) CreateUser(ctx context.Context, u *store.User) error {
	return ft.s.call(ctx, "CreateUser", func() error { return ft.inner.CreateUser(ctx, u) })
}

func (ft *tx) GetUser(ctx context.Context, account, name string) (r *store.User, err error) {
	err = ft.s.call(ctx, "GetUser", func() error {
		var e error
		r, e = ft.inner.GetUser(ctx, account, name)
		return e
	})
	return r, err
}

func (ft *tx) GetUserByID(ctx context.Context, account, id string) (r *store.User, err error) {
	err = ft.s.call(ctx, "GetUserByID", func() error {
		var e error
		r, e = ft.inner.GetUserByID(ctx, account, id)
		return e
	})
	return r, err
}

func (ft *tx) ListUsers(ctx context.Context, account string, q store.ListQuery) (r []*store.User, err error) {
	err = ft.s.call(ctx, "ListUsers", func() error {
		var e error
		r, e = ft.inner.ListUsers(ctx, account, q)
		return e
	})
	return r, err
}

func (ft *tx) UpdateUser(ctx context.Context, u *store.User) error {
	return ft.s.call(ctx, "UpdateUser", func() error { return ft.inner.UpdateUser(ctx, u) })
}

func (ft *tx) DeleteUser(ctx context.Context, account, id string) error {
	return ft.s.call(ctx, "DeleteUser", func() error { return ft.inner.DeleteUser(ctx, account, id) })
}

func (ft *tx) CountUsers(ctx context.Context, account string) (r int, err error) {
	err = ft.s.call(ctx, "CountUsers", func() error {
		var e error
		r, e = ft.inner.CountUsers(ctx, account)
		return e
	})
	return r, err
}

// Groups

func (ft *tx) CreateGroup(ctx context.Context, g *store.Group) error {
	return ft.s.call(ctx, "CreateGroup", func() error { return ft.inner.CreateGroup(ctx, g) })
}

func (ft *tx) GetGroup(ctx context.Context, account, name string) (r *store.Group, err error) {
	err = ft.s.call(ctx, "GetGroup", func() error {
		var e error
		r, e = ft.inner.GetGroup(ctx, account, name)
		return e
	})
	return r, err
}

func (ft *tx) GetGroupByID(ctx context.Context, account, id string) (r *store.Group, err error) {
	err = ft.s.call(ctx, "GetGroupByID", func() error {
		var e error
		r, e = ft.inner.GetGroupByID(ctx, account, id)
		return e
	})
	return r, err
}

func (ft *tx) ListGroups(ctx context.Context, account string, q store.ListQuery) (r []*store.Group, err error) {
	err = ft.s.call(ctx, "ListGroups", func() error {
		var e error
		r, e = ft.inner.ListGroups(ctx, account, q)
		return e
	})
	return r, err
}

func (ft *tx) UpdateGroup(ctx context.Context, g *store.Group) error {
	return ft.s.call(ctx, "UpdateGroup", func() error { return ft.inner.UpdateGroup(ctx, g) })
}

func (ft *tx) DeleteGroup(ctx context.Context, account, id string) error {
	return ft.s.call(ctx, "DeleteGroup", func() error { return ft.inner.DeleteGroup(ctx, account, id) })
}

func (ft *tx) CountGroups(ctx context.Context, account string) (r int, err error) {
	err = ft.s.call(ctx, "CountGroups", func() error {
		var e error
		r, e = ft.inner.CountGroups(ctx, account)
		return e
	})
	return r, err
}

func (ft *tx) AddUserToGroup(ctx context.Context, account, groupID, userID string) error {
	return ft.s.call(ctx, "AddUserToGroup", func() error { return ft.inner.AddUserToGroup(ctx, account, groupID, userID) })
}

func (ft *tx) RemoveUserFromGroup(ctx context.Context, account, groupID, userID string) error {
	return ft.s.call(ctx, "RemoveUserFromGroup", func() error { return ft.inner.RemoveUserFromGroup(ctx, account, groupID, userID) })
}

func (ft *tx) ListGroupMembers(ctx context.Context, account, groupID string, q store.ListQuery) (r []*store.User, err error) {
	err = ft.s.call(ctx, "ListGroupMembers", func() error {
		var e error
		r, e = ft.inner.ListGroupMembers(ctx, account, groupID, q)
		return e
	})
	return r, err
}

func (ft *tx) ListGroupsForUser(ctx context.Context, account, userID string, q store.ListQuery) (r []*store.Group, err error) {
	err = ft.s.call(ctx, "ListGroupsForUser", func() error {
		var e error
		r, e = ft.inner.ListGroupsForUser(ctx, account, userID, q)
		return e
	})
	return r, err
}

// Roles

func (ft *tx) CreateRole(ctx context.Context, r *store.Role) error {
	return ft.s.call(ctx, "CreateRole", func() error { return ft.inner.CreateRole(ctx, r) })
}

func (ft *tx) GetRole(ctx context.Context, account, name string) (r *store.Role, err error) {
	err = ft.s.call(ctx, "GetRole", func() error {
		var e error
		r, e = ft.inner.GetRole(ctx, account, name)
		return e
	})
	return r, err
}

func (ft *tx) GetRoleByID(ctx context.Context, account, id string) (r *store.Role, err error) {
	err = ft.s.call(ctx, "GetRoleByID", func() error {
		var e error
		r, e = ft.inner.GetRoleByID(ctx, account, id)
		return e
	})
	return r, err
}

func (ft *tx) ListRoles(ctx context.Context, account string, q store.ListQuery) (r []*store.Role, err error) {
	err = ft.s.call(ctx, "ListRoles", func() error {
		var e error
		r, e = ft.inner.ListRoles(ctx, account, q)
		return e
	})
	return r, err
}

func (ft *tx) UpdateRole(ctx context.Context, r *store.Role) error {
	return ft.s.call(ctx, "UpdateRole", func() error { return ft.inner.UpdateRole(ctx, r) })
}

func (ft *tx) DeleteRole(ctx context.Context, account, id string) error {
	return ft.s.call(ctx, "DeleteRole", func() error { return ft.inner.DeleteRole(ctx, account, id) })
}

func (ft *tx) CountRoles(ctx context.Context, account string) (r int, err error) {
	err = ft.s.call(ctx, "CountRoles", func() error {
		var e error
		r, e = ft.inner.CountRoles(ctx, account)
		return e
	})
	return r, err
}

func (ft *tx) TouchRole(ctx context.Context, account, id string, at time.Time, region string) error {
	return ft.s.call(ctx, "TouchRole", func() error { return ft.inner.TouchRole(ctx, account, id, at, region) })
}

// Policies

func (ft *tx) CreatePolicy(ctx context.Context, p *store.ManagedPolicy, first *store.PolicyVersion) error {
	return ft.s.call(ctx, "CreatePolicy", func() error { return ft.inner.CreatePolicy(ctx, p, first) })
}

func (ft *tx) GetPolicy(ctx context.Context, arn string) (r *store.ManagedPolicy, err error) {
	err = ft.s.call(ctx, "GetPolicy", func() error {
		var e error
		r, e = ft.inner.GetPolicy(ctx, arn)
		return e
	})
	return r, err
}

func (ft *tx) ListPolicies(ctx context.Context, account string, q store.ListQuery) (r []*store.ManagedPolicy, err error) {
	err = ft.s.call(ctx, "ListPolicies", func() error {
		var e error
		r, e = ft.inner.ListPolicies(ctx, account, q)
		return e
	})
	return r, err
}

func (ft *tx) UpdatePolicy(ctx context.Context, p *store.ManagedPolicy) error {
	return ft.s.call(ctx, "UpdatePolicy", func() error { return ft.inner.UpdatePolicy(ctx, p) })
}

func (ft *tx) DeletePolicy(ctx context.Context, arn string) error {
	return ft.s.call(ctx, "DeletePolicy", func() error { return ft.inner.DeletePolicy(ctx, arn) })
}

func (ft *tx) CountPolicies(ctx context.Context, account string) (r int, err error) {
	err = ft.s.call(ctx, "CountPolicies", func() error {
		var e error
		r, e = ft.inner.CountPolicies(ctx, account)
		return e
	})
	return r, err
}

func (ft *tx) CreatePolicyVersion(ctx context.Context, v *store.PolicyVersion) error {
	return ft.s.call(ctx, "CreatePolicyVersion", func() error { return ft.inner.CreatePolicyVersion(ctx, v) })
}

func (ft *tx) GetPolicyVersion(ctx context.Context, arn, versionID string) (r *store.PolicyVersion, err error) {
	err = ft.s.call(ctx, "GetPolicyVersion", func() error {
		var e error
		r, e = ft.inner.GetPolicyVersion(ctx, arn, versionID)
		return e
	})
	return r, err
}

func (ft *tx) ListPolicyVersions(ctx context.Context, arn string) (r []*store.PolicyVersion, err error) {
	err = ft.s.call(ctx, "ListPolicyVersions", func() error {
		var e error
		r, e = ft.inner.ListPolicyVersions(ctx, arn)
		return e
	})
	return r, err
}

func (ft *tx) DeletePolicyVersion(ctx context.Context, arn, versionID string) error {
	return ft.s.call(ctx, "DeletePolicyVersion", func() error { return ft.inner.DeletePolicyVersion(ctx, arn, versionID) })
}

// InlinePolicies

func (ft *tx) PutInlinePolicy(ctx context.Context, p *store.InlinePolicy) error {
	return ft.s.call(ctx, "PutInlinePolicy", func() error { return ft.inner.PutInlinePolicy(ctx, p) })
}

func (ft *tx) GetInlinePolicy(ctx context.Context, owner store.EntityRef, name string) (r *store.InlinePolicy, err error) {
	err = ft.s.call(ctx, "GetInlinePolicy", func() error {
		var e error
		r, e = ft.inner.GetInlinePolicy(ctx, owner, name)
		return e
	})
	return r, err
}

func (ft *tx) ListInlinePolicies(ctx context.Context, owner store.EntityRef) (r []*store.InlinePolicy, err error) {
	err = ft.s.call(ctx, "ListInlinePolicies", func() error {
		var e error
		r, e = ft.inner.ListInlinePolicies(ctx, owner)
		return e
	})
	return r, err
}

func (ft *tx) DeleteInlinePolicy(ctx context.Context, owner store.EntityRef, name string) error {
	return ft.s.call(ctx, "DeleteInlinePolicy", func() error { return ft.inner.DeleteInlinePolicy(ctx, owner, name) })
}

func (ft *tx) DeleteInlinePolicies(ctx context.Context, owner store.EntityRef) error {
	return ft.s.call(ctx, "DeleteInlinePolicies", func() error { return ft.inner.DeleteInlinePolicies(ctx, owner) })
}

// Attachments

func (ft *tx) AttachPolicy(ctx context.Context, owner store.EntityRef, policyARN string) error {
	return ft.s.call(ctx, "AttachPolicy", func() error { return ft.inner.AttachPolicy(ctx, owner, policyARN) })
}

func (ft *tx) DetachPolicy(ctx context.Context, owner store.EntityRef, policyARN string) error {
	return ft.s.call(ctx, "DetachPolicy", func() error { return ft.inner.DetachPolicy(ctx, owner, policyARN) })
}

func (ft *tx) ListAttachedPolicies(ctx context.Context, owner store.EntityRef) (r []string, err error) {
	err = ft.s.call(ctx, "ListAttachedPolicies", func() error {
		var e error
		r, e = ft.inner.ListAttachedPolicies(ctx, owner)
		return e
	})
	return r, err
}

func (ft *tx) ListPolicyAttachments(ctx context.Context, account, policyARN string) (r []store.EntityRef, err error) {
	err = ft.s.call(ctx, "ListPolicyAttachments", func() error {
		var e error
		r, e = ft.inner.ListPolicyAttachments(ctx, account, policyARN)
		return e
	})
	return r, err
}

// AccessKeys

func (ft *tx) CreateAccessKey(ctx context.Context, k *store.AccessKey) error {
	return ft.s.call(ctx, "CreateAccessKey", func() error { return ft.inner.CreateAccessKey(ctx, k) })
}

func (ft *tx) GetAccessKey(ctx context.Context, id string) (r *store.AccessKey, err error) {
	err = ft.s.call(ctx, "GetAccessKey", func() error {
		var e error
		r, e = ft.inner.GetAccessKey(ctx, id)
		return e
	})
	return r, err
}

func (ft *tx) ListAccessKeys(ctx context.Context, account, userID string) (r []*store.AccessKey, err error) {
	err = ft.s.call(ctx, "ListAccessKeys", func() error {
		var e error
		r, e = ft.inner.ListAccessKeys(ctx, account, userID)
		return e
	})
	return r, err
}

func (ft *tx) UpdateAccessKeyStatus(ctx context.Context, id, status string) error {
	return ft.s.call(ctx, "UpdateAccessKeyStatus", func() error { return ft.inner.UpdateAccessKeyStatus(ctx, id, status) })
}

func (ft *tx) DeleteAccessKey(ctx context.Context, id string) error {
	return ft.s.call(ctx, "DeleteAccessKey", func() error { return ft.inner.DeleteAccessKey(ctx, id) })
}

func (ft *tx) TouchAccessKey(ctx context.Context, id string, at time.Time, service, region string) error {
	return ft.s.call(ctx, "TouchAccessKey", func() error { return ft.inner.TouchAccessKey(ctx, id, at, service, region) })
}

// MFADevices

func (ft *tx) CreateMFADevice(ctx context.Context, d *store.MFADevice) error {
	return ft.s.call(ctx, "CreateMFADevice", func() error { return ft.inner.CreateMFADevice(ctx, d) })
}

func (ft *tx) GetMFADevice(ctx context.Context, serial string) (r *store.MFADevice, err error) {
	err = ft.s.call(ctx, "GetMFADevice", func() error {
		var e error
		r, e = ft.inner.GetMFADevice(ctx, serial)
		return e
	})
	return r, err
}

func (ft *tx) ListMFADevices(ctx context.Context, account string) (r []*store.MFADevice, err error) {
	err = ft.s.call(ctx, "ListMFADevices", func() error {
		var e error
		r, e = ft.inner.ListMFADevices(ctx, account)
		return e
	})
	return r, err
}

func (ft *tx) UpdateMFADevice(ctx context.Context, d *store.MFADevice) error {
	return ft.s.call(ctx, "UpdateMFADevice", func() error { return ft.inner.UpdateMFADevice(ctx, d) })
}

func (ft *tx) DeleteMFADevice(ctx context.Context, serial string) error {
	return ft.s.call(ctx, "DeleteMFADevice", func() error { return ft.inner.DeleteMFADevice(ctx, serial) })
}

// OIDCProviders

func (ft *tx) CreateOIDCProvider(ctx context.Context, p *store.OIDCProvider) error {
	return ft.s.call(ctx, "CreateOIDCProvider", func() error { return ft.inner.CreateOIDCProvider(ctx, p) })
}

func (ft *tx) GetOIDCProvider(ctx context.Context, arn string) (r *store.OIDCProvider, err error) {
	err = ft.s.call(ctx, "GetOIDCProvider", func() error {
		var e error
		r, e = ft.inner.GetOIDCProvider(ctx, arn)
		return e
	})
	return r, err
}

func (ft *tx) ListOIDCProviders(ctx context.Context, account string) (r []*store.OIDCProvider, err error) {
	err = ft.s.call(ctx, "ListOIDCProviders", func() error {
		var e error
		r, e = ft.inner.ListOIDCProviders(ctx, account)
		return e
	})
	return r, err
}

func (ft *tx) UpdateOIDCProvider(ctx context.Context, p *store.OIDCProvider) error {
	return ft.s.call(ctx, "UpdateOIDCProvider", func() error { return ft.inner.UpdateOIDCProvider(ctx, p) })
}

func (ft *tx) DeleteOIDCProvider(ctx context.Context, arn string) error {
	return ft.s.call(ctx, "DeleteOIDCProvider", func() error { return ft.inner.DeleteOIDCProvider(ctx, arn) })
}

// Installations

func (ft *tx) GetInstallation(ctx context.Context) (r *store.Installation, err error) {
	err = ft.s.call(ctx, "GetInstallation", func() error {
		var e error
		r, e = ft.inner.GetInstallation(ctx)
		return e
	})
	return r, err
}

func (ft *tx) PutInstallation(ctx context.Context, in *store.Installation) error {
	return ft.s.call(ctx, "PutInstallation", func() error { return ft.inner.PutInstallation(ctx, in) })
}

// TokenKeys

func (ft *tx) ListTokenKeys(ctx context.Context) (r []*store.TokenKey, err error) {
	err = ft.s.call(ctx, "ListTokenKeys", func() error {
		var e error
		r, e = ft.inner.ListTokenKeys(ctx)
		return e
	})
	return r, err
}

func (ft *tx) CreateTokenKey(ctx context.Context, k *store.TokenKey) error {
	return ft.s.call(ctx, "CreateTokenKey", func() error { return ft.inner.CreateTokenKey(ctx, k) })
}

func (ft *tx) UpdateTokenKey(ctx context.Context, k *store.TokenKey) error {
	return ft.s.call(ctx, "UpdateTokenKey", func() error { return ft.inner.UpdateTokenKey(ctx, k) })
}

func (ft *tx) DeleteTokenKey(ctx context.Context, id uint32) error {
	return ft.s.call(ctx, "DeleteTokenKey", func() error { return ft.inner.DeleteTokenKey(ctx, id) })
}

// Buckets

func (ft *tx) CreateBucket(ctx context.Context, b *store.Bucket) error {
	return ft.s.call(ctx, "CreateBucket", func() error { return ft.inner.CreateBucket(ctx, b) })
}

func (ft *tx) GetBucket(ctx context.Context, name string) (r *store.Bucket, err error) {
	err = ft.s.call(ctx, "GetBucket", func() error {
		var e error
		r, e = ft.inner.GetBucket(ctx, name)
		return e
	})
	return r, err
}

func (ft *tx) ListBuckets(ctx context.Context, account string, q store.BucketQuery) (r []*store.Bucket, err error) {
	err = ft.s.call(ctx, "ListBuckets", func() error {
		var e error
		r, e = ft.inner.ListBuckets(ctx, account, q)
		return e
	})
	return r, err
}

func (ft *tx) UpdateBucket(ctx context.Context, b *store.Bucket) error {
	return ft.s.call(ctx, "UpdateBucket", func() error { return ft.inner.UpdateBucket(ctx, b) })
}

func (ft *tx) DeleteBucket(ctx context.Context, name string) error {
	return ft.s.call(ctx, "DeleteBucket", func() error { return ft.inner.DeleteBucket(ctx, name) })
}

// Objects

func (ft *tx) PutObject(ctx context.Context, o *store.Object) (r *store.Object, err error) {
	err = ft.s.call(ctx, "PutObject", func() error {
		var e error
		r, e = ft.inner.PutObject(ctx, o)
		return e
	})
	return r, err
}

func (ft *tx) GetObject(ctx context.Context, bucket, key string) (r *store.Object, err error) {
	err = ft.s.call(ctx, "GetObject", func() error {
		var e error
		r, e = ft.inner.GetObject(ctx, bucket, key)
		return e
	})
	return r, err
}

func (ft *tx) ListObjects(ctx context.Context, bucket string, q store.ObjectQuery) (r []store.ObjectEntry, err error) {
	err = ft.s.call(ctx, "ListObjects", func() error {
		var e error
		r, e = ft.inner.ListObjects(ctx, bucket, q)
		return e
	})
	return r, err
}

func (ft *tx) BucketHasObjects(ctx context.Context, bucket string) (r bool, err error) {
	err = ft.s.call(ctx, "BucketHasObjects", func() error {
		var e error
		r, e = ft.inner.BucketHasObjects(ctx, bucket)
		return e
	})
	return r, err
}

func (ft *tx) BlobReferenced(ctx context.Context, blobKey string) (r bool, err error) {
	err = ft.s.call(ctx, "BlobReferenced", func() error {
		var e error
		r, e = ft.inner.BlobReferenced(ctx, blobKey)
		return e
	})
	return r, err
}

// Uploads

func (ft *tx) CreateUpload(ctx context.Context, u *store.Upload) error {
	return ft.s.call(ctx, "CreateUpload", func() error { return ft.inner.CreateUpload(ctx, u) })
}

func (ft *tx) GetUpload(ctx context.Context, bucket, key, id string) (r *store.Upload, err error) {
	err = ft.s.call(ctx, "GetUpload", func() error {
		var e error
		r, e = ft.inner.GetUpload(ctx, bucket, key, id)
		return e
	})
	return r, err
}

func (ft *tx) ListUploads(ctx context.Context, bucket, prefix, keyMarker, idMarker string, limit int) (r []*store.Upload, err error) {
	err = ft.s.call(ctx, "ListUploads", func() error {
		var e error
		r, e = ft.inner.ListUploads(ctx, bucket, prefix, keyMarker, idMarker, limit)
		return e
	})
	return r, err
}

func (ft *tx) DeleteUpload(ctx context.Context, id string) (r []*store.Part, err error) {
	err = ft.s.call(ctx, "DeleteUpload", func() error {
		var e error
		r, e = ft.inner.DeleteUpload(ctx, id)
		return e
	})
	return r, err
}

func (ft *tx) PutPart(ctx context.Context, p *store.Part) (r *store.Part, err error) {
	err = ft.s.call(ctx, "PutPart", func() error {
		var e error
		r, e = ft.inner.PutPart(ctx, p)
		return e
	})
	return r, err
}

func (ft *tx) ListParts(ctx context.Context, uploadID string, after, limit int) (r []*store.Part, err error) {
	err = ft.s.call(ctx, "ListParts", func() error {
		var e error
		r, e = ft.inner.ListParts(ctx, uploadID, after, limit)
		return e
	})
	return r, err
}
