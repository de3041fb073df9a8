// Package sts implements the AWS Security Token Service Query API:
// AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML,
// GetSessionToken, GetFederationToken, GetCallerIdentity and
// GetAccessKeyInfo.
//
// The request pipeline authenticates the caller before Resolve runs.
// Resolve applies the rules of the caller's credential kind (GetSessionToken
// sessions may call only AssumeRole and GetCallerIdentity; federated users
// only GetCallerIdentity), then the STS quotas of credential-issuing calls
// (Throttling, before any work), validates the request, loads what it acts
// on (the role and its compiled trust policy, from a generation-stamped
// cache) and declares the checks the pipeline decides — AssumeRole's trust
// policy, TagSession and SetSourceIdentity; sts:GetFederationToken and
// TagSession on the federated user's ARN — so that handlers only mint
// sealed session tokens. GetCallerIdentity and GetSessionToken need no
// permission, as in AWS. Per-account settings (the root assuming its
// account's roles) come from an injected AccountSettings; AWS's behaviour
// is the default.
//
// AssumeRoleWithWebIdentity and AssumeRoleWithSAML are unsigned: their
// caller is the token or assertion they carry, never the request's
// signer. Their resolve step verifies it — for web identity the OIDC
// provider of the token's issuer in the role's account, the issuer's keys
// (IssuerKeys), the signature, the time claims and the audience
// (internal/oidc, pure); for SAML the Response against the provider
// PrincipalArn names (internal/saml) — then applies the STS quotas to the
// verified subject of that provider (so forged tokens cannot spend a
// provider's quota), and declares its checks for the federation caller
// (authz.FederationCaller: the provider's ARN as a "Federated" principal)
// with the provider's condition keys: sts:AssumeRoleWithWebIdentity or
// sts:AssumeRoleWithSAML on the role, and sts:TagSession and
// sts:SetSourceIdentity when the token or assertion sets tags or a source
// identity. Each failure is answered with AWS's code: InvalidIdentityToken,
// ExpiredTokenException, IDPRejectedClaim, IDPCommunicationError.
//
// Every session is a sealed, self-contained token (internal/token): a
// federated session carries its context keys (aws:FederatedProvider and
// ${PROVIDER:sub} ... or ${saml:sub} ...) to its own policies, so requests
// made with it need no store.
package sts
