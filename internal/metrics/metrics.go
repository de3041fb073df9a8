package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// Other is the label value of a service or an action outside the declared
// sets.
const Other = "other"

// Services are the service label's values besides Other.
var services = [...]string{"iam", "sts", "s3"}

// issuing are the STS actions whose successes count as issued credentials.
var issuing = [...]string{"AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "GetSessionToken", "GetFederationToken"}

// tokenOutcomes are the outcomes of a session-token open (authz.TokenOpen*).
var tokenOutcomes = [...]string{"ok", "expired", "invalid", "error"}

// Config are what New needs.
type Config struct {
	// Version is the server's version, exported as gatehouse_build_info.
	Version string
	// Now is the clock store and blob calls are timed with (nil: time.Now).
	Now func() time.Time
}

// Metrics is the registry of one server and the instruments in it. It is
// safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry
	now func() time.Time
	ops map[string]map[string]string // service → operation → its label (the interned name)
	// codes are the code label's values of statuses 0–599, formatted once.
	codes []string

	requests  *prometheus.CounterVec   // service, action, code
	duration  *prometheus.HistogramVec // service, action
	bytesIn   map[string]prometheus.Counter
	bytesOut  map[string]prometheus.Counter
	decisions *prometheus.CounterVec // service, action, decision
	issued    map[string]prometheus.Counter
	tokens    map[string]prometheus.Counter

	store      map[string]prometheus.Observer // op → its latency
	blob       map[string]prometheus.Observer
	blobErrors map[string]prometheus.Counter
	lifecycle  *lifecycleMetrics
}

var (
	_ pipeline.Sink = (*Metrics)(nil)
	// Metrics is the authz.TokenObserver of the composition root (not
	// asserted here: this package does not import authz).
	_ interface{ TokenOpened(string) } = (*Metrics)(nil)
)

// Request latency buckets, in seconds: sub-millisecond cached IAM and STS
// calls up to minute-long transfers.
var requestBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// Backend latency buckets, in seconds.
var backendBuckets = []float64{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5}

// New builds the registry with every Gatehouse metric and the Go runtime
// and process collectors. Every service's operations must be declared
// (Declare) before requests are recorded; until then a service's records
// count as service "other".
func New(c Config) *Metrics {
	if c.Now == nil {
		c.Now = time.Now
	}
	m := &Metrics{reg: prometheus.NewRegistry(), now: c.Now, ops: map[string]map[string]string{}, codes: make([]string, 600)}
	for i := range m.codes {
		m.codes[i] = strconv.Itoa(i)
	}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_requests_total",
		Help: "Requests answered, by service, action (operation) and HTTP status code."}, []string{"service", "action", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gatehouse_request_duration_seconds",
		Help:    "Time from a request's arrival to the end of its response, by service and action (operation).",
		Buckets: requestBuckets}, []string{"service", "action"})
	in := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_request_body_bytes_total",
		Help: "Bytes of request bodies read, by service."}, []string{"service"})
	out := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_response_body_bytes_total",
		Help: "Bytes of response bodies written, by service."}, []string{"service"})
	m.decisions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_authz_decisions_total",
		Help: "Authorization checks decided, by service, action (the request's operation) and decision (allow, explicit_deny, implicit_deny)."},
		[]string{"service", "action", "decision"})
	issued := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_sts_credentials_issued_total",
		Help: "Temporary credentials issued, by STS action (AssumeRole, GetSessionToken)."}, []string{"action"})
	tokens := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_session_token_opens_total",
		Help: "Session tokens opened to authenticate a request, by outcome (ok, expired, invalid, error)."}, []string{"outcome"})
	storeDur := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gatehouse_store_duration_seconds",
		Help:    "Metadata store transactions, by kind (view, update), including the caller's work inside them.",
		Buckets: backendBuckets}, []string{"op"})
	blobDur := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gatehouse_blob_duration_seconds",
		Help:    "Blob store calls, by operation (put: streaming the whole body in; open; delete; walk).",
		Buckets: backendBuckets}, []string{"op"})
	blobErr := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_blob_errors_total",
		Help: "Blob store calls that failed (not counting a missing blob or a cancelled request), by operation."}, []string{"op"})
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gatehouse_build_info",
		Help: "Always 1; the version label is the server's version."}, []string{"version"})
	build.WithLabelValues(c.Version).Set(1)

	m.reg.MustRegister(m.requests, m.duration, in, out, m.decisions, issued, tokens, storeDur, blobDur, blobErr, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	// Small fixed label sets are bound now, so that their series exist
	// (at zero) from the start and the hot path skips the label lookup.
	m.bytesIn, m.bytesOut = map[string]prometheus.Counter{}, map[string]prometheus.Counter{}
	for _, svc := range append(services[:], Other) {
		m.bytesIn[svc], m.bytesOut[svc] = in.WithLabelValues(svc), out.WithLabelValues(svc)
	}
	m.issued = map[string]prometheus.Counter{}
	for _, a := range issuing {
		m.issued[a] = issued.WithLabelValues(a)
	}
	m.tokens = map[string]prometheus.Counter{}
	for _, o := range tokenOutcomes {
		m.tokens[o] = tokens.WithLabelValues(o)
	}
	m.store = map[string]prometheus.Observer{}
	for _, op := range []string{opView, opUpdate} {
		m.store[op] = storeDur.WithLabelValues(op)
	}
	m.blob, m.blobErrors = map[string]prometheus.Observer{}, map[string]prometheus.Counter{}
	for _, op := range []string{opPut, opOpen, opDelete, opWalk} {
		m.blob[op], m.blobErrors[op] = blobDur.WithLabelValues(op), blobErr.WithLabelValues(op)
	}
	m.lifecycle = newLifecycleMetrics(m.reg)
	return m
}

// Handler serves the registry (GET /metrics).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, MaxRequestsInFlight: 4})
}

// Registry is the registry the metrics live in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// labels maps a record's service and operation to their label values.
func (m *Metrics) labels(service, operation string) (string, string) {
	ops, ok := m.ops[service]
	if !ok {
		return Other, Other
	}
	if op, ok := ops[operation]; ok {
		return service, op
	}
	return service, Other
}

// Record counts one finished request.
func (m *Metrics) Record(_ context.Context, r *pipeline.Record) {
	svc, op := m.labels(r.Service, r.Operation)
	m.requests.WithLabelValues(svc, op, m.code(r.Status)).Inc()
	m.duration.WithLabelValues(svc, op).Observe(r.Duration.Seconds())
	if c, ok := m.bytesIn[svc]; ok && r.BytesIn > 0 {
		c.Add(float64(r.BytesIn))
	}
	if c, ok := m.bytesOut[svc]; ok && r.BytesOut > 0 {
		c.Add(float64(r.BytesOut))
	}
	for _, c := range r.Checks {
		m.decisions.WithLabelValues(svc, op, decision(c.Decision.Effect)).Inc()
	}
	if svc == "sts" && r.ErrorCode == "" && r.Status < 300 {
		if c, ok := m.issued[op]; ok {
			c.Inc()
		}
	}
}

// code is the label of an HTTP status.
func (m *Metrics) code(status int) string {
	if status >= 0 && status < len(m.codes) {
		return m.codes[status]
	}
	return strconv.Itoa(status)
}

// decision is the label of an effect.
func decision(e policy.Effect) string {
	switch e {
	case policy.Allow:
		return "allow"
	case policy.ExplicitDeny:
		return "explicit_deny"
	}
	return "implicit_deny"
}

// TokenOpened counts a session-token open by its outcome (an unknown
// outcome counts as "error").
func (m *Metrics) TokenOpened(outcome string) {
	c, ok := m.tokens[outcome]
	if !ok {
		c = m.tokens["error"]
	}
	c.Inc()
}

// Declare sets the operation names of service (iam, sts or s3; any
// other is ignored): the values its action label takes besides "other". The composition root declares every
// service before the first request is recorded; Declare is not safe to
// call concurrently with Record.
func (m *Metrics) Declare(service string, operations []string) {
	if _, ok := m.bytesIn[service]; !ok || service == Other {
		return
	}
	set := make(map[string]string, len(operations))
	for _, n := range operations {
		if n != "" && n != Other {
			set[n] = n
		}
	}
	m.ops[service] = set
}
