package server

import (
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/quota"
	"github.com/gatehouse/gatehouse/internal/sts"
)

// accountSettings serves the config file's per-account settings to STS.
type accountSettings struct{ cfg *config.Config }

var _ sts.AccountSettings = accountSettings{}

// RootMayAssumeRole reads root-may-assume-role of [accounts.ID].
func (a accountSettings) RootMayAssumeRole(account string) bool {
	return a.cfg.Account(account).RootMayAssumeRole
}

// newSTSQuota builds the limiter of STS's quotas from the configuration:
// the server-wide rates, and each configured account's overrides.
func newSTSQuota(cfg *config.Config, now func() time.Time) *quota.Limiter {
	limits := func(id string) quota.Limits {
		pr, pb, ar, ab := cfg.STSQuota(id)
		return quota.Limits{Principal: quota.Limit{Rate: pr, Burst: pb}, Account: quota.Limit{Rate: ar, Burst: ab}}
	}
	c := quota.Config{Default: limits(""), Accounts: map[string]quota.Limits{}, Now: now}
	for id := range cfg.Accounts {
		c.Accounts[id] = limits(id)
	}
	return quota.New(c)
}

// Quota is the limiter of STS's quotas, for metrics: Throttled() counts
// the calls it refused (ThrottledBy splits them by principal and account).
func (s *Server) Quota() *quota.Limiter { return s.quota }
