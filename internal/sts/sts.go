package sts

import (
	"context"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
)

// Service answers STS actions.
type Service struct{}

// New returns the STS service.
func New() *Service { return &Service{} }

// GetCallerIdentityResult is the content of GetCallerIdentityResult.
type GetCallerIdentityResult struct {
	Arn     string `xml:"Arn"`
	UserId  string `xml:"UserId"`
	Account string `xml:"Account"`
}

// Handle runs one STS action for an authenticated caller (nil for the
// unsigned federation actions).
func (s *Service) Handle(ctx context.Context, caller *authz.Principal, action string, p url.Values) (any, error) {
	switch action {
	case "GetCallerIdentity":
		if caller == nil {
			return nil, awsapi.NewError("MissingAuthenticationToken", "Request is missing Authentication Token")
		}
		return &GetCallerIdentityResult{Arn: caller.ARN, UserId: caller.UserID, Account: caller.Account}, nil
	}
	return nil, awsapi.Errorf("InvalidAction", "Could not find operation %s for version 2011-06-15", action)
}
