package awsapi

import "net/http"

// The Query protocol front end's messages (IAM and STS requests before
// they reach their service).
var (
	// QueryMethodNotAllowed: a method other than GET or POST.
	QueryMethodNotAllowed = ErrInvalidAction.say("Only GET and POST are supported.").sentWith(http.StatusMethodNotAllowed)
	// QueryBodyTooLarge: the form body is over the front end's limit.
	QueryBodyTooLarge = ErrRequestEntityTooLarge.say("Request body is larger than 1 MiB.")
	// QueryBodyUnreadable: the body could not be read to the end.
	QueryBodyUnreadable = ErrIncompleteSignature.say("The request body could not be read.")
	// QueryBodyMalformed: the body is not application/x-www-form-urlencoded.
	QueryBodyMalformed = ErrMalformedQueryString.say("The request body is not a valid form encoding.")
	// QueryMissingAction: no Action parameter.
	QueryMissingAction = ErrMissingAction.say("Missing Action")
	// UnknownOperation: Args: action, API version.
	UnknownOperation = ErrInvalidAction.say("Could not find operation %s for version %s")
	// SessionWithoutMFAForIAM: a GetSessionToken session without MFA calls IAM.
	SessionWithoutMFAForIAM = ErrInvalidClientTokenId.say("The security token included in the request is invalid")
)
