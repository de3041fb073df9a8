package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/blob"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/health"
	"github.com/gatehouse/gatehouse/internal/iam"
	"github.com/gatehouse/gatehouse/internal/keyring"
	"github.com/gatehouse/gatehouse/internal/metrics"
	"github.com/gatehouse/gatehouse/internal/oidc/jwks"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/quota"
	"github.com/gatehouse/gatehouse/internal/s3"
	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/sse"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/sts"
)

// Options are the process-level dependencies of a server.
type Options struct {
	Stdout io.Writer        // where first-start credentials are printed (nil: discarded)
	Stderr io.Writer        // log output (nil: discarded)
	Logger *slog.Logger     // overrides Stderr logging when set
	Now    func() time.Time // clock (nil: time.Now)
	// Sink receives the record of every request (nil: discarded).
	Sink    pipeline.Sink
	Version string
	// WrapStore, when set, decorates the metadata store that every part of
	// the server uses (tests inject faults with storefault).
	WrapStore func(store.Store) store.Store
}

// Server is one Gatehouse node.
type Server struct {
	core   *core // the data directory: store, master key, lock
	cfg    *config.Config
	log    *slog.Logger
	now    func() time.Time
	store  store.Store
	master *keyring.Master
	iam    *iam.Service
	sts    *sts.Service
	authn  *authz.Authenticator
	authz  *authz.Authorizer
	// pipeline drives every request: authenticate, resolve, authorize,
	// handle, record.
	pipeline *pipeline.Driver
	version  string
	// sink receives every request's record once its response is complete.
	sink   pipeline.Sink
	tokens *keyring.TokenKeys
	// quota throttles STS's credential-issuing calls.
	quota *quota.Limiter
	// audit is the audit trail (nil when turned off); sink feeds it.
	audit   *audit.Logger
	s3      *s3.Service
	blobs   blob.Store
	handler http.Handler
	// metrics are collected when an admin listener is configured (nil
	// otherwise); health answers its probes.
	metrics *metrics.Metrics
	health  *health.Checker
	// accessOut queues the access log's lines for the log (nil when the
	// access log writes to the caller's Logger, or is off).
	accessOut io.Closer

	// netNow is the wall clock of socket deadlines, which the runtime
	// compares with real time: never the injected clock (now), which tests
	// move.
	netNow func() time.Time
	// oneClock: now is the wall clock as well (no clock was injected), so
	// a request's start is read once for both.
	oneClock bool
	// unsignedSlots caps requests in progress that carry no signature.
	unsignedSlots slots
	// queryBodies is the memory IAM and STS bodies may hold beyond
	// queryBodyAllowance each, before their signature is checked.
	queryBodies *budget
	// queryBuffers are the buffers IAM and STS answers are built in.
	queryBuffers bufferPool

	// Bootstrap holds the default account's root credentials when this start
	// created them (nil otherwise).
	Bootstrap *Credentials
}

// Credentials are an account's root access key, as printed to the operator.
type Credentials struct {
	AccountID       string
	AccountName     string
	AccessKeyID     string
	SecretAccessKey string
}

// StoreFile is the name of the embedded SQLite database in the data dir.
const StoreFile = "gatehouse.db"

// BlobDir is the directory of object bytes in the data dir.
const BlobDir = "blobs"

// blobGrace is how old an unreferenced blob must be before the sweeper
// deletes it: longer than any upload takes between writing its bytes and
// committing its record.
const blobGrace = time.Hour

// RootCredentialsFile is the 0600 file in the data dir holding the default
// account's root key written at first start.
const RootCredentialsFile = "root-credentials"

// New builds a server from cfg: opens the data dir, bootstraps the default
// account when the store has none, and prepares the handler. It does not
// listen; see Serve and Run.
func New(ctx context.Context, cfg *config.Config, opt Options) (*Server, error) {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	log := opt.Logger
	if log == nil {
		w := opt.Stderr
		if w == nil {
			w = io.Discard
		}
		log = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: parseLevel(cfg.LogLevel)}))
	}
	c, err := openCore(ctx, cfg, now, openMode{create: true, serve: true})
	if err != nil {
		return nil, err
	}
	probed, m := c.instrument(cfg, opt, now)
	s := &Server{cfg: cfg, log: log, now: now, core: c, store: c.store, master: c.master, iam: c.iam, netNow: time.Now, oneClock: opt.Now == nil,
		unsignedSlots: make(slots, cfg.MaxUnsignedRequests), queryBodies: &budget{max: cfg.QueryBodyMemory}, metrics: m}
	if err := s.bootstrap(ctx, opt.Stdout); err != nil {
		c.close()
		return nil, err
	}
	tokens, err := keyring.OpenTokenKeys(ctx, c.store, c.master, now())
	if err != nil {
		c.close()
		return nil, fmt.Errorf("token keyring: %w", err)
	}
	s.tokens = tokens
	issuers, err := issuerKeys(cfg, now)
	if err != nil {
		c.close()
		return nil, err
	}
	s.authz = authz.NewAuthorizer(c.store, c.managed)
	s.pipeline = pipeline.New(s.authz)
	s.version = opt.Version
	s.sink = s.sinks(opt)
	s.quota = newSTSQuota(cfg, now)
	s.sts = sts.New(sts.Config{Store: c.store, Tokens: tokens, Managed: c.managed, Opener: c.master, IssuerKeys: issuers,
		Quota: s.quota, Accounts: accountSettings{cfg}, SAMLEndpoints: []string{cfg.SAMLEndpointURL()}})
	s.authn = authz.NewAuthenticator(authz.AuthenticatorConfig{
		Store:          c.store,
		Opener:         c.master,
		Verifier:       sigv4.NewVerifier(sigv4.VerifierOptions{}),
		Tokens:         tokens,
		Region:         cfg.Region,
		SigningRegions: cfg.SigningRegions,
		Now:            now,
		// The metrics count token opens (nil interface when off).
		TokenObserver: s.tokenObserver(),
	})
	blobs, err := openBlobStore(ctx, cfg)
	if err != nil {
		c.close()
		return nil, err
	}
	s.blobs = blobs
	s.health = health.New(readyTimeout, health.Store(probed), health.Blobs(blobs))
	sseRoot, err := c.master.Derive(sse.RootPurpose)
	if err != nil {
		c.close()
		return nil, err
	}
	sseKeys, err := sse.NewKeyring(sseRoot)
	if err != nil {
		c.close()
		return nil, err
	}
	canonicalKey, err := c.master.Derive("gatehouse/s3/canonical-user-id/v1")
	if err != nil {
		c.close()
		return nil, err
	}
	node, err := nodeID(cfg.DataDir)
	if err != nil {
		c.close()
		return nil, fmt.Errorf("node id: %w", err)
	}
	// The embedded store counts its commits: GET and HEAD may cache
	// object records it invalidates.
	var objects s3.WriteGenerations
	if wg, ok := c.db.(s3.WriteGenerations); ok && cfg.Store == "" {
		objects = wg
	}
	s.s3 = s3.New(s3.Config{Store: c.store, Blobs: s.timedBlobs(blobs), Authn: s.authn, Pipeline: s.pipeline, Region: cfg.Region,
		Domain: cfg.S3Domain, BlockPublicAccess: cfg.S3BlockPublicAccess, MFA: c.master, Now: now, Log: log, Keys: sseKeys,
		EncryptAll: cfg.S3EncryptObjects, InlineMax: int64(cfg.S3InlineMax),
		// One node on its own store writes every bucket: its bucket
		// records may be cached. A cluster's nodes read theirs per request.
		CacheBuckets: cfg.Store == "", Objects: objects, SSECAllowHTTP: cfg.S3SSECAllowHTTP, MFAAllowHTTP: cfg.S3MFAAllowHTTP,
		CanonicalKey: canonicalKey, DefaultObjectOwnership: cfg.S3DefaultObjectOwnership,
		FreeDelay: freeDelay(cfg), Node: node})
	if s.audit, err = s.openAudit(opt.Stdout); err != nil {
		c.close()
		return nil, err
	}
	s.sink = withAudit(s.audit, s.sink)
	if s.metrics != nil && s.quota != nil {
		if err := s.metrics.STSQuota(s.quota); err != nil {
			c.close()
			return nil, fmt.Errorf("quota metrics: %w", err)
		}
	}
	if s.metrics != nil && s.audit != nil {
		if err := s.metrics.Audit(s.audit); err != nil {
			c.close()
			return nil, fmt.Errorf("audit metrics: %w", err)
		}
	}
	s.handler = s.routes()
	s.declareOperations()
	return s, nil
}

// issuerKeys is the cache of OIDC issuers' keys: their certificates are
// trusted through the system roots, the configured CA files, or a
// provider's thumbprints.
func issuerKeys(cfg *config.Config, now func() time.Time) (*jwks.Cache, error) {
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	for _, f := range cfg.OIDCCAPaths() {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("oidc-ca-files: %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("oidc-ca-files: %s holds no PEM certificate", f)
		}
	}
	return jwks.New(jwks.Config{Now: now, Roots: roots}), nil
}

// Sweeper returns the orphaned-blob sweeper of this server's data.
func (s *Server) Sweeper() *s3.Sweeper {
	return &s3.Sweeper{Store: s.store, Blobs: s.blobs, Grace: blobGrace, Now: s.now, FreeDelay: freeDelay(s.cfg), Holder: s.s3.Node()}
}

// freeDelay is how long a freed blob is kept before the sweeper deletes it:
// none on one node (the process's read leases protect its reads), blobGrace
// when the metadata store is shared by several nodes, whose reads of a blob
// another node frees no lease covers.
func freeDelay(cfg *config.Config) time.Duration {
	if cfg.Store == "" {
		return 0
	}
	return blobGrace
}

// NodeIDFile, in the data directory, names the node as the holder of
// background passes' leases (the blob sweeper's, the lifecycle worker's).
// It is kept across restarts, so a node restarted after a crash takes its
// own lapsed-or-not lease back at once instead of waiting for it to lapse.
const NodeIDFile = "node-id"

// nodeID reads the data directory's node id, creating it on first use (the
// host name and random bytes: each data directory, hence each node, has its
// own).
func nodeID(dataDir string) (string, error) {
	path := filepath.Join(dataDir, NodeIDFile)
	if b, err := os.ReadFile(path); err == nil {
		if id := strings.TrimSpace(string(b)); id != "" {
			return id, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "node"
	}
	id := s3.NewNodeID(h)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(id+"\n"), 0o600); err != nil {
		return "", err
	}
	return id, os.Rename(tmp, path)
}

// Lifecycle returns the S3 lifecycle worker of this server's data,
// judging time by the server's clock and counting into its metrics.
func (s *Server) Lifecycle() *s3.LifecycleWorker {
	w := s.s3.LifecycleWorker(s.now)
	if m := s.metrics; m != nil {
		w.OnRun = func(r s3.LifecycleResult) {
			m.LifecycleRun(map[string]int{metrics.LifecycleExpired: r.Expired, metrics.LifecycleVersions: r.Versions,
				metrics.LifecycleMarkers: r.Markers, metrics.LifecycleUploads: r.Uploads}, r.Errors, r.Duration)
		}
	}
	return w
}

func parseLevel(s string) slog.Level {
	switch s {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// bootstrap creates the default account and its root key on first start and
// writes them, once, to a 0600 file and to out.
func (s *Server) bootstrap(ctx context.Context, out io.Writer) error {
	accounts, err := s.iam.ListAccounts(ctx)
	if err != nil {
		return err
	}
	if len(accounts) > 0 {
		return nil
	}
	acct, key, err := s.iam.CreateAccount(ctx, s.cfg.AccountID, s.cfg.AccountName, s.cfg.RootAccessKeyID, s.cfg.RootSecretAccessKey)
	if err != nil {
		return fmt.Errorf("bootstrap default account: %w", err)
	}
	if err := setDefaultAccount(ctx, s.store, acct.ID, s.now()); err != nil {
		return fmt.Errorf("bootstrap default account: %w", err)
	}
	creds := &Credentials{AccountID: acct.ID, AccountName: acct.Name, AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}
	s.Bootstrap = creds
	path := filepath.Join(s.cfg.DataDir, RootCredentialsFile)
	text := fmt.Sprintf("# Gatehouse root credentials of account %s (%s), created %s.\n# AWS shared-credentials format: copy into ~/.aws/credentials or point AWS_SHARED_CREDENTIALS_FILE here.\n[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		acct.ID, acct.Name, s.now().UTC().Format(time.RFC3339), key.AccessKeyID, key.SecretAccessKey)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if out != nil {
		fmt.Fprintf(out, "Gatehouse created account %s (%s) and its root access key.\n"+
			"  aws_access_key_id     = %s\n  aws_secret_access_key = %s\n"+
			"This is shown once; it is also in %s (mode 0600).\n",
			acct.ID, acct.Name, key.AccessKeyID, key.SecretAccessKey, path)
	}
	s.log.Info("bootstrapped default account", "account", acct.ID, "credentials_file", path)
	return nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close flushes the audit trail, writes the queued access-log lines and
// releases the store and the data directory's lock.
func (s *Server) Close() error {
	s.closeAudit()
	s.closeAccessLog()
	return s.core.close()
}

// Run listens on cfg.Listen and serves until ctx is cancelled, then shuts
// down gracefully: the listener closes at once and in-flight requests get up
// to cfg.ShutdownTimeout to finish.
func Run(ctx context.Context, cfg *config.Config, opt Options) error {
	s, err := New(ctx, cfg, opt)
	if err != nil {
		return err
	}
	defer s.Close()
	l, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	stopAdmin, err := s.startAdmin(ctx)
	if err != nil {
		l.Close()
		return err
	}
	defer stopAdmin()
	return s.Serve(ctx, l)
}

// Serve serves on l until ctx is cancelled, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	// ReadHeaderTimeout also bounds the TLS handshake. There is no
	// ReadTimeout or WriteTimeout: they bound a whole request or response,
	// which would cut off long transfers; the body and response writes are
	// timed by progress instead (guard.go).
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	l = s.limitListener(l)
	scheme := "http"
	if s.cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			l.Close()
			return fmt.Errorf("tls: %w", err)
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		l = tls.NewListener(l, hs.TLSConfig)
		scheme = "https"
	}
	s.log.Info("gatehouse listening", "url", scheme+"://"+l.Addr().String(), "region", s.cfg.Region, "data_dir", s.cfg.DataDir, "store", storeName(s.cfg), "blob", blobDescription(s.cfg), "version", s.version)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	sweepCtx, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	var background sync.WaitGroup
	if s.cfg.SweepInterval > 0 {
		background.Go(func() {
			s.Sweeper().Run(sweepCtx, s.cfg.SweepInterval, func(err error) { s.log.Warn("blob sweep failed", "err", err) })
		})
	}
	if s.cfg.LifecycleInterval > 0 {
		background.Go(func() { s.Lifecycle().Run(sweepCtx, s.cfg.LifecycleInterval) })
	}
	// A sweep or lifecycle pass under way ends with its current page, and
	// gives its lease back, before Serve returns (a lifecycle cursor keeps
	// the rest for the next start; the store closes after).
	defer func() { stopSweep(); background.Wait() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.health.Drain()
	s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err2 := <-errc; err2 != nil && !errors.Is(err2, http.ErrServerClosed) && err == nil {
		err = err2
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}
