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
)
