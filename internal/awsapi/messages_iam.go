package awsapi

// IAM's messages.
var (
	// EntityNotFound: Args: the entity kind as AWS words it ("user", "role",
	// "group", ...), its name.
	EntityNotFound = ErrNoSuchEntity.say("The %s with name %s cannot be found.")
	// EntityExists: Args: the entity kind capitalised ("User", "Role",
	// "Group"), its name.
	EntityExists = ErrEntityAlreadyExists.say("%s with name %s already exists.")
	// QuotaExceeded: Args: the quota's name as AWS's quota table spells it
	// ("UsersPerAccount"), its value.
	QuotaExceeded = ErrLimitExceeded.say("Cannot exceed quota for %s: %d")
	// InvalidMarker: a Marker that no listing of this server issued.
	InvalidMarker = ErrInvalidInput.say("Invalid Marker.")
	// PolicyDocumentMalformed: Args: the policy parser's words for what is
	// wrong (package policy writes them as AWS does).
	PolicyDocumentMalformed = ErrMalformedPolicyDocument.say("%s")
	// TrustPrincipalInvalid: a trust policy names an AWS principal that does
	// not exist. Args: the principal as written.
	TrustPrincipalInvalid = ErrMalformedPolicyDocument.say(`Invalid principal in policy: "AWS":"%s"`)
	// TagKeyReserved: a tag key in the aws: namespace.
	TagKeyReserved = ErrInvalidInput.say("User-defined tag keys can't start with 'aws:'.")
	// TagKeysDuplicate: two tags of one request whose keys differ at most
	// in case (IAM's tag keys are case insensitive).
	TagKeysDuplicate = ErrInvalidInput.say("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	// UserNameRequired: an operation on "the calling user" called by a role
	// or the root user without UserName.
	UserNameRequired = ErrValidationError.say("Must specify userName when calling with non-User credentials")
	// RoleDeleteConflict: the role still has policies.
	RoleDeleteConflict = ErrDeleteConflict.say("Cannot delete entity, must delete policies first.")
	// UserDeleteConflict: the user still has keys, policies or groups.
	UserDeleteConflict = ErrDeleteConflict.say("Cannot delete entity, must delete access keys, policies and group memberships first.")
	// UserHasMFADevice: the user still has an MFA device.
	UserHasMFADevice = ErrDeleteConflict.say("Cannot delete entity, must delete MFA device first.")
	// GroupDeleteConflict: the group still has members.
	GroupDeleteConflict = ErrDeleteConflict.say("Cannot delete entity, must remove users from group first.")
	// UserNotInGroup: Args: user name, group name.
	UserNotInGroup = ErrNoSuchEntity.say("User %s is not in group %s.")
	// AccessKeyNotFound: Args: the access key id.
	AccessKeyNotFound = ErrNoSuchEntity.say("The Access Key with id %s cannot be found.")
	// AccessKeyOfOtherAccount: the key names another account's user.
	AccessKeyOfOtherAccount = ErrAccessDenied.say("The specified access key does not belong to your account.")
	// MFADeviceNotFound: Args: the serial number.
	MFADeviceNotFound = ErrNoSuchEntity.say("VirtualMFADevice with serial number %s doesn't exist.")
	// MFADeviceNotUsers: the device is not assigned to the user named.
	MFADeviceNotUsers = ErrNoSuchEntity.say("MFA Device invalid for user.")
	// MFACodeInvalid: the authentication codes do not verify.
	MFACodeInvalid = ErrInvalidAuthenticationCode.say("Authentication code for device is not valid.")
	// MFASerialTooLong: Args: the serial number the path and name make.
	MFASerialTooLong = ErrInvalidInput.say("The serial number %s of the virtual MFA device would exceed 256 characters.")
	// MFADeviceExists: a virtual device of that path and name exists.
	MFADeviceExists = ErrEntityAlreadyExists.say("MFADevice entity at the same path and name already exists.")
	// MFADeviceAssigned: the device is enabled for a user already.
	MFADeviceAssigned = ErrEntityAlreadyExists.say("MFA Device is already in use.")
	// MFADeviceInUse: deleting a device that is still enabled.
	MFADeviceInUse = ErrDeleteConflict.say("MFA VirtualDevice in use. Must deactivate first.")
	// PolicyARNInvalid: Args: the ARN.
	PolicyARNInvalid = ErrInvalidInput.say("ARN %s is not valid.")
	// PolicyNotFound: Args: the policy ARN.
	PolicyNotFound = ErrNoSuchEntity.say("Policy %s does not exist or is not attachable.")
	// PolicyNotAttached: Args: the policy ARN.
	PolicyNotAttached = ErrNoSuchEntity.say("Policy %s was not found.")
	// PolicyExists: Args: the policy name.
	PolicyExists = ErrEntityAlreadyExists.say("A policy called %s already exists. Duplicate names are not allowed.")
	// PolicyVersionNotFound: Args: the policy ARN, the version id.
	PolicyVersionNotFound = ErrNoSuchEntity.say("Policy %s version %s does not exist or is not attachable.")
	// PolicyVersionsExceeded: a sixth version of a managed policy.
	PolicyVersionsExceeded = ErrLimitExceeded.say("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	// DefaultVersionDeleteConflict: deleting the default version.
	DefaultVersionDeleteConflict = ErrDeleteConflict.say("Cannot delete the default version of a policy.")
	// PolicyDeleteConflict: the policy is attached or has other versions.
	PolicyDeleteConflict = ErrDeleteConflict.say("Cannot delete a policy attached to entities or with non-default versions.")
	// AWSManagedPolicyReadOnly: Args: the policy ARN.
	AWSManagedPolicyReadOnly = ErrInvalidInput.say("ARN %s is an AWS managed policy and cannot be modified.")
	// AWSManagedPolicyUndeletable: Args: the policy ARN.
	AWSManagedPolicyUndeletable = ErrInvalidInput.say("ARN %s is an AWS managed policy and cannot be deleted.")
	// InlinePolicyNotFound: Args: the entity kind ("user", "role",
	// "group"), the policy name.
	InlinePolicyNotFound = ErrNoSuchEntity.say("The %s policy with name %s cannot be found.")
	// InlinePoliciesTooLarge: the entity's inline policies together exceed
	// its quota. Args: the quota in bytes, the entity kind, its name.
	InlinePoliciesTooLarge = ErrLimitExceeded.say("Maximum policy size of %d bytes exceeded for %s %s")
	// OIDCProviderNotFound: Args: the provider ARN.
	OIDCProviderNotFound = ErrNoSuchEntity.say("OpenIDConnect provider not found for arn %s")
	// OIDCProviderExists: Args: the provider URL.
	OIDCProviderExists = ErrEntityAlreadyExists.say("Provider with url %s already exists.")
	// OIDCProviderURLInvalid: Args: the URL given.
	OIDCProviderURLInvalid = ErrInvalidInput.say("Invalid URL %s: an OpenID Connect provider URL begins with https:// and names a host, an optional port and an optional path, without user information, query or fragment.")
	// OIDCProviderARNInvalid: Args: the ARN given.
	OIDCProviderARNInvalid = ErrInvalidInput.say("ARN %s is not valid.")
	// ThumbprintInvalid: Args: the thumbprint given.
	ThumbprintInvalid = ErrInvalidInput.say("Thumbprint %s is not valid: a thumbprint is the hex-encoded SHA-1 hash of a certificate, 40 hexadecimal characters.")
	// FederatedPrincipalInvalid: a trust policy's Federated principal is
	// neither a domain name nor the ARN of an existing identity provider.
	FederatedPrincipalInvalid = ErrMalformedPolicyDocument.say("Federated principals must be valid domain names or SAML metadata ARNs")
	// ConcurrentChange: the store refused a transaction that raced another.
	ConcurrentChange = ErrConcurrentModification.say("The request was rejected because it conflicted with a concurrent change. Please try again.")
)
