// Package authz is the glue of the request pipeline between signature
// verification and the service handlers: it names the authenticated
// principal, gathers the policies that apply to a request, asks the policy
// engine for a decision and explains denials in AWS's words. It also
// checks the second factor the services take (VerifyMFA: a code of a stored
// virtual MFA device, usable once — STS's TokenCode, S3's x-amz-mfa).
//
// Handlers never check signatures or policies themselves; they declare the
// action, resources and extra condition keys a request needs, and the
// driver in internal/pipeline asks Authorizer.Decide about each.
package authz
