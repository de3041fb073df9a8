package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/datadir"
	"github.com/gatehouse/gatehouse/internal/iam"
	"github.com/gatehouse/gatehouse/internal/iam/awsmanaged"
	"github.com/gatehouse/gatehouse/internal/keyring"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// Why a data directory was not opened (errors.Is). The errors carrying
// them explain the problem and its remedy to the operator.
var (
	// ErrNoDataDir: the data directory does not exist, and the caller
	// does not create one (operator commands without --init).
	ErrNoDataDir = errors.New("data directory does not exist")
	// ErrNoStore: the directory exists but holds no store.
	ErrNoStore = errors.New("data directory has no store")
	// ErrMasterKeyMissing: the store exists but no master key is given.
	ErrMasterKeyMissing = errors.New("master key is missing")
	// ErrMasterKeyMismatch: the master key given is not the store's.
	ErrMasterKeyMismatch = errors.New("master key does not match the store")
	// ErrAccountMismatch: account-id names another account than the
	// directory's default account.
	ErrAccountMismatch = errors.New("account-id does not match the data directory")
	// ErrInUse: another server holds the data directory.
	ErrInUse = datadir.ErrInUse
)

// problem is an error with a sentinel kind and an operator's message.
type problem struct {
	kind error
	msg  string
}

func (p *problem) Error() string { return p.msg }
func (p *problem) Unwrap() error { return p.kind }

const createHint = "`gatehouse serve` creates a data directory on its first start, and `gatehouse account`, `keys` and `blobs` create one with --init"

// masterKeyRole says what the master key protects.
const masterKeyRole = "The master key seals the session-token keys and the secrets in the store (secret access keys, MFA seeds)"

// masterKeySource names where cfg's master key comes from.
func masterKeySource(cfg *config.Config) string {
	if cfg.MasterKey != "" {
		return "the master-key setting (GATEHOUSE_MASTER_KEY or the config file)"
	}
	return filepath.Join(cfg.DataDir, keyring.MasterKeyFile)
}

// openMode says how openCore treats the data directory.
type openMode struct {
	// create: a missing directory or store is created (serve, --init).
	create bool
	// serve: the server's exclusive lock is taken and account-id checked.
	serve bool
}

// core is what both the server and the admin commands need.
type core struct {
	cfg     *config.Config
	dataDir string
	// db is the store as opened (SQLite or PostgreSQL; operator commands
	// such as backup ask it for capabilities); store is what the services
	// use: db, or db decorated (metrics, tests' faults).
	db      store.Store
	store   store.Store
	master  *keyring.Master
	iam     *iam.Service
	managed *awsmanaged.Catalog
	lock    *datadir.Lock // held by a server; nil for operator commands
}

// close releases the store and the lock.
func (c *core) close() error {
	return errors.Join(c.db.Close(), c.lock.Unlock())
}

// openCore opens the data directory. Before it writes anything it checks,
// reading only, that the directory and its store exist (unless it may
// create them), that an existing store's master key is given and is the
// right one, and, for a server, that account-id names the directory's
// default account; then a server takes the directory's lock. On a
// successful open it records the master key's check value and the default
// account in the store when missing (stores of earlier versions). A
// PostgreSQL store (cfg.Store) is opened, and so migrated, before the
// checks, which then read it in the same way.
func openCore(ctx context.Context, cfg *config.Config, now func() time.Time, mode openMode) (*core, error) {
	dir := cfg.DataDir
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !mode.create {
			return nil, &problem{ErrNoDataDir, fmt.Sprintf("data directory %s does not exist; %s", dir, createHint)}
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("data dir: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("data directory %s is not a directory", dir)
	}
	var master *keyring.Master
	var pg *postgres.Store
	if postgres.IsDSN(cfg.Store) {
		if pg, master, err = openPostgres(ctx, cfg, now, mode); err != nil {
			return nil, err
		}
	} else if master, err = checkSQLite(ctx, cfg, mode); err != nil {
		return nil, err
	}
	c := &core{cfg: cfg, dataDir: dir}
	if mode.serve {
		if c.lock, err = datadir.Acquire(dir); err != nil {
			if pg != nil {
				pg.Close()
			}
			return nil, err
		}
	}
	fail := func(err error) (*core, error) {
		if c.db != nil {
			c.db.Close()
		} else if pg != nil {
			pg.Close()
		}
		c.lock.Unlock()
		return nil, err
	}
	if master == nil {
		if master, _, err = keyring.LoadMaster(cfg.MasterKey, dir); err != nil {
			return fail(err)
		}
	}
	c.master = master
	if pg != nil {
		c.db = pg
	} else if c.db, err = sqlite.OpenConfig(filepath.Join(dir, StoreFile), sqlite.Config{Now: now}); err != nil {
		return fail(fmt.Errorf("open store: %w", err))
	}
	c.store = c.db
	if err := recordInstallation(ctx, c.db, master, now, cfg); err != nil {
		return fail(err)
	}
	if c.managed, err = awsmanaged.Load(); err != nil {
		return fail(fmt.Errorf("load AWS managed policies: %w", err))
	}
	c.iam = c.newIAM(now)
	return c, nil
}

// checkSQLite checks the data directory's SQLite store, reading only: that
// it exists unless mode creates it, and for an existing store its master
// key (returned) and, for a server, the default account.
func checkSQLite(ctx context.Context, cfg *config.Config, mode openMode) (*keyring.Master, error) {
	dbPath := filepath.Join(cfg.DataDir, StoreFile)
	exists, err := storeExists(dbPath)
	if err != nil {
		return nil, err
	}
	if !exists && !mode.create {
		return nil, &problem{ErrNoStore, fmt.Sprintf("data directory %s has no store (%s); %s", cfg.DataDir, StoreFile, createHint)}
	}
	if !exists {
		return nil, nil
	}
	master, err := existingMaster(cfg)
	if err != nil {
		return nil, err
	}
	ro, err := sqlite.OpenReadOnly(dbPath, sqlite.Config{})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	defer ro.Close()
	return master, preflight(ctx, cfg, ro, master, mode)
}

// openPostgres opens the PostgreSQL store cfg.Store names (migrating it)
// and checks it as checkSQLite does. A database whose installation record
// is missing holds no store yet. Errors name the database without its
// password.
func openPostgres(ctx context.Context, cfg *config.Config, now func() time.Time, mode openMode) (*postgres.Store, *keyring.Master, error) {
	pg, err := postgres.Open(ctx, cfg.Store, postgres.Config{Now: now})
	if err != nil {
		return nil, nil, fmt.Errorf("open store %s: %w", postgres.Redact(cfg.Store), err)
	}
	var exists bool
	err = pg.View(ctx, func(tx store.Tx) error {
		_, err := tx.GetInstallation(ctx)
		exists = err == nil
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	var master *keyring.Master
	switch {
	case err != nil:
	case !exists && !mode.create:
		err = &problem{ErrNoStore, fmt.Sprintf("database %s holds no store; %s", postgres.Redact(cfg.Store), createHint)}
	case exists:
		if master, err = existingMaster(cfg); err == nil {
			err = preflight(ctx, cfg, pg, master, mode)
		}
	}
	if err != nil {
		pg.Close()
		return nil, nil, err
	}
	return pg, master, nil
}

// storeName names the metadata store for logs: "sqlite", or the
// PostgreSQL URL without its password.
func storeName(cfg *config.Config) string {
	if postgres.IsDSN(cfg.Store) {
		return postgres.Redact(cfg.Store)
	}
	return "sqlite"
}

// storeExists reports whether path holds a store. An empty file (left by
// a crash before the first migration committed) holds none.
func storeExists(path string) (bool, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil && fi.Size() > 0, err
}

// existingMaster reads the master key of an existing store, never making one.
func existingMaster(cfg *config.Config) (*keyring.Master, error) {
	m, err := keyring.ReadMaster(cfg.MasterKey, cfg.DataDir)
	if errors.Is(err, keyring.ErrNoMasterKey) {
		return nil, &problem{ErrMasterKeyMissing, fmt.Sprintf(
			"data directory %[1]s holds a store, but its master key is missing: %[2]s does not exist and the master-key setting "+
				"(GATEHOUSE_MASTER_KEY or master-key in the config file) is not set. %[3]s; gatehouse does not make a new key for an "+
				"existing store, since nothing sealed under the old one could be opened. Put the original %[4]s back in %[1]s, "+
				"or set GATEHOUSE_MASTER_KEY to the original key. Nothing was written",
			cfg.DataDir, filepath.Join(cfg.DataDir, keyring.MasterKeyFile), masterKeyRole, keyring.MasterKeyFile)}
	}
	return m, err
}

// preflight checks an existing store, reading only: the master key, and
// for a server the default account.
func preflight(ctx context.Context, cfg *config.Config, ro store.Store, master *keyring.Master, mode openMode) error {
	return ro.View(ctx, func(tx store.Tx) error {
		if err := checkMaster(ctx, tx, master, cfg, cfg.DataDir); err != nil {
			return err
		}
		if !mode.serve || cfg.AccountID == "" {
			return nil
		}
		def, err := defaultAccount(ctx, tx)
		if err != nil || def == "" || def == cfg.AccountID {
			return err
		}
		return &problem{ErrAccountMismatch, fmt.Sprintf(
			"data directory %s was set up with default account %s, but the account-id setting (--account-id, GATEHOUSE_ACCOUNT_ID "+
				"or the config file) asks for %s. account-id only chooses the default account of a new data directory; remove it, "+
				"set it to %s, or use another --data-dir. Nothing was written", cfg.DataDir, def, cfg.AccountID, def)}
	})
}

// checkMaster runs keyring.CheckStore and words a mismatch for the operator.
func checkMaster(ctx context.Context, tx store.Tx, master *keyring.Master, cfg *config.Config, storeDir string) error {
	_, err := keyring.CheckStore(ctx, tx, master)
	if errors.Is(err, keyring.ErrWrongMasterKey) {
		return &problem{ErrMasterKeyMismatch, fmt.Sprintf(
			"the master key from %s does not match the store in %s%s. %s; they open only with the key they were sealed under. "+
				"Supply that key: the master.key file of this data directory, or the master-key setting (GATEHOUSE_MASTER_KEY or "+
				"master-key in the config file). Nothing was written",
			masterKeySource(cfg), storeDir, mismatchDetail(err), masterKeyRole)}
	}
	return err
}

// mismatchDetail is what keyring.CheckStore said beyond ErrWrongMasterKey
// (" (it cannot open …)"), or "".
func mismatchDetail(err error) string {
	return strings.TrimPrefix(err.Error(), keyring.ErrWrongMasterKey.Error())
}

// defaultAccount is the account the installation names, else (stores of
// earlier versions) the oldest account; "" when there is none.
func defaultAccount(ctx context.Context, tx store.Tx) (string, error) {
	in, err := tx.GetInstallation(ctx)
	if err == nil && in.DefaultAccount != "" {
		return in.DefaultAccount, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	accounts, err := tx.ListAccounts(ctx)
	if err != nil {
		return "", err
	}
	var oldest *store.Account
	for _, a := range accounts {
		if oldest == nil || a.CreatedAt.Before(oldest.CreatedAt) {
			oldest = a
		}
	}
	if oldest == nil {
		return "", nil
	}
	return oldest.ID, nil
}

// recordInstallation checks the master key once more in a write
// transaction (a new store was not checked before) and records its check
// value and the default account when they are missing.
func recordInstallation(ctx context.Context, st store.Store, master *keyring.Master, now func() time.Time, cfg *config.Config) error {
	return st.Update(ctx, func(tx store.Tx) error {
		if err := checkMaster(ctx, tx, master, cfg, cfg.DataDir); err != nil {
			return err
		}
		in, err := tx.GetInstallation(ctx)
		if errors.Is(err, store.ErrNotFound) {
			in, err = &store.Installation{}, nil
		}
		if err != nil {
			return err
		}
		changed := false
		if in.MasterKeyCheck == nil {
			if in.MasterKeyCheck, err = master.NewCheck(); err != nil {
				return err
			}
			changed = true
		}
		if in.DefaultAccount == "" {
			if in.DefaultAccount, err = defaultAccount(ctx, tx); err != nil {
				return err
			}
			changed = changed || in.DefaultAccount != ""
		}
		if !changed {
			return nil
		}
		in.UpdatedAt = now().UTC()
		return tx.PutInstallation(ctx, in)
	})
}

// setDefaultAccount records the account bootstrap created.
func setDefaultAccount(ctx context.Context, st store.Store, id string, now time.Time) error {
	return st.Update(ctx, func(tx store.Tx) error {
		in, err := tx.GetInstallation(ctx)
		if err != nil {
			return err
		}
		in.DefaultAccount, in.UpdatedAt = id, now.UTC()
		return tx.PutInstallation(ctx, in)
	})
}

// newIAM builds the IAM service over the core's store.
func (c *core) newIAM(now func() time.Time) *iam.Service {
	return iam.New(iam.Config{Store: c.store, Sealer: c.master, Now: now, Managed: c.managed})
}
