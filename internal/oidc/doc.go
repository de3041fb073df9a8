// Package oidc verifies OpenID Connect identity tokens as STS's
// AssumeRoleWithWebIdentity does, and reads what an issuer publishes about
// its keys. It is pure: nothing here does I/O or reads a clock; the
// issuer's keys and the current time are arguments.
//
// Contract:
//   - ProviderName turns an IAM OIDC provider URL (or a token's iss) into
//     the provider's name, HOST[:PORT][/PATH] with the host lower-cased:
//     the suffix of its ARN and the prefix of its condition keys.
//   - Parse reads a compact JWS of at most MaxTokenLen bytes and refuses any
//     algorithm but RS256/384/512, PS256/384/512 and ES256/384/512 (so
//     "none" and HMAC are refused before any key is looked at). Its claims
//     are unverified: use them only to find the issuer.
//   - Token.Verify checks the signature with a key of the issuer's KeySet
//     (by kid when the token names one; the key's type and curve must fit
//     the algorithm) and returns the verified claims. ErrUnknownKey says no
//     key has the token's kid, so a caller may refetch the set once.
//   - Claims.Check applies the time claims with Leeway and matches the
//     audience against a provider's client ids (azp, when present, is the
//     audience, as AWS reads Google's tokens; aud is then oaud).
//   - ParseKeySet keeps the usable public signing keys of a JWKS document
//     and ignores the rest (encryption keys, other key types, private
//     material); ParseDiscovery checks an OpenID configuration document
//     against its issuer and returns its jwks_uri.
//
// Errors are sentinels (errors.Is) and never carry the token's bytes.
package oidc
