package metrics

import "github.com/prometheus/client_golang/prometheus"

// QueueStats is a buffered queue's state: records waiting, and records
// dropped since start because the queue was full. The audit trail's sink
// is one.
type QueueStats interface {
	Stats() (depth, dropped uint64)
}

// queueCollector reads a queue's stats once per scrape.
type queueCollector struct {
	q              QueueStats
	depth, dropped *prometheus.Desc
}

var _ prometheus.Collector = (*queueCollector)(nil)

// Audit exports the audit trail's queue as gatehouse_audit_queue_depth
// and gatehouse_audit_dropped_total. It fails if an audit queue is
// registered already.
func (m *Metrics) Audit(q QueueStats) error {
	return m.reg.Register(&queueCollector{q: q,
		depth:   prometheus.NewDesc("gatehouse_audit_queue_depth", "Audit events waiting to be written.", nil, nil),
		dropped: prometheus.NewDesc("gatehouse_audit_dropped_total", "Audit events dropped because the queue was full.", nil, nil),
	})
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.dropped
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	depth, dropped := c.q.Stats()
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(depth))
	ch <- prometheus.MustNewConstMetric(c.dropped, prometheus.CounterValue, float64(dropped))
}
