package awsapi

// S3's messages for what Gatehouse refuses rather than ignore (Object Lock, ACLs on buckets whose ACLs are disabled, operations it does
// not serve) and for the newer object APIs (conditional writes, object
// attributes, storage classes). Where AWS has the situation, the words are
// AWS's; where the refusal is Gatehouse's own (NotImplemented), the
// message says what is not supported.
var (
	// Operations.

	// OperationNotImplemented: an S3 operation Gatehouse does not serve
	// (docs/s3-compatibility.md lists them). Args: the operation's name.
	OperationNotImplemented = ErrNotImplemented.say("%s is not implemented by Gatehouse")

	// Object Lock.

	// ObjectLocked: removing, or shortening the retention of, a version a
	// retention period or legal hold protects. Args: none.
	ObjectLocked = ErrAccessDenied.say("Access Denied because object protected by object lock.")
	// ObjectLockMissing: retention, a legal hold or a lock configuration
	// for a bucket without Object Lock. Args: none.
	ObjectLockMissing = ErrInvalidRequest.say("Bucket is missing Object Lock Configuration")
	// ObjectLockVersioningLocked: suspending versioning of an Object Lock
	// bucket. Args: none.
	ObjectLockVersioningLocked = ErrInvalidBucketState.say("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
	// ObjectLockNeedsVersioning: enabling Object Lock on a bucket whose
	// versioning is not enabled. Args: none.
	ObjectLockNeedsVersioning = ErrInvalidBucketState.say("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
	// ObjectLockConfigMissing: GetObjectLockConfiguration of a bucket
	// without Object Lock. Args: none.
	ObjectLockConfigMissing = ErrObjectLockConfigurationNotFoundError.say("Object Lock configuration does not exist for this bucket")
	// ObjectLockNotSet: reading the retention, or the legal hold, of a
	// version that has none. Args: none.
	ObjectLockNotSet = ErrNoSuchObjectLockConfiguration.say("The specified object does not have a ObjectLock configuration")
	// ObjectLockBothHeaders: a write naming only one of a retention's mode
	// and date. Args: none.
	ObjectLockBothHeaders = ErrInvalidArgument.say("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
	// ObjectLockModeInvalid: a retention mode other than GOVERNANCE or
	// COMPLIANCE. Args: none.
	ObjectLockModeInvalid = ErrInvalidArgument.say("Unknown wormMode directive.")
	// ObjectLockDateInvalid: a retain-until date that does not parse.
	// Args: none.
	ObjectLockDateInvalid = ErrInvalidArgument.say("The retain until date must be provided in ISO 8601 format")
	// ObjectLockDatePast: a retain-until date not in the future. Args: none.
	ObjectLockDatePast = ErrInvalidArgument.say("The retain until date must be in the future!")
	// ObjectLockLegalHoldInvalid: a legal hold status other than ON or
	// OFF. Args: none.
	ObjectLockLegalHoldInvalid = ErrInvalidArgument.say("Legal Hold must be either of 'ON' or 'OFF'")
	// ObjectLockDigestMissing: a PUT with Object Lock parameters without
	// Content-MD5 or a checksum header. Args: none.
	ObjectLockDigestMissing = ErrInvalidRequest.say("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters")
	// ObjectLockPeriodInvalid: a default retention period that is not a
	// positive number of days or years. Args: none.
	ObjectLockPeriodInvalid = ErrInvalidArgument.say("Default retention period must be a positive integer value")

	// ACLs and Object Ownership.

	// ACLNotSupported: an ACL other than the bucket owner's full control on
	// a bucket whose Object Ownership is BucketOwnerEnforced. Args: none.
	ACLNotSupported = ErrAccessControlListNotSupported.say("The bucket does not allow ACLs")
	// BucketACLWithOwnership: an ACL granting more than the owner's full
	// control with BucketOwnerEnforced (CreateBucket, or
	// PutBucketOwnershipControls while the bucket ACL grants others).
	// Args: none.
	BucketACLWithOwnership = ErrInvalidBucketAclWithObjectOwnership.say("Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
	// BucketACLWithBlockPublicAccess: CreateBucket with a public ACL when
	// new buckets start with Block Public Access (--s3-block-public-access).
	// The code and wording are those client reports quote; AWS's reference
	// does not list them. Args: none.
	BucketACLWithBlockPublicAccess = ErrInvalidBucketAclWithBlockPublicAccessError.say("Bucket cannot have public ACLs set with BlockPublicAccess enabled")
	// ObjectOwnershipInvalid: an x-amz-object-ownership value S3 does not
	// know. Args: none.
	ObjectOwnershipInvalid = ErrInvalidArgument.say("Invalid x-amz-object-ownership header")
	// OwnershipControlsNotFound: GetBucketOwnershipControls of a bucket
	// whose controls were deleted. Args: none.
	OwnershipControlsNotFound = ErrOwnershipControlsNotFoundError.say("The bucket ownership controls were not found")
	// ACLMalformed: an AccessControlPolicy document that does not parse or
	// validate (no Owner, a grantee with neither ID nor URI, an unknown
	// permission, more than 100 grants). Args: none.
	ACLMalformed = ErrMalformedACLError.say("The XML you provided was not well-formed or did not validate against our published schema")
	// ACLCannedWithGrants: x-amz-acl together with x-amz-grant-* headers.
	// Args: none.
	ACLCannedWithGrants = ErrInvalidRequest.say("Specifying both Canned ACLs and Header Grants is not allowed")
	// ACLBodyWithHeaders: PutBucketAcl or PutObjectAcl with ACL headers and
	// a document. Args: none.
	ACLBodyWithHeaders = ErrUnexpectedContent.say("This request does not support content")
	// ACLMissing: PutBucketAcl or PutObjectAcl with neither ACL headers nor
	// a document. Args: none.
	ACLMissing = ErrMissingSecurityHeader.say("Your request was missing a required header")
	// ACLCannedInvalid: an x-amz-acl value S3 does not know. Args: none.
	ACLCannedInvalid = ErrInvalidArgument.say("")
	// ACLGranteeIDInvalid: a grant to a canonical user id no account has,
	// or a grant header that does not parse. Args: none.
	ACLGranteeIDInvalid = ErrInvalidArgument.say("Invalid id")
	// ACLGroupInvalid: a grant to a group URI S3 does not know. Args: none.
	ACLGroupInvalid = ErrInvalidArgument.say("Invalid group uri")
	// ACLEmailGrantee: a grant by email address, which S3 no longer
	// accepts in any region (since October 2025: 405). Args: none.
	ACLEmailGrantee = ErrMethodNotAllowed.say("The specified method is not allowed against this resource.")
	// ACLOwnerChange: an AccessControlPolicy whose Owner is not the
	// resource's owner. Args: none.
	ACLOwnerChange = ErrAccessDenied.say("Access Denied")

	// Conditional writes.

	// ConditionalWriteConflict: a conditional write whose condition held
	// when it started but not when it committed, because another write or
	// delete of the key committed meanwhile. Args: none.
	ConditionalWriteConflict = ErrConditionalRequestConflict.say("A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part.")

	// Object attributes.

	// ObjectAttributesMissing: GetObjectAttributes without
	// x-amz-object-attributes. Args: none.
	ObjectAttributesMissing = ErrInvalidRequest.say("The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
	// ObjectAttributeInvalid: an attribute name S3 does not know.
	// Args: none.
	ObjectAttributeInvalid = ErrInvalidArgument.say("Invalid attribute name specified.")

	// Listings.

	// MaxBucketsInvalid: a ListBuckets max-buckets outside 1..10000.
	// Args: none.
	MaxBucketsInvalid = ErrInvalidArgument.say("Argument max-buckets must be an integer between 1 and 10000")

	// Storage classes.

	// StorageClassInvalid: an x-amz-storage-class a general purpose bucket
	// does not accept. Args: none.
	StorageClassInvalid = ErrInvalidStorageClass.say("The storage class you specified is not valid")
)
