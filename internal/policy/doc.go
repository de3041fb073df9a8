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
// Evaluate decides a request with every policy that applies (identity,
// boundary, session, resource) by AWS's evaluation logic; an Input may
// also carry an S3 access control list (ACL, acl.go), whose grants allow
// like resource-policy statements naming the grantee and never override
// an explicit Deny. Decision cases are test data (testdata/decisions).
package policy
