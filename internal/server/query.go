package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
)

// maxQueryBody bounds the form body of an IAM or STS request. AWS's largest
// Query parameter (a policy document) is 131,072 characters; 1 MiB leaves
// room for its URL encoding.
const maxQueryBody = 1 << 20

var errBodyTooLarge = errors.New("request body too large")

// readBody reads a bounded request body and puts it back, so later readers
// see it again.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxQueryBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxQueryBody {
		return nil, errBodyTooLarge
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, nil
}

type queryService struct {
	namespace    string
	internalCode string
	version      string
}

var queryServices = map[string]queryService{
	serviceIAM: {namespace: awsapi.IAMNamespace, internalCode: "ServiceFailure", version: "2010-05-08"},
	serviceSTS: {namespace: awsapi.STSNamespace, internalCode: "InternalFailure", version: "2011-06-15"},
}

// serveQuery is the AWS Query protocol front end shared by IAM and STS:
// bounded body, signature, principal, action lookup, authorization, handler,
// XML response.
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, svc, requestID string) {
	qs := queryServices[svc]
	fail := func(err error) {
		e := awsapi.AsError(err, qs.internalCode)
		if e.HTTPStatus() >= 500 {
			s.log.Error("request failed", "service", svc, "request_id", requestID, "err", err)
		}
		awsapi.WriteQueryError(w, qs.namespace, e, requestID)
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		fail(&awsapi.Error{Code: "InvalidAction", Message: "Only GET and POST are supported.", Status: http.StatusMethodNotAllowed})
		return
	}
	body, err := readBody(r)
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			fail(&awsapi.Error{Code: "RequestEntityTooLarge", Message: "Request body is larger than 1 MiB.", Status: http.StatusRequestEntityTooLarge})
			return
		}
		fail(awsapi.NewError("IncompleteSignature", "The request body could not be read."))
		return
	}
	params := r.URL.Query()
	if r.Method == http.MethodPost && isForm(r) {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			fail(awsapi.NewError("MalformedQueryString", "The request body is not a valid form encoding."))
			return
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	action := params.Get("Action")

	sum := sha256.Sum256(body)
	caller, err := s.authn.Authenticate(r.Context(), r, authz.AuthRequest{Service: svc, PayloadHash: hex.EncodeToString(sum[:])})
	switch {
	case errors.Is(err, authz.ErrNoCredentials) && svc == serviceSTS && unsignedSTSActions[action]:
		caller = nil // unsigned web-identity / SAML federation
	case err != nil:
		fail(queryAuthError(err))
		return
	}
	if action == "" {
		fail(awsapi.NewError("MissingAction", "Missing Action"))
		return
	}
	if v := params.Get("Version"); v != "" && v != qs.version {
		fail(awsapi.Errorf("InvalidAction", "Could not find operation %s for version %s", action, v))
		return
	}

	switch svc {
	case serviceIAM:
		s.serveIAM(w, r, caller, action, params, requestID, fail)
	case serviceSTS:
		s.serveSTS(w, r, caller, action, params, requestID, fail)
	}
}

// serveIAM authorizes and runs one IAM action.
func (s *Server) serveIAM(w http.ResponseWriter, r *http.Request, caller *authz.Principal, action string, params url.Values, requestID string, fail func(error)) {
	op, ok := s.iam.Operation(action)
	if !ok {
		fail(awsapi.Errorf("InvalidAction", "Could not find operation %s for version 2010-05-08", action))
		return
	}
	resource := op.Resource(caller, params)
	if err := s.authorizeIAM(caller, "iam:"+action, resource); err != nil {
		fail(err)
		return
	}
	result, err := s.iam.Handle(r.Context(), caller, action, params)
	if err != nil {
		fail(err)
		return
	}
	awsapi.WriteQueryResponse(w, awsapi.IAMNamespace, action, result, requestID)
}

// authorizeIAM applies the foundation's rule: only an account's root may
// call IAM, and only on its own account. (The policy engine replaces this.)
func (s *Server) authorizeIAM(caller *authz.Principal, action, resource string) error {
	if caller.IsRoot() {
		return nil
	}
	return awsapi.Errorf("AccessDenied", "User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action",
		caller.ARN, action, resource, action)
}
