package awsapi

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is the one typed AWS error. Code is AWS's error code (for example
// "NoSuchEntity"); the HTTP status comes from the code table unless Status is
// set explicitly.
type Error struct {
	Code    string
	Message string
	// Status overrides the table's status when non-zero.
	Status int
	// Fields are extra elements written into S3 error bodies
	// (for example Resource, RequestTime, ServerTime). Query errors ignore them.
	Fields []Field
}

// Field is one extra element of an S3 error body.
type Field struct{ Name, Value string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// HTTPStatus returns the status the error is sent with.
func (e *Error) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	if s, ok := statusByCode[e.Code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// Sender reports whether the error is the caller's fault (Query protocol
// <Type>Sender</Type>) rather than the server's (<Type>Receiver</Type>).
func (e *Error) Sender() bool { return e.HTTPStatus() < 500 }

// With returns a copy of e carrying an extra S3 error field.
func (e *Error) With(name, value string) *Error {
	c := *e
	c.Fields = append(append([]Field(nil), e.Fields...), Field{name, value})
	return &c
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NewError builds an *Error with a fixed message.
func NewError(code, message string) *Error { return &Error{Code: code, Message: message} }

// InternalError is what any error that is not an *Error becomes on the wire.
// Its message never carries the underlying error's text.
var internalMessage = "We encountered an internal error. Please try again."

// AsError converts any error to an *Error: an *Error (possibly wrapped) is
// returned as is; anything else becomes a generic internal error of the given
// service flavour (ServiceFailure for IAM, InternalFailure for STS,
// InternalError for S3) so that no internal detail reaches the client.
func AsError(err error, internalCode string) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: internalCode, Message: internalMessage, Status: http.StatusInternalServerError}
}

// ValidationError builds the generic Query-protocol constraint error in
// AWS's words: "1 validation error detected: Value 'x' at 'roleSessionName'
// failed to satisfy constraint: ...".
func ValidationError(value, member, constraint string) *Error {
	return Errorf("ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

// statusByCode is the one table from AWS error code to HTTP status, for all
// three services.
var statusByCode = map[string]int{
	// Authentication (all services).
	"AccessDenied":                      http.StatusForbidden,
	"AccessDeniedException":             http.StatusForbidden,
	"SignatureDoesNotMatch":             http.StatusForbidden,
	"InvalidClientTokenId":              http.StatusForbidden,
	"IncompleteSignature":               http.StatusBadRequest,
	"MissingAuthenticationToken":        http.StatusForbidden,
	"MissingAction":                     http.StatusBadRequest,
	"InvalidAction":                     http.StatusBadRequest,
	"InvalidParameterValue":             http.StatusBadRequest,
	"InvalidParameterCombination":       http.StatusBadRequest,
	"MissingParameter":                  http.StatusBadRequest,
	"RequestExpired":                    http.StatusBadRequest,
	"RequestTimeTooSkewed":              http.StatusForbidden,
	"ExpiredToken":                      http.StatusBadRequest,
	"InvalidToken":                      http.StatusBadRequest,
	"InvalidAccessKeyId":                http.StatusForbidden,
	"AuthorizationHeaderMalformed":      http.StatusBadRequest,
	"AuthorizationQueryParametersError": http.StatusBadRequest,
	"XAmzContentSHA256Mismatch":         http.StatusBadRequest,
	"OptInRequired":                     http.StatusForbidden,
	"Throttling":                        http.StatusBadRequest,
	"NotImplemented":                    http.StatusNotImplemented,
	"InternalFailure":                   http.StatusInternalServerError,
	"ServiceUnavailable":                http.StatusServiceUnavailable,

	// IAM.
	"NoSuchEntity":                  http.StatusNotFound,
	"EntityAlreadyExists":           http.StatusConflict,
	"DeleteConflict":                http.StatusConflict,
	"LimitExceeded":                 http.StatusConflict,
	"MalformedPolicyDocument":       http.StatusBadRequest,
	"InvalidInput":                  http.StatusBadRequest,
	"ValidationError":               http.StatusBadRequest,
	"PolicyNotAttachable":           http.StatusBadRequest,
	"UnmodifiableEntity":            http.StatusBadRequest,
	"EntityTemporarilyUnmodifiable": http.StatusConflict,
	"ConcurrentModification":        http.StatusConflict,
	"InvalidAuthenticationCode":     http.StatusForbidden,
	"PasswordPolicyViolation":       http.StatusBadRequest,
	"PolicyEvaluation":              http.StatusInternalServerError,
	"ServiceFailure":                http.StatusInternalServerError,

	// STS.
	"PackedPolicyTooLarge":           http.StatusBadRequest,
	"RegionDisabledException":        http.StatusForbidden,
	"MalformedPolicyDocumentSTS":     http.StatusBadRequest,
	"IDPRejectedClaim":               http.StatusForbidden,
	"InvalidIdentityToken":           http.StatusBadRequest,
	"IDPCommunicationError":          http.StatusBadRequest,
	"InvalidAuthorizationMessage":    http.StatusBadRequest,
	"ExpiredTokenException":          http.StatusBadRequest,
	"InvalidParameterValueException": http.StatusBadRequest,

	// S3.
	"NoSuchBucket":                       http.StatusNotFound,
	"NoSuchKey":                          http.StatusNotFound,
	"NoSuchUpload":                       http.StatusNotFound,
	"NoSuchBucketPolicy":                 http.StatusNotFound,
	"NoSuchCORSConfiguration":            http.StatusNotFound,
	"NoSuchTagSet":                       http.StatusNotFound,
	"NoSuchLifecycleConfiguration":       http.StatusNotFound,
	"BucketAlreadyExists":                http.StatusConflict,
	"BucketAlreadyOwnedByYou":            http.StatusConflict,
	"BucketNotEmpty":                     http.StatusConflict,
	"InvalidBucketName":                  http.StatusBadRequest,
	"InvalidArgument":                    http.StatusBadRequest,
	"InvalidRequest":                     http.StatusBadRequest,
	"InvalidRange":                       http.StatusRequestedRangeNotSatisfiable,
	"InvalidPart":                        http.StatusBadRequest,
	"InvalidPartNumber":                  http.StatusRequestedRangeNotSatisfiable,
	"InvalidPartOrder":                   http.StatusBadRequest,
	"EntityTooSmall":                     http.StatusBadRequest,
	"EntityTooLarge":                     http.StatusBadRequest,
	"InvalidDigest":                      http.StatusBadRequest,
	"BadDigest":                          http.StatusBadRequest,
	"MalformedXML":                       http.StatusBadRequest,
	"MalformedPolicy":                    http.StatusBadRequest,
	"MalformedPOSTRequest":               http.StatusBadRequest,
	"MethodNotAllowed":                   http.StatusMethodNotAllowed,
	"PreconditionFailed":                 http.StatusPreconditionFailed,
	"NotModified":                        http.StatusNotModified,
	"MissingContentLength":               http.StatusLengthRequired,
	"MissingSecurityHeader":              http.StatusBadRequest,
	"IncompleteBody":                     http.StatusBadRequest,
	"KeyTooLongError":                    http.StatusBadRequest,
	"MetadataTooLarge":                   http.StatusBadRequest,
	"AccessForbidden":                    http.StatusForbidden,
	"InvalidLocationConstraint":          http.StatusBadRequest,
	"IllegalLocationConstraintException": http.StatusBadRequest,
	"InvalidStorageClass":                http.StatusBadRequest,
	"TooManyBuckets":                     http.StatusBadRequest,
	"InternalError":                      http.StatusInternalServerError,
	"SlowDown":                           http.StatusServiceUnavailable,
	"XAmzContentChecksumMismatch":        http.StatusBadRequest,
	"InvalidTag":                         http.StatusBadRequest,
	"InvalidEncryptionAlgorithmError":    http.StatusBadRequest,
	"UnexpectedContent":                  http.StatusBadRequest,
	"RequestTimeout":                     http.StatusBadRequest,
	"MaxPostPreDataLengthExceeded":       http.StatusBadRequest,
}
