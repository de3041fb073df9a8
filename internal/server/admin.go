package server

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/keyring"
	"github.com/gatehouse/gatehouse/internal/s3"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ErrAccountExists: an account with the requested id exists.
var ErrAccountExists = errors.New("an account with that id already exists")

// Admin runs operator commands (gatehouse account …) directly on a data
// directory. SQLite's locking makes this safe while a server runs on it:
// an Admin does not take the server's lock.
type Admin struct{ c *core }

// OpenAdmin opens the existing data directory named by cfg; a missing
// directory or store is refused (ErrNoDataDir, ErrNoStore), as is a missing
// or wrong master key, before anything is written.
func OpenAdmin(ctx context.Context, cfg *config.Config) (*Admin, error) {
	c, err := openCore(ctx, cfg, time.Now, openMode{})
	if err != nil {
		return nil, err
	}
	return &Admin{c: c}, nil
}

// InitAdmin opens the data directory named by cfg like OpenAdmin, but
// creates it — an empty store and a new master key — when it does not
// exist (the operator commands' --init). It creates no account: the first
// `gatehouse serve` on a directory without accounts creates the default
// one.
func InitAdmin(ctx context.Context, cfg *config.Config) (*Admin, error) {
	c, err := openCore(ctx, cfg, time.Now, openMode{create: true})
	if err != nil {
		return nil, err
	}
	return &Admin{c: c}, nil
}

// CreateAccount adds an account (id "" = generated) and returns its new root
// access key.
func (a *Admin) CreateAccount(ctx context.Context, id, name string) (*Credentials, error) {
	acct, key, err := a.c.iam.CreateAccount(ctx, id, name, "", "")
	if errors.Is(err, store.ErrExists) {
		return nil, ErrAccountExists
	}
	if err != nil {
		return nil, err
	}
	return &Credentials{AccountID: acct.ID, AccountName: acct.Name, AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}, nil
}

// ListAccounts lists every account.
func (a *Admin) ListAccounts(ctx context.Context) ([]*store.Account, error) {
	return a.c.iam.ListAccounts(ctx)
}

// RotateTokenKeys makes a new active session-token key and retires the old
// one; running servers pick it up on their next token operation.
func (a *Admin) RotateTokenKeys(ctx context.Context) (uint32, error) {
	if _, err := keyring.OpenTokenKeys(ctx, a.c.store, a.c.master, time.Now()); err != nil {
		return 0, err
	}
	return keyring.RotateTokenKeys(ctx, a.c.store, a.c.master, time.Now())
}

// SweepBlobs deletes object bytes that no object or upload refers to and
// that are older than grace (safe while a server runs: a blob being
// uploaded is younger than any sensible grace).
func (a *Admin) SweepBlobs(ctx context.Context, grace time.Duration) (s3.SweepResult, error) {
	blobs, err := openBlobStore(ctx, a.c.cfg)
	if err != nil {
		return s3.SweepResult{}, err
	}
	w := &s3.Sweeper{Store: a.c.store, Blobs: blobs, Grace: grace, Now: time.Now, FreeDelay: freeDelay(a.c.cfg), Holder: s3.NewNodeID("gatehouse-blobs-sweep")}
	return w.Sweep(ctx)
}

// RunLifecycle runs one pass of the S3 lifecycle worker now (resuming one
// a crash interrupted). Safe beside a running server: actions are checked
// and committed in small transactions, and the bytes of what it removes are
// left to the orphan sweeper (a server's reads in flight are not visible
// from here).
func (a *Admin) RunLifecycle(ctx context.Context, log *slog.Logger) (s3.LifecycleResult, error) {
	blobs, err := openBlobStore(ctx, a.c.cfg)
	if err != nil {
		return s3.LifecycleResult{}, err
	}
	svc := s3.New(s3.Config{Store: a.c.store, Blobs: blobs, Now: time.Now, Log: log, Node: s3.NewNodeID("gatehouse-lifecycle-run")})
	w := svc.LifecycleWorker(time.Now)
	w.KeepBlobs = true
	return w.RunOnce(ctx)
}

// EnableRootMFADevice enables the virtual MFA device serial (created with
// CreateVirtualMFADevice) for the root of account, checking two
// consecutive codes of it: the only way a root gets a device, as AWS
// allows it only in its console (`gatehouse mfa enable-root`).
func (a *Admin) EnableRootMFADevice(ctx context.Context, account, serial, code1, code2 string) error {
	return a.c.iam.EnableRootMFADevice(ctx, account, serial, code1, code2)
}

// Close releases the store.
func (a *Admin) Close() error { return a.c.close() }
