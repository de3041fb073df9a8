// Package sts implements the AWS Security Token Service Query API:
// AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken,
// GetCallerIdentity and GetAccessKeyInfo.
//
// Resolve validates a request, loads what it acts on (the role and its
// compiled trust policy, from a generation-stamped cache) and declares the
// checks the pipeline decides before the action runs; the handlers never
// authorize. GetCallerIdentity and GetSessionToken need no permission, as
// in AWS.
//
// AssumeRoleWithWebIdentity is unsigned: its caller is the token. Resolve
// verifies it — the OIDC provider of its issuer in the role's account, the
// issuer's keys (IssuerKeys), the signature, the time claims and the
// audience (internal/oidc, pure) — names the web-identity caller by the
// provider's ARN, and declares sts:AssumeRoleWithWebIdentity on the role
// with the provider's condition keys (and sts:TagSession and
// sts:SetSourceIdentity when the token sets tags or a source identity).
// Each failure is answered with AWS's code: InvalidIdentityToken,
// ExpiredTokenException, IDPRejectedClaim, IDPCommunicationError.
//
// Every session is a sealed, self-contained token (internal/token): a web
// identity session carries its provider and the claims its policies may
// read (${PROVIDER:sub}, ...), so requests made with it need no store.
package sts
