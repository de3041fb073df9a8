// Package s3 is Gatehouse's S3 service: the REST front end (path-style and
// virtual-host-style addressing), the request pipeline for S3 (route →
// SigV4 with S3's payload modes, or SigV2 → principal → IAM and bucket
// policies → handler), and the semantics of buckets, objects, listings, multipart
// uploads, tagging, object attributes, storage classes, bucket policies,
// Block Public Access (the bucket's, and the account's through S3
// Control's API, served on the same endpoint),
// CORS, browser form uploads and server-side encryption.
//
// Contract:
//   - Every request is authenticated (or is anonymous) and authorized before
//     its handler runs: each operation names its IAM action(s), resource
//     ARN(s) and condition keys; identity policies and the bucket policy are
//     evaluated together by AWS's same-account / cross-account rules. Each
//     check also carries the Block Public Access configuration in force
//     for its bucket (the bucket's OR its owner account's) and the facts
//     the settings judge (the policy a PutBucketPolicy writes, whether a
//     request sets a public ACL); the authorizer applies them.
//   - Object bytes are streamed: a PUT is hashed and verified (payload
//     SHA-256, aws-chunked chunk signatures, Content-MD5, flexible checksums)
//     while it is written to a fresh blob, and the object record is committed
//     in a store transaction only after every check passed. A failed or
//     interrupted write leaves at most an unreferenced blob, which the
//     Sweeper deletes; readers never see partial bytes.
//   - Errors reach the client as S3's XML error shape with AWS's codes, and
//     carry x-amz-request-id and x-amz-id-2.
//   - Object bytes are encrypted at rest as the request, the bucket's default
//     or the server asks (SSE-S3, SSE-KMS with the account's aws/s3 key,
//     SSE-C; sse.go, bucketenc.go): internal/sse encrypts them as they
//     stream into the blob and decrypts only the chunks a read touches;
//     records hold sealed data keys, never a key in clear.
//   - What is not implemented is refused, never accepted and ignored: named
//     KMS keys, KMS encryption contexts, DSSE-KMS, SSE-C over plain HTTP,
//     Object Lock fields of form uploads, and ACLs beyond the owner's on
//     BucketOwnerEnforced buckets are answered with an
//     error once the request is authorized (refuse.go); operations not
//     served answer NotImplemented naming the operation (unsupported.go,
//     docs/s3-compatibility.md).
//   - Conditional writes and deletes are decided in the store transaction
//     that commits them (conditional.go).
//   - Object Lock (objectlock.go): the store refuses to remove a locked
//     version in the transaction that would remove it, at the service
//     clock's time; bypassing governance retention is an extra pipeline
//     check of s3:BypassGovernanceRetention declared by resolve.
//   - ACLs (acl.go, ownership.go): a bucket's Object Ownership decides
//     whether they count; where they do, every check carries the ACL that
//     applies to its action and the policy engine weighs its grants with
//     the policies (policy.ACL). Owners and grantees are canonical user
//     ids derived from the master key.
//
// The package reads object metadata through internal/store and bytes through
// internal/blob, and asks internal/authz for authentication and decisions;
// it never checks a signature or a policy itself.
package s3
