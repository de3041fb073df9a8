// Package testenv starts a complete Gatehouse server in-process for tests:
// a temp data dir, a loopback listener on a random port, fixed root
// credentials for the default account, and aws-sdk-go-v2 clients configured
// against it. Close (registered with t.Cleanup) shuts the server down
// gracefully; Restart stops it and starts a new one on the same data dir.
package testenv

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
)

// Fixed identity of the default account in every test environment.
const (
	AccountID     = "111122223333"
	RootAccessKey = "AKIAGATEHOUSETEST001"
	RootSecretKey = "gatehouseTestRootSecret0123456789abcdefg"
	Region        = "us-east-1"
)

// Env is one running server and clients for it.
type Env struct {
	t       testing.TB
	URL     string // http://127.0.0.1:PORT
	DataDir string
	Cfg     *config.Config
	Server  *server.Server

	// Clients signed with the default account's root key.
	IAM *iam.Client
	STS *sts.Client
	S3  *s3.Client

	cancel context.CancelFunc
	done   chan error

	// transport carries every client the Env builds, so that Close can
	// close their connections before it shuts the server down.
	transport *http.Transport

	mu     sync.Mutex
	offset time.Duration // added to the server's clock (Advance)

	// Records holds the record of every request the server answered.
	Records *RecordLog

	// AdminURL is http://ADDR of the admin listener when the config names
	// one (Cfg.AdminListen, e.g. "127.0.0.1:0"), "" otherwise.
	AdminURL  string
	adminDone chan error
	setup     func(*server.Options)
	logMu     sync.Mutex
	logs      []byte // everything the server logged
}

// Option adjusts the server configuration before start.
type Option func(*config.Config)

// New starts a server for the test and registers its shutdown.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	return NewWith(t, nil, opts...)
}

// NewWith is New with setup adjusting the server's process-level options
// (its logger, a store decorator) before each start.
func NewWith(t testing.TB, setup func(*server.Options), opts ...Option) *Env {
	t.Helper()
	env := map[string]string{
		"GATEHOUSE_ROOT_ACCESS_KEY_ID":     RootAccessKey,
		"GATEHOUSE_ROOT_SECRET_ACCESS_KEY": RootSecretKey,
	}
	cfg, err := config.Load([]string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--account-id", AccountID,
		"--region", Region, "--shutdown-timeout", "5s",
		"--s3-lifecycle-interval", "0"}, // tests run lifecycle passes themselves (Server.Lifecycle)
		func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatalf("testenv config: %v", err)
	}
	for _, o := range opts {
		o(cfg)
	}
	e := &Env{t: t, DataDir: cfg.DataDir, Cfg: cfg, transport: newTransport(), Records: &RecordLog{}, setup: setup}
	e.start()
	t.Cleanup(e.Close)
	return e
}

func (e *Env) start() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	opt := server.Options{Stderr: testWriter{e}, Now: e.now, Sink: e.Records}
	if e.setup != nil {
		e.setup(&opt)
	}
	srv, err := server.New(ctx, e.Cfg, opt)
	if err != nil {
		cancel()
		e.t.Fatalf("testenv: start server: %v", err)
	}
	l, err := net.Listen("tcp", e.Cfg.Listen)
	if err != nil {
		cancel()
		srv.Close()
		e.t.Fatalf("testenv: listen: %v", err)
	}
	// Keep the same port across restarts.
	e.Cfg.Listen = l.Addr().String()
	e.URL = "http://" + l.Addr().String()
	e.Server = srv
	e.cancel = cancel
	e.done = make(chan error, 1)
	go func() { e.done <- srv.Serve(ctx, l) }()
	if e.Cfg.AdminListen != "" {
		al, err := net.Listen("tcp", e.Cfg.AdminListen)
		if err != nil {
			e.t.Fatalf("testenv: admin listen: %v", err)
		}
		e.Cfg.AdminListen = al.Addr().String()
		e.AdminURL = "http://" + al.Addr().String()
		e.adminDone = make(chan error, 1)
		go func() { e.adminDone <- srv.ServeAdmin(ctx, al) }()
	}
	root := e.Credentials(RootAccessKey, RootSecretKey, "")
	e.IAM = e.IAMClient(root)
	e.STS = e.STSClient(root)
	e.S3 = e.S3Client(root)
}

// Now is the server's clock (the real time plus what Advance added).
func (e *Env) Now() time.Time { return e.now() }

func (e *Env) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Now().Add(e.offset)
}

// Advance moves the server's clock forward (clients keep the real time, so
// stay within SigV4's 15-minute skew unless that is what a test checks).
func (e *Env) Advance(d time.Duration) {
	e.mu.Lock()
	e.offset += d
	e.mu.Unlock()
}

// CreateAccount adds an account to the running server's data dir and
// returns its id and root credentials.
func (e *Env) CreateAccount(name string) (id string, root aws.CredentialsProvider) {
	e.t.Helper()
	admin, err := server.OpenAdmin(context.Background(), e.Cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	defer admin.Close()
	c, err := admin.CreateAccount(context.Background(), "", name)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.AccountID, e.Credentials(c.AccessKeyID, c.SecretAccessKey, "")
}

// EnableRootMFA runs `gatehouse mfa enable-root` on the data dir: the
// default account's root gets the virtual MFA device serial.
func (e *Env) EnableRootMFA(serial, code1, code2 string) {
	e.t.Helper()
	admin, err := server.OpenAdmin(context.Background(), e.Cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.EnableRootMFADevice(context.Background(), e.Cfg.AccountID, serial, code1, code2); err != nil {
		e.t.Fatal(err)
	}
}

// RotateTokenKeys runs `gatehouse keys rotate` on the data dir.
func (e *Env) RotateTokenKeys() {
	e.t.Helper()
	admin, err := server.OpenAdmin(context.Background(), e.Cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.RotateTokenKeys(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// newTransport is http.DefaultTransport with room for as many idle
// connections per host as tests run concurrent requests: with the default
// of 2, eight concurrent clients close and redial connections all the time.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return t
}

// Close shuts the server down gracefully and releases the store.
//
// It first closes the idle connections of the Env's clients. A transport
// that finds no idle connection dials a new one, and when another request
// frees a connection first, the new one goes into the pool unused; the
// server sees it as a connection in http.StateNew, which
// http.Server.Shutdown waits for until it is more than 5 seconds old — as
// long as the whole shutdown timeout. Closing them leaves Shutdown nothing
// to wait for but requests in flight.
func (e *Env) Close() {
	if e.cancel == nil {
		return
	}
	e.transport.CloseIdleConnections()
	e.cancel()
	select {
	case err := <-e.done:
		if err != nil {
			e.t.Errorf("testenv: serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		e.t.Errorf("testenv: server did not stop within 10s")
	}
	if e.adminDone != nil {
		select {
		case err := <-e.adminDone:
			if err != nil {
				e.t.Errorf("testenv: serve admin: %v", err)
			}
		case <-time.After(10 * time.Second):
			e.t.Errorf("testenv: admin listener did not stop within 10s")
		}
		e.adminDone = nil
	}
	e.Server.Close()
	e.cancel = nil
}

// Restart stops the server and starts a new one on the same data dir and port.
func (e *Env) Restart() {
	e.t.Helper()
	e.Close()
	e.start()
}

// Credentials returns a static credentials provider.
func (e *Env) Credentials(akid, secret, token string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(akid, secret, token)
}

// AWSConfig returns an SDK configuration that points every service at the
// server with the given credentials.
func (e *Env) AWSConfig(creds aws.CredentialsProvider) aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  creds,
		BaseEndpoint: aws.String(e.URL),
		HTTPClient:   &http.Client{Timeout: 60 * time.Second, Transport: e.transport},
		// Fail fast in tests rather than retrying server errors.
		RetryMaxAttempts: 1,
	}
}

// IAMClient returns an IAM client signed with creds.
func (e *Env) IAMClient(creds aws.CredentialsProvider) *iam.Client {
	return iam.NewFromConfig(e.AWSConfig(creds))
}

// STSClient returns an STS client signed with creds.
func (e *Env) STSClient(creds aws.CredentialsProvider) *sts.Client {
	return sts.NewFromConfig(e.AWSConfig(creds))
}

// SelfSignedCert writes a certificate for 127.0.0.1 and its key into a temp
// dir and returns the file paths and a pool trusting it (for TLS servers:
// testenv.New(t, func(c *config.Config) { c.TLSCert, c.TLSKey = cert, key })).
func SelfSignedCert(t testing.TB) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gatehouse-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// S3Client returns a path-style S3 client signed with creds, with the SDK's
// default checksum and payload-signing behaviour.
func (e *Env) S3Client(creds aws.CredentialsProvider, opts ...func(*s3.Options)) *s3.Client {
	return s3.NewFromConfig(e.AWSConfig(creds), append([]func(*s3.Options){func(o *s3.Options) { o.UsePathStyle = true }}, opts...)...)
}

// testWriter passes the server's log to the test's log and keeps it.
type testWriter struct{ e *Env }

func (w testWriter) Write(p []byte) (int, error) {
	w.e.t.Logf("%s", p)
	w.e.logMu.Lock()
	w.e.logs = append(w.e.logs, p...)
	w.e.logMu.Unlock()
	return len(p), nil
}

// Logs returns everything the server has logged so far.
func (e *Env) Logs() string {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	return string(e.logs)
}

// HTTP returns a plain HTTP client for raw requests (on the Env's
// transport, whose idle connections Close closes).
func (e *Env) HTTP() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: e.transport}
}
