package awsapi

// S3's messages for server-side encryption: the SSE-S3, SSE-KMS and SSE-C
// request headers, reading encrypted objects, and default bucket
// encryption. The words are S3's (and KMS's, for a key S3 cannot find).
var (
	// Encryption headers of writes.

	// SSEMethodInvalid: an x-amz-server-side-encryption value S3 does not
	// know. Args: none.
	SSEMethodInvalid = ErrInvalidArgument.say("The encryption method specified is not supported")
	// SSEKMSHeaderMissing: a KMS key id or encryption context without
	// x-amz-server-side-encryption: aws:kms. Args: none.
	SSEKMSHeaderMissing = ErrInvalidArgument.say("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
	// SSEFeatureNotSupported: an encryption feature Gatehouse does not
	// serve (DSSE-KMS, a KMS encryption context), refused rather than
	// ignored. Args: what was asked for.
	SSEFeatureNotSupported = ErrNotImplemented.say("Server-side encryption with %s is not supported: the request is refused rather than served without it")
	// SSECWithOtherMethod: SSE-C headers together with
	// x-amz-server-side-encryption. Args: none.
	SSECWithOtherMethod = ErrInvalidArgument.say("Server Side Encryption with Customer provided key is incompatible with the encryption method specified")
	// KMSKeyNotFound: an SSE-KMS key id that names no key Gatehouse
	// manages (only each account's aws/s3 key exists). Args: the key id.
	KMSKeyNotFound = ErrKMSNotFoundException.say("Invalid keyId '%s'")

	// Customer-provided keys (SSE-C).

	// SSECInsecure: SSE-C headers over plain HTTP. Args: none.
	SSECInsecure = ErrInvalidRequest.say("Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")
	// SSECAlgorithmMissing: a customer key without its algorithm.
	// Args: none.
	SSECAlgorithmMissing = ErrInvalidArgument.say("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.")
	// SSECAlgorithmInvalid: a customer algorithm other than AES256.
	// Args: none.
	SSECAlgorithmInvalid = ErrInvalidEncryptionAlgorithmError.say("The Encryption request you specified is not valid. Supported value: AES256.")
	// SSECKeyMissing: a customer algorithm without its key. Args: none.
	SSECKeyMissing = ErrInvalidArgument.say("Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.")
	// SSECKeyInvalid: a customer key that is not 32 bytes of base64.
	// Args: none.
	SSECKeyInvalid = ErrInvalidArgument.say("The secret key was invalid for the specified algorithm.")
	// SSECKeyMD5Missing: a customer key without its MD5. Args: none.
	SSECKeyMD5Missing = ErrInvalidArgument.say("Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.")
	// SSECKeyMD5Mismatch: a customer key whose MD5 is not the one given.
	// Args: none.
	SSECKeyMD5Mismatch = ErrInvalidArgument.say("The calculated MD5 hash of the key did not match the hash that was provided.")

	// Reading encrypted objects.

	// SSECKeyRequired: GET, HEAD or a copy of an SSE-C object without its
	// key. Args: none.
	SSECKeyRequired = ErrInvalidRequest.say("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	// SSECNotApplicable: SSE-C headers for an object not stored with
	// SSE-C. Args: none.
	SSECNotApplicable = ErrInvalidRequest.say("The encryption parameters are not applicable to this object.")
	// SSECKeyWrong: a customer key that is not the object's (S3 answers
	// 403). Args: none.
	SSECKeyWrong = ErrAccessDenied.say("Access Denied")
	// SSECPartKeyMissing: UploadPart of an SSE-C upload without the
	// upload's key. Args: none.
	SSECPartKeyMissing = ErrInvalidRequest.say("The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.")
	// SSECPartKeyMismatch: UploadPart with another key than the upload's,
	// or with a key for an upload that is not SSE-C. Args: none.
	SSECPartKeyMismatch = ErrInvalidArgument.say("The provided encryption parameters did not match the ones used originally.")

	// Default bucket encryption.

	// BucketEncryptionNotFound: GetBucketEncryption of a bucket without
	// default encryption (only when the server does not encrypt every
	// object). Args: none.
	BucketEncryptionNotFound = ErrServerSideEncryptionConfigurationNotFoundError.say("The server side encryption configuration was not found")
	// BucketEncryptionKeyNotApplicable: a KMSMasterKeyID in a rule whose
	// algorithm is not aws:kms. Args: none.
	BucketEncryptionKeyNotApplicable = ErrInvalidArgument.say("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
)
