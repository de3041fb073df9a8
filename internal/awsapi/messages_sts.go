package awsapi

// STS's messages.
var (
	// SessionCredentialsRefused: Args: the operation session credentials may
	// not call.
	SessionCredentialsRefused = ErrAccessDenied.say("Cannot call %s with session credentials")
	// AccessKeyOfNoAccount: Args: the access key id.
	AccessKeyOfNoAccount = ErrInvalidParameterValue.say("The access key %s does not belong to any account.")
	// MFAFailed: the token code does not verify for the device.
	MFAFailed = ErrAccessDenied.say("MultiFactorAuthentication failed with invalid MFA one time pass code.")
	// MFAIncomplete: SerialNumber without TokenCode or the reverse.
	MFAIncomplete = ErrAccessDenied.say("MultiFactorAuthentication failed, SerialNumber and TokenCode must be given together.")
	// SourceIdentityReserved: a source identity in the aws: namespace.
	SourceIdentityReserved = ErrValidationError.say("SourceIdentity cannot start with 'aws:'")
	// SourceIdentityFixed: a role chain tries to change its source identity.
	SourceIdentityFixed = ErrAccessDenied.say("The source identity of a role chain cannot be changed.")
	// SessionTagKeyReserved: a session tag key in the aws: namespace.
	SessionTagKeyReserved = ErrInvalidParameterValue.say("Tag keys cannot start with 'aws:'.")
	// SessionTagDuplicate: two session tags differ only in case.
	SessionTagDuplicate = ErrInvalidParameterValue.say("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	// TransitiveTagNotRequested: a transitive tag key that is not a tag.
	TransitiveTagNotRequested = ErrInvalidParameterValue.say("The specified transitive tag key must be included in the requested tags.")
	// TransitiveTagConflict: a tag overrides a transitive tag of the chain.
	TransitiveTagConflict = ErrInvalidParameterValue.say("One or more of the specified transitive tag keys can't be set because it conflicts with a transitive tag key in the role chain.")
	// RootCannotAssumeRole: the root user calls AssumeRole.
	RootCannotAssumeRole = ErrAccessDenied.say("Roles may not be assumed by root accounts.")
	// ChainedDurationTooLong: over an hour asked for by role chaining.
	ChainedDurationTooLong = ErrValidationError.say("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	// DurationOverRoleMax: over the role's MaxSessionDuration.
	DurationOverRoleMax = ErrValidationError.say("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	// SessionPolicyNotFound: Args: the managed policy ARN passed in
	// PolicyArns.
	SessionPolicyNotFound = ErrInvalidParameterValue.say("Policy %s does not exist or is not attachable.")
	// Throttled: a credential-issuing call over its principal's or
	// account's rate quota (SDKs retry it with backoff).
	Throttled = ErrThrottling.say("Rate exceeded")
	// FederatedSessionForIAM: GetFederationToken credentials call IAM,
	// which never accepts them.
	FederatedSessionForIAM = ErrInvalidClientTokenId.say("The security token included in the request is invalid")
	// PackedSizeExceeded: Args: the packed size as a percentage of the
	// limit.
	PackedSizeExceeded = ErrPackedPolicyTooLarge.say("Packed size of consumed session policies and tags exceeds the limit (%d%%).")
	// WebIdentityNoProvider: the token's issuer is no OIDC provider of the
	// role's account. Args: the token's iss.
	WebIdentityNoProvider = ErrInvalidIdentityToken.say("No OpenIDConnect provider found in your account for %s")
	// WebIdentityMalformed: the token is not a JWT.
	WebIdentityMalformed = ErrInvalidIdentityToken.say("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	// WebIdentityAlgorithm: the token is signed with "none", HMAC or
	// another algorithm than RSA or ECDSA ones.
	WebIdentityAlgorithm = ErrInvalidIdentityToken.say("The token's signing algorithm is not supported: tokens must be signed with RSA (RS256, RS384, RS512, PS256, PS384, PS512) or ECDSA (ES256, ES384, ES512) keys.")
	// WebIdentityUnknownKey: the provider publishes no key with the
	// token's kid, even after fetching its keys again.
	WebIdentityUnknownKey = ErrInvalidIdentityToken.say("The identity provider publishes no key with the token's key ID.")
	// WebIdentitySignature: no key of the provider verifies the token.
	WebIdentitySignature = ErrInvalidIdentityToken.say("The token's signature could not be verified with the identity provider's keys.")
	// WebIdentityClaimsMalformed: a claim has the wrong type.
	WebIdentityClaimsMalformed = ErrInvalidIdentityToken.say("The token's claims are malformed: iss, sub, azp must be strings, aud a string or a list of strings, exp, nbf and iat integers.")
	// WebIdentityAudience: no audience of the token is a client id of the
	// provider.
	WebIdentityAudience = ErrInvalidIdentityToken.say("Incorrect token audience")
	// WebIdentityThumbprint: the issuer's certificate is trusted neither by
	// the roots nor by a thumbprint of the provider.
	WebIdentityThumbprint = ErrInvalidIdentityToken.say("OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint")
	// WebIdentityUnreachable: the discovery document or the JWKS could not
	// be fetched or read.
	WebIdentityUnreachable = ErrIDPCommunicationError.say("Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")
	// WebIdentityExpired: Args: the current time and the token's exp, as
	// Unix seconds.
	WebIdentityExpired = ErrExpiredTokenException.say("Token expired: current date/time %d must be before the expiration date/time %d")
	// WebIdentityClaimRejected: Args: the claim, what is wrong with it.
	WebIdentityClaimRejected = ErrIDPRejectedClaim.say("The identity provider's claim %s %s.")
	// ProviderIDWithOIDC: ProviderId is for OAuth 2.0 access tokens.
	ProviderIDWithOIDC = ErrInvalidParameterValue.say("ProviderId is only for OAuth 2.0 access tokens of www.amazon.com and graph.facebook.com, which this server does not accept; do not specify it for OpenID Connect ID tokens.")
)
