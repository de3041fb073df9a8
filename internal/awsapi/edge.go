package awsapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/sigv2"
	"github.com/gatehouse/gatehouse/internal/sigv4"
)

// The edge of the error table: the sentinels of authentication (authz,
// sigv4, sigv2) and of authorization (authz.DeniedError, ErrPolicyLoad)
// mapped to each protocol's codes and AWS's messages in one place. An
// *Error passes through; anything unknown becomes the service's internal
// error, its text never sent.

// QueryError maps an error to the Query protocol (IAM, STS); internal is
// the service's internal-error code.
func QueryError(err error, internal *Code) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var d *authz.DeniedError
	if errors.As(err, &d) {
		return ErrAccessDenied.New(d.Error())
	}
	var se *sigv4.Error
	detail := ""
	if errors.As(err, &se) {
		detail = se.Detail
	}
	switch {
	case errors.Is(err, authz.ErrNoCredentials):
		return ErrMissingAuthenticationToken.New("Request is missing Authentication Token")
	case errors.Is(err, authz.ErrUnknownAccessKey):
		return ErrInvalidClientTokenId.New("The security token included in the request is invalid.")
	case errors.Is(err, authz.ErrInvalidToken):
		return ErrInvalidClientTokenId.New("The security token included in the request is invalid.")
	case errors.Is(err, authz.ErrExpiredToken):
		return ErrExpiredToken.WithStatus(403, "The security token included in the request is expired")
	case errors.Is(err, sigv4.ErrMismatch):
		return ErrSignatureDoesNotMatch.New("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	case errors.Is(err, sigv4.ErrSkew):
		msg := "Signature expired: the request time is more than 15 minutes from the server's time."
		if se != nil {
			msg = "Signature expired: " + se.RequestTime.UTC().Format("20060102T150405Z") + " is now earlier than " +
				se.ServerTime.UTC().Add(-sigv4.MaxSkew).Format("20060102T150405Z") + " (" + se.ServerTime.UTC().Format("20060102T150405Z") + " - 15 min.)"
		}
		return ErrSignatureDoesNotMatch.WithStatus(403, msg)
	case errors.Is(err, sigv4.ErrExpired):
		return ErrRequestExpired.New("Request has expired.")
	case errors.Is(err, sigv4.ErrIncomplete), errors.Is(err, sigv4.ErrAlgorithm), errors.Is(err, sigv4.ErrPresign):
		return ErrIncompleteSignature.New(detail)
	case errors.Is(err, sigv4.ErrScope):
		return ErrSignatureDoesNotMatch.New(detail)
	}
	return AsError(err, internal)
}

// S3Request is what S3's error messages quote of the request.
type S3Request struct {
	AccessKeyID   string // the SigV4 credential's access key id, if any
	V2AccessKeyID string // AWSAccessKeyId of a SigV2 presigned URL
	Presigned     bool   // no Authorization header
	Region        string // the region this endpoint serves
}

// S3Error maps an error to S3's codes and messages. Access denials are
// worded by the S3 front end (what a denial may disclose depends on the
// bucket's owner) before they reach here.
func S3Error(err error, req S3Request) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var se *sigv4.Error
	detail := ""
	if errors.As(err, &se) {
		detail = se.Detail
	}
	akid, presigned := req.AccessKeyID, req.Presigned
	switch {
	case errors.Is(err, authz.ErrUnknownAccessKey):
		return ErrInvalidAccessKeyId.New("The AWS Access Key Id you provided does not exist in our records.").With("AWSAccessKeyId", akid)
	case errors.Is(err, authz.ErrInvalidToken):
		return ErrInvalidToken.New("The provided token is malformed or otherwise invalid.")
	case errors.Is(err, authz.ErrExpiredToken):
		return ErrExpiredToken.New("The provided token has expired.")
	case errors.Is(err, sigv2.ErrMismatch):
		e := ErrSignatureDoesNotMatch.New("The request signature we calculated does not match the signature you provided. Check your key and signing method.").
			With("AWSAccessKeyId", req.V2AccessKeyID)
		var v2 *sigv2.Error
		if errors.As(err, &v2) && v2.StringToSign != "" {
			e = e.With("StringToSign", v2.StringToSign)
		}
		return e
	case errors.Is(err, sigv2.ErrExpired):
		return ErrAccessDenied.New("Request has expired")
	case errors.Is(err, sigv2.ErrIncomplete):
		return ErrAccessDenied.New("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters")
	case errors.Is(err, sigv4.ErrMismatch):
		e := ErrSignatureDoesNotMatch.New("The request signature we calculated does not match the signature you provided. Check your key and signing method.").With("AWSAccessKeyId", akid)
		if se != nil && se.StringToSign != "" {
			e = e.With("StringToSign", se.StringToSign).With("CanonicalRequest", se.CanonicalRequest)
		}
		return e
	case errors.Is(err, sigv4.ErrSkew):
		e := ErrRequestTimeTooSkewed.WithStatus(http.StatusForbidden, "The difference between the request time and the current time is too large.")
		if se != nil {
			e = e.With("RequestTime", se.RequestTime.UTC().Format(sigv4AmzDate)).With("ServerTime", se.ServerTime.UTC().Format(time.RFC3339)).With("MaxAllowedSkewMilliseconds", "900000")
		}
		return e
	case errors.Is(err, sigv4.ErrExpired):
		return ErrAccessDenied.New(detail)
	case errors.Is(err, sigv4.ErrChunkFormat), errors.Is(err, sigv4.ErrDecodedLength):
		return ErrIncompleteBody.New("The request body terminated unexpectedly")
	case errors.Is(err, sigv4.ErrIncomplete), errors.Is(err, sigv4.ErrAlgorithm), errors.Is(err, sigv4.ErrScope), errors.Is(err, sigv4.ErrPresign):
		if presigned {
			return ErrAuthorizationQueryParametersError.New(detail)
		}
		e := ErrAuthorizationHeaderMalformed.New("The authorization header is malformed; " + detail)
		if errors.Is(err, sigv4.ErrScope) {
			e = e.With("Region", req.Region)
		}
		return e
	}
	return AsError(err, ErrInternalError)
}

const sigv4AmzDate = "20060102T150405Z"
