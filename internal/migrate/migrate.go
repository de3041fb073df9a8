package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gatehouse/gatehouse/internal/blob"
)

// Why a migration failed (errors.Is).
var (
	// ErrUnknownTable: the source has a table the copier neither copies
	// nor skips (a newer schema than this copier knows).
	ErrUnknownTable = errors.New("migrate: the source has a table the copier does not know")
	// ErrSourceSchema: the source is not at the schema level required.
	ErrSourceSchema = errors.New("migrate: the source store is not at this binary's schema level")
	// ErrSchemaMismatch: a copied table's columns, or a value's type,
	// differ between source and target.
	ErrSchemaMismatch = errors.New("migrate: source and target schemas differ")
	// ErrTargetNotEmpty: the target database holds rows.
	ErrTargetNotEmpty = errors.New("migrate: the target database is not empty")
	// ErrCountMismatch: after the copy a table has another number of rows
	// in the target than in the source.
	ErrCountMismatch = errors.New("migrate: row counts differ after the copy")
	// ErrBlobMissing: a referenced blob is in neither the source's blob
	// store (copy) nor the upstream (final check).
	ErrBlobMissing = errors.New("migrate: a referenced blob is missing")
	// ErrBlobMismatch: a copied blob upstream does not match its source.
	ErrBlobMismatch = errors.New("migrate: a copied blob does not match its source")
)

// Source is the data directory's SQLite store, opened read-only.
type Source interface {
	// Schema is the store's schema level.
	Schema() int
	// ReadRaw runs fn in one read-only transaction of the database.
	ReadRaw(ctx context.Context, fn func(tx *sql.Tx) error) error
}

// Target is the PostgreSQL database, its schema migrated.
type Target interface {
	// WriteRaw runs fn in one transaction, committing when fn returns nil.
	WriteRaw(ctx context.Context, fn func(tx *sql.Tx) error) error
}

// BlobSource is where the source's blobs are (the data directory's blobs).
type BlobSource interface {
	Open(ctx context.Context, key string) (blob.Object, error)
}

// BlobTarget is the S3-compatible store the blobs go to.
type BlobTarget interface {
	blob.Importer
	Open(ctx context.Context, key string) (blob.Object, error)
}

// Config says what to migrate where.
type Config struct {
	Source Source
	Target Target
	// Schema is the level source and target must be at
	// (sqlstore.SchemaLatest).
	Schema int
	// From and To are the blob stores; with To nil only the rows are
	// copied (Summary.Blobs still counts the referenced blobs).
	From BlobSource
	To   BlobTarget
	// Workers is how many blobs are copied or checked at once (default 4).
	Workers int
	// Now is the clock of Summary.Duration (default time.Now).
	Now func() time.Time
	// Progress, when not nil, receives a line per table and per phase.
	Progress io.Writer
}

// Summary is what a migration did.
type Summary struct {
	// Rows are the rows copied by table; Tables counts them.
	Rows      map[string]int64
	Tables    int
	TotalRows int64
	// Blobs and Bytes are the blobs the source references and their size;
	// Copied of them were copied now (CopiedBytes), Skipped were upstream
	// already with the right size (an earlier run).
	Blobs, Bytes        int64
	Copied, CopiedBytes int64
	Skipped             int64
	// Verified counts the blobs the target references that were found
	// upstream at the end.
	Verified int64
	Duration time.Duration
}

// Run migrates Config.Source into Config.Target (see the package doc).
func Run(ctx context.Context, c Config) (*Summary, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	start := c.Now()
	if lvl := c.Source.Schema(); lvl != c.Schema {
		return nil, fmt.Errorf("%w: the source is at level %d, this binary needs %d", ErrSourceSchema, lvl, c.Schema)
	}
	if err := preflight(ctx, c); err != nil {
		return nil, err
	}
	s := &Summary{Rows: map[string]int64{}}
	if err := copyBlobs(ctx, c, s); err != nil {
		return nil, err
	}
	c.progress("blobs: %d referenced (%d bytes), %d copied (%d bytes), %d already upstream", s.Blobs, s.Bytes, s.Copied, s.CopiedBytes, s.Skipped)
	if err := copyRows(ctx, c, s); err != nil {
		return nil, err
	}
	if c.To != nil {
		if err := verifyBlobs(ctx, c, s); err != nil {
			return nil, err
		}
		c.progress("verified: %d referenced blobs are upstream", s.Verified)
	}
	s.Duration = c.Now().Sub(start)
	return s, nil
}

func (c Config) progress(format string, args ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, format+"\n", args...)
	}
}

// preflight checks, writing nothing, that every source table is known,
// that the columns agree and that the target is empty.
func preflight(ctx context.Context, c Config) error {
	return c.Source.ReadRaw(ctx, func(src *sql.Tx) error {
		if err := sourceTables(ctx, src); err != nil {
			return err
		}
		return c.Target.WriteRaw(ctx, func(dst *sql.Tx) error {
			for _, t := range Tables() {
				if _, err := columns(ctx, src, dst, t); err != nil {
					return err
				}
			}
			return checkEmpty(ctx, dst)
		})
	})
}

// copyRows copies every table in one target transaction, which commits
// only when the target's counts equal the source's.
func copyRows(ctx context.Context, c Config, s *Summary) error {
	return c.Source.ReadRaw(ctx, func(src *sql.Tx) error {
		if err := sourceTables(ctx, src); err != nil {
			return err
		}
		return c.Target.WriteRaw(ctx, func(dst *sql.Tx) error {
			if err := checkEmpty(ctx, dst); err != nil {
				return err
			}
			if _, err := dst.ExecContext(ctx, `DELETE FROM `+quote(seeded)); err != nil {
				return err
			}
			tables := Tables()
			for _, t := range tables {
				cols, err := columns(ctx, src, dst, t)
				if err != nil {
					return err
				}
				n, err := copyTable(ctx, src, dst, t, cols)
				if err != nil {
					return err
				}
				want, err := count(ctx, src, t)
				if err != nil {
					return err
				}
				got, err := count(ctx, dst, t)
				if err != nil {
					return err
				}
				if n != want || got != want {
					return fmt.Errorf("%w: table %s has %d rows in the source, %d were copied, the target has %d", ErrCountMismatch, t, want, n, got)
				}
				s.Rows[t] = n
				s.TotalRows += n
				c.progress("table %s: %d rows", t, n)
			}
			s.Tables = len(tables)
			return nil
		})
	})
}
