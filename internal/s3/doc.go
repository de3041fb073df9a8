// Package s3 is Gatehouse's S3 service: the REST front end (path-style and
// virtual-host-style addressing), the request pipeline for S3 (route →
// SigV4 with S3's payload modes, or SigV2 → principal → IAM and bucket
// policies → handler), and the semantics of buckets, objects, listings, multipart
// uploads, tagging, object attributes, storage classes, bucket policies,
// CORS and browser form uploads.
//
// Contract:
//   - Every request is authenticated (or is anonymous) and authorized before
//     its handler runs: each operation names its IAM action(s), resource
//     ARN(s) and condition keys; identity policies and the bucket policy are
//     evaluated together by AWS's same-account / cross-account rules.
//   - Object bytes are streamed: a PUT is hashed and verified (payload
//     SHA-256, aws-chunked chunk signatures, Content-MD5, flexible checksums)
//     while it is written to a fresh blob, and the object record is committed
//     in a store transaction only after every check passed. A failed or
//     interrupted write leaves at most an unreferenced blob, which the
//     Sweeper deletes; readers never see partial bytes.
//   - Errors reach the client as S3's XML error shape with AWS's codes, and
//     carry x-amz-request-id and x-amz-id-2.
//   - What is not implemented is refused, never accepted and ignored: SSE-C
//     and encryption-at-rest headers, Object Lock headers, and ACLs beyond
//     the owner's on BucketOwnerEnforced buckets are answered with an
//     error once the request is authorized (refuse.go); operations not
//     served answer NotImplemented naming the operation (unsupported.go,
//     docs/s3-compatibility.md).
//   - Conditional writes and deletes are decided in the store transaction
//     that commits them (conditional.go).
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
