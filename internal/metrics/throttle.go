package metrics

import "github.com/prometheus/client_golang/prometheus"

// ThrottleStats counts the calls a rate limit refused, by the bucket that
// refused them (STS's quotas: quota.Limiter).
type ThrottleStats interface {
	ThrottledBy() (principal, account uint64)
}

// STSQuota exports STS's throttled calls as
// gatehouse_sts_throttled_total{bucket="principal"|"account"}.
func (m *Metrics) STSQuota(q ThrottleStats) error {
	return m.reg.Register(&throttleCollector{q: q,
		desc: prometheus.NewDesc("gatehouse_sts_throttled_total",
			"STS credential-issuing calls answered Throttling, by the quota that refused them.", []string{"bucket"}, nil)})
}

// throttleCollector reads the limiter's counts once per scrape.
type throttleCollector struct {
	q    ThrottleStats
	desc *prometheus.Desc
}

var _ prometheus.Collector = (*throttleCollector)(nil)

func (c *throttleCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *throttleCollector) Collect(ch chan<- prometheus.Metric) {
	p, a := c.q.ThrottledBy()
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(p), "principal")
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(a), "account")
}
