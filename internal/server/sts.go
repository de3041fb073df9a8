package server

import (
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
)

// serveSTS runs one STS action.
func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request, caller *authz.Principal, info authz.RequestInfo, action string, params url.Values, requestID string, fail func(error)) {
	result, err := s.sts.Handle(r.Context(), caller, info, action, params)
	if err != nil {
		fail(err)
		return
	}
	awsapi.WriteQueryResponse(w, awsapi.STSNamespace, action, result, requestID)
}
