package server

import (
	"errors"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/sigv4"
)

// queryAuthError maps an authentication failure to the Query protocol's
// error codes and messages (IAM and STS).
func queryAuthError(err error) error {
	var se *sigv4.Error
	detail := ""
	if errors.As(err, &se) {
		detail = se.Detail
	}
	switch {
	case errors.Is(err, authz.ErrNoCredentials):
		return awsapi.NewError("MissingAuthenticationToken", "Request is missing Authentication Token")
	case errors.Is(err, authz.ErrUnknownAccessKey):
		return awsapi.NewError("InvalidClientTokenId", "The security token included in the request is invalid.")
	case errors.Is(err, authz.ErrInvalidToken):
		return awsapi.NewError("InvalidClientTokenId", "The security token included in the request is invalid.")
	case errors.Is(err, authz.ErrExpiredToken):
		return &awsapi.Error{Code: "ExpiredToken", Message: "The security token included in the request is expired", Status: 403}
	case errors.Is(err, sigv4.ErrMismatch):
		return awsapi.NewError("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	case errors.Is(err, sigv4.ErrSkew):
		msg := "Signature expired: the request time is more than 15 minutes from the server's time."
		if se != nil {
			msg = "Signature expired: " + se.RequestTime.UTC().Format("20060102T150405Z") + " is now earlier than " +
				se.ServerTime.UTC().Add(-sigv4.MaxSkew).Format("20060102T150405Z") + " (" + se.ServerTime.UTC().Format("20060102T150405Z") + " - 15 min.)"
		}
		return &awsapi.Error{Code: "SignatureDoesNotMatch", Message: msg, Status: 403}
	case errors.Is(err, sigv4.ErrExpired):
		return awsapi.NewError("RequestExpired", "Request has expired.")
	case errors.Is(err, sigv4.ErrIncomplete), errors.Is(err, sigv4.ErrAlgorithm), errors.Is(err, sigv4.ErrPresign):
		return awsapi.NewError("IncompleteSignature", detail)
	case errors.Is(err, sigv4.ErrScope):
		return awsapi.NewError("SignatureDoesNotMatch", detail)
	}
	return err
}
