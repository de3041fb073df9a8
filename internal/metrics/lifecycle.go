package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// lifecycleMetrics count what the S3 lifecycle worker did.
type lifecycleMetrics struct {
	actions  map[string]prometheus.Counter // action → count
	errors   prometheus.Counter
	duration prometheus.Observer
}

// Lifecycle worker action labels.
const (
	LifecycleExpired  = "expired"  // current versions expired (deleted, or hidden by a delete marker)
	LifecycleVersions = "versions" // noncurrent versions removed
	LifecycleMarkers  = "markers"  // expired delete markers removed
	LifecycleUploads  = "uploads"  // incomplete multipart uploads aborted
)

func newLifecycleMetrics(reg *prometheus.Registry) *lifecycleMetrics {
	actions := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_s3_lifecycle_actions_total",
		Help: "What the S3 lifecycle worker did, by kind (expired, versions, markers, uploads)."}, []string{"kind"})
	errs := prometheus.NewCounter(prometheus.CounterOpts{Name: "gatehouse_s3_lifecycle_errors_total",
		Help: "Lifecycle actions or bucket passes that failed (retried on the next pass)."})
	dur := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "gatehouse_s3_lifecycle_run_duration_seconds",
		Help: "Duration of lifecycle passes over every bucket.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 12)})
	reg.MustRegister(actions, errs, dur)
	l := &lifecycleMetrics{actions: map[string]prometheus.Counter{}, errors: errs, duration: dur}
	for _, a := range []string{LifecycleExpired, LifecycleVersions, LifecycleMarkers, LifecycleUploads} {
		l.actions[a] = actions.WithLabelValues(a)
	}
	return l
}

// LifecycleRun records one pass of the lifecycle worker: counts by action
// label, failures and the pass's duration. Unknown labels are ignored.
func (m *Metrics) LifecycleRun(actions map[string]int, errors int, d time.Duration) {
	for a, n := range actions {
		if c, ok := m.lifecycle.actions[a]; ok {
			c.Add(float64(n))
		}
	}
	m.lifecycle.errors.Add(float64(errors))
	m.lifecycle.duration.Observe(d.Seconds())
}
