// Package policy is the IAM policy language: parsing and validation of
// policy documents as AWS does them on write. It is pure: no I/O.
//
// Validate checks a document for one Kind (identity, resource, trust or
// session policy) and returns an error wrapping ErrMalformed whose message
// is AWS's MalformedPolicyDocument text; identity policies get IAM's full
// write-time grammar, checked in IAM's order (grammar.go), while stored
// documents are only parsed (Parse), so that policies written before a rule
// still evaluate. NonWhitespaceLen counts characters as AWS's size limits
// do, and CheckCharset applies the API's character pattern before any
// parsing.
//
// Evaluation (compiled statements, condition operators, the decision
// algorithm) lives here too. Evaluate decides a request with every policy
// that applies (identity, boundary, session, resource) by AWS's evaluation
// logic; an Input may also carry an S3 access control list (ACL, acl.go),
// whose grants allow like resource-policy statements naming the grantee
// and never override an explicit Deny. Policy.Public is S3's "is this resource policy
// public?" analysis, read from the compiled statements (public.go), and
// Input.RestrictResource is how RestrictPublicBuckets limits a public
// policy's grants to the resource owner's account and AWS services (and an
// ACL's public grants with ACL.IgnorePublic). Decision cases are test data
// (testdata/decisions).
package policy
