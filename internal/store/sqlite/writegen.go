package sqlite

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// The write generation tells a cache of records read from this store
// whether the database may have changed since it read them (the S3
// object cache on a single node: s3.WriteGenerations).
//
// It is a sequence count of this store's commits: Update's commit adds one
// before it commits the batch's transaction and one after, so the count is
// odd exactly while a commit may be becoming visible to readers. Writes by
// other processes on the same database (gatehouse lifecycle run beside a
// server) are seen through SQLite's PRAGMA data_version on a connection of
// its own, read at most once per genRefresh of the Config's clock: a
// change adds two. So another process's commit is seen within a second,
// as IAMGeneration sees its IAM writes; this process's commits at once.

// writeGen is the write generation's state.
type writeGen struct {
	seq atomic.Int64
	// watch is the connection that reads PRAGMA data_version (nil: the
	// store is read-only or closed); dataVersion its last answer, read
	// when it was last read (Unix nanoseconds of now).
	watch       *sql.DB
	dataVersion atomic.Int64
	read        atomic.Int64
}

// openWatch opens the data_version connection of the database at dsn.
func (g *writeGen) openWatch(ctx context.Context, dsn string, now time.Time) error {
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	var v int64
	if err := w.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
		w.Close()
		return err
	}
	g.watch = w
	g.dataVersion.Store(v)
	g.read.Store(now.UnixNano())
	return nil
}

// WriteGeneration returns the store's write generation: unchanged from one
// call to another only if no commit (of this process, or one of another
// process more than a second old) was made in between; odd while this
// process is committing. An error means the generation is unknown.
func (s *Store) WriteGeneration(ctx context.Context) (int64, error) {
	g := &s.wgen
	if g.watch != nil {
		now := s.now().UnixNano()
		if last := g.read.Load(); due(now, last) && g.read.CompareAndSwap(last, now) {
			var v int64
			if err := g.watch.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
				// Unknown: let the next call read it again.
				g.read.Store(last)
				return 0, err
			}
			// PRAGMA data_version changes with every commit of another
			// connection, this store's writer's included: a change costs
			// the cache one reload at most once a second.
			if g.dataVersion.Swap(v) != v {
				g.seq.Add(2)
			}
		}
	}
	return g.seq.Load(), nil
}

// due reports whether a counter last read at last (Unix nanoseconds) is to
// be read again at now: genRefresh later, or at once when the clock has
// stepped back since (else a correction of an hour would stop the reads
// for an hour).
func due(now, last int64) bool {
	d := now - last
	return d > int64(genRefresh) || d < 0
}
