package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob/s3blob"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/datadir"
	"github.com/gatehouse/gatehouse/internal/migrate"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

var (
	_ migrate.Source     = (*sqlite.Store)(nil)
	_ migrate.Target     = (*postgres.Store)(nil)
	_ migrate.BlobTarget = (*s3blob.Store)(nil)
)

// ErrMigrateTarget: the store setting of a migration does not name a
// PostgreSQL database.
var ErrMigrateTarget = errors.New("migrate: the target must be a PostgreSQL database")

// MigrateOptions are the choices of `gatehouse migrate`.
type MigrateOptions struct {
	// Progress, when not nil, receives a line per table and per phase.
	Progress io.Writer
	// Workers is how many blobs are copied at once (0: the default).
	Workers int
}

// Migrate copies the data directory's SQLite store into the PostgreSQL
// database cfg.Store names, which must be empty, and, when cfg.Blob names
// an S3-compatible store, the object bytes the store references into it
// (see package migrate). It holds the data directory's lock while it
// runs, so it refuses a directory a server runs on, and checks first,
// reading only, that the source is at this binary's schema level and that
// the master key given (master.key or the master-key setting) opens it:
// the nodes of the cluster need that key.
func Migrate(ctx context.Context, cfg *config.Config, opt MigrateOptions) (*migrate.Summary, error) {
	if !postgres.IsDSN(cfg.Store) {
		return nil, &problem{ErrMigrateTarget, "migrate needs the target database: --store postgres://… (or GATEHOUSE_STORE); " +
			"the data directory named by --data-dir is the source"}
	}
	dir := cfg.DataDir
	dbPath := filepath.Join(dir, StoreFile)
	exists, err := storeExists(dbPath)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, &problem{ErrNoStore, fmt.Sprintf("data directory %s has no store (%s): nothing to migrate", dir, StoreFile)}
	}
	lock, err := datadir.Acquire(dir)
	if errors.Is(err, datadir.ErrInUse) {
		return nil, fmt.Errorf("%w; stop that server before migrating (migrate copies a stopped node's data directory)", err)
	}
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	master, err := existingMaster(cfg)
	if err != nil {
		return nil, err
	}
	src, err := sqlite.OpenReadOnly(dbPath, sqlite.Config{})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	defer src.Close()
	if src.Schema() != sqlstore.SchemaLatest {
		return nil, &problem{migrate.ErrSourceSchema, fmt.Sprintf(
			"the store in %s is at schema level %d, and this gatehouse migrates level %d: open it once with this binary "+
				"(gatehouse account list --data-dir %s migrates it), then run migrate again. Nothing was written",
			dir, src.Schema(), sqlstore.SchemaLatest, dir)}
	}
	if err := src.View(ctx, func(tx store.Tx) error { return checkMaster(ctx, tx, master, cfg, dir) }); err != nil {
		return nil, err
	}
	dst, err := postgres.Open(ctx, cfg.Store, postgres.Config{NoListen: true})
	if err != nil {
		return nil, fmt.Errorf("open target %s: %w", postgres.Redact(cfg.Store), err)
	}
	defer dst.Close()
	mc := migrate.Config{Source: src, Target: dst, Schema: sqlstore.SchemaLatest, Workers: opt.Workers, Now: time.Now, Progress: opt.Progress}
	if _, err := os.Stat(filepath.Join(dir, BlobDir)); err == nil {
		if mc.From, err = openBlobs(filepath.Join(dir, BlobDir)); err != nil {
			return nil, fmt.Errorf("blob store: %w", err)
		}
	}
	if cfg.Blob != "" {
		to, err := s3blob.Open(ctx, cfg.Blob)
		if err != nil {
			return nil, fmt.Errorf("blob store: %w", err)
		}
		mc.To = to
	}
	return migrate.Run(ctx, mc)
}
