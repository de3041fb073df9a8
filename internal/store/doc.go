// Package store defines the metadata store: record types, one interface per
// aggregate (accounts, users, groups, roles, managed policies, inline
// policies, attachments, access keys, MFA devices, OIDC and SAML providers,
// installation), the transaction runner that groups them, and the sentinel
// errors every implementation returns.
//
// Contract for every implementation (checked by storetest):
//   - Names of users, groups, roles and managed policies are unique per
//     account without regard to case; lookups by name ignore case; the case
//     given at creation is stored and returned.
//   - Lists are ordered by lower-cased name (then by name), and paginate with
//     ListQuery.After, an exclusive lower-cased name.
//   - Get* of a missing record returns ErrNotFound; Create* of a duplicate
//     returns ErrExists. Errors are compared with errors.Is.
//   - Update runs its function in one serializable transaction: all of its
//     writes commit together or none do. View sees a consistent snapshot.
//   - Every mutation of IAM data (anything but AccessKey.LastUsed) increments
//     the IAM generation in the same transaction, so caches of compiled
//     policies can tell when to reload.
//   - S3 objects are versioned (see Objects): a key's versions are ordered
//     newest first, a version keeps its blob references until it is
//     permanently removed (so BlobReferenced answers for noncurrent
//     versions too), and BucketHasObjects counts versions and delete
//     markers.
//   - Secrets arrive already sealed (AccessKey.SecretSealed); the store never
//     sees them in clear.
package store
