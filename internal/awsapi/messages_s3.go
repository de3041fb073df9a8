package awsapi

// S3's messages, worded as S3 words them. The extra elements of S3's error
// body (BucketName, Key, ArgumentName, ...) are values, not wording: the
// S3 service adds them to the error with With.
var (
	// Buckets.

	// BucketNotFound: the named bucket does not exist. Args: none.
	BucketNotFound = ErrNoSuchBucket.say("The specified bucket does not exist")
	// BucketNameInvalid: CreateBucket with a name S3 does not allow. Args: none.
	BucketNameInvalid = ErrInvalidBucketName.say("The specified bucket is not valid.")
	// BucketAlreadyOwned: CreateBucket of a bucket the caller's account
	// already owns. Args: none.
	BucketAlreadyOwned = ErrBucketAlreadyOwnedByYou.say("Your previous request to create the named bucket succeeded and you already own it.")
	// BucketNameTaken: CreateBucket of a bucket another account owns.
	// Args: none.
	BucketNameTaken = ErrBucketAlreadyExists.say("The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
	// BucketNotEmpty: DeleteBucket of a bucket that still holds objects or
	// uploads. Args: none.
	BucketNotEmpty = ErrBucketNotEmpty.say("The bucket you tried to delete is not empty")
	// LocationConstraintMissing: CreateBucket without a location constraint
	// outside us-east-1. Args: none.
	LocationConstraintMissing = ErrIllegalLocationConstraintException.say("The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	// LocationConstraintInvalid: a location constraint S3 never accepts
	// (us-east-1, or EU outside eu-west-1). Args: none.
	LocationConstraintInvalid = ErrInvalidLocationConstraint.say("The specified location-constraint is not valid")
	// LocationConstraintElsewhere: a location constraint naming another
	// region than the server's. Args: the constraint.
	LocationConstraintElsewhere = ErrIllegalLocationConstraintException.say("The %s location constraint is incompatible for the region specific endpoint this request was sent to.")
	// BucketTagSetNotFound: GetBucketTagging of a bucket without tags.
	// Args: none.
	BucketTagSetNotFound = ErrNoSuchTagSet.say("The TagSet does not exist")

	// Bucket policies.

	// BucketPolicyNotFound: GetBucketPolicy of a bucket without a policy.
	// Args: none.
	BucketPolicyNotFound = ErrNoSuchBucketPolicy.say("The bucket policy does not exist")
	// BucketPolicyTooLarge: a policy over 20 KB. Args: none.
	BucketPolicyTooLarge = ErrMalformedPolicy.say("Policies must be less than 20KB")
	// BucketPolicyNotJSON: a policy that does not parse as JSON. Args: none.
	BucketPolicyNotJSON = ErrMalformedPolicy.say("Policies must be valid JSON and the first byte must be '{'")
	// BucketPolicyRejected: the policy grammar rejects the document.
	// Args: the policy package's message (policy.Error's Message).
	BucketPolicyRejected = ErrMalformedPolicy.say("%s")
	// BucketPolicyMissingPrincipal: a statement without Principal or
	// NotPrincipal. Args: none.
	BucketPolicyMissingPrincipal = ErrMalformedPolicy.say("Missing required field Principal")
	// BucketPolicyInvalidPrincipal: a principal that names no existing
	// entity. Args: none.
	BucketPolicyInvalidPrincipal = ErrMalformedPolicy.say("Invalid principal in policy")
	// BucketPolicyInvalidResource: a resource outside the bucket.
	// Args: none.
	BucketPolicyInvalidResource = ErrMalformedPolicy.say("Policy has invalid resource")
	// BucketPolicyInvalidAction: an action outside s3:. Args: none.
	BucketPolicyInvalidAction = ErrMalformedPolicy.say("Policy has invalid action")

	// Block Public Access.

	// PublicAccessBlockNotFound: GetPublicAccessBlock of a bucket, or S3
	// Control's of an account, without a configuration. Args: none.
	PublicAccessBlockNotFound = ErrNoSuchPublicAccessBlockConfiguration.say("The public access block configuration was not found")

	// CORS configurations and preflights.

	// CORSConfigurationNotFound: GetBucketCors of a bucket without one.
	// Args: none.
	CORSConfigurationNotFound = ErrNoSuchCORSConfiguration.say("The CORS configuration does not exist")
	// CORSConfigurationMalformed: PutBucketCors with a document the CORS
	// grammar cannot read. Args: the cors package's message (cors.Error's
	// Message).
	CORSConfigurationMalformed = ErrMalformedXML.say("%s")
	// CORSConfigurationInvalid: PutBucketCors with a rule the CORS grammar
	// rejects. Args: the cors package's message (cors.Error's Message).
	CORSConfigurationInvalid = ErrInvalidRequest.say("%s")
	// PreflightOriginMissing: an OPTIONS request without Origin. Args: none.
	PreflightOriginMissing = ErrBadRequest.say("Insufficient information. Origin request header needed.")
	// PreflightMethodMissing: an OPTIONS request without
	// Access-Control-Request-Method. Args: none.
	PreflightMethodMissing = ErrBadRequest.say("Invalid Access-Control-Request-Method: null")
	// PreflightBucketNotFound: a preflight of no bucket or of a bucket that
	// does not exist. Args: none.
	PreflightBucketNotFound = ErrAccessForbidden.say("CORSResponse: Bucket not found")
	// PreflightCORSDisabled: a preflight of a bucket without a CORS
	// configuration. Args: none.
	PreflightCORSDisabled = ErrAccessForbidden.say("CORSResponse: CORS is not enabled for this bucket.")
	// PreflightNotAllowed: no CORS rule allows the preflight. Args: none.
	PreflightNotAllowed = ErrAccessForbidden.say("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")

	// Lifecycle configurations.

	// LifecycleNotFound: GetBucketLifecycleConfiguration of a bucket
	// without one. Args: none.
	LifecycleNotFound = ErrNoSuchLifecycleConfiguration.say("The lifecycle configuration does not exist")
	// LifecycleInvalidArgument: PutBucketLifecycleConfiguration with a
	// value the lifecycle grammar rejects. Args: the lifecycle package's
	// message (lifecycle.Error's Message).
	LifecycleInvalidArgument = ErrInvalidArgument.say("%s")
	// LifecycleInvalidRequest: PutBucketLifecycleConfiguration with a
	// combination the lifecycle grammar rejects. Args: the lifecycle
	// package's message.
	LifecycleInvalidRequest = ErrInvalidRequest.say("%s")
	// LifecycleMinSizeInvalid: an x-amz-transition-default-minimum-object-size
	// S3 does not define. Args: the value.
	LifecycleMinSizeInvalid = ErrInvalidRequest.say("Invalid TransitionDefaultMinimumObjectSize found: %s")
	// ContentMD5Missing: a request S3 requires an integrity header on
	// (Content-MD5 or a x-amz-checksum-*) sent without one. Args: none.
	ContentMD5Missing = ErrInvalidRequest.say("Missing required header for this request: Content-Md5.")

	// Request documents, parameters and operations.

	// XMLMalformed: a request document that is empty, does not decode or
	// lists too few or too many entries. Args: none.
	XMLMalformed = ErrMalformedXML.say("The XML you provided was not well-formed or did not validate against our published schema")
	// DocumentTooLarge: a request document over its limit. Args: none.
	DocumentTooLarge = ErrMaxMessageLengthExceeded.say("Your request was too big.")
	// ArgumentNotAnInteger: a numeric query parameter that is not a
	// non-negative integer. Args: the parameter's name.
	ArgumentNotAnInteger = ErrInvalidArgument.say("Provided %s not an integer or within integer range")
	// EncodingTypeInvalid: an encoding-type other than url. Args: none.
	EncodingTypeInvalid = ErrInvalidArgument.say("Invalid Encoding Method specified in Request")
	// ContinuationTokenInvalid: a continuation-token the server did not
	// hand out. Args: none.
	ContinuationTokenInvalid = ErrInvalidArgument.say("The continuation token provided is incorrect")
	// S3MethodNotAllowed: a method the resource does not support.
	// Args: none.
	S3MethodNotAllowed = ErrMethodNotAllowed.say("The specified method is not allowed against this resource.")
	// HeaderNotImplemented: a request asking for functionality the server
	// does not have. Args: none.
	HeaderNotImplemented = ErrNotImplemented.say("A header you provided implies functionality that is not implemented")

	// Authentication and authorization of S3 requests.

	// ContentSHA256Missing: a SigV4 header-signed request without
	// x-amz-content-sha256. Args: none.
	ContentSHA256Missing = ErrInvalidRequest.say("Missing required header for this request: x-amz-content-sha256")
	// ContentSHA256Invalid: an x-amz-content-sha256 that is no payload mode
	// and no SHA-256. Args: none.
	ContentSHA256Invalid = ErrInvalidArgument.say("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
	// S3AccessDenied: a denial told to a caller who may not learn why
	// (anonymous, or of another account than the bucket's), and a denied
	// key of DeleteObjects. Args: none.
	S3AccessDenied = ErrAccessDenied.say("Access Denied")
	// S3AccessDeniedExplained: a denial told to a caller of the bucket
	// owner's account. Args: the authorizer's explanation (authz's
	// DeniedError text, with the resource ARN quoted).
	S3AccessDeniedExplained = ErrAccessDenied.say("%s")

	// Objects.

	// KeyNotFound: the object does not exist. Args: none.
	KeyNotFound = ErrNoSuchKey.say("The specified key does not exist.")
	// KeyTooLong: a key over 1024 bytes. Args: none.
	KeyTooLong = ErrKeyTooLongError.say("Your key is too long")
	// KeyNotUTF8: a key that is not valid UTF-8. Args: none.
	KeyNotUTF8 = ErrInvalidArgument.say("Object key must be valid UTF-8")
	// KeyEmpty: a DeleteObjects entry without a key. Args: none.
	KeyEmpty = ErrInvalidArgument.say("Object key must not be empty")
	// VersionNotFound: a version id that names no version of the key.
	// Args: none.
	VersionNotFound = ErrNoSuchVersion.say("The specified version does not exist.")
	// MetadataTooLarge: user metadata over 2 KB. Args: none.
	MetadataTooLarge = ErrMetadataTooLarge.say("Your metadata headers exceed the maximum allowed metadata size")
	// HeaderSectionTooLarge: an object write's headers over 8 KB.
	// Args: none.
	HeaderSectionTooLarge = ErrRequestHeaderSectionTooLarge.say("Your request header section exceeds the maximum allowed size.")
	// PreconditionNotMet: a conditional request whose condition fails.
	// Args: none.
	PreconditionNotMet = ErrPreconditionFailed.say("At least one of the pre-conditions you specified did not hold")
	// RangeNotSatisfiable: a Range outside the object. Args: none.
	RangeNotSatisfiable = ErrInvalidRange.say("The requested range is not satisfiable")
	// RangeWithPartNumber: a GET with both Range and partNumber.
	// Args: none.
	RangeWithPartNumber = ErrInvalidRequest.say("Cannot specify both Range header and partNumber query parameter")
	// PartNumberNotSatisfiable: a partNumber beyond the object's parts.
	// Args: none.
	PartNumberNotSatisfiable = ErrInvalidPartNumber.say("The requested partnumber is not satisfiable")
	// ResponseHeadersAnonymous: response-* overrides on an anonymous GET.
	// Args: none.
	ResponseHeadersAnonymous = ErrInvalidRequest.say("Request specific response headers cannot be used for anonymous GET requests.")

	// Tags.

	// TaggingHeaderMalformed: an x-amz-tagging header that does not decode
	// or repeats a key. Args: none.
	TaggingHeaderMalformed = ErrInvalidArgument.say("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	// TooManyTags: more tags than the resource allows. Args: the limit.
	TooManyTags = ErrBadRequest.say("Object tags cannot be greater than %d")
	// TagKeyInvalid: an empty or too long tag key. Args: none.
	TagKeyInvalid = ErrInvalidTag.say("The TagKey you have provided is invalid")
	// TagValueInvalid: a too long tag value. Args: none.
	TagValueInvalid = ErrInvalidTag.say("The TagValue you have provided is invalid")
	// S3TagKeyReserved: a tag key starting with aws:. Args: none.
	S3TagKeyReserved = ErrInvalidTag.say("Your TagKey cannot be prefixed with aws:")
	// TagKeyDuplicate: two tags with one key. Args: none.
	TagKeyDuplicate = ErrInvalidTag.say("Cannot provide multiple Tags with the same key")

	// Versioning.

	// VersionIDEmpty: a versionId (of the request or of x-amz-copy-source)
	// that is empty. Args: none.
	VersionIDEmpty = ErrInvalidArgument.say("Version id cannot be the empty string")
	// VersionIDInvalid: a versionId that is not a version id. Args: none.
	VersionIDInvalid = ErrInvalidArgument.say("Invalid version id specified")
	// VersionIDNotAccepted: a versionId on an operation that takes none
	// (UploadPart). Args: none.
	VersionIDNotAccepted = ErrInvalidArgument.say("This operation does not accept a version-id.")
	// VersionMarkerWithoutKeyMarker: ListObjectVersions with a
	// version-id-marker and no key-marker. Args: none.
	VersionMarkerWithoutKeyMarker = ErrInvalidArgument.say("A version-id marker cannot be specified without a key marker.")
	// VersionMarkerEmpty: ListObjectVersions with an empty
	// version-id-marker. Args: none.
	VersionMarkerEmpty = ErrInvalidArgument.say("A version-id marker cannot be empty.")
	// MaxKeysNegative: ListObjectVersions with a negative max-keys.
	// Args: none.
	MaxKeysNegative = ErrInvalidArgument.say("max-keys cannot be negative")
	// VersioningStatusMissing: PutBucketVersioning without a Status (or an
	// empty one). Args: none.
	VersioningStatusMissing = ErrIllegalVersioningConfigurationException.say("The Versioning element must be specified")
	// MFARequired: a request MFA Delete protects (permanently deleting a
	// version, changing the versioning state, enabling MFA Delete) without
	// x-amz-mfa. Args: none.
	MFARequired = ErrAccessDenied.say("Mfa Authentication must be used for this request")
	// MFAOwnerOnly: an MFA Delete request by anyone but the bucket owner's
	// root with its own keys. Args: none.
	MFAOwnerOnly = ErrAccessDenied.say("This operation may only be performed by the bucket owner")
	// MFAWithSessionToken: an MFA Delete request signed with temporary
	// credentials. Args: none.
	MFAWithSessionToken = ErrInvalidRequest.say("DevPay and Mfa are mutually exclusive authorization methods.")
	// MFAInsecure: a request carrying x-amz-mfa over plain HTTP (S3
	// requires HTTPS; its wording is not confirmed). Args: none.
	MFAInsecure = ErrInvalidRequest.say("Requests specifying Mfa Authentication must be made over a secure connection.")
	// MFADeleteWithLifecycle: PutBucketVersioning enabling MFA Delete on a
	// bucket with a lifecycle configuration. Args: none.
	MFADeleteWithLifecycle = ErrInvalidBucketState.say("Mfa Authentication is not supported on a bucket with lifecycle configuration. Delete lifecycle configuration before enabling Mfa Authentication.")
	// LifecycleWithMFADelete: PutBucketLifecycleConfiguration on a bucket
	// with MFA Delete enabled (S3's wording not confirmed: the message
	// mirrors MFADeleteWithLifecycle's). Args: none.
	LifecycleWithMFADelete = ErrInvalidBucketState.say("Lifecycle configuration is not supported on a bucket with Mfa Authentication. Disable Mfa Authentication before setting a lifecycle configuration.")
	// MFAHeaderInvalid: an x-amz-mfa that is not "SERIAL CODE", or whose
	// code the device does not accept (wrong, or used already). Args: none.
	MFAHeaderInvalid = ErrInvalidArgument.say("Mfa header is invalid -- the header should be formatted as {serialNumber}(space){tokenCode}")

	// Copies.

	// CopySourceEncodingInvalid: an x-amz-copy-source that does not
	// percent-decode. Args: none.
	CopySourceEncodingInvalid = ErrInvalidArgument.say("Invalid copy source encoding")
	// CopySourceKeyInvalid: an x-amz-copy-source without bucket and key.
	// Args: none.
	CopySourceKeyInvalid = ErrInvalidArgument.say("Invalid copy source object key")
	// CopySourceVersionInvalid: UploadPartCopy's x-amz-copy-source naming
	// a version id that is not one. Args: none.
	CopySourceVersionInvalid = ErrInvalidArgument.say("Invalid version id specified")
	// CopySourceVersionMalformed: CopyObject's x-amz-copy-source naming a
	// version id that is not one (S3 words it so, unlike UploadPartCopy).
	// Args: none.
	CopySourceVersionMalformed = ErrInvalidRequest.say("Invalid Request")
	// CopySourceDeleteMarker: an x-amz-copy-source naming a delete marker
	// by its version id. Args: none.
	CopySourceDeleteMarker = ErrInvalidRequest.say("The source of a copy request may not specifically refer to a delete marker by version id.")
	// MetadataDirectiveUnknown: an x-amz-metadata-directive other than COPY
	// or REPLACE. Args: none.
	MetadataDirectiveUnknown = ErrInvalidArgument.say("Unknown metadata directive.")
	// TaggingDirectiveUnknown: an x-amz-tagging-directive other than COPY
	// or REPLACE. Args: none.
	TaggingDirectiveUnknown = ErrInvalidArgument.say("Unknown tagging directive.")
	// CopyToItself: a copy of an object onto itself that changes nothing.
	// Args: none.
	CopyToItself = ErrInvalidRequest.say("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	// CopySourceChanged: the source object changed while it was copied.
	// Args: none.
	CopySourceChanged = ErrOperationAborted.say("A conflicting conditional operation is currently in progress against this resource. Please try again.")
	// CopySourceRangeInvalid: an x-amz-copy-source-range outside the
	// source. Args: the source object's size.
	CopySourceRangeInvalid = ErrInvalidArgument.say("Range specified is not valid for source object of size: %d")
	// CopySourceTooLarge: a copy of more than 5 GiB in one request.
	// Args: none.
	CopySourceTooLarge = ErrInvalidRequest.say("The specified copy source is larger than the maximum allowable size for a copy source: 5368709120")

	// Payloads and checksums.

	// ContentLengthMissing: a PUT without a (decoded) content length.
	// Args: none.
	ContentLengthMissing = ErrMissingContentLength.say("You must provide the Content-Length HTTP header.")
	// BodyIncomplete: a body shorter than its Content-Length. Args: none.
	BodyIncomplete = ErrIncompleteBody.say("You did not provide the number of bytes specified by the Content-Length HTTP header")
	// UploadTooLarge: a body over the maximum object or part size.
	// Args: none.
	UploadTooLarge = ErrEntityTooLarge.say("Your proposed upload exceeds the maximum allowed size")
	// UploadTooSmall: a body or part under the minimum size. Args: none.
	UploadTooSmall = ErrEntityTooSmall.say("Your proposed upload is smaller than the minimum allowed size")
	// StreamingNeedsSignature: a signed streaming payload on a request
	// that is not signed. Args: none.
	StreamingNeedsSignature = ErrInvalidRequest.say("Streaming signed payloads require a signed request.")
	// ContentSHA256Mismatch: the body's SHA-256 differs from
	// x-amz-content-sha256. Args: none.
	ContentSHA256Mismatch = ErrXAmzContentSHA256Mismatch.say("The provided 'x-amz-content-sha256' header does not match what was computed.")
	// ContentMD5Invalid: a Content-MD5 that is no base64 MD5. Args: none.
	ContentMD5Invalid = ErrInvalidDigest.say("The Content-MD5 you specified was invalid.")
	// ContentMD5Mismatch: the body's MD5 differs from Content-MD5.
	// Args: none.
	ContentMD5Mismatch = ErrBadDigest.say("The Content-MD5 you specified did not match what we received.")
	// ChecksumAlgorithmUnsupported: a checksum algorithm S3 does not know.
	// Args: none.
	ChecksumAlgorithmUnsupported = ErrInvalidRequest.say("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
	// ChecksumMultiple: the checksums of more than one algorithm (headers
	// or trailer). Args: none.
	ChecksumMultiple = ErrInvalidRequest.say("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	// ChecksumHeaderInvalid: an x-amz-checksum-* header that does not
	// decode. Args: the header's name.
	ChecksumHeaderInvalid = ErrInvalidRequest.say("Value for %s header is invalid.")
	// ChecksumTrailerInvalid: a checksum trailer that does not decode.
	// Args: the trailer's name.
	ChecksumTrailerInvalid = ErrInvalidRequest.say("Value for %s trailing header is invalid.")
	// TrailerUnsupported: an x-amz-trailer naming no checksum S3 knows.
	// Args: none.
	TrailerUnsupported = ErrInvalidRequest.say("The value specified in the x-amz-trailer header is not supported")
	// ChecksumMismatch: a body or object whose checksum differs from the
	// one given. Args: the algorithm.
	ChecksumMismatch = ErrBadDigest.say("The %s you specified did not match the calculated checksum.")

	// Multipart uploads.

	// UploadNotFound: the upload does not exist (or has been completed or
	// aborted). Args: none.
	UploadNotFound = ErrNoSuchUpload.say("The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	// PartNumberOutOfRange: a partNumber outside 1..10000. Args: none.
	PartNumberOutOfRange = ErrInvalidArgument.say("Part number must be an integer between 1 and 10000, inclusive")
	// PartNotFound: a completed part that was not uploaded or whose ETag
	// or checksum differs. Args: none.
	PartNotFound = ErrInvalidPart.say("One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	// PartsNotInOrder: CompleteMultipartUpload's parts not ascending.
	// Args: none.
	PartsNotInOrder = ErrInvalidPartOrder.say("The list of parts was not in ascending order. The parts list must be specified in order by part number.")
	// ChecksumTypeWithoutAlgorithm: CreateMultipartUpload with
	// x-amz-checksum-type alone. Args: none.
	ChecksumTypeWithoutAlgorithm = ErrInvalidRequest.say("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
	// ChecksumTypeIncompatible: a checksum type the algorithm does not
	// have. Args: the type, the algorithm (both lower case).
	ChecksumTypeIncompatible = ErrInvalidRequest.say("The %s checksum type cannot be used with the %s checksum algorithm.")
	// PartChecksumAlgorithmMismatch: a part sent with another checksum
	// algorithm than its upload's. Args: the upload's algorithm, the
	// part's (both lower case).
	PartChecksumAlgorithmMismatch = ErrInvalidRequest.say("Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s")
	// PartChecksumMissing: CompleteMultipartUpload of a composite-checksum
	// upload without a part's checksum. Args: the algorithm (lower case),
	// the part number.
	PartChecksumMissing = ErrInvalidRequest.say("The upload was created using a %s checksum. The complete request must include the checksum for each part. It was missing for part %d in the request.")
	// ChecksumModeMismatch: CompleteMultipartUpload asking for another
	// checksum type than the upload's. Args: the upload's type (lower
	// case).
	ChecksumModeMismatch = ErrInvalidRequest.say("The upload was created using the %s checksum mode. The complete request must use the same checksum mode.")

	// Browser-based uploads (POST Object).

	// PostBodyMalformed: a POST body that is not multipart/form-data.
	// Args: none.
	PostBodyMalformed = ErrMalformedPOSTRequest.say("The body of your POST request is not well-formed multipart/form-data.")
	// PostFieldsTooLarge: the form fields before the file over their
	// limit. Args: none.
	PostFieldsTooLarge = ErrMaxPostPreDataLengthExceeded.say("Your POST request fields preceding the upload file were too large.")
	// PostFileMissing: a form without a file. Args: none.
	PostFileMissing = ErrInvalidArgument.say("POST requires exactly one file upload per request.")
	// PostFieldMissing: a required form field missing (or after the file).
	// Args: the field's name.
	PostFieldMissing = ErrInvalidArgument.say("Bucket POST must contain a field named '%s'.  If it is specified, please check the order of the fields.")
	// PostFileIncomplete: the file ends before the form does. Args: none.
	PostFileIncomplete = ErrIncompleteBody.say("The request body terminated unexpectedly")
	// PostAlgorithmUnsupported: an x-amz-algorithm other than
	// AWS4-HMAC-SHA256. Args: none.
	PostAlgorithmUnsupported = ErrInvalidArgument.say("Only AWS4-HMAC-SHA256 is supported for POST signatures.")
	// PostCredentialInvalid: an x-amz-credential that does not parse.
	// Args: none.
	PostCredentialInvalid = ErrInvalidArgument.say("Invalid credential in the form.")
	// PostCredentialWrongService: an x-amz-credential scoped to another
	// service than s3. Args: none.
	PostCredentialWrongService = ErrInvalidArgument.say("Credential should be scoped to correct service: 's3'.")
	// PostPolicyInvalid: a POST policy document that does not parse.
	// Args: sigv4's explanation (sigv4.Error's Detail, or the error's
	// text).
	PostPolicyInvalid = ErrInvalidPolicyDocument.say("%s")
	// PostPolicyDenied: a form the POST policy does not allow (or a policy
	// that has expired). Args: sigv4's explanation (sigv4.Error's Detail,
	// or the error's text).
	PostPolicyDenied = ErrAccessDenied.say("%s")
)
