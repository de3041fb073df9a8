// Package sigv4 verifies AWS Signature Version 4 on incoming requests.
//
// It is a pure security core: it does no I/O, keeps no global state, and
// takes the clock, the expected service and region, the payload hash and the
// caller's secret as arguments. The flow is
//
//	auth, err := sigv4.Parse(r)                // who claims to have signed, how
//	secret := lookup(auth.AccessKeyID, …)     // the caller's business
//	err = verifier.Verify(r, auth, sigv4.Check{Secret: secret, …})
//
// Parse accepts the Authorization header form and the presigned query form
// (X-Amz-Expires up to 7 days). Verify rebuilds the canonical request and the
// string to sign exactly as AWS does — S3 paths encoded once and never
// normalized, other services' paths normalized and encoded twice — enforces
// the 15-minute clock skew for header signatures and the validity window of
// presigned URLs, and compares signatures in constant time. Derived signing
// keys are cached per (access key, date, region, service) and are never
// reused for a different secret.
//
// Errors wrap one of the package's sentinels (ErrNotSigned, ErrIncomplete,
// ErrAlgorithm, ErrScope (ErrRegion for a region not accepted), ErrSkew, ErrExpired, ErrPresign, ErrMismatch) in an
// *Error that may carry the canonical request and string to sign (for S3's
// SignatureDoesNotMatch body) but never a secret or a derived key.
package sigv4
