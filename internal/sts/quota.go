package sts

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/quota"
)

// issuesCredentials reports whether an action mints credentials: the
// calls the STS quotas limit.
func issuesCredentials(action string) bool {
	return strings.HasPrefix(action, "AssumeRole") || action == "GetSessionToken" || action == "GetFederationToken"
}

// quotaPrincipal names the caller for its quota: a role's sessions share
// the role's bucket (one workload), everyone else is its own identity.
func quotaPrincipal(caller *authz.Principal) string {
	if caller.Type == authz.TypeAssumedRole && caller.RoleARN != "" {
		return caller.RoleARN
	}
	return caller.ARN
}

// admit applies the quotas to a credential-issuing call, after the caller
// is authenticated and before any work: Throttling ("Rate exceeded", 400)
// over them, which AWS SDKs retry with backoff. The refusal is the
// request's error, so it is recorded like any other.
func (s *Service) admit(caller *authz.Principal, action string) error {
	if s.cfg.Quota == nil || !issuesCredentials(action) {
		return nil
	}
	return s.Admit(caller.Account, quotaPrincipal(caller))
}

// Admit applies the quotas to a credential-issuing call of principal in
// account (for callers that know no authenticated principal, such as
// unsigned web-identity calls, which count against the role's account).
func (s *Service) Admit(account, principal string) error {
	if s.cfg.Quota == nil {
		return nil
	}
	if s.cfg.Quota.Allow(account, principal) != quota.Admitted {
		return awsapi.Throttled.Of()
	}
	return nil
}

// rootMayAssumeRole reads the account setting that lets the root's keys
// assume the account's roles.
func (s *Service) rootMayAssumeRole(account string) bool {
	return s.cfg.Accounts != nil && s.cfg.Accounts.RootMayAssumeRole(account)
}
