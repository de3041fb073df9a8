package awsapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/sigv2"
	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/store"
)

// The edge of the error table: the sentinels of authentication (authz,
// sigv4, sigv2), of authorization (authz.DeniedError, ErrPolicyLoad) and
// the store's give-up on colliding transactions (store.ErrConflict) mapped
// to each protocol's codes and AWS's messages in one place. An
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
		if d.CallerARN == "" {
			// A federation caller (web identity, SAML) is no AWS
			// identity: AWS names none.
			return FederationDenied.Of(d.Action)
		}
		return Denied.Of(d.Error())
	}
	var se *sigv4.Error
	detail := ""
	if errors.As(err, &se) {
		detail = se.Detail
	}
	switch {
	case errors.Is(err, authz.ErrNoCredentials):
		return MissingAuthentication.Of()
	case errors.Is(err, authz.ErrUnknownAccessKey):
		return QueryTokenInvalid.Of()
	case errors.Is(err, authz.ErrInvalidToken):
		return QueryTokenInvalid.Of()
	case errors.Is(err, authz.ErrExpiredToken):
		return QueryTokenExpired.Of()
	case errors.Is(err, sigv4.ErrMismatch):
		return QuerySignatureMismatch.Of()
	case errors.Is(err, sigv4.ErrSkew):
		if se == nil {
			return QuerySignatureSkewedUnknown.Of()
		}
		const f = "20060102T150405Z"
		return QuerySignatureSkewed.Of(se.RequestTime.UTC().Format(f), se.ServerTime.UTC().Add(-sigv4.MaxSkew).Format(f), se.ServerTime.UTC().Format(f))
	case errors.Is(err, sigv4.ErrExpired):
		return QueryRequestExpired.Of()
	case errors.Is(err, sigv4.ErrIncomplete), errors.Is(err, sigv4.ErrAlgorithm), errors.Is(err, sigv4.ErrPresign):
		return QuerySignatureIncomplete.Of(detail)
	case errors.Is(err, sigv4.ErrRegion) && se != nil:
		return QuerySignatureRegion.Of(se.Region)
	case errors.Is(err, sigv4.ErrScope):
		return QuerySignatureScope.Of(detail)
	case errors.Is(err, store.ErrConflict) && internal == ErrServiceFailure:
		// The store gave up on a transaction that kept colliding with
		// others (PostgreSQL's serialization failures, after its retries):
		// IAM's own answer for a concurrent change.
		return ConcurrentChange.Of()
	case errors.Is(err, store.ErrConflict):
		// STS has no such code: its throttling, which SDKs retry.
		return Throttled.Of()
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
		return S3AccessKeyUnknown.Of().With("AWSAccessKeyId", akid)
	case errors.Is(err, authz.ErrInvalidToken):
		return S3TokenInvalid.Of()
	case errors.Is(err, authz.ErrExpiredToken):
		return S3TokenExpired.Of()
	case errors.Is(err, sigv2.ErrMismatch):
		e := S3SignatureMismatch.Of().
			With("AWSAccessKeyId", req.V2AccessKeyID)
		var v2 *sigv2.Error
		if errors.As(err, &v2) && v2.StringToSign != "" {
			e = e.With("StringToSign", v2.StringToSign)
		}
		return e
	case errors.Is(err, sigv2.ErrExpired):
		return S3V2RequestExpired.Of()
	case errors.Is(err, sigv2.ErrIncomplete) && !presigned:
		return S3V2HeaderMalformed.Of().With("ArgumentName", "Authorization")
	case errors.Is(err, sigv2.ErrIncomplete):
		return S3V2Incomplete.Of()
	case errors.Is(err, sigv2.ErrNoDate):
		return S3V2DateMissing.Of()
	case errors.Is(err, sigv2.ErrSkew):
		e := S3TimeSkewed.Of()
		var sk *sigv2.SkewError
		if errors.As(err, &sk) {
			e = e.With("RequestTime", sk.RequestTime.UTC().Format(http.TimeFormat)).With("ServerTime", sk.ServerTime.UTC().Format(time.RFC3339)).
				With("MaxAllowedSkewMilliseconds", "900000")
		}
		return e
	case errors.Is(err, sigv4.ErrMismatch):
		e := S3SignatureMismatch.Of().With("AWSAccessKeyId", akid)
		if se != nil && se.StringToSign != "" {
			e = e.With("StringToSign", se.StringToSign).With("CanonicalRequest", se.CanonicalRequest)
		}
		return e
	case errors.Is(err, sigv4.ErrSkew):
		e := S3TimeSkewed.Of()
		if se != nil {
			e = e.With("RequestTime", se.RequestTime.UTC().Format(sigv4AmzDate)).With("ServerTime", se.ServerTime.UTC().Format(time.RFC3339)).With("MaxAllowedSkewMilliseconds", "900000")
		}
		return e
	case errors.Is(err, sigv4.ErrExpired):
		return S3RequestExpired.Of(detail)
	case errors.Is(err, sigv4.ErrChunkFormat), errors.Is(err, sigv4.ErrDecodedLength):
		return S3ChunkedBodyMalformed.Of()
	case errors.Is(err, sigv4.ErrRegion) && se != nil:
		if presigned {
			return S3PresignRegionWrong.Of(se.Region, req.Region).With("Region", req.Region)
		}
		return S3RegionWrong.Of(se.Region, req.Region).With("Region", req.Region)
	case errors.Is(err, sigv4.ErrIncomplete), errors.Is(err, sigv4.ErrAlgorithm), errors.Is(err, sigv4.ErrScope), errors.Is(err, sigv4.ErrPresign):
		if presigned {
			return S3PresignMalformed.Of(detail)
		}
		e := S3AuthorizationMalformed.Of(detail)
		if errors.Is(err, sigv4.ErrScope) {
			e = e.With("Region", req.Region)
		}
		return e
	case errors.Is(err, store.ErrConflict):
		// A transaction the store gave up on after its retries: S3's
		// throttling answer, which SDKs and the CLI retry.
		return S3Busy.Of()
	}
	return AsError(err, ErrInternalError)
}

const sigv4AmzDate = "20060102T150405Z"
