package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
)

// Service names, as they appear in a SigV4 credential scope.
const (
	serviceIAM = "iam"
	serviceSTS = "sts"
	serviceS3  = "s3"
)

// unsignedSTSActions are the STS actions AWS accepts without a signature.
var unsignedSTSActions = map[string]bool{
	"AssumeRoleWithWebIdentity": true,
	"AssumeRoleWithSAML":        true,
}

// stsActions lets an unsigned Query request be answered in STS's namespace.
var stsActions = map[string]bool{
	"AssumeRole": true, "AssumeRoleWithWebIdentity": true, "AssumeRoleWithSAML": true, "AssumeRoot": true,
	"DecodeAuthorizationMessage": true, "GetAccessKeyInfo": true, "GetCallerIdentity": true,
	"GetFederationToken": true, "GetSessionToken": true, "GetDelegatedAccessToken": true, "GetWebIdentityToken": true,
}

func (s *Server) routes() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

// serveHTTP is the single entry point: pick the service, then hand the
// request to that service's front end.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := awsapi.NewRequestID()
	switch route(r) {
	case serviceIAM:
		s.serveQuery(w, r, serviceIAM, requestID)
	case serviceSTS:
		s.serveQuery(w, r, serviceSTS, requestID)
	default:
		s.serveS3(w, r, requestID)
	}
}

// route decides which service a request is for: the credential scope's
// service when the request is signed; the Action parameter for unsigned
// Query requests; S3 otherwise.
func route(r *http.Request) string {
	if svc := scopeService(r); svc != "" {
		switch svc {
		case serviceIAM, serviceSTS:
			return svc
		}
		return serviceS3
	}
	if r.URL.Path == "/" || r.URL.Path == "" {
		action := r.URL.Query().Get("Action")
		if action == "" && r.Method == http.MethodPost && isForm(r) {
			// Reading the form here is safe: Query bodies are small and
			// serveQuery re-reads from the cached bytes.
			action = peekFormAction(r)
		}
		if action != "" {
			if stsActions[action] {
				return serviceSTS
			}
			return serviceIAM
		}
	}
	return serviceS3
}

// scopeService extracts the service from the Authorization header's
// Credential or from X-Amz-Credential, without validating anything else.
func scopeService(r *http.Request) string {
	var cred string
	if h := r.Header.Get("Authorization"); h != "" {
		i := strings.Index(h, "Credential=")
		if i < 0 {
			return ""
		}
		cred = h[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	} else if q := r.URL.RawQuery; strings.Contains(q, "X-Amz-Credential=") {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	// AKID/date/region/service/aws4_request: the fourth field.
	for i := 0; i < 3; i++ {
		j := strings.IndexByte(cred, '/')
		if j < 0 {
			return ""
		}
		cred = cred[j+1:]
	}
	svc, rest, ok := strings.Cut(cred, "/")
	if !ok || rest != "aws4_request" {
		return ""
	}
	return svc
}

func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/x-www-form-urlencoded")
}

// peekFormAction reads the (bounded) body of an unsigned form POST, keeps it
// for the handler, and returns its Action.
func peekFormAction(r *http.Request) string {
	body, err := readBody(r)
	if err != nil {
		return ""
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	return v.Get("Action")
}
