package awsapi

// SAML federation's messages: IAM's SAML providers and STS's
// AssumeRoleWithSAML. Where AWS's troubleshooting guide quotes its words
// they are used as written; the others are Gatehouse's, marked so in
// docs/federation-saml.md.
var (
	// SAMLMetadataUnparsable: a metadata document that is not an IdP's
	// SAML 2.0 metadata with an entity id and a signing certificate.
	SAMLMetadataUnparsable = ErrInvalidInput.say("Could not parse metadata.")
	// SAMLProviderNotFound: Args: the provider ARN.
	SAMLProviderNotFound = ErrNoSuchEntity.say("Manifest not found for arn %s")
	// SAMLProviderExists: Args: the provider name.
	SAMLProviderExists = ErrEntityAlreadyExists.say("SAMLProvider with name %s already exists.")
	// SAMLProviderARNInvalid: Args: the ARN.
	SAMLProviderARNInvalid = ErrInvalidInput.say("ARN %s is not valid.")
	// SAMLEncryptionUnsupported: AssertionEncryptionMode or a private key
	// (Gatehouse holds no SAML decryption keys).
	SAMLEncryptionUnsupported = ErrInvalidInput.say("Encrypted SAML assertions are not supported: AssertionEncryptionMode, AddPrivateKey and RemovePrivateKey are refused.")
	// SAMLNoUpdate: UpdateSAMLProvider without a metadata document.
	SAMLNoUpdate = ErrInvalidInput.say("Unable to update identity provider. No updates are defined for metadata or encryption assertion.")

	// FederationDenied: a federation caller (not an AWS identity) is not
	// allowed by the role's trust policy. Args: the action.
	FederationDenied = ErrAccessDenied.say("Not authorized to perform %s")
	// SAMLProviderMissing: PrincipalArn names no SAML provider.
	SAMLProviderMissing = ErrInvalidIdentityToken.say("Specified provider doesn't exist.")
	// SAMLProviderExpired: the provider's metadata is past its ValidUntil.
	SAMLProviderExpired = ErrInvalidIdentityToken.say("The SAML provider's metadata is no longer valid (ValidUntil has passed).")
	// SAMLResponseMalformed: not a base64 SAML Response of the expected
	// shape, or over a limit.
	SAMLResponseMalformed = ErrInvalidIdentityToken.say("Invalid SAML response: the response could not be parsed.")
	// SAMLSignatureInvalid: no valid signature of the provider covers the
	// assertion.
	SAMLSignatureInvalid = ErrInvalidIdentityToken.say("Response signature invalid")
	// SAMLIssuerMismatch: the assertion's issuer is not the provider's
	// entity id.
	SAMLIssuerMismatch = ErrInvalidIdentityToken.say("Issuer not present in specified provider")
	// SAMLAudienceMissing: no audience restriction names an accepted
	// audience.
	SAMLAudienceMissing = ErrInvalidIdentityToken.say("Response does not contain the required audience.")
	// SAMLRecipientMissing: no bearer confirmation names an accepted
	// recipient.
	SAMLRecipientMissing = ErrInvalidIdentityToken.say("Response does not contain the required recipient.")
	// SAMLExpired: the assertion's validity has ended.
	SAMLExpired = ErrExpiredTokenException.say("Response is expired: the assertion's NotOnOrAfter has passed.")
	// SAMLNotYetValid: the assertion's NotBefore is in the future.
	SAMLNotYetValid = ErrExpiredTokenException.say("Response is not yet valid: the assertion's NotBefore is in the future.")
	// SAMLEncrypted: an EncryptedAssertion.
	SAMLEncrypted = ErrInvalidIdentityToken.say("Encrypted SAML assertions are not supported.")
	// SAMLStatusFailed: the Response's status is not Success.
	SAMLStatusFailed = ErrIDPRejectedClaim.say("The identity provider (IdP) reported that authentication failed.")
	// SAMLRoleSessionNameMissing: no RoleSessionName attribute.
	SAMLRoleSessionNameMissing = ErrInvalidIdentityToken.say("RoleSessionName is required in AuthnResponse")
	// SAMLRoleSessionNameInvalid: a RoleSessionName of the wrong shape.
	SAMLRoleSessionNameInvalid = ErrInvalidIdentityToken.say("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
	// SAMLSourceIdentityInvalid: a SourceIdentity of the wrong shape.
	SAMLSourceIdentityInvalid = ErrInvalidIdentityToken.say(`Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"`)
	// SAMLSessionDurationInvalid: a SessionDuration attribute that is not
	// a whole number of seconds from 900 to 43200.
	SAMLSessionDurationInvalid = ErrInvalidIdentityToken.say("SessionDuration in AuthnResponse must be an integer from 900 to 43200.")
	// SAMLKeysTooLarge: the saml: keys a session would carry exceed what
	// a session token holds. Args: the limit in bytes.
	SAMLKeysTooLarge = ErrInvalidIdentityToken.say("The SAML attributes a session carries (NameID, issuer, recipient and the attributes of the saml: keys) exceed %d bytes.")
	// SAMLPrincipalTagInvalid: a PrincipalTag or TransitiveTagKeys
	// attribute that session tags do not allow. Args: what is wrong.
	SAMLPrincipalTagInvalid = ErrInvalidIdentityToken.say("Invalid session tags in AuthnResponse: %s")
)
