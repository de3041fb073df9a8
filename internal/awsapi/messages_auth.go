package awsapi

import "net/http"

// The messages of authentication and authorization, worded for each
// protocol by the edge (edge.go). Denials themselves are worded by
// authz.DeniedError (Query) and the S3 front end, which decide what a
// denial may disclose.
var (
	// MissingAuthentication: a Query request without any credentials.
	MissingAuthentication = ErrMissingAuthenticationToken.say("Request is missing Authentication Token")
	// Denied: Args: the denial as authz words it.
	Denied = ErrAccessDenied.say("%s")
	// QueryTokenInvalid: an unknown access key or a session token that does
	// not open.
	QueryTokenInvalid = ErrInvalidClientTokenId.say("The security token included in the request is invalid.")
	// QueryTokenExpired: the session token has expired.
	QueryTokenExpired = ErrExpiredToken.say("The security token included in the request is expired").sentWith(http.StatusForbidden)
	// QuerySignatureMismatch: the signature does not verify.
	QuerySignatureMismatch = ErrSignatureDoesNotMatch.say("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	// QuerySignatureSkewed: Args: the request time, the earliest time
	// accepted, the server time (20060102T150405Z).
	QuerySignatureSkewed = ErrSignatureDoesNotMatch.say("Signature expired: %s is now earlier than %s (%s - 15 min.)").sentWith(http.StatusForbidden)
	// QuerySignatureSkewedUnknown: the same, without the times.
	QuerySignatureSkewedUnknown = ErrSignatureDoesNotMatch.say("Signature expired: the request time is more than 15 minutes from the server's time.").sentWith(http.StatusForbidden)
	// QueryRequestExpired: a presigned request past its expiry.
	QueryRequestExpired = ErrRequestExpired.say("Request has expired.")
	// QuerySignatureIncomplete: Args: sigv4's words for what is missing.
	QuerySignatureIncomplete = ErrIncompleteSignature.say("%s")
	// QuerySignatureScope: Args: sigv4's words for the wrong scope.
	QuerySignatureScope = ErrSignatureDoesNotMatch.say("%s")
	// QuerySignatureRegion: the credential scope names a region the
	// endpoint does not accept (AWS's words name only that region). Args:
	// the region signed.
	QuerySignatureRegion = ErrSignatureDoesNotMatch.say("Credential should be scoped to a valid region, not '%s'.")

	// S3AccessKeyUnknown: add the AWSAccessKeyId field.
	S3AccessKeyUnknown = ErrInvalidAccessKeyId.say("The AWS Access Key Id you provided does not exist in our records.")
	// S3TokenInvalid: a session token that does not open.
	S3TokenInvalid = ErrInvalidToken.say("The provided token is malformed or otherwise invalid.")
	// S3TokenExpired: the session token has expired.
	S3TokenExpired = ErrExpiredToken.say("The provided token has expired.")
	// S3SignatureMismatch: add AWSAccessKeyId and, for the caller's key,
	// StringToSign (and CanonicalRequest for SigV4).
	S3SignatureMismatch = ErrSignatureDoesNotMatch.say("The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	// S3V2RequestExpired: a SigV2 presigned URL past Expires.
	S3V2RequestExpired = ErrAccessDenied.say("Request has expired")
	// S3V2Incomplete: a SigV2 presigned URL missing a parameter.
	S3V2Incomplete = ErrAccessDenied.say("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
	// S3V2HeaderMalformed: an "Authorization: AWS …" header that is not
	// AccessKeyId:Signature; add ArgumentName.
	S3V2HeaderMalformed = ErrInvalidArgument.say("AWS authorization header is invalid.  Expected AwsAccessKeyId:signature")
	// S3V2DateMissing: a SigV2 header-signed request without a valid Date
	// or x-amz-date.
	S3V2DateMissing = ErrAccessDenied.say("AWS authentication requires a valid Date or x-amz-date header")
	// S3TimeSkewed: add RequestTime, ServerTime, MaxAllowedSkewMilliseconds.
	S3TimeSkewed = ErrRequestTimeTooSkewed.say("The difference between the request time and the current time is too large.").sentWith(http.StatusForbidden)
	// S3RequestExpired: Args: sigv4's words for the expiry.
	S3RequestExpired = ErrAccessDenied.say("%s")
	// S3ChunkedBodyMalformed: an aws-chunked body that does not parse or
	// ends early.
	S3ChunkedBodyMalformed = ErrIncompleteBody.say("The request body terminated unexpectedly")
	// S3PresignMalformed: Args: sigv4's words for what is wrong.
	S3PresignMalformed = ErrAuthorizationQueryParametersError.say("%s")
	// S3AuthorizationMalformed: Args: sigv4's words for what is wrong.
	S3AuthorizationMalformed = ErrAuthorizationHeaderMalformed.say("The authorization header is malformed; %s")
	// S3RegionWrong: a header signature scoped to a region this endpoint
	// does not accept; add the Region element (the expected region). Args:
	// the region signed, the expected region.
	S3RegionWrong = ErrAuthorizationHeaderMalformed.say("The authorization header is malformed; the region '%s' is wrong; expecting '%s'")
	// S3PresignRegionWrong: the same for a presigned URL or a form
	// upload's x-amz-credential. Args: the region signed, the expected
	// region.
	S3PresignRegionWrong = ErrAuthorizationQueryParametersError.say("Error parsing the X-Amz-Credential parameter; the region '%s' is wrong; expecting '%s'")
)
