// Package sts implements the AWS Security Token Service Query API:
// AssumeRole, GetSessionToken, GetFederationToken, GetCallerIdentity and
// GetAccessKeyInfo.
//
// The request pipeline authenticates the caller before Resolve runs.
// Resolve applies the rules of the caller's credential kind (GetSessionToken
// sessions may call only AssumeRole and GetCallerIdentity; federated users
// only GetCallerIdentity), then the STS quotas of credential-issuing calls
// (Throttling, before any work), validates the request and declares the
// checks the pipeline decides — AssumeRole's trust policy, TagSession and
// SetSourceIdentity; sts:GetFederationToken and TagSession on the federated
// user's ARN — so that handlers only mint sealed session tokens.
// GetCallerIdentity and GetSessionToken need no permission, as in AWS.
// Per-account settings (the root assuming its account's roles) come from an
// injected AccountSettings; AWS's behaviour is the default.
// AssumeRoleWithSAML is unsigned: its resolve step verifies the SAML
// Response (internal/saml) and declares its checks for the subject the
// assertion names, never for the request's caller.
package sts
