package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesslog"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/health"
	"github.com/gatehouse/gatehouse/internal/metrics"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/s3"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Observability: the access log, the Prometheus metrics and the health
// probes, composed here over the request records, the store and the blob
// store.
//
// The metrics and health endpoints are served on the admin listener only
// (--admin-listen), never on the main listener: there every path is an S3
// path (/BUCKET/KEY, or /KEY of the bucket a virtual host names), and
// taking any of them for the server would hide a bucket or an object, or
// make routing depend on the Host header and --s3-domain.

// readyTimeout bounds each readiness check.
const readyTimeout = 2 * time.Second

// Admin endpoint paths.
const (
	MetricsPath = "/metrics"
	LivePath    = "/health/live"
	ReadyPath   = "/health/ready"
)

// instrument puts the store decorators in place before anything is built
// over the store: opt.WrapStore's first, then, when the admin listener is
// configured, the metrics' (the IAM service is rebuilt over them). It
// returns the store readiness probes (under the metrics, so probes are
// not counted as traffic) and the metrics (nil when off).
func (c *core) instrument(cfg *config.Config, opt Options, now func() time.Time) (store.Store, *metrics.Metrics) {
	orig := c.store
	if opt.WrapStore != nil {
		c.store = opt.WrapStore(c.store)
	}
	probed := c.store
	var m *metrics.Metrics
	if cfg.AdminListen != "" {
		// Durations are wall-clock time, not the injected clock that tests move.
		m = metrics.New(metrics.Config{Version: opt.Version, Now: time.Now})
		c.store = m.Store(c.store)
	}
	if c.store != orig {
		c.iam = c.newIAM(now)
	}
	return probed, m
}

// declareOperations gives the metrics the operation names of each
// service: their action label's only values besides "other".
func (s *Server) declareOperations() {
	if s.metrics == nil {
		return
	}
	s.metrics.Declare(serviceIAM, s.iam.Actions())
	s.metrics.Declare(serviceSTS, s.sts.Actions())
	s.metrics.Declare(serviceS3, s3.OperationNames())
}

// accessLogQueue is how many bytes of access-log lines may wait for the
// log's writer before requests wait for it.
const accessLogQueue = 1 << 20

// accessLogDelay is how long the access log's writer lets lines gather
// before one write: under load, one system call for many lines instead of
// one each (the largest part of the access log's cost before).
const accessLogDelay = 2 * time.Millisecond

// sinks is where every request's record goes: the metrics, the access
// log, and opt.Sink, each when there is one. opt.Sink comes last, so a
// test that sees a record there knows the others have it.
//
// The access log goes to the server's log: the caller's Logger as it is,
// or else lines in the server log's text format, at its level, through
// an accesslog.Writer on Stderr, so that lines written under load share
// system calls; Close writes what is queued.
func (s *Server) sinks(opt Options) pipeline.Sink {
	var t pipeline.Tee
	if s.metrics != nil {
		t = append(t, s.metrics)
	}
	switch {
	case !s.cfg.AccessLog:
	case opt.Logger != nil:
		t = append(t, accesslog.New(opt.Logger.Handler()))
	case opt.Stderr != nil:
		w := accesslog.NewWriter(opt.Stderr, accessLogQueue, accessLogDelay)
		s.accessOut = w
		t = append(t, accesslog.NewText(w, parseLevel(s.cfg.LogLevel)))
	}
	if opt.Sink != nil {
		t = append(t, opt.Sink)
	}
	switch len(t) {
	case 0:
		return pipeline.Discard{}
	case 1:
		return t[0]
	}
	return t
}

// closeAccessLog writes the access-log lines still queued.
func (s *Server) closeAccessLog() {
	if s.accessOut != nil {
		s.accessOut.Close()
	}
}

// tokenObserver is the metrics as the authenticator's token observer (a
// nil interface when the metrics are off).
func (s *Server) tokenObserver() authz.TokenObserver {
	if s.metrics == nil {
		return nil
	}
	return s.metrics
}

// timedBlobs is b under the metrics' decorator when they are on.
func (s *Server) timedBlobs(b blob.Store) blob.Store {
	if s.metrics == nil {
		return b
	}
	return s.metrics.Blobs(b)
}

// Metrics returns the server's metrics, nil when no admin listener is
// configured.
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// AdminHandler serves the admin endpoints: /metrics (when the metrics are
// on), /health/live and /health/ready.
func (s *Server) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	if s.metrics != nil {
		mux.Handle(MetricsPath, s.metrics.Handler())
	}
	mux.Handle(LivePath, health.LiveHandler())
	mux.Handle(ReadyPath, s.health.ReadyHandler())
	if s.cfg.AdminPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// ServeAdmin serves the admin endpoints on l (plain HTTP) until ctx is
// cancelled.
func (s *Server) ServeAdmin(ctx context.Context, l net.Listener) error {
	hs := &http.Server{
		Handler:           s.AdminHandler(),
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err2 := <-errc; err == nil && !errors.Is(err2, http.ErrServerClosed) {
		err = err2
	}
	return err
}

// startAdmin listens on cfg.AdminListen (when set) and serves the admin
// endpoints until the returned stop is called — after the main listener
// has drained, so that readiness answers "draining" meanwhile.
func (s *Server) startAdmin(ctx context.Context) (stop func(), err error) {
	if s.cfg.AdminListen == "" {
		return func() {}, nil
	}
	l, err := net.Listen("tcp", s.cfg.AdminListen)
	if err != nil {
		return nil, fmt.Errorf("admin listener: %w", err)
	}
	s.log.Info("admin endpoints listening", "url", "http://"+l.Addr().String(), "paths", []string{MetricsPath, LivePath, ReadyPath})
	actx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.ServeAdmin(actx, l); err != nil {
			s.log.Warn("admin listener failed", "err", err)
		}
	}()
	return func() { cancel(); <-done }, nil
}
