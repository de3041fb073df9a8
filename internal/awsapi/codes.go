package awsapi

import "net/http"

// The one table of AWS errors: every error the server sends names one of
// these codes, with the HTTP status AWS answers it with (an *Error may
// override the status where one code has two, such as ExpiredToken) and,
// where AWS always says the same thing, its message. Domain packages build
// errors only from this table (Code.New, Code.Errorf, Code.Default), so a
// code cannot be misspelt or sent without its status, and errors.Is(err,
// awsapi.ErrNoSuchKey) finds one however it is wrapped.
var (
	ErrAccessDenied                       = &Code{name: "AccessDenied", status: http.StatusForbidden}
	ErrAccessDeniedException              = &Code{name: "AccessDeniedException", status: http.StatusForbidden}
	ErrSignatureDoesNotMatch              = &Code{name: "SignatureDoesNotMatch", status: http.StatusForbidden}
	ErrInvalidClientTokenId               = &Code{name: "InvalidClientTokenId", status: http.StatusForbidden}
	ErrIncompleteSignature                = &Code{name: "IncompleteSignature", status: http.StatusBadRequest}
	ErrMissingAuthenticationToken         = &Code{name: "MissingAuthenticationToken", status: http.StatusForbidden}
	ErrMissingAction                      = &Code{name: "MissingAction", status: http.StatusBadRequest}
	ErrInvalidAction                      = &Code{name: "InvalidAction", status: http.StatusBadRequest}
	ErrInvalidParameterValue              = &Code{name: "InvalidParameterValue", status: http.StatusBadRequest}
	ErrInvalidParameterCombination        = &Code{name: "InvalidParameterCombination", status: http.StatusBadRequest}
	ErrMissingParameter                   = &Code{name: "MissingParameter", status: http.StatusBadRequest}
	ErrRequestExpired                     = &Code{name: "RequestExpired", status: http.StatusBadRequest}
	ErrRequestTimeTooSkewed               = &Code{name: "RequestTimeTooSkewed", status: http.StatusForbidden}
	ErrExpiredToken                       = &Code{name: "ExpiredToken", status: http.StatusBadRequest}
	ErrInvalidToken                       = &Code{name: "InvalidToken", status: http.StatusBadRequest}
	ErrInvalidAccessKeyId                 = &Code{name: "InvalidAccessKeyId", status: http.StatusForbidden}
	ErrAuthorizationHeaderMalformed       = &Code{name: "AuthorizationHeaderMalformed", status: http.StatusBadRequest}
	ErrAuthorizationQueryParametersError  = &Code{name: "AuthorizationQueryParametersError", status: http.StatusBadRequest}
	ErrXAmzContentSHA256Mismatch          = &Code{name: "XAmzContentSHA256Mismatch", status: http.StatusBadRequest}
	ErrOptInRequired                      = &Code{name: "OptInRequired", status: http.StatusForbidden}
	ErrThrottling                         = &Code{name: "Throttling", status: http.StatusBadRequest}
	ErrNotImplemented                     = &Code{name: "NotImplemented", status: http.StatusNotImplemented, message: "A header you provided implies functionality that is not implemented"}
	ErrInternalFailure                    = &Code{name: "InternalFailure", status: http.StatusInternalServerError, message: "We encountered an internal error. Please try again."}
	ErrServiceUnavailable                 = &Code{name: "ServiceUnavailable", status: http.StatusServiceUnavailable}
	ErrNoSuchEntity                       = &Code{name: "NoSuchEntity", status: http.StatusNotFound}
	ErrEntityAlreadyExists                = &Code{name: "EntityAlreadyExists", status: http.StatusConflict}
	ErrDeleteConflict                     = &Code{name: "DeleteConflict", status: http.StatusConflict}
	ErrLimitExceeded                      = &Code{name: "LimitExceeded", status: http.StatusConflict}
	ErrMalformedPolicyDocument            = &Code{name: "MalformedPolicyDocument", status: http.StatusBadRequest}
	ErrInvalidInput                       = &Code{name: "InvalidInput", status: http.StatusBadRequest}
	ErrValidationError                    = &Code{name: "ValidationError", status: http.StatusBadRequest}
	ErrPolicyNotAttachable                = &Code{name: "PolicyNotAttachable", status: http.StatusBadRequest}
	ErrUnmodifiableEntity                 = &Code{name: "UnmodifiableEntity", status: http.StatusBadRequest}
	ErrEntityTemporarilyUnmodifiable      = &Code{name: "EntityTemporarilyUnmodifiable", status: http.StatusConflict}
	ErrConcurrentModification             = &Code{name: "ConcurrentModification", status: http.StatusConflict}
	ErrInvalidAuthenticationCode          = &Code{name: "InvalidAuthenticationCode", status: http.StatusForbidden}
	ErrPasswordPolicyViolation            = &Code{name: "PasswordPolicyViolation", status: http.StatusBadRequest}
	ErrPolicyEvaluation                   = &Code{name: "PolicyEvaluation", status: http.StatusInternalServerError}
	ErrServiceFailure                     = &Code{name: "ServiceFailure", status: http.StatusInternalServerError, message: "We encountered an internal error. Please try again."}
	ErrPackedPolicyTooLarge               = &Code{name: "PackedPolicyTooLarge", status: http.StatusBadRequest}
	ErrRegionDisabledException            = &Code{name: "RegionDisabledException", status: http.StatusForbidden}
	ErrMalformedPolicyDocumentSTS         = &Code{name: "MalformedPolicyDocumentSTS", status: http.StatusBadRequest}
	ErrIDPRejectedClaim                   = &Code{name: "IDPRejectedClaim", status: http.StatusForbidden}
	ErrInvalidIdentityToken               = &Code{name: "InvalidIdentityToken", status: http.StatusBadRequest}
	ErrIDPCommunicationError              = &Code{name: "IDPCommunicationError", status: http.StatusBadRequest}
	ErrInvalidAuthorizationMessage        = &Code{name: "InvalidAuthorizationMessage", status: http.StatusBadRequest}
	ErrExpiredTokenException              = &Code{name: "ExpiredTokenException", status: http.StatusBadRequest}
	ErrInvalidParameterValueException     = &Code{name: "InvalidParameterValueException", status: http.StatusBadRequest}
	ErrNoSuchBucket                       = &Code{name: "NoSuchBucket", status: http.StatusNotFound, message: "The specified bucket does not exist"}
	ErrNoSuchKey                          = &Code{name: "NoSuchKey", status: http.StatusNotFound, message: "The specified key does not exist."}
	ErrNoSuchUpload                       = &Code{name: "NoSuchUpload", status: http.StatusNotFound, message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}
	ErrNoSuchBucketPolicy                 = &Code{name: "NoSuchBucketPolicy", status: http.StatusNotFound}
	ErrNoSuchCORSConfiguration            = &Code{name: "NoSuchCORSConfiguration", status: http.StatusNotFound}
	ErrNoSuchTagSet                       = &Code{name: "NoSuchTagSet", status: http.StatusNotFound}
	ErrNoSuchLifecycleConfiguration       = &Code{name: "NoSuchLifecycleConfiguration", status: http.StatusNotFound}
	ErrBucketAlreadyExists                = &Code{name: "BucketAlreadyExists", status: http.StatusConflict}
	ErrBucketAlreadyOwnedByYou            = &Code{name: "BucketAlreadyOwnedByYou", status: http.StatusConflict}
	ErrBucketNotEmpty                     = &Code{name: "BucketNotEmpty", status: http.StatusConflict}
	ErrInvalidBucketName                  = &Code{name: "InvalidBucketName", status: http.StatusBadRequest}
	ErrInvalidArgument                    = &Code{name: "InvalidArgument", status: http.StatusBadRequest}
	ErrInvalidRequest                     = &Code{name: "InvalidRequest", status: http.StatusBadRequest}
	ErrInvalidRange                       = &Code{name: "InvalidRange", status: http.StatusRequestedRangeNotSatisfiable}
	ErrInvalidPart                        = &Code{name: "InvalidPart", status: http.StatusBadRequest}
	ErrInvalidPartNumber                  = &Code{name: "InvalidPartNumber", status: http.StatusRequestedRangeNotSatisfiable}
	ErrInvalidPartOrder                   = &Code{name: "InvalidPartOrder", status: http.StatusBadRequest}
	ErrEntityTooSmall                     = &Code{name: "EntityTooSmall", status: http.StatusBadRequest}
	ErrEntityTooLarge                     = &Code{name: "EntityTooLarge", status: http.StatusBadRequest}
	ErrInvalidDigest                      = &Code{name: "InvalidDigest", status: http.StatusBadRequest}
	ErrBadDigest                          = &Code{name: "BadDigest", status: http.StatusBadRequest}
	ErrMalformedXML                       = &Code{name: "MalformedXML", status: http.StatusBadRequest, message: "The XML you provided was not well-formed or did not validate against our published schema"}
	ErrMalformedPolicy                    = &Code{name: "MalformedPolicy", status: http.StatusBadRequest}
	ErrMalformedPOSTRequest               = &Code{name: "MalformedPOSTRequest", status: http.StatusBadRequest}
	ErrMethodNotAllowed                   = &Code{name: "MethodNotAllowed", status: http.StatusMethodNotAllowed, message: "The specified method is not allowed against this resource."}
	ErrPreconditionFailed                 = &Code{name: "PreconditionFailed", status: http.StatusPreconditionFailed}
	ErrNotModified                        = &Code{name: "NotModified", status: http.StatusNotModified}
	ErrMissingContentLength               = &Code{name: "MissingContentLength", status: http.StatusLengthRequired, message: "You must provide the Content-Length HTTP header."}
	ErrMissingSecurityHeader              = &Code{name: "MissingSecurityHeader", status: http.StatusBadRequest}
	ErrIncompleteBody                     = &Code{name: "IncompleteBody", status: http.StatusBadRequest}
	ErrKeyTooLongError                    = &Code{name: "KeyTooLongError", status: http.StatusBadRequest}
	ErrMetadataTooLarge                   = &Code{name: "MetadataTooLarge", status: http.StatusBadRequest}
	ErrRequestHeaderSectionTooLarge       = &Code{name: "RequestHeaderSectionTooLarge", status: http.StatusBadRequest}
	ErrAccessForbidden                    = &Code{name: "AccessForbidden", status: http.StatusForbidden}
	ErrInvalidLocationConstraint          = &Code{name: "InvalidLocationConstraint", status: http.StatusBadRequest}
	ErrIllegalLocationConstraintException = &Code{name: "IllegalLocationConstraintException", status: http.StatusBadRequest}
	ErrInvalidStorageClass                = &Code{name: "InvalidStorageClass", status: http.StatusBadRequest}
	ErrAccessControlListNotSupported      = &Code{name: "AccessControlListNotSupported", status: http.StatusBadRequest}
	ErrConditionalRequestConflict         = &Code{name: "ConditionalRequestConflict", status: http.StatusConflict}
	ErrTooManyBuckets                     = &Code{name: "TooManyBuckets", status: http.StatusBadRequest}
	ErrInternalError                      = &Code{name: "InternalError", status: http.StatusInternalServerError, message: "We encountered an internal error. Please try again."}
	ErrSlowDown                           = &Code{name: "SlowDown", status: http.StatusServiceUnavailable}
	ErrXAmzContentChecksumMismatch        = &Code{name: "XAmzContentChecksumMismatch", status: http.StatusBadRequest}
	ErrInvalidTag                         = &Code{name: "InvalidTag", status: http.StatusBadRequest}
	ErrInvalidEncryptionAlgorithmError    = &Code{name: "InvalidEncryptionAlgorithmError", status: http.StatusBadRequest}
	ErrUnexpectedContent                  = &Code{name: "UnexpectedContent", status: http.StatusBadRequest}
	ErrBadRequest                         = &Code{name: "BadRequest", status: http.StatusBadRequest}
	ErrInvalidPolicyDocument              = &Code{name: "InvalidPolicyDocument", status: http.StatusBadRequest}
	ErrMalformedQueryString               = &Code{name: "MalformedQueryString", status: http.StatusNotFound}
	ErrMaxMessageLengthExceeded           = &Code{name: "MaxMessageLengthExceeded", status: http.StatusBadRequest}
	ErrMaxPostPreDataLengthExceeded       = &Code{name: "MaxPostPreDataLengthExceeded", status: http.StatusBadRequest}
	ErrNoSuchVersion                      = &Code{name: "NoSuchVersion", status: http.StatusNotFound}
	ErrOperationAborted                   = &Code{name: "OperationAborted", status: http.StatusConflict}
	ErrRequestEntityTooLarge              = &Code{name: "RequestEntityTooLarge", status: http.StatusRequestEntityTooLarge}
	ErrKMSNotFoundException               = &Code{name: "KMS.NotFoundException", status: http.StatusBadRequest}
	ErrRequestTimeout                     = &Code{name: "RequestTimeout", status: http.StatusBadRequest, message: "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."}

	// S3 versioning.
	ErrIllegalVersioningConfigurationException = &Code{name: "IllegalVersioningConfigurationException", status: http.StatusBadRequest}

	// S3 Object Lock.
	ErrInvalidBucketState                   = &Code{name: "InvalidBucketState", status: http.StatusConflict}
	ErrNoSuchObjectLockConfiguration        = &Code{name: "NoSuchObjectLockConfiguration", status: http.StatusNotFound}
	ErrObjectLockConfigurationNotFoundError = &Code{name: "ObjectLockConfigurationNotFoundError", status: http.StatusNotFound}
)

// ErrServerSideEncryptionConfigurationNotFoundError is declared on its own:
// its name is longer than the block's alignment.
var ErrServerSideEncryptionConfigurationNotFoundError = &Code{name: "ServerSideEncryptionConfigurationNotFoundError", status: http.StatusNotFound}

// ErrNoSuchPublicAccessBlockConfiguration: S3 (and S3 Control) Block Public
// Access configuration not found.
var ErrNoSuchPublicAccessBlockConfiguration = &Code{name: "NoSuchPublicAccessBlockConfiguration", status: http.StatusNotFound}

// ErrInvalidBucketAclWithObjectOwnership is declared on its own: its name is
// longer than the block's alignment.
var ErrInvalidBucketAclWithObjectOwnership = &Code{name: "InvalidBucketAclWithObjectOwnership", status: http.StatusBadRequest}

// ErrInvalidBucketAclWithBlockPublicAccessError: CreateBucket with a public
// ACL while the new bucket's Block Public Access would refuse it.
var ErrInvalidBucketAclWithBlockPublicAccessError = &Code{name: "InvalidBucketAclWithBlockPublicAccessError", status: http.StatusBadRequest}

// S3's ACL and Object Ownership codes (names longer than the block's
// alignment).
var (
	ErrMalformedACLError              = &Code{name: "MalformedACLError", status: http.StatusBadRequest}
	ErrOwnershipControlsNotFoundError = &Code{name: "OwnershipControlsNotFoundError", status: http.StatusNotFound}
)

// codes lists the table, for lookups by name and tests.
var codes = []*Code{
	ErrAccessDenied,
	ErrAccessDeniedException,
	ErrSignatureDoesNotMatch,
	ErrInvalidClientTokenId,
	ErrIncompleteSignature,
	ErrMissingAuthenticationToken,
	ErrMissingAction,
	ErrInvalidAction,
	ErrInvalidParameterValue,
	ErrInvalidParameterCombination,
	ErrMissingParameter,
	ErrRequestExpired,
	ErrRequestTimeTooSkewed,
	ErrExpiredToken,
	ErrInvalidToken,
	ErrInvalidAccessKeyId,
	ErrAuthorizationHeaderMalformed,
	ErrAuthorizationQueryParametersError,
	ErrXAmzContentSHA256Mismatch,
	ErrOptInRequired,
	ErrThrottling,
	ErrNotImplemented,
	ErrInternalFailure,
	ErrServiceUnavailable,
	ErrNoSuchEntity,
	ErrEntityAlreadyExists,
	ErrDeleteConflict,
	ErrLimitExceeded,
	ErrMalformedPolicyDocument,
	ErrInvalidInput,
	ErrValidationError,
	ErrPolicyNotAttachable,
	ErrUnmodifiableEntity,
	ErrEntityTemporarilyUnmodifiable,
	ErrConcurrentModification,
	ErrInvalidAuthenticationCode,
	ErrPasswordPolicyViolation,
	ErrPolicyEvaluation,
	ErrServiceFailure,
	ErrPackedPolicyTooLarge,
	ErrRegionDisabledException,
	ErrMalformedPolicyDocumentSTS,
	ErrIDPRejectedClaim,
	ErrInvalidIdentityToken,
	ErrIDPCommunicationError,
	ErrInvalidAuthorizationMessage,
	ErrExpiredTokenException,
	ErrInvalidParameterValueException,
	ErrNoSuchBucket,
	ErrNoSuchKey,
	ErrNoSuchUpload,
	ErrNoSuchBucketPolicy,
	ErrNoSuchCORSConfiguration,
	ErrNoSuchPublicAccessBlockConfiguration,
	ErrNoSuchTagSet,
	ErrNoSuchLifecycleConfiguration,
	ErrBucketAlreadyExists,
	ErrBucketAlreadyOwnedByYou,
	ErrBucketNotEmpty,
	ErrInvalidBucketName,
	ErrInvalidArgument,
	ErrInvalidRequest,
	ErrInvalidRange,
	ErrInvalidPart,
	ErrInvalidPartNumber,
	ErrInvalidPartOrder,
	ErrEntityTooSmall,
	ErrEntityTooLarge,
	ErrInvalidDigest,
	ErrBadDigest,
	ErrMalformedXML,
	ErrMalformedPolicy,
	ErrMalformedPOSTRequest,
	ErrMethodNotAllowed,
	ErrPreconditionFailed,
	ErrNotModified,
	ErrMissingContentLength,
	ErrMissingSecurityHeader,
	ErrIncompleteBody,
	ErrKeyTooLongError,
	ErrMetadataTooLarge,
	ErrRequestHeaderSectionTooLarge,
	ErrAccessForbidden,
	ErrInvalidLocationConstraint,
	ErrIllegalLocationConstraintException,
	ErrIllegalVersioningConfigurationException,
	ErrInvalidStorageClass,
	ErrAccessControlListNotSupported,
	ErrInvalidBucketAclWithObjectOwnership,
	ErrInvalidBucketAclWithBlockPublicAccessError,
	ErrMalformedACLError,
	ErrOwnershipControlsNotFoundError,
	ErrConditionalRequestConflict,
	ErrTooManyBuckets,
	ErrInternalError,
	ErrSlowDown,
	ErrXAmzContentChecksumMismatch,
	ErrInvalidTag,
	ErrInvalidEncryptionAlgorithmError,
	ErrUnexpectedContent,
	ErrBadRequest,
	ErrInvalidPolicyDocument,
	ErrMalformedQueryString,
	ErrMaxMessageLengthExceeded,
	ErrMaxPostPreDataLengthExceeded,
	ErrNoSuchVersion,
	ErrOperationAborted,
	ErrRequestEntityTooLarge,
	ErrRequestTimeout,
	ErrKMSNotFoundException,
	ErrServerSideEncryptionConfigurationNotFoundError,
	ErrInvalidBucketState,
	ErrNoSuchObjectLockConfiguration,
	ErrObjectLockConfigurationNotFoundError,
}
